"""GeoNames' country table (ISO codes, names, capitals), shipped as ``data/countries.json``
by ``make gazetteer``: the one place run-time code reads countries from."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"


@functools.cache
def countries() -> dict[str, dict[str, Any]]:
    """ISO2 -> GeoNames' row: name, iso, iso3, isonumeric, continentcode, capital, ..."""
    with open(DATA / "countries.json", encoding="utf-8") as f:
        return json.load(f)["countries"]


@functools.cache
def by_name() -> dict[str, dict[str, Any]]:
    """Lower-cased English name -> the country's row."""
    return {row["name"].lower(): row for row in countries().values()}
