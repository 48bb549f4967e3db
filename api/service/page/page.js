// The cosource page: a plain client of the API with the key its user pastes. Every value
// from the server is written with textContent, never as HTML.
"use strict";

const KEY = "cosource.key";
const FINISHED = ["solved", "no_solution", "cancelled", "failed"];
const UPLOAD_TYPES = {
  json: "application/json",
  zip: "application/zip",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

const $ = (id) => document.getElementById(id);
let polling = null;
let currentRound = null;

class ApiError extends Error {
  constructor(status, detail) {
    super(`${status}: ${detail}`);
    this.status = status;
  }
}

// A request to the API with the key; the parsed JSON, or the response itself with `raw`.
async function api(path, options = {}, raw = false) {
  const headers = { Authorization: `Bearer ${sessionStorage.getItem(KEY) || ""}` };
  const response = await fetch(path, { ...options, headers: { ...headers, ...options.headers } });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail || detail;
    } catch (_) {
      // not JSON: the status text says enough
    }
    throw new ApiError(response.status, detail);
  }
  return raw ? response : response.json();
}

function showError(error) {
  const box = $("error");
  box.textContent = error ? `Error ${error.message}` : "";
  box.hidden = !error;
}

// Runs `work`, showing what failed instead of letting the page break.
async function guarded(work) {
  showError(null);
  try {
    return await work();
  } catch (error) {
    showError(error);
    return undefined;
  }
}

function cell(row, text, header = false) {
  const td = document.createElement(header ? "th" : "td");
  if (header) td.scope = "row";
  td.textContent = text === null || text === undefined ? "—" : String(text);
  row.appendChild(td);
  return td;
}

function button(label, action, name) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  if (name) b.setAttribute("aria-label", name);
  b.addEventListener("click", () => guarded(() => action(b)));
  return b;
}

function fill(table, rows, render) {
  const body = $(table).tBodies[0];
  body.replaceChildren();
  for (const item of rows) {
    const tr = document.createElement("tr");
    render(tr, item);
    body.appendChild(tr);
  }
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = cell(tr, "Nothing yet.");
    td.colSpan = $(table).tHead.rows[0].cells.length || 1;
    body.appendChild(tr);
  }
  sortRows($(table));
}

// ---- sortable tables -------------------------------------------------------------------
// A sortable column's header is a button (reached with Tab, pressed with Enter or Space);
// its th says the order (aria-sort). Action columns (data-nosort) are not sortable.

function sortable(table) {
  for (const [index, th] of [...table.tHead.rows[0].cells].entries()) {
    if (th.hasAttribute("data-nosort") || th.querySelector("button")) continue;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "sort";
    b.textContent = th.textContent;
    b.addEventListener("click", () => {
      const ascending = !(Number(table.dataset.sortColumn) === index &&
        table.dataset.sortOrder === "ascending");
      table.dataset.sortColumn = index;
      table.dataset.sortOrder = ascending ? "ascending" : "descending";
      sortRows(table);
    });
    th.replaceChildren(b);
  }
}

// A cell's value to sort by: its data-sort, else its text; a number when it reads as one.
function sortKey(td) {
  const text = (td.dataset.sort ?? td.textContent).trim();
  const value = Number(text.replace(/,/g, ""));
  return text !== "" && text !== "—" && Number.isFinite(value) ? value : text;
}

function compareKeys(a, b) {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a.localeCompare(b, "en", { numeric: true });
}

function sortRows(table) {
  const column = table.dataset.sortColumn;
  const head = table.tHead.rows[0].cells;
  for (const th of head) th.removeAttribute("aria-sort");
  if (column === undefined || !head[column]) return;
  const order = table.dataset.sortOrder;
  head[column].setAttribute("aria-sort", order);
  const body = table.tBodies[0];
  const rows = [...body.rows];
  if (rows.length < 2) return;
  const sign = order === "ascending" ? 1 : -1;
  rows.sort((x, y) => sign * compareKeys(sortKey(x.cells[column]), sortKey(y.cells[column])));
  body.append(...rows);
}

// A period as two dates, each kept on one line.
function dates(row, start, end) {
  const td = cell(row, "");
  for (const [i, date] of [start, end].entries()) {
    const span = document.createElement("span");
    span.className = "nowrap";
    span.textContent = date;
    td.append(span, i === 0 ? " to " : "");
  }
  return td;
}

