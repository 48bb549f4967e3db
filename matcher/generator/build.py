"""The records of a generated round built from its arrays: one loop per record kind builds
(and validates) the pydantic models, with names, titles and missions from the vocabulary.
"""

from __future__ import annotations

from matcher import vocabulary as voc
from matcher.generator.draws import Tables, numbered_ids
from matcher.generator.organizations import Orgs
from matcher.generator.packages import Packages
from matcher.generator.shape import HOST, LENDER, REMOTE_MODES, ROLES
from matcher.generator.talents import Talents
from matcher.models import Organization, Structure, Talent, WorkPackage


def build_organizations(
    orgs: Orgs, hiring: list[float | None], topups: list[float | None]
) -> list[Organization]:
    """The organizations, with ids ``o0001``..., their names, roles and budgets."""
    n = orgs.sector.size
    ids = numbered_ids("o", n, 4)
    names = _org_names(orgs)
    sector = orgs.sector.tolist()
    role = orgs.role.tolist()
    flat = orgs.flat.tolist()
    return [
        Organization(
            id=ids[o],
            name=names[o],
            sector=voc.SECTORS[sector[o]],
            structure=Structure.FLAT if flat[o] else Structure.HIERARCHICAL,
            role=ROLES[role[o]],
            competitors=[ids[c] for c in orgs.competitors[o]],
            topup_budget=topups[o] if role[o] != HOST else None,
            hiring_budget=hiring[o] if role[o] != LENDER else None,
        )
        for o in range(n)
    ]


def _org_names(orgs: Orgs) -> list[str]:
    """Prefix and sector noun; a repeated name gets its headquarters' city, then a number."""
    used: set[str] = set()
    names: list[str] = []
    for prefix, noun, sector, region in zip(
        orgs.prefix.tolist(),
        orgs.noun.tolist(),
        orgs.sector.tolist(),
        orgs.region.tolist(),
        strict=True,
    ):
        nouns = voc.SECTOR_NAME_NOUNS[voc.SECTORS[sector]]
        name = f"{voc.NAME_PREFIXES[prefix]} {nouns[int(noun * len(nouns))]}"
        if name in used:
            name = f"{name} {voc.REGION_CITIES[voc.REGIONS[region]]}"
        base, k = name, 2
        while name in used:
            name, k = f"{base} {k}", k + 1
        used.add(name)
        names.append(name)
    return names


def build_talents(
    t: Talents,
    tables: Tables,
    ids: list[str],
    org_ids: list[str],
    package_ids: list[str],
    preferences: list[list[int]],
) -> list[Talent]:
    """The talents, with their lender, strengths, goals, links and preferences by id."""
    skills, levels, n_skills = t.skills.tolist(), t.levels.tolist(), t.n_skills.tolist()
    goals, weights, n_goals = t.goals.tolist(), t.goal_weight.tolist(), t.n_goals.tolist()
    values, n_values = t.values.tolist(), t.n_values.tolist()
    lender = t.lender.tolist()
    links = [
        (x.tolist(), k.tolist())
        for x, k in ((t.alumni, t.n_alumni), (t.network, t.n_network), (t.excluded, t.n_excluded))
    ]
    columns = zip(
        t.age.tolist(),
        t.salary.tolist(),
        t.retention.tolist(),
        t.fte.tolist(),
        t.start.tolist(),
        t.end.tolist(),
        t.region.tolist(),
        t.accepts_remote.tolist(),
        t.languages.tolist(),
        strict=True,
    )
    names = tables.skills
    out: list[Talent] = []
    for i, (age, salary, retention, fte, start, end, region, remote, speaks) in enumerate(columns):
        strengths = {
            names[s]: lvl for s, lvl in zip(skills[i][: n_skills[i]], levels[i], strict=False)
        }
        learning = {
            names[s]: w
            for s, w in zip(goals[i][: n_goals[i]], weights[i], strict=False)
            if names[s] not in strengths
        }
        own = lender[i]
        alumni, network, excluded = (
            _org_list(rows[i][: counts[i]], own, org_ids) for rows, counts in links
        )
        out.append(
            Talent(
                id=ids[i],
                lender=org_ids[own],
                age=age,
                strengths=strengths,
                learning_goals=learning,
                values=[voc.VALUES[v] for v in values[i][: n_values[i]]],
                salary=salary,
                retention=retention,
                fte=fte,
                available_from=start,
                available_to=end,
                region=voc.REGIONS[region],
                accepts_remote=remote,
                languages=[x for x, s in zip(voc.LANGUAGES, speaks, strict=True) if s],
                alumni=alumni,
                network=network,
                excluded=excluded,
                preferences=[package_ids[p] for p in preferences[i]],
            )
        )
    return out


