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

// ---- who is calling --------------------------------------------------------------------

async function start() {
  for (const id of ["coordinator", "host", "other"]) $(id).hidden = true;
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
  // the coordinator alone may read the audit log; a host sees its packages
  let role = "other";
  try {
    await api("/audit?limit=1");
    role = "coordinator";
  } catch (_) {
    for (const round of rounds.items) {
      try {
        await api(`/rounds/${round.id}/packages?limit=1`);
        role = "host";
        break;
      } catch (_) {
        // not a host of this round
      }
    }
  }
  $("who").textContent = {
    coordinator: "Signed in as the coordinator.",
    host: "Signed in as a host organization.",
    other: "Signed in.",
  }[role];
  $(role).hidden = false;
  if (role === "coordinator") await coordinator(rounds);
  else if (role === "host") await host(rounds);
  else other(rounds);
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

async function host(rounds) {
  const select = $("host-round");
  select.replaceChildren();
  for (const round of rounds.items) {
    const option = document.createElement("option");
    option.value = round.id;
    option.textContent = `${round.id}: ${round.name}`;
    select.appendChild(option);
  }
  await hostRound();
}

async function hostRound() {
  const roundId = $("host-round").value;
  $("shortlist-panel").hidden = true;
  if (!roundId) return;
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
  await offers(roundId);
}

async function shortlist(roundId, p) {
  const list = await api(`/rounds/${roundId}/packages/${encodeURIComponent(p.id)}/shortlist`);
  const parts = [...new Set(list.candidates.flatMap((c) => Object.keys(c.parts)))];
  const head = $("shortlist").tHead.rows[0];
  head.replaceChildren();
  const names = [
    "Rank", "Talent", "Score", ...parts.map(partName), "Talent's strengths", "Wants to learn",
  ];
  for (const name of names) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = name;
    head.appendChild(th);
  }
  let rank = 0;
  fill("shortlist", list.candidates, (tr, c) => {
    rank += 1;
    cell(tr, rank);
    cell(tr, c.id, true);
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

async function offers(roundId) {
  const list = await api(`/rounds/${roundId}/offers?limit=1000`);
  fill("offers", list.items, (tr, offer) => {
    cell(tr, offer.id, true);
    cell(tr, offer.talent);
    cell(tr, offer.package_title || offer.package);
    // the decision next to what it is about: on a phone it needs no sideways scroll
    const mine = offer.decisions ? offer.decisions.host : null;
    const decide = cell(tr, "");
    if (mine) {
      decide.textContent = { accept: "Accepted", accepted: "Accepted", decline: "Declined",
        declined: "Declined" }[mine] || mine;
    } else if (offer.status === "published") {
      decide.append(
        button("Accept", () => decision(roundId, offer.id, "accept"), `Accept offer ${offer.id}`),
        button("Decline", () => decision(roundId, offer.id, "decline"), `Decline offer ${offer.id}`),
      );
    }
    cell(tr, number(offer.score, 3));
    dates(tr, offer.start, offer.end);
    cell(tr, offer.host_fee === undefined ? null : number(offer.host_fee, 2));
    cell(tr, offer.status);
  });
}

async function decision(roundId, offerId, choice) {
  await api(`/offers/${offerId}/decisions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ decision: choice, reason: "" }),
  });
  $("offer-status").textContent = `Offer ${offerId}: ${choice === "accept" ? "accepted" : "declined"}.`;
  await offers(roundId);
}

// ---- other roles -----------------------------------------------------------------------

function other(rounds) {
  const list = $("other-rounds");
  list.replaceChildren();
  for (const round of rounds.items) {
    const li = document.createElement("li");
    li.textContent = `${round.id}: ${round.name}`;
    list.appendChild(li);
  }
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
  $("host-round").addEventListener("change", () => guarded(hostRound));
  start();
});