const number = (value, digits = 0) =>
  value === null || value === undefined ? "—" : Number(value).toLocaleString("en", {
    maximumFractionDigits: digits,
  });

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

// ---- who is calling --------------------------------------------------------------------

const ROLES = ["coordinator", "host", "lender", "talent", "other"];
const SIGNED_IN = {
  coordinator: "Signed in as the coordinator.",
  host: "Signed in as a host organization.",
  lender: "Signed in as a lending organization.",
  talent: "Signed in as a talent.",
  other: "Signed in.",
};
let role = "other";

async function start() {
  for (const id of [...ROLES, "party"]) $(id).hidden = true;
  stopPolling();
  if (!sessionStorage.getItem(KEY)) {
    $("who").textContent = "Paste an API key to begin.";
    return;
  }
  $("who").textContent = "Checking the key…";
  const rounds = await guarded(() => api("/rounds?limit=100"));
  if (!rounds) {
    $("who").textContent = "The key was not accepted.";
    return;
  }
  role = await roleOf(rounds);
  $("who").textContent = SIGNED_IN[role];
  $(role).hidden = false;
  if (role === "coordinator") await coordinator(rounds);
  else if (role !== "other") await party(rounds);
}

// Whether the key may read `path` (a refusal is an answer here, not an error).
async function allowed(path) {
  try {
    await api(path);
    return true;
  } catch (_) {
    return false;
  }
}

// The coordinator alone reads the audit log; in a round, a host lists its packages, a
// lender its talents, and a talent neither.
async function roleOf(rounds) {
  if (await allowed("/audit?limit=1")) return "coordinator";
  const round = rounds.items[0];
  if (!round) return "other";
  if (await allowed(`/rounds/${round.id}/packages?limit=1`)) return "host";
  if (await allowed(`/rounds/${round.id}/talents?limit=1`)) return "lender";
  return "talent";
}

// ---- coordinator -----------------------------------------------------------------------

async function coordinator(rounds) {
  rounds = rounds || (await api("/rounds?limit=100"));
  fill("rounds", rounds.items, (tr, round) => {
    cell(tr, round.id, true);
    cell(tr, round.name);
    // the action before the details, as in every table here: on a phone it needs no
    // sideways scroll
    cell(tr, "").replaceChildren(
      button("Open", () => openRound(round), `Open round ${round.id}: ${round.name}`),
    );
    cell(tr, round.latest_version);
    cell(tr, round.version.organizations);
    cell(tr, round.version.talents);
    cell(tr, round.version.packages);
  });
  await audit();
}

async function openRound(round) {
  currentRound = round;
  stopPolling();
  $("round-title").textContent = `Round ${round.id}: ${round.name}`;
  $("round-panel").hidden = false;
  $("progress-panel").hidden = true;
  await runs();
  $("round-title").scrollIntoView();
}

async function runs() {
  const list = await api(`/rounds/${currentRound.id}/runs`);
  const solved = list.filter((run) => run.status === "solved");
  if (solved.length && !$("why-run").value) $("why-run").value = solved[solved.length - 1].id;
  fill("runs", list.slice().reverse(), (tr, run) => {
    cell(tr, run.id, true);
    cell(tr, run.status);
    // the actions before the details: on a phone they need no sideways scroll
    const actions = cell(tr, "");
    if (run.status === "solved") {
      actions.append(
        button("Report", () => openReport(run.id), `Open the report of run ${run.id}`),
        button("Workbook", () => download(run.id), `Download the workbook of run ${run.id}`),
        button("Publish offers", () => publish(run.id), `Publish the offers of run ${run.id}`),
      );
    } else if (!FINISHED.includes(run.status)) {
      actions.append(button("Watch", () => watch(run.id), `Watch run ${run.id}`));
    }
    cell(tr, run.result ? run.result.placements : run.progress && run.progress.placements);
    cell(tr, run.finished_at ? run.finished_at.replace("T", " ").slice(0, 19) : null);
  });
}

async function upload(event) {
  event.preventDefault();
  const file = $("round-file").files[0];
  if (!file) return;
  const extension = file.name.split(".").pop().toLowerCase();
  const type = UPLOAD_TYPES[extension];
  if (!type) {
    throw new Error(`${file.name}: choose a .json, .zip or .xlsx file`);
  }
  $("upload-status").textContent = `Uploading ${file.name}…`;
  try {
    const round = await api("/rounds", {
      method: "POST",
      body: file,
      headers: { "Content-Type": type },
    });
    $("upload-status").textContent = `Stored round ${round.id}: ${round.name}.`;
    $("upload-form").reset();
    // the new round in the list, and its upload in the audit log
    await coordinator();
    await openRound(round);
  } catch (error) {
    $("upload-status").textContent = "The round was not stored.";
    throw error;
  }
}

