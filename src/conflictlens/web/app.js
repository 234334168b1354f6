// ConflictLens dashboard: the list (map, timeline, table, exports), an event with its
// evidence and review, and the review queue. ES modules, no framework, no build step;
// the server's CSP forbids inline script and every piece of data is set as text.
import {
  $, actorText, api, clear, dateText, el, placeText, setToken, showError, tollText, token, typeText,
} from "./dom.js";
import { eventLayer, makeMap } from "./map.js";
import { CORRECTABLE, correct, drawHistory, drawReviewers, nextUnreviewed, resetSkipped, skip } from "./review.js";
import { autoUnit, drawTimeline } from "./timeline.js";

const REVIEW_FIELDS = [
  ["event", "Event", (e) => (e.background ? "background" : "reported as news")],
  ["type", "Type", typeText],
  ["date", "Date", (e) => dateText(e.date) + (e.date && e.date.precision ? ` (${e.date.precision})` : "")],
  ["location", "Location", (e) => placeText(e.location)],
  ["actor1", "Actor 1", (e) => actorText(e.actor1)],
  ["actor2", "Actor 2", (e) => actorText(e.actor2)],
  ["fatalities", "Fatalities", (e) => tollText(e.fatalities)],
];
// Which evidence span a field's row points at ("type" is evidenced by the event_type span).
const EVIDENCE_FOR = { type: "event_type" };
const FILTERS = ["country", "type", "actor", "text", "since", "until"];
const EXPORTS = [["acled-csv", "ACLED CSV"], ["geojson", "GeoJSON"], ["jsonl", "JSON Lines"], ["parquet", "Parquet"]];
let config = { read_requires_token: false, tile_url: null };
let map = null, layer = null;
const state = { events: [], brush: null, unit: null, params: new URLSearchParams() };

// --- routes and filters ------------------------------------------------------------------
function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  return { path, params: new URLSearchParams(query || "") };
}
function filtersToForm(params) {
  for (const name of FILTERS) {
    const input = $(`#f-${name}`);
    const value = params.get(name) || "";
    if (input.tagName === "SELECT" && value && ![...input.options].some((o) => o.value === value)) {
      input.append(el("option", { value }, value));
    }
    input.value = value;
  }
  $("#f-background").checked = params.get("background") === "all";
  $("#f-merge").checked = params.get("merge") !== "false";
}
function formToQuery() {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = $(`#f-${name}`).value.trim();
    if (value) params.set(name, value);
  }
  if ($("#f-background").checked) params.set("background", "all");
  if (!$("#f-merge").checked) params.set("merge", "false");
  return params;
}
/** The page's parameters as the API reads them: background events hidden by default. */
function apiQuery(params, brush) {
  const query = new URLSearchParams(params);
  if (query.get("background") === "all") query.delete("background"); else query.set("background", "false");
  if (brush) {
    if (!query.get("since") || query.get("since") < brush.since) query.set("since", brush.since);
    if (!query.get("until") || query.get("until") > brush.until) query.set("until", brush.until);
  }
  return query;
}

// --- list view ---------------------------------------------------------------------------
function brushed(events) {
  const b = state.brush;
  if (!b) return events;
  return events.filter((e) => e.date && e.date.start && (e.date.end || e.date.start) >= b.since && e.date.start <= b.until);
}

function drawTable(events) {
  const body = clear($("#events tbody"));
  for (const e of events) {
    const link = el("a", { href: `#/event/${encodeURIComponent(e.id)}`, "data-event-id": e.id }, dateText(e.date) || "undated");
    const sources = (e.sources || []).length;
    const row = el("tr", { "data-event-id": e.id },
      el("td", null, link, e.background ? el("span", { class: "bg", title: "mentioned as background" }, "bg") : null),
      el("td", null, typeText(e)),
      el("td", null, placeText(e.location)),
      el("td", null, actorText(e.actor1)),
      el("td", null, actorText(e.actor2)),
      el("td", null, tollText(e.fatalities)),
      el("td", null, sources > 1 ? `${sources} reports` : ""),
      el("td", null, reviewSummary(e)));
    row.addEventListener("click", (ev) => {
      if (ev.target.tagName !== "A") location.hash = `#/event/${encodeURIComponent(e.id)}`;
    });
    body.append(row);
  }
}

