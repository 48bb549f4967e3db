"""The round report: ``cosource report`` and :func:`api.report.html.report_html` on the pilot,
a generated 2,000-talent round and a round without an assignment.

The page is checked as a parser sees it: every chart's element and figure JSON, a table row
per placement and per unplaced talent, nothing loaded from a network, balanced tags. How it
renders in a browser is checked elsewhere (Chromium).
"""

from __future__ import annotations

import base64
import gzip
import json
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from api.cli import main
from api.pipeline import RoundParams, run_round, write_outcome
from api.report import summaries
from api.report.html import report_html
from api.report.inputs import ReportInputs
from api.service.jobs.outcome import finished_of
from matcher.errors import RoundError
from matcher.generator import generate_round
from matcher.models import Policy, Round
from matcher.roundio import load_round
from solvers.result import SolveParams
from tests.factories import INTERVALS, PILOT, make_round, package, talent

FIGURES = {
    "fig-kpis",
    "fig-scores",
    "fig-lenders",
    "fig-hosts",
    "fig-costs",
    "fig-fairness",
    "fig-unplaced",
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Page(HTMLParser):
    """What the report's HTML holds, and whether its tags are balanced: every element
    closed, in order (the report writes no optional end tag away)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.ids: Counter[str] = Counter()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.rows: Counter[str] = Counter()
        self._table: list[str] = []
        self._script: dict[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.elements.append((tag, values))
        if "id" in values:
            self.ids[values["id"]] += 1
        if tag == "table":
            self._table.append(values.get("id", ""))
        if tag == "tr" and self._table and "tbody" in self.open:
            self.rows[self._table[-1]] += 1
        if tag == "script":
            self._script, self._text = values, []
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.open[-1] if self.open else ''}>")
            return
        self.open.pop()
        if tag == "table":
            self._table.pop()
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def figure_data(parsed: Page) -> dict[str, dict[str, Any]]:
    """Element id -> the Plotly figure (JSON) drawn into it."""
    return {
        attrs["data-for"]: json.loads(text)
        for attrs, text in parsed.scripts
        if attrs.get("class") == "cosource-figure-data"
    }


def table_rows(parsed: Page, table_id: str) -> int:
    """The rows of a table's body, written plainly or compressed beside it."""
    packed = [
        text
        for attrs, text in parsed.scripts
        if attrs.get("class") == "cosource-rows" and attrs.get("data-for") == table_id
    ]
    if packed:
        rows = gzip.decompress(base64.b64decode(packed[0])).decode()
        return rows.count("<tr>")
    return parsed.rows[table_id]


def values(trace: dict[str, Any], axis: str) -> int:
    """How many values a trace has on ``axis`` (a list, or Plotly's base64 typed array)."""
    data = trace.get(axis)
    if data is None:
        return 0
    if isinstance(data, dict):
        width = int(data["dtype"][1:])
        return len(base64.b64decode(data["bdata"])) // width
    return len(data)


def solve_into(round_: Round, folder: Path, time_limit: float = 3) -> Path:
    params = RoundParams("auto", SolveParams(time_limit=time_limit, workers=1, seed=1))
    write_outcome(run_round(round_, params), folder)
    return folder


@pytest.fixture(scope="module")
def pilot_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pilot") / "results"
    assert main(["solve", str(PILOT), "--out", str(folder), "--quiet", "--time-limit", "5"]) == 0
    return folder


@pytest.fixture(scope="module")
def generated_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    round_ = generate_round(2000, seed=5)
    return solve_into(round_, tmp_path_factory.mktemp("generated") / "results")


@pytest.fixture(scope="module")
def infeasible_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # one talent pinned onto two tours at once: no assignment exists
    raw = load_round(PILOT).model_dump(mode="json")
    raw["pins"] = [
        {"talent": "ann", "package": "coop-finance"},
        {"talent": "ann", "package": "city-procurement"},
    ]
    folder = solve_into(Round.model_validate(raw), tmp_path_factory.mktemp("none") / "results")
    assert sorted(p.name for p in folder.iterdir()) == ["result.json"]
    return folder


@pytest.mark.parametrize("which", ["pilot_folder", "generated_folder"])
def test_the_report_draws_every_figure_from_data(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    folder: Path = request.getfixturevalue(which)
    out = tmp_path / "report.html"
    assert main(["report", str(folder), "--out", str(out)]) == 0
    parsed = parse(out.read_text(encoding="utf-8"))
    divs = {
        a["id"] for tag, a in parsed.elements if "cosource-figure" in a.get("class", "").split()
    }
    assert divs == FIGURES
    figures = figure_data(parsed)
    assert set(figures) == FIGURES
    for name, figure in figures.items():
        assert figure["data"], name
        for trace in figure["data"]:
            assert max(values(trace, "x"), values(trace, "y")) > 0, (name, trace.get("name"))
        assert figure["layout"]["height"] > 0


@pytest.mark.parametrize("which", ["pilot_folder", "generated_folder"])
def test_the_tables_have_a_row_per_placement_and_unplaced_talent(
    which: str, request: pytest.FixtureRequest
) -> None:
    folder: Path = request.getfixturevalue(which)
    placements = pd.read_csv(folder / "placements.csv")
    unplaced = pd.read_csv(folder / "unplaced.csv")
    for compress_over in (0, 10**9):
        documents = ReportInputs.from_folder(folder)
        parsed = parse(report_html(documents, compress_over=compress_over))
        assert table_rows(parsed, "placements-table") == len(placements) > 0
        assert table_rows(parsed, "unplaced-table") == len(unplaced) > 0
        organizations = (
            set(placements["lender"]) | set(placements["host"]) | set(unplaced["lender"])
        )
        assert table_rows(parsed, "organizations-table") == len(organizations)


def test_the_pilots_tables_name_packages_and_organizations(pilot_folder: Path) -> None:
    page = report_html(ReportInputs.from_folder(pilot_folder))
    assert "Finance lead for the solar cooperative" in page
    assert "Northsea Bank" in page and "Scheldt School Group" in page
    assert "no package passes every rule; packages by the first rule they fail: age 5" in page
    parsed = parse(page)
    heads = [a for tag, a in parsed.elements if tag == "th"]
    buttons = [a for tag, a in parsed.elements if tag == "button"]
    assert heads and len(buttons) == len(heads)
    assert all(b.get("type") == "button" for b in buttons)
    assert {h.get("data-type") for h in heads} == {"number", None}


@pytest.mark.parametrize("which", ["pilot_folder", "generated_folder"])
def test_the_page_loads_nothing_from_a_network_and_is_balanced_html(
    which: str, request: pytest.FixtureRequest
) -> None:
    page = report_html(ReportInputs.from_folder(request.getfixturevalue(which)))
    parsed = parse(page)
    assert parsed.errors == [] and parsed.open == []
    assert [tag for tag, _ in parsed.elements][:3] == ["html", "head", "meta"]
    assert page.startswith("<!DOCTYPE html>")
    assert [i for i, n in parsed.ids.items() if n > 1] == []
    for tag, attrs in parsed.elements:
        for name in ("src", "href", "action", "data"):
            target = attrs.get(name, "")
            assert not target.startswith(("http:", "https:", "//")), (tag, attrs)
        assert tag not in ("link", "iframe", "img", "object")
    assert "url(http" not in page and "@import" not in page
    # Plotly's JavaScript inline, once
    assert page.count("plotly.js v") == 1
    assert all("src" not in attrs for attrs, _ in parsed.scripts)


def test_per_lender_talents_from_the_two_tables_are_the_rounds(generated_folder: Path) -> None:
    """Every talent is placed or unplaced, so the tables count each lender's talents: the
    same counts as the round's, and the rates kpis.json bounds."""
    documents = ReportInputs.from_folder(generated_folder)
    round_ = generate_round(2000, seed=5)
    lenders = summaries.lenders(documents)
    assert lenders["talents"].to_dict() == dict(Counter(t.lender for t in round_.talents))
    assert documents.kpis is not None
    kpis = documents.kpis["kpis"]
    assert lenders["rate"].min() == pytest.approx(kpis["lender_rate_min"])
    assert lenders["rate"].max() == pytest.approx(kpis["lender_rate_max"])
    assert summaries.round_rate(documents) == pytest.approx(kpis["placement_rate"])
    hosts = summaries.hosts(documents)
    assert hosts["hosted"].sum() == kpis["placements"]
    assert hosts["fees_paid"].sum() == pytest.approx(kpis["host_fees"], abs=0.01 * len(hosts))


def test_a_talent_on_two_tours_counts_once_in_its_lenders_rate(tmp_path: Path) -> None:
    first, last = INTERVALS[0], INTERVALS[2]
    round_ = make_round(
        [talent("a"), talent("young", age=40)],
        [
            package("p1", start=first[0], end=first[1]),
            package("p2", start=last[0], end=last[1]),
        ],
        policy=Policy(max_tours_per_talent=2),
    )
    documents = ReportInputs.from_folder(solve_into(round_, tmp_path / "results"))
    assert list(documents.placements["talent"]) == ["a", "a"]
    row = summaries.lenders(documents).loc["lend"]
    assert (row["talents"], row["placed"], row["rate"]) == (2, 1, 0.5)
    assert summaries.hosts(documents).loc["host", "hosted"] == 2


def test_a_round_without_assignment_gets_a_page_that_says_so(
    infeasible_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    assert main(["report", str(infeasible_folder), "--out", str(out)]) == 0
    assert "no assignment (infeasible)" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    parsed = parse(page)
    assert parsed.errors == [] and parsed.ids["no-assignment"] == 1
    assert "No assignment: the solve ended infeasible" in page
    assert "tours of talent &#39;ann&#39;" in page
    assert figure_data(parsed) == {} and "plotly.js v" not in page
    assert len(page) < 50_000


@pytest.mark.parametrize(
    ("who", "empty"),
    [
        ("nobody", {"fig-scores", "fig-hosts", "fig-costs"}),
        ("everybody", {"fig-unplaced"}),
    ],
)
def test_a_round_that_places_nobody_or_everybody_says_so_in_its_charts(
    tmp_path: Path, who: str, empty: set[str]
) -> None:
    if who == "nobody":
        raw = load_round(PILOT).model_dump(mode="json")
        raw["policy"]["min_age"] = 90
        round_ = Round.model_validate(raw)
    else:
        round_ = make_round([talent("a")], [package("p1")])
    documents = ReportInputs.from_folder(solve_into(round_, tmp_path / "results"))
    assert (len(documents.placements) == 0) == (who == "nobody")
    parsed = parse(report_html(documents))
    assert parsed.errors == []
    figures = figure_data(parsed)
    assert set(figures) == FIGURES
    said = {
        name
        for name, figure in figures.items()
        if figure["layout"].get("annotations")
        and figure["layout"]["annotations"][0]["text"]
        in ("no placements", "every talent is placed")
    }
    assert said == empty
    placed = len(documents.placements)
    assert table_rows(parsed, "placements-table") == placed
    assert table_rows(parsed, "unplaced-table") == len(round_.talents) - placed


def test_the_report_of_a_runs_stored_rows_is_the_report_of_its_folder(
    pilot_folder: Path,
) -> None:
    """The service stores a run's documents and rows as JSON: the same inputs, the same
    page."""
    outcome = run_round(load_round(PILOT), RoundParams("auto", SolveParams(time_limit=5)))
    finished = finished_of(outcome)
    stored = ReportInputs(
        finished.result,
        finished.kpis,
        pd.DataFrame(finished.placements),
        pd.DataFrame(finished.unplaced),
        title="results",
    )
    from_folder = ReportInputs.from_folder(pilot_folder)
    assert report_html(stored) == report_html(from_folder)


def test_names_from_the_files_are_escaped(pilot_folder: Path) -> None:
    documents = ReportInputs.from_folder(pilot_folder)
    placements = documents.placements.copy()
    placements.loc[0, "package_title"] = "<script>alert(1)</script>"
    changed = ReportInputs(documents.result, documents.kpis, placements, documents.unplaced)
    page = report_html(changed)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert parse(page).errors == []


def _copy(folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    return copy


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("no folder", "results folder {folder} does not exist"),
        ("no result.json", "has no result.json: not a results folder of cosource solve"),
        ("no kpis.json", "lacks kpis.json: cosource solve writes"),
        ("no unplaced.csv", "lacks unplaced.csv"),
        ("a score that is no number", "placements, row 2, column 'score': 'high' is not a number"),
        ("a column less", "unplaced: no column 'explanation'"),
        ("another solve's unplaced", "placements and unplaced hold 5 talents, kpis.json counts 6"),
        ("a broken result.json", "result.json, field 'status': Field required"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(
    pilot_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    damage: str,
    message: str,
) -> None:
    folder = _copy(pilot_folder, tmp_path)
    if damage == "no folder":
        shutil.rmtree(folder)
    elif damage.startswith("no "):
        (folder / damage.removeprefix("no ")).unlink()
    elif damage == "a score that is no number":
        frame = pd.read_csv(folder / "placements.csv", dtype=str)
        frame.loc[1, "score"] = "high"
        frame.to_csv(folder / "placements.csv", index=False)
    elif damage == "a column less":
        frame = pd.read_csv(folder / "unplaced.csv", dtype=str)
        frame.drop(columns="explanation").to_csv(folder / "unplaced.csv", index=False)
    elif damage == "another solve's unplaced":
        frame = pd.read_csv(folder / "unplaced.csv", dtype=str)
        frame.head(2).to_csv(folder / "unplaced.csv", index=False)
    else:
        result = json.loads((folder / "result.json").read_text())
        del result["status"]
        (folder / "result.json").write_text(json.dumps(result))
    assert main(["report", str(folder), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message.format(folder=folder) in err
    assert not (tmp_path / "r.html").exists()


def test_an_out_in_a_missing_folder_is_bad_input(
    pilot_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nowhere" / "r.html"
    assert main(["report", str(pilot_folder), "--out", str(out)]) == 2
    assert f"--out: the folder {out.parent} does not exist" in capsys.readouterr().err


def test_the_report_goes_into_the_results_folder_by_default(
    pilot_folder: Path, tmp_path: Path
) -> None:
    folder = _copy(pilot_folder, tmp_path)
    assert main(["report", str(folder)]) == 0
    assert parse((folder / "report.html").read_text(encoding="utf-8")).ids["fig-kpis"] == 1


def test_inputs_checked_on_construction_refuse_a_talent_placed_and_unplaced(
    pilot_folder: Path,
) -> None:
    documents = ReportInputs.from_folder(pilot_folder)
    unplaced = documents.unplaced.copy()
    unplaced.loc[0, "talent"] = "ann"
    with pytest.raises(RoundError, match="talent 'ann' is both placed and unplaced"):
        ReportInputs(documents.result, documents.kpis, documents.placements, unplaced)