async function solve(event) {
  event.preventDefault();
  const limit = Number($("time-limit").value);
  const run = await api(`/rounds/${currentRound.id}/runs`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ time_limit: limit }),
  });
  await runs();
  watch(run.id);
}

function showProgress(run, serverNow) {
  const p = run.progress || {};
  const values = {
    id: run.id,
    status: run.status,
    placements: number(p.placements ?? run.incumbent_placements),
    objective: number(p.objective, 2),
    bound: number(p.bound, 2),
    gap: p.gap === null || p.gap === undefined ? "—" : `${(100 * p.gap).toFixed(2)} %`,
    elapsed: elapsed(run, serverNow),
  };
  for (const dd of $("progress").querySelectorAll("dd")) {
    dd.textContent = values[dd.dataset.field];
  }
}

// Seconds since the run started, by the server's clock (the browser's may be off): to its
// end once it has ended, else to the Date of the server's answer (whole seconds).
function elapsed(run, serverNow) {
  if (!run.started_at) return "—";
  const started = Date.parse(run.started_at);
  if (run.finished_at) return `${((Date.parse(run.finished_at) - started) / 1000).toFixed(1)} s`;
  if (Number.isNaN(serverNow)) return "—";
  return `${Math.max(0, Math.floor((serverNow - started) / 1000))} s`;
}

function stopPolling() {
  if (polling) clearInterval(polling);
  polling = null;
}

// GET /runs/{id} every second until the run has ended.
function watch(runId) {
  stopPolling();
  $("progress-panel").hidden = false;
  const tick = async () => {
    const response = await guarded(() => api(`/runs/${runId}`, {}, true));
    if (!response) return stopPolling();
    const run = await response.json();
    showProgress(run, Date.parse(response.headers.get("Date")));
    if (FINISHED.includes(run.status)) {
      stopPolling();
      await guarded(runs);
    }
  };
  polling = setInterval(tick, 1000);
  tick();
}

// The report needs the key: fetched, then opened as a blob in a new tab (opened at the
// click, so that no pop-up blocker stops it).
async function openReport(runId) {
  const tab = window.open("", "_blank");
  $("run-status").textContent = `Fetching the report of run ${runId}…`;
  try {
    const response = await api(`/runs/${runId}/report`, {}, true);
    const blob = new Blob([await response.blob()], { type: "text/html" });
    const url = URL.createObjectURL(blob);
    if (tab) tab.location.href = url;
    else window.location.href = url;
    $("run-status").textContent = `The report of run ${runId} is open in a new tab.`;
  } catch (error) {
    if (tab) tab.close();
    $("run-status").textContent = "";
    throw error;
  }
}

async function download(runId) {
  const response = await api(`/runs/${runId}/workbook`, {}, true);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = `run-${runId}.xlsx`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  $("run-status").textContent = `The workbook of run ${runId} is downloading.`;
}

async function whyNot(event) {
  event.preventDefault();
  const query = new URLSearchParams({
    talent: $("why-talent").value.trim(),
    package: $("why-package").value.trim(),
  });
  $("why-not").textContent = "";
  const answer = await api(`/runs/${Number($("why-run").value)}/why-not?${query}`);
  $("why-not").textContent = answer.answer;
}

async function publish(runId) {
  const answer = await api(`/runs/${runId}/publish`, { method: "POST" });
  $("run-status").textContent =
    `Published run ${runId}: ${answer.created} new offers, ${answer.kept} kept, ` +
    `${answer.withdrawn} withdrawn.`;
  await audit();
}

async function audit() {
  const log = await api("/audit?limit=1000");
  const items = log.items.slice(-100).reverse();
  fill("audit", items, (tr, entry) => {
    cell(tr, entry.at.replace("T", " ").slice(0, 19), true);
    cell(tr, entry.actor);
    cell(tr, entry.action);
    cell(tr, entry.subject);
    cell(tr, entry.detail);
    cell(tr, entry.reason || "—");
  });
}

// ---- host ------------------------------------------------------------------------------

// ---- host, lender, talent: the round they look at -------------------------------------

