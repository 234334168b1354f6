// Reviewing: corrections picked from lists (the ACLED taxonomy, the actor dictionary,
// the gazetteer and a map, a date picker, numbers), the readable review history, and
// the walk through the review queue.
import { $, FIELD_LABELS, api, clear, el, placeText, timeText, valueText } from "./dom.js";
import { makeMap } from "./map.js";

const DATE_PRECISIONS = ["day", "week", "month", "year", "range"];
let taxonomy = null;

function debounce(fn, wait) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), wait); };
}

function choiceList(id) { return el("ul", { id, class: "choices", role: "listbox" }); }

function fillChoices(list, items, label, onPick) {
  clear(list);
  for (const item of items) {
    const button = el("button", { type: "button", role: "option" }, label(item));
    button.addEventListener("click", () => onPick(item));
    list.append(el("li", null, button));
  }
}

// --- one picker per field: {node, value()} (value() throws a message when incomplete) ---

async function typePicker(e) {
  taxonomy = taxonomy || await api("/api/taxonomy");
  const types = el("select", { id: "pick-event-type", "aria-label": "Event type" });
  const subs = el("select", { id: "pick-sub-type", "aria-label": "Sub-event type" });
  for (const t of taxonomy) types.append(el("option", { value: t.event_type }, t.event_type));
  const fillSubs = () => {
    clear(subs);
    const t = taxonomy.find((x) => x.event_type === types.value);
    for (const s of (t ? t.sub_event_types : [])) subs.append(el("option", { value: s }, s));
  };
  types.value = e.event_type || taxonomy[0].event_type;
  fillSubs();
  if (e.sub_event_type) subs.value = e.sub_event_type;
  types.addEventListener("change", fillSubs);
  return {
    node: el("div", { class: "picker" }, el("label", null, "Event type ", types), el("label", null, "Sub-event type ", subs)),
    value: () => `${types.value}/${subs.value}`,
  };
}

function actorPicker(e, field) {
  const current = e[field] || {};
  const input = el("input", { id: "pick-actor", type: "search", autocomplete: "off", placeholder: "type a name…", size: 40 });
  input.value = current.name || "";
  const list = choiceList("pick-actor-results");
  const chosenBox = el("p", { id: "pick-actor-chosen", class: "muted" });
  let chosen = null;
  const showChosen = () => {
    clear(chosenBox);
    const typed = input.value.trim();
    if (chosen) chosenBox.append(`${chosen.name} — ${chosen.category || "no class"}${chosen.country ? `, ${chosen.country}` : ""}`);
    else if (typed) chosenBox.append(el("span", { class: "new" }, "new actor"), ` “${typed}” is not in the actor dictionary`);
  };
  const country = (e.location && e.location.country_code) || "";
  const search = debounce(async () => {
    const q = input.value.trim();
    chosen = null;
    if (!q) { clear(list); showChosen(); return; }
    const items = await api(`/api/actors?${new URLSearchParams({ q, country })}`);
    chosen = items.find((a) => a.name.toLowerCase() === q.toLowerCase()) || null;
    fillChoices(list, items, (a) => `${a.name}${a.category ? ` · ${a.category}` : ""}`, (a) => {
      chosen = a; input.value = a.name; clear(list); showChosen();
    });
    showChosen();
  }, 150);
  input.addEventListener("input", search);
  return {
    node: el("div", { class: "picker" }, el("label", null, "Actor ", input), list, chosenBox),
    value: () => {
      const name = input.value.trim();
      if (!name) throw new Error("type an actor's name, or reject the field to clear it");
      return chosen ? { name: chosen.name, category: chosen.category, country: chosen.country } : { name };
    },
  };
}

function locationPicker(e, _field, config) {
  const input = el("input", { id: "pick-place", type: "search", autocomplete: "off", placeholder: "type a place…", size: 40 });
  const list = choiceList("pick-place-results");
  const chosenBox = el("p", { id: "pick-place-chosen", class: "muted" });
  const mapBox = el("div", { id: "pick-map", class: "pick-map", "aria-label": "Pick a place on the map" });
  const country = (e.location && e.location.country_code) || "";
  const within = el("input", { id: "pick-place-country", type: "checkbox" });
  within.checked = Boolean(country);
  let chosen = e.location && e.location.name ? e.location : null;
  let map = null, pin = null;
  const show = () => {
    clear(chosenBox).append(chosen ? `${placeText(chosen)} (${chosen.lat?.toFixed(3)}, ${chosen.lon?.toFixed(3)})` : "no place chosen");
    if (map && chosen && typeof chosen.lat === "number") {
      if (pin) pin.remove();
      pin = L.circleMarker([chosen.lat, chosen.lon], { radius: 7, color: "#1f4fd1" }).addTo(map);
      map.setView([chosen.lat, chosen.lon], Math.max(map.getZoom(), 5), { animate: false });
    }
  };
  const pick = (p) => { chosen = p; clear(list); show(); };
  input.addEventListener("input", debounce(async () => {
    const q = input.value.trim();
    if (!q) { clear(list); return; }
    const params = new URLSearchParams({ q });
    if (within.checked && country) params.set("country", country);
    const items = await api(`/api/places?${params}`);
    fillChoices(list, items, (p) => `${placeText(p)} · ${p.precision}${p.population ? ` · pop. ${p.population.toLocaleString("en")}` : ""}`, pick);
  }, 150));
  return {
    node: el("div", { class: "picker" },
      el("label", null, "Place ", input),
      country ? el("label", { class: "inline" }, within, ` only in ${country}`) : null,
      list, chosenBox, mapBox,
      el("p", { class: "muted" }, "or click the map: the biggest town within 50 km is taken")),
    opened: () => {
      map = makeMap(mapBox, config, { worldCopyJump: false });
      map.on("click", async (ev) => {
        try { pick(await api(`/api/places/near?lat=${ev.latlng.lat.toFixed(5)}&lon=${ev.latlng.lng.toFixed(5)}`)); } catch (err) {
          clear(chosenBox).append(String(err.message || err));
        }
      });
      show();
    },
    value: () => {
      if (!chosen) throw new Error("pick a place from the list or the map");
      const { population, ...record } = chosen; // the list's ranking, not part of a location
      return record;
    },
  };
}