function reviewSummary(e) {
  const states = Object.values(e.review || {}).map((r) => (r && r.action) || r).filter(Boolean);
  if (states.includes("reject")) return "rejected field(s)";
  if (states.includes("correct")) return "corrected";
  return states.length ? "confirmed" : "";
}

function drawExports() {
  const box = clear($("#exports"));
  const query = apiQuery(state.params, state.brush);
  box.append(el("span", { class: "muted" }, "Export this view: "));
  for (const [fmt, label] of EXPORTS) {
    const a = el("a", { href: `/api/export/${fmt}?${query}`, download: "", "data-format": fmt, class: "button" }, label);
    if (config.read_requires_token) {
      // A link cannot send the token: fetch with it, then save the bytes.
      a.addEventListener("click", async (ev) => {
        ev.preventDefault();
        const response = await fetch(a.href, { headers: { Authorization: `Bearer ${token()}` } });
        if (!response.ok) { showError(`export failed: HTTP ${response.status}`); return; }
        const url = URL.createObjectURL(await response.blob());
        const save = el("a", { href: url, download: (response.headers.get("Content-Disposition") || "").replace(/.*filename="([^"]+)".*/, "$1") || "events" });
        document.body.append(save); save.click(); save.remove(); URL.revokeObjectURL(url);
      });
    }
    box.append(a, " ");
  }
}

function drawBrushed() {
  const shown = brushed(state.events);
  const total = state.events.length;
  $("#count").textContent = state.brush
    ? `${shown.length} of ${total} events, ${state.brush.since} – ${state.brush.until}`
    : `${total} event${total === 1 ? "" : "s"}`;
  $("#brush-clear").hidden = !state.brush;
  if (!map) { map = makeMap("map", config); layer = eventLayer(map); }
  layer.draw(shown);
  drawTable(shown);
  drawExports();
}

function redrawTimeline() {
  const dated = state.events.filter((e) => e.date && e.date.start);
  const unit = state.unit || autoUnit(dated.map((e) => e.date.start).sort());
  for (const b of document.querySelectorAll("#timeline-units button")) b.setAttribute("aria-pressed", String(b.dataset.unit === unit));
  drawTimeline($("#timeline"), dated, unit, state.brush, (span) => {
    state.brush = span;
    redrawTimeline();
    drawBrushed();
  });
}

// Each render has a number; one overtaken by a later render (a click while the last was
// loading) draws nothing, so the page always shows the latest route.
let rendering = 0;
class Stale extends Error {}
function fresh(id) { if (id !== rendering) throw new Stale(); }

async function showList(params, id) {
  const query = apiQuery(params);
  query.set("limit", "5000");
  const data = await api(`/api/events?${query}`);
  fresh(id);
  show("list");
  filtersToForm(params);
  state.params = params;
  state.brush = null;
  state.events = data.events;
  redrawTimeline();
  drawBrushed();
  if (data.events.length < data.total) $("#count").textContent += ` (first ${data.events.length} of ${data.total} shown)`;
  document.body.dataset.view = "list";
}

// --- event view --------------------------------------------------------------------------
const ROLE_FIELDS = ["perpetrators", "victims", "targets", "weapons"];

function highlightedBody(body, evidence) {
  // The record's own fields win over role phrases (victims, targets...), which win over
  // plain event mentions; of overlapping spans only the first chosen is drawn.
  const rank = (s) => (ROLE_FIELDS.includes(s.field) ? 1 : s.field === "mention" ? 2 : 0);
  const spans = (evidence || [])
    .filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.end > s.start && s.end <= body.length)
    .sort((a, b) => rank(a) - rank(b) || a.start - b.start);
  const chosen = [];
  for (const s of spans) if (!chosen.some((c) => s.start < c.end && c.start < s.end)) chosen.push(s);
  chosen.sort((a, b) => a.start - b.start);
  const frag = document.createDocumentFragment();
  let at = 0;
  for (const s of chosen) {
    if (s.start > at) frag.append(document.createTextNode(body.slice(at, s.start)));
    frag.append(el("mark", { "data-field": s.field, title: s.field }, body.slice(s.start, s.end)));
    at = s.end;
  }
  frag.append(document.createTextNode(body.slice(at)));
  return frag;
}

