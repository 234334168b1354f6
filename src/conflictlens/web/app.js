// ConflictLens dashboard. No framework, no build step. Article text is untrusted: every
// piece of data reaches the page as a text node or an attribute value set with
// setAttribute, never through innerHTML (and the server's CSP forbids inline script).
"use strict";

(() => {
  const TOKEN_KEY = "conflictlens.token";
  const REVIEW_FIELDS = [
    ["event", "Event", (e) => (e.background ? "background" : "reported as news")],
    ["type", "Type", (e) => e.type || `${e.event_type}/${e.sub_event_type}`],
    ["date", "Date", (e) => dateText(e.date)],
    ["location", "Location", (e) => placeText(e.location)],
    ["actor1", "Actor 1", (e) => actorText(e.actor1)],
    ["actor2", "Actor 2", (e) => actorText(e.actor2)],
    ["fatalities", "Fatalities", (e) => tollText(e.fatalities)],
  ];
  // Which evidence span a field's row points at ("type" is evidenced by the event_type span).
  const EVIDENCE_FOR = { type: "event_type" };
  const $ = (sel) => document.querySelector(sel);
  let map = null;
  let markers = null;
  let clientConfig = { read_requires_token: false, tile_url: null };

  // --- DOM helpers: text only ------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    return node;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  // --- formatting ------------------------------------------------------------------
  function dateText(d) {
    if (!d || !d.start) return "";
    return d.end && d.end !== d.start ? `${d.start} – ${d.end}` : d.start;
  }
  function placeText(loc) {
    if (!loc) return "";
    return [loc.name, loc.admin1 !== loc.name ? loc.admin1 : null, loc.country_code]
      .filter(Boolean).join(", ");
  }
  function actorText(a) {
    if (!a) return "";
    if (typeof a === "string") return a;
    return a.name || a.mention || "";
  }
  function tollText(f) {
    if (f === null || f === undefined) return "";
    if (typeof f !== "object") return String(f);
    if (f.low !== null && f.high !== null && f.low !== f.high) return `${f.best} (${f.low}–${f.high})`;
    return String(f.best ?? "");
  }
  function reviewSummary(e) {
    const review = e.review || {};
    const states = Object.values(review).map((r) => (r && r.action) || r).filter(Boolean);
    if (states.includes("reject")) return "rejected field(s)";
    if (states.includes("correct")) return "corrected";
    if (states.length) return "confirmed";
    return "";
  }

  // --- API -------------------------------------------------------------------------
  function token() { return localStorage.getItem(TOKEN_KEY) || ""; }
  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    if (token()) opts.headers.Authorization = `Bearer ${token()}`;
    if (opts.json !== undefined) {
      opts.method = opts.method || "POST";
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.json);
    }
    const response = await fetch(path, opts);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
    return data;
  }
  function showError(err) {
    const box = $("#error");
    box.textContent = err ? String(err.message || err) : "";
    box.hidden = !err;
  }

  // --- filters <-> URL hash ----------------------------------------------------------
  const FILTERS = ["country", "type", "actor", "text", "since", "until"];
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
  }
  function formToQuery() {
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = $(`#f-${name}`).value.trim();
      if (value) params.set(name, value);
    }
    return params;
  }

  // --- list view: map, timeline, table ----------------------------------------------
  function ensureMap() {
    if (map || typeof L === "undefined") return;
    map = L.map("map", { worldCopyJump: true, attributionControl: !!clientConfig.tile_url });
    if (clientConfig.tile_url) {
      L.tileLayer(clientConfig.tile_url, { maxZoom: 18, attribution: "map tiles" }).addTo(map);
    } else {
      // Offline: no tiles. A graticule gives the markers a frame of reference.
      const grid = { color: "#b7c4d3", weight: 1, interactive: false };
      for (let lat = -60; lat <= 75; lat += 15) L.polyline([[lat, -180], [lat, 180]], grid).addTo(map);
      for (let lon = -180; lon <= 180; lon += 15) L.polyline([[-80, lon], [80, lon]], grid).addTo(map);
    }
    markers = L.featureGroup().addTo(map);
    map.setView([20, 40], 2);
  }

  function drawMap(events) {
    ensureMap();
    if (!map) return;
    markers.clearLayers();
    const labelled = new Set();
    for (const e of events) {
      const loc = e.location || {};
      if (typeof loc.lat !== "number" || typeof loc.lon !== "number") continue;
      const deaths = (e.fatalities && e.fatalities.best) || 0;
      const marker = L.circleMarker([loc.lat, loc.lon], {
        radius: 6 + Math.min(14, Math.sqrt(deaths) * 2),
        color: e.background ? "#667085" : "#b42318",
        weight: 2,
        fillOpacity: e.background ? 0.25 : 0.55,
      });
      // Tooltip content as a DOM node: Leaflet would treat a string as HTML.
      marker.bindTooltip(el("span", { class: "map-label" }, `${dateText(e.date)} · ${e.type || e.event_type} · ${placeText(loc)}`));
      marker.on("click", () => { location.hash = `#/event/${encodeURIComponent(e.id)}`; });
      marker.addTo(markers);
      // Without tiles, name each place once so the dots can be read.
      const place = loc.name || "";
      if (place && !labelled.has(place)) {
        labelled.add(place);
        L.tooltip({ permanent: true, direction: "right", offset: [8, 0], className: "place-label", interactive: false })
          .setLatLng([loc.lat, loc.lon]).setContent(el("span", null, place)).addTo(markers);
      }
    }
    map.invalidateSize({ animate: false });
    if (markers.getLayers().length) {
      map.fitBounds(markers.getBounds().pad(0.3), { maxZoom: 6, animate: false });
    }
  }

  function drawTimeline(events) {
    const box = clear($("#timeline"));
    const dated = events.filter((e) => e.date && e.date.start);
    if (!dated.length) { $("#timeline-unit").textContent = ""; return; }
    const starts = dated.map((e) => e.date.start).sort();
    const first = starts[0], last = starts[starts.length - 1];
    const months = (Number(last.slice(0, 4)) - Number(first.slice(0, 4))) * 12 +
      Number(last.slice(5, 7)) - Number(first.slice(5, 7)) + 1;
    const byYear = months > 36;
    $("#timeline-unit").textContent = byYear ? "(events per year)" : "(events per month)";
    const key = (d) => (byYear ? d.slice(0, 4) : d.slice(0, 7));
    const buckets = [];
    let y = Number(first.slice(0, 4)), m = Number(first.slice(5, 7));
    const lastKey = key(last);
    for (;;) {
      const k = byYear ? String(y) : `${y}-${String(m).padStart(2, "0")}`;
      buckets.push(k);
      if (k >= lastKey) break;
      if (byYear) y += 1; else if (m === 12) { y += 1; m = 1; } else m += 1;
    }
    const counts = new Map(buckets.map((b) => [b, 0]));
    for (const d of starts) counts.set(key(d), (counts.get(key(d)) || 0) + 1);
    const max = Math.max(...counts.values());
    const W = 400, H = 200, pad = 18, bw = (W - 2 * pad) / buckets.length;
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H + 20}`, role: "img", "aria-label": "Events over time" });
    buckets.forEach((b, i) => {
      const n = counts.get(b);
      const h = n ? Math.max(2, ((H - pad) * n) / max) : 0;
      const rect = svg("rect", { x: pad + i * bw + 1, y: H - h, width: Math.max(1, bw - 2), height: h, "data-bucket": b });
      const title = svg("title");
      title.textContent = `${b}: ${n} event${n === 1 ? "" : "s"}`;
      rect.append(title);
      rect.addEventListener("click", () => {
        const params = formToQuery();
        if (byYear) { params.set("since", `${b}-01-01`); params.set("until", `${b}-12-31`); } else {
          const [yy, mm] = b.split("-").map(Number);
          const end = new Date(Date.UTC(yy, mm, 0)).toISOString().slice(0, 10);
          params.set("since", `${b}-01`); params.set("until", end);
        }
        location.hash = `#/?${params}`;
      });
      chart.append(rect);
    });
    const labels = [buckets[0], buckets[buckets.length - 1]];
    labels.forEach((b, i) => {
      const t = svg("text", { x: i ? W - pad : pad, y: H + 14, "text-anchor": i ? "end" : "start" });
      t.textContent = b;
      chart.append(t);
    });
    box.append(chart);
  }

  function drawTable(events) {
    const body = clear($("#events tbody"));
    for (const e of events) {
      const link = el("a", { href: `#/event/${encodeURIComponent(e.id)}`, "data-event-id": e.id }, dateText(e.date) || "undated");
      const row = el("tr", { "data-event-id": e.id },
        el("td", null, link, e.background ? el("span", { class: "bg", title: "mentioned as background" }, "bg") : null),
        el("td", null, e.type || `${e.event_type}/${e.sub_event_type}`),
        el("td", null, placeText(e.location)),
        el("td", null, actorText(e.actor1)),
        el("td", null, actorText(e.actor2)),
        el("td", null, tollText(e.fatalities)),
        el("td", null, reviewSummary(e)));
      row.addEventListener("click", (ev) => {
        if (ev.target.tagName !== "A") location.hash = `#/event/${encodeURIComponent(e.id)}`;
      });
      body.append(row);
    }
  }

  async function showList(params) {
    $("#event-view").hidden = true;
    $("#list-view").hidden = false;
    filtersToForm(params);
    const query = new URLSearchParams(params);
    query.set("limit", "5000");
    const data = await api(`/api/events?${query}`);
    const shown = data.events.length;
    $("#count").textContent = `${data.total} event${data.total === 1 ? "" : "s"}` +
      (shown < data.total ? ` (first ${shown} shown)` : "");
    drawMap(data.events);
    drawTimeline(data.events);
    drawTable(data.events);
    document.body.dataset.view = "list";
  }

  // --- event view: fields, review, article with evidence -----------------------------
  const ROLE_FIELDS = ["perpetrators", "victims", "targets", "weapons"];

  function highlightedBody(body, evidence) {
    // The record's own fields win over role phrases (victims, targets...), which win over
    // plain event mentions; of overlapping spans only the first chosen is drawn.
    const rank = (s) => (ROLE_FIELDS.includes(s.field) ? 1 : s.field === "mention" ? 2 : 0);
    const spans = (evidence || [])
      .filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.end > s.start && s.end <= body.length)
      .sort((a, b) => rank(a) - rank(b) || a.start - b.start);
    const chosen = [];
    for (const s of spans) {
      if (!chosen.some((c) => s.start < c.end && c.start < s.end)) chosen.push(s);
    }
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

  function fieldState(e, field) {
    const r = (e.review || {})[field];
    if (!r) return null;
    return typeof r === "string" ? { action: r } : r;
  }

  async function submitReview(e, field, action) {
    if (!token()) { showError("Enter an API token (top right) to review."); return; }
    const body = { field, action };
    if (action === "correct") {
      const current = REVIEW_FIELDS.find((f) => f[0] === field)[2](e);
      const hint = { date: " (YYYY-MM-DD)", fatalities: " (a number)", type: " (Type/Sub-event type)" }[field] || "";
      const value = window.prompt(`Correct ${field}${hint}:`, current);
      if (value === null) return;
      // Numbers go as numbers; names, dates and types as strings (the API accepts both
      // shorthands and full objects).
      body.value = field === "fatalities" && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value.trim();
      const note = window.prompt("Note (optional):", "");
      if (note) body.note = note;
    }
    try {
      await api(`/api/events/${encodeURIComponent(e.id)}/review`, { json: body });
      showError(null);
      await showEvent(e.id);
    } catch (err) { showError(err); }
  }

  function drawFields(e) {
    const body = clear($("#ev-fields tbody"));
    for (const [field, label, text] of REVIEW_FIELDS) {
      const state = fieldState(e, field);
      const stateText = state ? { confirm: "confirmed", correct: "corrected", reject: "rejected" }[state.action] || state.action : "";
      const buttons = el("div", { class: "review" },
        ...(field === "event" ? ["confirm", "reject"] : ["confirm", "correct", "reject"]).map((action) => {
          const b = el("button", { type: "button", "data-field": field, "data-action": action }, action);
          b.addEventListener("click", () => submitReview(e, field, action));
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

  function drawHistory(e) {
    const list = clear($("#ev-history"));
    const items = e.corrections || [];
    if (!items.length) list.append(el("li", { class: "muted" }, "not reviewed yet"));
    for (const c of items) {
      const value = c.value === null || c.value === undefined ? "" : ` → ${typeof c.value === "string" ? c.value : JSON.stringify(c.value)}`;
      list.append(el("li", null, `${c.created_at || c.at || ""} ${c.user || ""}: ${c.action} ${c.field}${value}`,
        c.note ? el("em", null, ` (${c.note})`) : null));
    }
  }

  async function showEvent(id) {
    const e = await api(`/api/events/${encodeURIComponent(id)}`);
    $("#list-view").hidden = true;
    $("#event-view").hidden = false;
    $("#ev-title").textContent = `${e.type || `${e.event_type}/${e.sub_event_type}`} · ${dateText(e.date)} · ${placeText(e.location)}` + (e.background ? " (background)" : "");
    $("#ev-summary").textContent = e.summary || "";
    drawFields(e);
    drawSources(e);
    drawHistory(e);
    const articleId = (e.source && e.source.article_id) || String(e.id).replace(/-[^-]+$/, "");
    const art = await api(`/api/articles/${encodeURIComponent(articleId)}`);
    $("#art-headline").textContent = art.headline || "(no headline)";
    $("#art-meta").textContent = [art.publisher, art.published, (art.authors || []).join(", ")].filter(Boolean).join(" · ");
    const speakers = art.speakers || [];
    $("#art-speakers").textContent = speakers.length ? `Speakers: ${speakers.join(", ")}` : "";
    const legend = clear($("#legend"));
    for (const field of ["event_type", "date", "location", "actor1", "actor2", "fatalities"]) {
      legend.append(el("mark", { "data-field": field }, field));
    }
    const bodyBox = clear($("#art-body"));
    bodyBox.append(highlightedBody(art.body || "", e.evidence));
    document.body.dataset.view = "event";
    document.title = `ConflictLens · ${e.id}`;
  }

  // --- boot ----------------------------------------------------------------------------
  async function render() {
    const { path, params } = route();
    document.body.dataset.view = "loading";
    try {
      const m = path.match(/^\/event\/(.+)$/);
      if (m) await showEvent(decodeURIComponent(m[1]));
      else await showList(params);
      showError(null);
    } catch (err) {
      showError(err);
      document.body.dataset.view = "error";
    }
  }

  async function loadFacets() {
    const [facets, stats] = await Promise.all([api("/api/facets"), api("/api/stats")]);
    const country = $("#f-country"), type = $("#f-type");
    for (const c of facets.countries) country.append(el("option", { value: c.code || c.name }, `${c.name} (${c.events})`));
    for (const t of facets.types) type.append(el("option", { value: t.type }, `${t.type} (${t.events})`));
    $("#stats").textContent = `${stats.events} events · ${stats.articles} articles`;
  }

  function updateTokenState() {
    $("#token-state").textContent = token() ? "saved" : "";
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("#filters").addEventListener("submit", (ev) => {
      ev.preventDefault();
      location.hash = `#/?${formToQuery()}`;
    });
    $("#f-reset").addEventListener("click", () => { location.hash = "#/"; });
    $("#token-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const value = $("#token").value.trim();
      if (value) localStorage.setItem(TOKEN_KEY, value); else localStorage.removeItem(TOKEN_KEY);
      $("#token").value = "";
      updateTokenState();
      loadFacets().then(render).catch(showError);
    });
    updateTokenState();
    window.addEventListener("hashchange", render);
    try {
      clientConfig = await api("/api/config");
      await loadFacets();
    } catch (err) { showError(err); }
    await render();
  });
})();
