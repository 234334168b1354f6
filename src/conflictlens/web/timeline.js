// The timeline: events per day, week or month, and a brush (drag across the bars) that
// narrows the map and the list to a span of time. Dates are ISO strings throughout, in
// UTC, so that a bucket never shifts with the browser's time zone.
import { clear, svg } from "./dom.js";

const DAY = 86400000;
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
const ms = (d) => Date.parse(`${d}T00:00:00Z`);

/** The first day of the bucket holding `day` (weeks start on Monday, as ISO's). */
export function bucketStart(day, unit) {
  if (unit === "month") return `${day.slice(0, 7)}-01`;
  if (unit === "week") {
    const t = ms(day);
    const weekday = (new Date(t).getUTCDay() + 6) % 7;
    return iso(t - weekday * DAY);
  }
  return day;
}
function nextBucket(start, unit) {
  if (unit === "month") {
    const [y, m] = start.split("-").map(Number);
    return iso(Date.UTC(m === 12 ? y + 1 : y, m === 12 ? 0 : m, 1));
  }
  return iso(ms(start) + (unit === "week" ? 7 : 1) * DAY);
}
/** The last day of the bucket that starts on `start`. */
export function bucketEnd(start, unit) { return iso(ms(nextBucket(start, unit)) - DAY); }

/** The unit that gives a readable number of bars for these dates. */
export function autoUnit(starts) {
  if (!starts.length) return "month";
  const span = (ms(starts[starts.length - 1]) - ms(starts[0])) / DAY;
  return span <= 62 ? "day" : span <= 7 * 60 ? "week" : "month";
}

/**
 * Draw `events` (those with a date) into `box`, bucketed by `unit`. `onBrush(span)` is
 * called with {since, until} when a span is brushed, or null when the brush is cleared
 * (a click without a drag).
 */
export function drawTimeline(box, events, unit, brush, onBrush) {
  clear(box);
  const starts = events.map((e) => e.date && e.date.start).filter(Boolean).sort();
  if (!starts.length) return [];
  const buckets = [];
  const last = bucketStart(starts[starts.length - 1], unit);
  for (let b = bucketStart(starts[0], unit); b <= last && buckets.length < 2000; b = nextBucket(b, unit)) buckets.push(b);
  const counts = new Map(buckets.map((b) => [b, 0]));
  for (const d of starts) { const b = bucketStart(d, unit); counts.set(b, (counts.get(b) || 0) + 1); }
  const max = Math.max(1, ...counts.values());
  const W = 400, H = 190, pad = 18, bw = (W - 2 * pad) / buckets.length;
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H + 22}`, role: "img", "aria-label": `Events per ${unit}` });
  const inBrush = (b) => brush && bucketEnd(b, unit) >= brush.since && b <= brush.until;
  buckets.forEach((b, i) => {
    const n = counts.get(b);
    const h = n ? Math.max(2, ((H - pad) * n) / max) : 0;
    const rect = svg("rect", {
      x: pad + i * bw + Math.min(1, bw / 4), y: H - h, width: Math.max(1, bw - Math.min(2, bw / 2)), height: h,
      "data-bucket": b, "data-count": n, class: inBrush(b) ? "brushed" : "",
    });
    const title = svg("title");
    title.textContent = `${unit === "day" ? b : `${unit} of ${b}`}: ${n} event${n === 1 ? "" : "s"}`;
    rect.append(title);
    chart.append(rect);
  });
  [buckets[0], buckets[buckets.length - 1]].forEach((b, i) => {
    const t = svg("text", { x: i ? W - pad : pad, y: H + 14, "text-anchor": i ? "end" : "start" });
    t.textContent = unit === "month" ? b.slice(0, 7) : b;
    chart.append(t);
  });
  const band = svg("rect", { class: "brush", y: 0, height: H, x: 0, width: 0, visibility: "hidden" });
  chart.append(band);
  box.append(chart);

  // The brush: pointer positions -> bucket indices -> a span of days.
  const index = (ev) => {
    const r = chart.getBoundingClientRect();
    const x = ((ev.clientX - r.left) / r.width) * W;
    return Math.max(0, Math.min(buckets.length - 1, Math.floor((x - pad) / bw)));
  };
  let from = null;
  const show = (a, b) => {
    const lo = Math.min(a, b), hi = Math.max(a, b);
    band.setAttribute("x", pad + lo * bw);
    band.setAttribute("width", (hi - lo + 1) * bw);
    band.setAttribute("visibility", "visible");
  };
  chart.addEventListener("pointerdown", (ev) => {
    from = index(ev);
    chart.setPointerCapture(ev.pointerId);
    show(from, from);
  });
  chart.addEventListener("pointermove", (ev) => { if (from !== null) show(from, index(ev)); });
  chart.addEventListener("pointerup", (ev) => {
    if (from === null) return;
    const to = index(ev);
    const moved = to !== from;
    const lo = Math.min(from, to), hi = Math.max(from, to);
    from = null;
    if (!moved && brush) { onBrush(null); return; } // a click clears a brush
    onBrush({ since: buckets[lo], until: bucketEnd(buckets[hi], unit) });
  });
  return buckets;
}
