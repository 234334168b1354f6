#!/usr/bin/env bash
# What a pip user gets: build the wheel, install it into a fresh venv outside the repo
# (dependencies from the registry, no lock file, no ../shared), then extract the bundled
# seed with the installed command. Fails unless the seed gives its events, torch cannot be
# imported, and the venv stays under the size budget.
#   usage: scripts/check_wheel.sh [PYTHON] [MAX_MB]
set -euo pipefail
PYTHON="${1:-python3.11}"
MAX_MB="${2:-700}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

"$PYTHON" -m venv "$WORK/build-env"
"$WORK/build-env/bin/python" -m pip install -q --upgrade pip
"$WORK/build-env/bin/python" -m pip wheel -q --no-deps "$ROOT" -w "$WORK/dist"
WHEEL="$(ls "$WORK"/dist/conflictlens-*.whl)"
echo "wheel: $(basename "$WHEEL") ($(du -m "$WHEEL" | cut -f1) MB)"

"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install -q --upgrade pip
"$WORK/venv/bin/python" -m pip install -q "$WHEEL"

cd "$WORK"  # nothing of the repository on the path
cp "$ROOT/examples/rfi-karachi-interview.txt" seed.txt
"$WORK/venv/bin/conflictlens" extract seed.txt > seed.json
EVENTS="$("$WORK/venv/bin/python" -c 'import json; print(len(json.load(open("seed.json"))["events"]))')"
echo "seed events: $EVENTS"
# the store and the exports that need no extra; Parquet without pyarrow: one clear line
"$WORK/venv/bin/conflictlens" ingest seed.txt --db store.db > /dev/null
"$WORK/venv/bin/conflictlens" export -f acled-csv --db store.db > events.csv
"$WORK/venv/bin/conflictlens" export -f geojson --db store.db -o events.geojson 2> /dev/null
ROWS="$(($(wc -l < events.csv) - 1))"
echo "ingest + export: $ROWS ACLED CSV rows, $(du -k events.geojson | cut -f1) KB of GeoJSON"
if "$WORK/venv/bin/conflictlens" export -f parquet --db store.db -o x.parquet 2> parquet.err; then
  echo "FAIL: parquet export without pyarrow should refuse"; exit 1
fi
[ "$(wc -l < parquet.err)" -eq 1 ] || { echo "FAIL: parquet refusal is not one line"; cat parquet.err; exit 1; }
echo "parquet without the extra: $(cat parquet.err)"
# French without the [fr] extra: read with the English model, and the result says so
cp "$ROOT/examples/rfi-karachi-entretien.txt" entretien.txt
"$WORK/venv/bin/conflictlens" extract entretien.txt > entretien.json
grep -q "conflictlens\[fr\]" entretien.json || { echo "FAIL: no [fr] warning on French"; exit 1; }
echo "French without the [fr] extra: warns to install conflictlens[fr]"
if "$WORK/venv/bin/python" -c "import torch" 2>/dev/null; then
  echo "FAIL: torch is importable in the installed venv"; exit 1
fi
echo "import torch: fails, as it should"
MB="$(du -sm "$WORK/venv" | cut -f1)"
echo "venv: $MB MB (budget $MAX_MB MB)"
[ "$EVENTS" -eq 6 ] || { echo "FAIL: expected the seed's 6 events"; exit 1; }
[ "$ROWS" -ge 6 ] || { echo "FAIL: expected the seed's events in the ACLED CSV"; exit 1; }
[ "$MB" -lt "$MAX_MB" ] || { echo "FAIL: venv over $MAX_MB MB"; exit 1; }
echo "wheel check passed"