async function review(e, field, action) {
  if (!token()) { showError("Enter an API token (top right) to review."); return false; }
  try {
    if (action === "correct") {
      if (!(await correct(e, field, config))) return false;
    } else {
      await api(`/api/events/${encodeURIComponent(e.id)}/review`, { json: { field, action } });
    }
    showError(null);
    return true;
  } catch (err) { showError(err); return false; }
}

function drawFields(e) {
  const body = clear($("#ev-fields tbody"));
  for (const [field, label, text] of REVIEW_FIELDS) {
    const r = (e.review || {})[field];
    const stateText = r ? { confirm: "confirmed", correct: "corrected", reject: "rejected" }[r.action || r] : "";
    const actions = field === "event" ? ["confirm", "reject"] : CORRECTABLE.includes(field) ? ["confirm", "correct", "reject"] : ["confirm", "reject"];
    const buttons = el("div", { class: "review" }, ...actions.map((action) => {
      const b = el("button", { type: "button", "data-field": field, "data-action": action }, action);
      b.addEventListener("click", async () => {
        if (await review(e, field, action)) await showEvent(e.id).catch((err) => { if (!(err instanceof Stale)) showError(err); });
      });
      return b;
    }));
    const value = el("td", { "data-field": field }, text(e) || "—");
    value.addEventListener("click", () => {
      const mark = document.querySelector(`#art-body mark[data-field="${EVIDENCE_FOR[field] || field}"]`);
      if (mark) { mark.scrollIntoView({ block: "center" }); mark.classList.add("flash"); setTimeout(() => mark.classList.remove("flash"), 1200); }
    });
    body.append(el("tr", null, el("th", null, label), value,
      el("td", null, stateText ? el("div", { class: `state-${stateText}` }, stateText) : null, buttons)));
  }
  const sure = typeof e.confidence === "number" ? `${Math.round(e.confidence * 100)}%` : "typed by rules";
  body.append(el("tr", null, el("th", null, "Coder"), el("td", { "data-field": "confidence", colspan: 2 }, sure)));
}