async function party(rounds) {
  const select = $("party-round");
  select.replaceChildren();
  for (const round of rounds.items) {
    const option = document.createElement("option");
    option.value = round.id;
    option.textContent = `${round.id}: ${round.name}`;
    select.appendChild(option);
  }
  $("party").hidden = false;
  await partyRound();
}

async function partyRound() {
  const roundId = $("party-round").value;
  if (!roundId) return;
  if (role === "host") await hostRound(roundId);
  else if (role === "lender") await lenderRound(roundId);
  else if (role === "talent") await talentRound(roundId);
}

// ---- host ------------------------------------------------------------------------------

async function hostRound(roundId) {
  $("shortlist-panel").hidden = true;
  $("host-why").replaceChildren();
  const packages = await api(`/rounds/${roundId}/packages?limit=1000`);
  fill("packages", packages.items, (tr, p) => {
    cell(tr, p.id, true);
    cell(tr, p.title);
    cell(tr, "").replaceChildren(
      button("Shortlist", () => shortlist(roundId, p), `Show the shortlist of ${p.id}`),
    );
    cell(tr, p.seats);
    dates(tr, p.start, p.end);
  });
  const select = $("host-why-package");
  select.replaceChildren();
  for (const p of packages.items) {
    const option = document.createElement("option");
    option.value = p.id;
    option.textContent = `${p.id}: ${p.title}`;
    select.appendChild(option);
  }
  await offers(roundId);
}

async function shortlist(roundId, p) {
  const list = await api(`/rounds/${roundId}/packages/${encodeURIComponent(p.id)}/shortlist`);
  const parts = [...new Set(list.candidates.flatMap((c) => Object.keys(c.parts)))];
  const head = $("shortlist").tHead.rows[0];
  head.replaceChildren();
  const names = [
    "Rank", "Talent", "Why not", "Score", ...parts.map(partName), "Talent's strengths",
    "Wants to learn",
  ];
  for (const name of names) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = name;
    if (name === "Why not") th.setAttribute("data-nosort", "");
    head.appendChild(th);
  }
  const table = $("shortlist");
  delete table.dataset.sortColumn;
  sortable(table);
  let rank = 0;
  fill("shortlist", list.candidates, (tr, c) => {
    rank += 1;
    cell(tr, rank);
    cell(tr, c.id, true);
    cell(tr, "").replaceChildren(
      button("Why not?", () => hostWhyNot(roundId, p.id, c.id), `Why is ${c.id} not on ${p.id}?`),
    );
    cell(tr, number(c.score, 3));
    for (const name of parts) cell(tr, number(c.parts[name], 3));
    cell(tr, describe(c.strengths)).className = "lines";
    cell(tr, describe(c.learning_goals)).className = "lines";
  });
  $("shortlist-title").textContent = `Shortlist of ${p.id}: ${p.title}`;
  $("shortlist-panel").hidden = false;
}

// The score's parts by what they measure (the API's names otherwise).
const PARTS = {
  strengths: "Strengths fit",
  learning: "Learning fit",
  values: "Values fit",
  context: "Context fit",
  network: "Network",
  preference: "Preference",
};
const partName = (name) => PARTS[name] || name;

const describe = (map) =>
  map ? Object.entries(map).map(([k, v]) => `${k} ${v}`).join("\n") : "—";

// Why a talent is not on one of the host's packages: the host's answer (no salary, age,
// top-up or subsidy, nor where else the talent is placed).
async function hostWhyNot(roundId, packageId, talentId) {
  $("host-why-package").value = packageId;
  $("host-why-talent").value = talentId;
  $("host-why").replaceChildren();
  const query = new URLSearchParams({ talent: talentId });
  const path = `/rounds/${roundId}/packages/${encodeURIComponent(packageId)}/why-not?${query}`;
  const answer = await api(path);
  const text = document.createElement("p");
  text.textContent = answer.answer;
  $("host-why").append(text);
  if (answer.eligible) {
    const parts = document.createElement("p");
    parts.textContent = "Score's parts: " + Object.entries(answer.parts)
      .map(([name, value]) => `${partName(name)} ${number(value, 3)}`).join(", ");
    $("host-why").append(parts);
  }
  $("host-why-title").scrollIntoView({ block: "nearest" });
}

async function askHostWhyNot(event) {
  event.preventDefault();
  await hostWhyNot(
    $("party-round").value, $("host-why-package").value, $("host-why-talent").value.trim(),
  );
}