function datePicker(e) {
  const d = e.date || {};
  const start = el("input", { id: "pick-date-start", type: "date", required: true });
  const end = el("input", { id: "pick-date-end", type: "date" });
  const precision = el("select", { id: "pick-date-precision" });
  for (const p of DATE_PRECISIONS) precision.append(el("option", { value: p }, p));
  start.value = d.start || ""; end.value = d.end || ""; precision.value = d.precision || "day";
  return {
    node: el("div", { class: "picker" }, el("label", null, "From ", start), el("label", null, "To ", end), el("label", null, "Precision ", precision)),
    value: () => {
      if (!start.value) throw new Error("choose the day the event began");
      return { start: start.value, end: end.value || start.value, precision: precision.value };
    },
  };
}

function tollPicker(e) {
  const f = e.fatalities || {};
  const box = (id, v) => { const i = el("input", { id, type: "number", min: 0, step: 1, size: 6 }); i.value = v ?? ""; return i; };
  const best = box("pick-best", f.best), low = box("pick-low", f.low), high = box("pick-high", f.high);
  return {
    node: el("div", { class: "picker" }, el("label", null, "Best ", best), el("label", null, "Low ", low), el("label", null, "High ", high)),
    value: () => {
      const n = (i, fallback) => (i.value === "" ? fallback : Number(i.value));
      const b = n(best, null);
      if (b === null || !Number.isInteger(b) || b < 0) throw new Error("fatalities: a whole number");
      return { best: b, low: n(low, b), high: n(high, b) };
    },
  };
}

const PICKERS = { type: typePicker, actor1: actorPicker, actor2: actorPicker, location: locationPicker, date: datePicker, fatalities: tollPicker };
export const CORRECTABLE = Object.keys(PICKERS);

/** Open the correction dialog for `field` of event `e`; resolves true when saved. */
export async function correct(e, field, config) {
  const dialog = $("#editor");
  const picker = await PICKERS[field](e, field, config);
  $("#editor-title").textContent = `Correct ${FIELD_LABELS[field] || field}`;
  clear($("#editor-body")).append(picker.node);
  $("#editor-note").value = "";
  $("#editor-message").textContent = "";
  dialog.showModal();
  if (picker.opened) picker.opened();
  return new Promise((resolve) => {
    const form = $("#editor-form");
    const done = (saved) => { form.onsubmit = null; $("#editor-cancel").onclick = null; dialog.close(); resolve(saved); };
    $("#editor-cancel").onclick = () => done(false);
    dialog.oncancel = () => resolve(false);
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      try {
        const body = { field, action: "correct", value: picker.value() };
        const note = $("#editor-note").value.trim();
        if (note) body.note = note;
        await api(`/api/events/${encodeURIComponent(e.id)}/review`, { json: body });
        done(true);
      } catch (err) {
        $("#editor-message").textContent = String(err.message || err);
      }
    };
  });
}

// --- history and analysts ----------------------------------------------------------------

const VERBS = { confirm: "confirmed", correct: "corrected", reject: "rejected" };

export function drawHistory(list, corrections) {
  clear(list);
  if (!corrections.length) list.append(el("li", { class: "muted" }, "not reviewed yet"));
  for (const c of corrections) {
    const what = FIELD_LABELS[c.field] || c.field;
    const change = c.action === "correct" ? [" to ", el("strong", null, valueText(c.field, c.value))] : [];
    list.append(el("li", { "data-action": c.action, "data-field": c.field },
      el("time", { datetime: c.at || "" }, timeText(c.at)), " · ",
      el("strong", null, c.user || "?"), ` ${VERBS[c.action] || c.action} ${c.field === "event" ? "the event" : what}`,
      ...change,
      c.note ? el("em", null, ` — “${c.note}”`) : null));
  }
}

export function drawReviewers(tbody, rows) {
  clear(tbody);
  if (!rows.length) tbody.append(el("tr", null, el("td", { colspan: 6, class: "muted" }, "nobody has reviewed yet")));
  for (const r of rows) {
    tbody.append(el("tr", { "data-user": r.user },
      el("td", null, r.user), el("td", null, r.events), el("td", null, r.confirm),
      el("td", null, r.correct), el("td", null, r.reject), el("td", null, timeText(r.last))));
  }
}

// --- the queue walk ----------------------------------------------------------------------

const SKIPPED = "conflictlens.skipped";
export function skipped() { return JSON.parse(sessionStorage.getItem(SKIPPED) || "[]"); }
export function skip(id) { sessionStorage.setItem(SKIPPED, JSON.stringify([...new Set([...skipped(), id])])); }
export function resetSkipped() { sessionStorage.removeItem(SKIPPED); }

/** The next unreviewed event after `currentId` (least sure first), or null. */
export async function nextUnreviewed(currentId, query) {
  const params = new URLSearchParams(query || "");
  params.set("limit", "200");
  const data = await api(`/api/queue?${params}`);
  const passed = new Set([...skipped(), currentId]);
  const next = data.events.find((e) => !passed.has(e.id));
  return next ? next.id : null;
}
