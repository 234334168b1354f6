// The map: an offline basemap (Natural Earth countries from the bundled world-atlas
// TopoJSON) under clustered event markers, with place labels that never overlap. A tile
// URL in the server's config adds tiles for online use; nothing else leaves the origin.
import { $$, dateText, el, placeText, typeText } from "./dom.js";

const WORLD = "/static/vendor/world-atlas/countries-50m.json";
let world = null; // the basemap layer, drawn once

export function makeMap(id, config, options) {
  const map = L.map(id, Object.assign({ worldCopyJump: true, attributionControl: true, minZoom: 1, maxZoom: 18 }, options || {}));
  map.attributionControl.setPrefix(false);
  map.createPane("basemap").style.zIndex = 250; // under overlays (400) and markers
  if (config.tile_url) {
    L.tileLayer(config.tile_url, { maxZoom: 18, attribution: "map tiles" }).addTo(map);
  }
  drawBasemap(map, !config.tile_url);
  map.setView([20, 30], 2);
  return map;
}

async function drawBasemap(map, filled) {
  try {
    if (!world) {
      const topo = await (await fetch(WORLD)).json();
      world = topojson.feature(topo, topo.objects.countries);
    }
  } catch (err) {
    return; // the markers still work without borders
  }
  L.geoJSON(world, {
    pane: "basemap",
    interactive: false,
    style: { color: "#8a9bb0", weight: 0.7, fillColor: filled ? "#f3efe6" : "#000", fillOpacity: filled ? 1 : 0 },
  }).addTo(map);
  map.getContainer().dataset.basemap = "drawn";
}

/** Event markers, clustered, over `map`; clicking one opens its event. */
export function eventLayer(map) {
  const cluster = L.markerClusterGroup({
    maxClusterRadius: 40,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    // No chunkedLoading: its pending chunks outlive clearLayers(), so a quick second
    // filter would show the first one's markers too.
  });
  cluster.addTo(map);
  const relabel = () => declutter(map);
  map.on("zoomend moveend", relabel);
  cluster.on("animationend spiderfied unspiderfied", relabel);
  return {
    draw(events) {
      cluster.clearLayers();
      const markers = [];
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
        // One permanent tooltip: the place's name, the full line while hovered. Its
        // content is a DOM node: Leaflet would treat a string as HTML.
        const name = el("span", null, loc.name || "");
        const full = el("span", { class: "map-label" }, `${dateText(e.date)} · ${typeText(e)} · ${placeText(loc)}`);
        marker.bindTooltip(name, {
          permanent: true, direction: "right", offset: [8, 0], className: "place-label", interactive: false,
        });
        marker.on("tooltipopen", (ev) => { ev.tooltip.getElement().dataset.deaths = String(deaths); });
        marker.on("mouseover", () => { marker.setTooltipContent(full); marker.getTooltip().getElement().style.visibility = ""; });
        marker.on("mouseout", () => { marker.setTooltipContent(name); relabel(); });
        marker.on("click", () => { location.hash = `#/event/${encodeURIComponent(e.id)}`; });
        markers.push(marker);
      }
      cluster.addLayers(markers);
      map.invalidateSize({ animate: false });
      if (markers.length) {
        map.fitBounds(L.featureGroup(markers).getBounds().pad(0.3), { maxZoom: 6, animate: false });
      }
      // After Leaflet has laid the new markers out (and again once clusters settle).
      requestAnimationFrame(relabel);
      setTimeout(relabel, 300);
      return markers.length;
    },
  };
}

/** Hide place labels that would cover one already shown (biggest toll wins). */
function declutter(map) {
  const labels = $$(".leaflet-tooltip.place-label", map.getContainer());
  const shown = [];
  labels.sort((a, b) => (Number(b.dataset.deaths || 0) - Number(a.dataset.deaths || 0)));
  for (const label of labels) {
    label.style.visibility = "";
    const box = label.getBoundingClientRect();
    const hit = shown.some((o) => box.left < o.right && o.left < box.right && box.top < o.bottom && o.top < box.bottom);
    if (hit) label.style.visibility = "hidden"; else shown.push(box);
  }
}
