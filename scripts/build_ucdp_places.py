"""Build data/ucdp_places.json: the places UCDP's coders geocoded, from the training rows.

UCDP GED places each event at a named spot ("Teir Maaleh village", "Sloviansk town") with
its first- and second-order admin units and coordinates. Syrian, Ukrainian and Nigerian
villages and neighbourhoods are mostly missing from GeoNames' cities1000 and from ACLED's
rows (the ACLED training rows hold no Syria); this keeps, from THIS PROJECT'S TRAIN SPLIT
of ged.jsonl only (``conflictlens.evaluate.ucdp.ucdp_split``: every fifth event id is dev),
every distinct (place, admin1, admin2, country) coded at a precise spot (where_prec 1-2),
with its mean coordinates and row count, in the columns of acled_places.json. The kind
word UCDP appends ("village", "town", "city", "suburb") and the admin units' own ("Homs
Governorate", "Donetsk oblast", "Borno state") are dropped, so the names read as the
text writes them.

    python scripts/build_ucdp_places.py --shared ../shared
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from conflictlens.evaluate.ucdp import ucdp_split  # noqa: E402
from conflictlens.kb.places import PlaceTally, write  # noqa: E402

OUT = ROOT / "src" / "conflictlens" / "data" / "ucdp_places.json"
#: Words UCDP appends to a place name to say what kind of place it is.
KIND_WORDS = re.compile(
    r"\s+(?:town|village|city|suburb|neighbou?rhood|district|area|lga|camp|quarter|"
    r"settlement|hamlet|municipality)$",
    re.IGNORECASE,
)
#: The same for admin units.
ADMIN_WORDS = re.compile(
    r"\s+(?:governorate|oblast|state|province|raion|district|lga|region|"
    r"special republican city|territory)$",
    re.IGNORECASE,
)
#: where_prec 1: the exact place; 2: within 25 km of it. Coarser rows name admin units.
MAX_PRECISION = 2


def place_name(raw: str) -> str:
    name = re.sub(r"\s*\([^()]*\)\s*", " ", raw).strip()
    return KIND_WORDS.sub("", name).strip()


def admin_name(raw: str) -> str:
    return ADMIN_WORDS.sub("", (raw or "").strip()).strip()


def build(rows, date: str) -> dict:
    tally = PlaceTally()
    for r in rows:
        if ucdp_split(r) != "train":
            continue
        try:
            precision = int(float(r.get("where_prec") or 9))
            lat, lon = float(r["latitude"]), float(r["longitude"])
        except (KeyError, ValueError):
            continue
        name = place_name(r.get("where_coordinates") or "")
        if precision > MAX_PRECISION or len(name) < 3:
            continue
        country = re.sub(r"\s*\(.*\)\s*$", "", r.get("country") or "").strip()
        key = (name, admin_name(r.get("adm_1")), admin_name(r.get("adm_2")), "", country)
        tally.add(key, lat, lon, precision)
    return tally.document(
        {
            "file": "shared/training/ucdp/ged.jsonl (this project's train split: id % 5 != 0)",
            "terms": "UCDP GED, CC BY 4.0 (Uppsala Conflict Data Program)",
            "command": "python scripts/build_ucdp_places.py --shared ../shared",
            "date": date,
        }
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--date", default=dt.date.today().isoformat())
    args = ap.parse_args(argv)
    path = Path(args.shared) / "training" / "ucdp" / "ged.jsonl"
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    doc = build(rows, args.date)
    write(doc, Path(args.out))
    print(f"{args.out}: {len(doc['places'])} places from {len(rows)} rows")


if __name__ == "__main__":
    main()