def _org_list(orgs: list[int], own: int, org_ids: list[str]) -> list[str]:
    """Distinct organizations in draw order, without the talent's own lender."""
    return [org_ids[o] for o in dict.fromkeys(orgs) if o != own]


def build_packages(
    p: Packages,
    tables: Tables,
    ids: list[str],
    orgs: list[Organization],
    talent_ids: list[str],
    rankings: list[list[int]],
) -> list[WorkPackage]:
    """The packages, with a title and a mission, their host and rankings by id."""
    required, levels, n_required = (
        p.required.tolist(),
        p.required_level.tolist(),
        p.n_required.tolist(),
    )
    desired, weights, n_desired = (
        p.desired.tolist(),
        p.desired_weight.tolist(),
        p.n_desired.tolist(),
    )
    learnable, n_learnable = p.learnable.tolist(), p.n_learnable.tolist()
    values, n_values = p.values.tolist(), p.n_values.tolist()
    families = list(voc.SKILL_FAMILIES)
    columns = zip(
        p.host.tolist(),
        p.family.tolist(),
        p.seats.tolist(),
        p.fte.tolist(),
        p.start.tolist(),
        p.end.tolist(),
        p.fee_cap.tolist(),
        p.region.tolist(),
        p.remote.tolist(),
        p.languages.tolist(),
        p.role_title.tolist(),
        p.mission.tolist(),
        strict=True,
    )
    names = tables.skills
    out: list[WorkPackage] = []
    for i, row in enumerate(columns):
        host, family, seats, fte, start, end, fee_cap, region, remote, speaks, title, mission = row
        need = {
            names[s]: lvl for s, lvl in zip(required[i][: n_required[i]], levels[i], strict=False)
        }
        wish = {names[s]: w for s, w in zip(desired[i][: n_desired[i]], weights[i], strict=False)}
        missions = voc.FAMILY_MISSIONS[families[family]]
        out.append(
            WorkPackage(
                id=ids[i],
                host=orgs[host].id,
                title=f"{_skill_label(names[required[i][0]])} {voc.ROLE_TITLES[title]}",
                mission=f"{missions[int(mission * len(missions))]} at {orgs[host].name}",
                required=need,
                desired=wish,
                learnable=[
                    names[s]
                    for s in learnable[i][: n_learnable[i]]
                    if names[s] not in need and names[s] not in wish
                ],
                values=[voc.VALUES[v] for v in values[i][: n_values[i]]],
                seats=seats,
                fte=fte,
                start=start,
                end=end,
                fee_cap=fee_cap,
                region=voc.REGIONS[region],
                remote=REMOTE_MODES[remote],
                languages=[x for x, s in zip(voc.LANGUAGES, speaks, strict=True) if s],
                ranking=[talent_ids[t] for t in rankings[i]],
            )
        )
    return out


def _skill_label(skill: str) -> str:
    label = voc.SKILL_LABELS.get(skill, skill.replace("-", " "))
    return label[0].upper() + label[1:]


__all__ = [
    "build_organizations",
    "build_packages",
    "build_talents",
]
