"""Build data/acled_places.json: the places ACLED's coders geocoded, from the training rows.

GeoNames' cities1000 lacks most of the villages conflict events happen in (of 1,000 ACLED
dev locations it knows 57%). ACLED's coders geocoded each event's location with its
admin names and coordinates; this keeps, from the TRAIN split only, every distinct
(location, admin1, admin2, admin3, country) with its mean coordinates, best geo
precision and row count. Dev rows are not read, so `conflictlens eval --split dev`
still measures places it was not built from -- though most dev locations also occur in
train (the same villages see repeated events), which the README says with the figures.

    python scripts/build_acled_places.py --shared ../shared
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from conflictlens.kb.places import PlaceTally, write  # noqa: E402

OUT = ROOT / "src" / "conflictlens" / "data" / "acled_places.json"


def build(rows, date: str) -> dict:
    tally = PlaceTally()
    for r in rows:
        if r.get("split") != "train" or not r.get("location"):
            continue
        try:
            lat, lon = float(r["latitude"]), float(r["longitude"])
        except (KeyError, ValueError):
            continue
        key = (
            r["location"],
            r.get("admin1", ""),
            r.get("admin2", ""),
            r.get("admin3", ""),
            r["country"],
        )
        tally.add(key, lat, lon, int(r.get("geo_precision") or 9))
    return tally.document(
        {
            "file": "shared/training/acled/events.jsonl (split == train)",
            "terms": "ACLED terms of use: attribution, research and non-commercial use "
            "(shared/training/SOURCES.md)",
            "command": "python scripts/build_acled_places.py --shared ../shared",
            "date": date,
        }
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--date", default=dt.date.today().isoformat())
    args = ap.parse_args(argv)
    path = Path(args.shared) / "training" / "acled" / "events.jsonl"
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    doc = build(rows, args.date)
    write(doc, Path(args.out))
    print(f"{args.out}: {len(doc['places'])} places from {len(rows)} rows")


if __name__ == "__main__":
    main()
