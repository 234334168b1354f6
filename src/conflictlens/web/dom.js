// Shared by the dashboard's modules: DOM building (text only), formatting, the API.
// Article text and every field are untrusted: data reaches the page as text nodes or
// attribute values set with setAttribute, never through innerHTML.

export const $ = (sel, root) => (root || document).querySelector(sel);
export const $$ = (sel, root) => [...(root || document).querySelectorAll(sel)];

export function el(tag, attrs, ...children) {
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

export function svg(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// --- formatting ----------------------------------------------------------------------
export function dateText(d) {
  if (!d) return "";
  if (typeof d === "string") return d;
  if (!d.start) return "";
  return d.end && d.end !== d.start ? `${d.start} – ${d.end}` : d.start;
}
export function placeText(loc) {
  if (!loc) return "";
  if (typeof loc === "string") return loc;
  return [loc.name, loc.admin1 !== loc.name ? loc.admin1 : null, loc.country_code]
    .filter(Boolean).join(", ");
}
export function actorText(a) {
  if (!a) return "";
  if (typeof a === "string") return a;
  return a.name || a.mention || "";
}
export function tollText(f) {
  if (f === null || f === undefined) return "";
  if (typeof f !== "object") return String(f);
  if (f.low !== null && f.high !== null && f.low !== undefined && f.low !== f.high) {
    return `${f.best} (${f.low}–${f.high})`;
  }
  return String(f.best ?? "");
}
export function typeText(e) {
  return e.type || (e.event_type ? `${e.event_type}/${e.sub_event_type}` : "");
}
/** A field's value as a person reads it (the review history shows corrections so). */
export function valueText(field, value) {
  if (value === null || value === undefined) return "—";
  if (field === "date") return dateText(value);
  if (field === "location") return placeText(value);
  if (field === "actor1" || field === "actor2") return actorText(value);
  if (field === "fatalities") return tollText(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
export const FIELD_LABELS = {
  event: "event", type: "type", event_type: "event type", sub_event_type: "sub-event type",
  date: "date", location: "location", actor1: "actor 1", actor2: "actor 2",
  fatalities: "fatalities", injured: "injured", background: "background", summary: "summary",
};
export function timeText(iso) {
  if (!iso) return "";
  return String(iso).replace("T", " ").replace(/:\d\d(\.\d+)?(\+00:00|Z)$/, " UTC");
}

// --- API -----------------------------------------------------------------------------
const TOKEN_KEY = "conflictlens.token";
export function token() { return localStorage.getItem(TOKEN_KEY) || ""; }
export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value); else localStorage.removeItem(TOKEN_KEY);
}
export async function api(path, options) {
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
export function showError(err) {
  const box = $("#error");
  box.textContent = err ? String(err.message || err) : "";
  box.hidden = !err;
}