const DECIDED = { accept: "Accepted", accepted: "Accepted", decline: "Declined",
  declined: "Declined" };

// The caller's own decision on an offer, or its Accept and Decline buttons while it is open.
function decisionCell(tr, offer, mine, refresh, status) {
  const td = cell(tr, "");
  if (mine) {
    td.textContent = DECIDED[mine] || mine;
  } else if (offer.status === "published") {
    td.append(
      button("Accept", () => decide(offer.id, "accept", refresh, status),
        `Accept offer ${offer.id}`),
      button("Decline", () => decide(offer.id, "decline", refresh, status),
        `Decline offer ${offer.id}`),
    );
  }
  return td;
}

async function decide(offerId, choice, refresh, status) {
  await api(`/offers/${offerId}/decisions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ decision: choice, reason: "" }),
  });
  // the view first, then the word: once the status says so, the view shows it
  await refresh();
  $(status).textContent = `Offer ${offerId}: ${choice === "accept" ? "accepted" : "declined"}.`;
}

async function offers(roundId) {
  const list = await api(`/rounds/${roundId}/offers?limit=1000`);
  fill("offers", list.items, (tr, offer) => {
    cell(tr, offer.id, true);
    cell(tr, offer.talent);
    // the decision next to what it is about: on a phone it needs no sideways scroll
    decisionCell(tr, offer, offer.decisions.host, () => offers(roundId), "offer-status");
    cell(tr, offer.package_title || offer.package);
    cell(tr, number(offer.score, 3));
    dates(tr, offer.start, offer.end);
    cell(tr, offer.host_fee === undefined ? null : number(offer.host_fee, 2));
    cell(tr, offer.status);
  });
}

// ---- lender ----------------------------------------------------------------------------

const UNDER_WAY = ["agreed", "active", "completed"];

async function lenderRound(roundId) {
  const [talents, list] = await Promise.all([
    api(`/rounds/${roundId}/talents?limit=1000`),
    api(`/rounds/${roundId}/offers?limit=1000`),
  ]);
  const refresh = () => lenderRound(roundId);
  fill("lender-offers", list.items, (tr, offer) => {
    cell(tr, offer.id, true);
    cell(tr, offer.talent);
    decisionCell(tr, offer, offer.decisions.lender, refresh, "lender-status");
    cell(tr, offer.package_title);
    cell(tr, offer.host_name);
    dates(tr, offer.start, offer.end);
    cell(tr, number(offer.fte, 2));
    cell(tr, number(offer.topup, 2));
    cell(tr, offer.status);
  });
  // each talent's latest offer, by offer id
  const latest = new Map(list.items.map((offer) => [offer.talent, offer.status]));
  fill("talents", talents.items, (tr, t) => {
    cell(tr, t.id, true);
    cell(tr, latest.get(t.id) || "no offer");
    cell(tr, describe(t.strengths)).className = "lines";
    cell(tr, describe(t.learning_goals)).className = "lines";
    cell(tr, number(t.fte, 2));
    dates(tr, t.available_from, t.available_to);
    cell(tr, t.region);
  });
  $("lender-summary").textContent = lenderSummary(list.items, talents.total);
}

function lenderSummary(items, talents) {
  const count = (states) => items.filter((o) => states.includes(o.status)).length;
  const topup = (states) => items.filter((o) => states.includes(o.status))
    .reduce((sum, o) => sum + o.topup, 0);
  const offered = new Set(items.map((o) => o.talent)).size;
  return `${plural(items.length, "offer")} to ${offered} of your ${plural(talents, "talent")}: ` +
    `${count(UNDER_WAY)} agreed or under way, ${count(["published"])} open, ` +
    `${count(["declined", "withdrawn"])} declined or withdrawn. The top-up you pay per ` +
    `month: ${number(topup(UNDER_WAY), 2)} for the agreed tours, ` +
    `${number(topup(["published"]), 2)} more if the open offers are agreed.`;
}

// ---- talent ----------------------------------------------------------------------------

async function talentRound(roundId) {
  const list = await api(`/rounds/${roundId}/offers?limit=1000`);
  const box = $("tours");
  box.replaceChildren();
  if (!list.items.length) {
    const p = document.createElement("p");
    p.textContent = "No offer for you in this round yet.";
    box.append(p);
  }
  for (const offer of list.items) box.append(tour(roundId, offer));
}

// A name and its value (text, or nodes) in a list of facts.
function fact(list, name, ...value) {
  const div = document.createElement("div");
  const dt = document.createElement("dt");
  const dd = document.createElement("dd");
  dt.textContent = name;
  dd.append(...value);
  div.append(dt, dd);
  list.append(div);
}

// One offer as a card: the mission, the dates, what the talent would learn, the decision,
// and a check-in once the tour has started.
function tour(roundId, offer) {
  const card = document.createElement("article");
  card.className = "tour";
  card.id = `tour-${offer.id}`;
  card.setAttribute("aria-labelledby", `tour-${offer.id}-title`);
  const title = document.createElement("h3");
  title.id = `tour-${offer.id}-title`;
  title.textContent = `Offer ${offer.id}: ${offer.package_title} at ${offer.host_name}`;
  const mission = document.createElement("p");
  mission.textContent = offer.mission;
  const facts = document.createElement("dl");
  facts.className = "facts";
  fact(facts, "Dates", ...dates(document.createElement("tr"), offer.start, offer.end).childNodes);
  fact(facts, "FTE", number(offer.fte, 2));
  fact(facts, "Status", offer.status);
  const learn = document.createElement("p");
  learn.textContent = offer.would_learn.length
    ? `What you would learn: ${offer.would_learn.join(", ")}.`
    : "What you would learn: none of your learning goals.";
  const decision = document.createElement("div");
  decision.className = "row";
  const label = document.createElement("span");
  label.className = "label";
  label.textContent = "Your decision:";
  const refresh = () => talentRound(roundId);
  const tr = document.createElement("div");
  const td = decisionCell(tr, offer, offer.decisions.talent, refresh, "talent-status");
  const shown = [...td.childNodes];
  decision.append(label, ...(shown.length ? shown : [`none (the offer is ${offer.status})`]));
  card.append(title, mission, facts, learn, decision);
  if (["active", "completed"].includes(offer.status)) card.append(checkIn(offer));
  return card;
}

const CHECKS = [
  ["learning", "I am learning something I want to learn"],
  ["strengths", "I am using my strengths"],
  ["connected", "I still feel connected to my own organization"],
];

function checkIn(offer) {
  const form = document.createElement("form");
  form.className = "check-in";
  const set = document.createElement("fieldset");
  const legend = document.createElement("legend");
  legend.textContent = `Check in on your tour (offer ${offer.id})`;
  set.append(legend);
  for (const [name, text] of CHECKS) {
    const id = `check-${offer.id}-${name}`;
    const line = document.createElement("div");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = id;
    box.name = name;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = text;
    line.append(box, " ", label);
    set.append(line);
  }
  const noteId = `check-${offer.id}-note`;
  const noteLabel = document.createElement("label");
  noteLabel.htmlFor = noteId;
  noteLabel.textContent = "A note (optional)";
  const note = document.createElement("input");
  note.type = "text";
  note.id = noteId;
  note.name = "note";
  const send = document.createElement("button");
  send.type = "submit";
  send.textContent = "Send the check-in";
  send.setAttribute("aria-label", `Send the check-in on offer ${offer.id}`);
  const said = document.createElement("p");
  said.setAttribute("role", "status");
  set.append(noteLabel, note, send, said);
  form.append(set);
  form.addEventListener("submit", (event) => guarded(async () => {
    event.preventDefault();
    const body = { note: note.value.trim() };
    for (const [name] of CHECKS) body[name] = form.elements[name].checked;
    const stored = await api(`/offers/${offer.id}/check-ins`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    said.textContent = `Check-in ${stored.id} recorded on ${stored.at.slice(0, 10)}.`;
    form.reset();
  }));
  return form;
}

// ---- wiring ----------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, $("key").value.trim());
    $("key").value = "";
    start();
  });
  $("forget").addEventListener("click", () => {
    sessionStorage.removeItem(KEY);
    start();
  });
  $("upload-form").addEventListener("submit", (event) => guarded(() => upload(event)));
  $("solve-form").addEventListener("submit", (event) => guarded(() => solve(event)));
  $("why-not-form").addEventListener("submit", (event) => guarded(() => whyNot(event)));
  $("audit-refresh").addEventListener("click", () => guarded(audit));
  $("party-round").addEventListener("change", () => guarded(partyRound));
  $("host-why-form").addEventListener("submit", (event) => guarded(() => askHostWhyNot(event)));
  for (const table of document.querySelectorAll("table.sortable")) sortable(table);
  start();
});