function drawSources(e) {
  const list = clear($("#ev-sources"));
  const sources = (e.sources && e.sources.length) ? e.sources : [e.source || {}];
  for (const s of sources) {
    list.append(el("li", null,
      s.publisher || "unknown publisher",
      s.speaker ? el("span", null, " — said by ", el("strong", { class: "speaker" }, s.speaker)) : null,
      s.url ? el("span", null, " — ", el("a", { href: /^https?:\/\//i.test(s.url) ? s.url : null, rel: "noopener noreferrer", target: "_blank" }, s.url)) : null));
  }
}

let current = null; // the event shown, for the keyboard

async function showEvent(id, renderId = rendering) {
  const e = await api(`/api/events/${encodeURIComponent(id)}`);
  const articleId = (e.source && e.source.article_id) || String(e.id).replace(/-[^-]+$/, "");
  const art = await api(`/api/articles/${encodeURIComponent(articleId)}`);
  fresh(renderId);
  show("event");
  current = e;
  $("#ev-title").textContent = `${typeText(e)} · ${dateText(e.date)} · ${placeText(e.location)}` + (e.background ? " (background)" : "");
  $("#ev-summary").textContent = e.summary || "";
  drawFields(e);
  drawSources(e);
  drawHistory($("#ev-history"), e.corrections || []);
  $("#art-headline").textContent = art.headline || "(no headline)";
  $("#art-meta").textContent = [art.publisher, art.published, art.language, (art.authors || []).join(", ")].filter(Boolean).join(" · ");
  const speakers = art.speakers || [];
  $("#art-speakers").textContent = speakers.length ? `Speakers: ${speakers.join(", ")}` : "";
  const legend = clear($("#legend"));
  for (const field of ["event_type", "date", "location", "actor1", "actor2", "fatalities"]) {
    legend.append(el("mark", { "data-field": field }, field));
  }
  clear($("#art-body")).append(highlightedBody(art.body || "", e.evidence));
  document.body.dataset.view = "event";
  document.body.dataset.event = e.id;
  document.title = `ConflictLens · ${e.id}`;
}

async function goNext(fromId) {
  const next = await nextUnreviewed(fromId);
  location.hash = next ? `#/event/${encodeURIComponent(next)}` : "#/queue";
}

// Keyboard, on an event: c confirm the event, x reject it, n skip to the next unreviewed.
async function onKey(ev) {
  if (document.body.dataset.view !== "event" || !current || $("#editor").open) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(ev.target.tagName)) return;
  const e = current;
  if (ev.key === "c" || ev.key === "x") {
    ev.preventDefault();
    if (await review(e, "event", ev.key === "c" ? "confirm" : "reject")) await goNext(e.id);
  } else if (ev.key === "n") {
    ev.preventDefault();
    skip(e.id);
    await goNext(e.id);
  }
}

// --- queue view --------------------------------------------------------------------------
async function showQueue(id) {
  const [queue, reviewers] = await Promise.all([api("/api/queue?limit=100"), api("/api/reviewers")]);
  fresh(id);
  show("queue");
  $("#queue-count").textContent = `${queue.total} unreviewed event${queue.total === 1 ? "" : "s"}, least sure first`;
  const body = clear($("#queue tbody"));
  for (const e of queue.events) {
    const sure = typeof e.confidence === "number" ? `${Math.round(e.confidence * 100)}%` : "rules";
    body.append(el("tr", { "data-event-id": e.id },
      el("td", null, el("a", { href: `#/event/${encodeURIComponent(e.id)}` }, dateText(e.date) || "undated")),
      el("td", null, typeText(e)), el("td", null, placeText(e.location)),
      el("td", null, actorText(e.actor1)), el("td", { class: "num" }, sure)));
  }
  drawReviewers($("#reviewers tbody"), reviewers);
  $("#queue-start").disabled = !queue.events.length;
  document.body.dataset.view = "queue";
}

// --- boot --------------------------------------------------------------------------------
function show(view) {
  for (const name of ["list", "event", "queue"]) $(`#${name}-view`).hidden = name !== view;
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.view === view);
}

async function render() {
  const { path, params } = route();
  const id = ++rendering;
  document.body.dataset.view = "loading";
  try {
    const m = path.match(/^\/event\/(.+)$/);
    if (m) await showEvent(decodeURIComponent(m[1]), id);
    else if (path === "/queue") await showQueue(id);
    else await showList(params, id);
    showError(null);
  } catch (err) {
    if (err instanceof Stale) return;
    showError(err);
    document.body.dataset.view = "error";
  }
}

async function loadFacets() {
  const [facets, stats] = await Promise.all([api("/api/facets"), api("/api/stats")]);
  const country = clear($("#f-country")), type = clear($("#f-type"));
  country.append(el("option", { value: "" }, "any"));
  type.append(el("option", { value: "" }, "any"));
  for (const c of facets.countries) country.append(el("option", { value: c.code || c.name }, `${c.name} (${c.events})`));
  for (const t of facets.types) type.append(el("option", { value: t.type }, `${t.type} (${t.events})`));
  $("#stats").textContent = `${stats.events} events · ${stats.articles} articles`;
}

document.addEventListener("DOMContentLoaded", async () => {
  $("#filters").addEventListener("submit", (ev) => { ev.preventDefault(); location.hash = `#/?${formToQuery()}`; });
  $("#f-reset").addEventListener("click", () => { location.hash = "#/"; });
  $("#brush-clear").addEventListener("click", () => { state.brush = null; redrawTimeline(); drawBrushed(); });
  for (const b of document.querySelectorAll("#timeline-units button")) {
    b.addEventListener("click", () => { state.unit = b.dataset.unit; state.brush = null; redrawTimeline(); drawBrushed(); });
  }
  $("#queue-start").addEventListener("click", () => { resetSkipped(); goNext(null); });
  $("#ev-next").addEventListener("click", () => { if (current) { skip(current.id); goNext(current.id); } });
  $("#token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    setToken($("#token").value.trim());
    $("#token").value = "";
    $("#token-state").textContent = token() ? "saved" : "";
    loadFacets().then(render).catch(showError);
  });
  $("#token-state").textContent = token() ? "saved" : "";
  document.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", render);
  try {
    config = await api("/api/config");
    await loadFacets();
  } catch (err) { showError(err); }
  await render();
});
