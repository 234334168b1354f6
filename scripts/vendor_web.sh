#!/usr/bin/env bash
# Copy the dashboard's front-end packages from the npm registry into
# src/conflictlens/web/vendor/, unmodified, with their licences. Run by hand when a
# version changes; the copies are committed so that the dashboard works offline and the
# Python package needs no Node at install time.
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=src/conflictlens/web/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() {  # package@version -> unpacked folder
  (cd "$work" && npm pack --silent "$1" >/dev/null)
  mkdir -p "$work/$1"
  tar xzf "$work"/"$(echo "${1%@*}" | tr -d @ | tr / -)"-"${1##*@}".tgz -C "$work/$1"
  echo "$work/$1/package"
}
pkg=$(fetch world-atlas@2.0.2)
mkdir -p "$VENDOR/world-atlas"
cp "$pkg/countries-50m.json" "$pkg/LICENSE" "$VENDOR/world-atlas/"
pkg=$(fetch topojson-client@3.1.0)
mkdir -p "$VENDOR/topojson-client"
cp "$pkg/dist/topojson-client.min.js" "$pkg/LICENSE" "$VENDOR/topojson-client/"
pkg=$(fetch leaflet.markercluster@1.5.3)
mkdir -p "$VENDOR/leaflet.markercluster"
cp "$pkg/dist/leaflet.markercluster.js" "$pkg/dist/MarkerCluster.css" \
  "$pkg/dist/MarkerCluster.Default.css" "$pkg/MIT-LICENCE.txt" "$VENDOR/leaflet.markercluster/"
echo "vendored into $VENDOR"
