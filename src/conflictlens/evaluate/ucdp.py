"""Scoring against UCDP GED events: the first source headline is the text, the source's
date the publication date, the event row the truth.

UCDP ships no train/dev split, so one is made here, by event id: every fifth event
(``id % 5 == 0``) is ``dev``, the rest ``train`` (:func:`ucdp_split`). The coder's
training reads UCDP headlines for their type of violence only, and only from the train
part; dates, places and tolls are never learned from UCDP.

Per row (a row where no event was found is wrong on every metric):

* ``found``: the pipeline returned an event;
* ``date``: the predicted start..end lies inside UCDP's date_start..date_end widened by
  a day on each side;
* ``place_50km``: the predicted point within 50 km of UCDP's, scored on rows whose
  ``where_prec`` is 3 or finer (a named place or its district: coarser rows name only a
  province or a country);
* ``country``: the predicted country is UCDP's (by ISO code);
* ``deaths``: the predicted toll (best) lies inside UCDP's low..high, scored on rows
  whose headline states a figure of the dead (``_FIGURE``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._common import _haversine_km, _parse_day, _ratio, first_record
from .acled import _float
from .gold import CITY_RADIUS_KM

__all__ = ["METRICS", "UcdpScore", "is_ucdp_file", "load_ucdp", "predict_ucdp", "score_ucdp"]

METRICS: dict[str, str] = {
    "found": "found",
    "date": "date within a day",
    "place_50km": "place <= 50 km (where_prec <= 3)",
    "country": "country",
    "deaths": "deaths in low..high (headline gives a toll)",
}
#: UCDP where_prec: 1 the place, 2 within 25 km of it, 3 its district; 4+ a province,
#: a country or worse.
PLACE_PRECISION = 3
_NUMBER = (
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|"
    r"scores?|hundreds?)"
)
_DEAD = r"(?:kill\w*|dead|died|dies|deaths?|lives|bodies|martyr\w*|executed|KIA)"
#: A figure of the dead in a headline: a number a few words before a word for the dead
#: ("Nine DPR militiamen killed", "1 KIA"), or right after "kill" ("kills 8"). Not any
#: number: "14 airstrikes target Reef Dimashq" and "April 24th 2017" state no toll.
_FIGURE = re.compile(
    rf"\b{_NUMBER}\b(?:[^\w;]+[\w'’-]+){{0,4}}?[^\w;]+{_DEAD}\b"
    rf"|\bkill(?:s|ed|ing)?\s+(?:at least\s+|about\s+|over\s+)?{_NUMBER}\b",
    re.I,
)


def ucdp_split(row: dict) -> str:
    """This project's split of UCDP GED: "dev" for every fifth event id, else "train"."""
    try:
        return "dev" if int(float(row.get("id") or 0)) % 5 == 0 else "train"
    except ValueError:
        return "train"


def is_ucdp_file(path: Path) -> bool:
    """JSON Lines whose first row has UCDP GED's ``source_headline`` and ``date_start``."""
    if not path.is_file() or path.suffix.lower() not in (".jsonl", ".ndjson", ".json"):
        return False
    record = first_record(path)
    return record is not None and {"source_headline", "date_start"} <= set(record)


def load_ucdp(path: Path, split: str | None = None, limit: int | None = None) -> list[dict]:
    """The rows with a headline, of ``split`` (this project's, see :func:`ucdp_split`)."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            if not str(row.get("source_headline") or "").strip():
                continue
            if split is not None and ucdp_split(row) != split:
                continue
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    return rows


def predict_ucdp(rows: Iterable[dict], n_process: int | None = None) -> Iterator[dict | None]:
    """The first event the pipeline finds in each row's headline, published on the row's
    source date (the report's own date, as a news feed gives it)."""
    from .acled import predict_texts

    texts = [
        (
            str(row["source_headline"]).strip(),
            f"ucdp:{row.get('id') or i}",
            str(row.get("source_date") or "")[:10] or None,
        )
        for i, row in enumerate(rows)
    ]
    yield from predict_texts(texts, n_process)


@dataclass
class UcdpScore:
    rows: int
    right: dict[str, int]
    scored: dict[str, int]  # rows each metric is scored on
    verdicts: list[dict[str, bool | None]] = field(default_factory=list)

    def of_scored(self, metric: str) -> float:
        return _ratio(self.right[metric], self.scored[metric])

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "metrics": {
                m: {
                    "right": self.right[m],
                    "scored": self.scored[m],
                    "of_scored": self.of_scored(m),
                }
                for m in METRICS
            },
        }

    def render(self) -> str:
        lines = [f"UCDP GED headlines, {self.rows} events", ""]
        for m, label in METRICS.items():
            lines.append(
                f"{label:48s} {self.of_scored(m):6.3f}  ({self.right[m]}/{self.scored[m]})"
            )
        return "\n".join(lines)


def row_verdicts(row: dict, pred: dict | None) -> dict[str, bool | None]:
    """Each metric of one row: True/False, or None where the row is not scored on it."""
    precise = (_float(row.get("where_prec")) or 9) <= PLACE_PRECISION
    figure = bool(_FIGURE.search(str(row.get("source_headline") or "")))
    if pred is None:
        return {
            "found": False,
            "date": False,
            "place_50km": False if precise else None,
            "country": False,
            "deaths": False if figure else None,
        }
    loc = pred.get("location") if isinstance(pred.get("location"), dict) else {}
    return {
        "found": True,
        "date": _date_right(pred.get("date"), row),
        "place_50km": _place_right(loc, row) if precise else None,
        "country": _country_right(loc, str(row.get("country") or "")),
        "deaths": _deaths_right(pred.get("fatalities"), row) if figure else None,
    }


def score_ucdp(rows: list[dict], preds: list[dict | None]) -> UcdpScore:
    right = dict.fromkeys(METRICS, 0)
    scored = dict.fromkeys(METRICS, 0)
    verdicts = []
    for row, pred in zip(rows, preds, strict=True):
        v = row_verdicts(row, pred)
        verdicts.append(v)
        for m, ok in v.items():
            if ok is not None:
                scored[m] += 1
                right[m] += int(ok)
    return UcdpScore(len(rows), right, scored, verdicts)


def _date_right(pred_date: Any, row: dict) -> bool:
    if not isinstance(pred_date, dict):
        return False
    start = _parse_day(pred_date.get("start"), end=False)
    end = _parse_day(pred_date.get("end") or pred_date.get("start"), end=True)
    lo = _parse_day(str(row.get("date_start") or "")[:10], end=False)
    hi = _parse_day(str(row.get("date_end") or row.get("date_start") or "")[:10], end=True)
    if None in (start, end, lo, hi):
        return False
    day = dt.timedelta(days=1)
    return lo - day <= start and end <= hi + day  # type: ignore[operator]


def _place_right(loc: dict, row: dict) -> bool:
    plat, plon = _float(loc.get("lat")), _float(loc.get("lon"))
    glat, glon = _float(row.get("latitude")), _float(row.get("longitude"))
    if None in (plat, plon, glat, glon):
        return False
    return _haversine_km(plat, plon, glat, glon) <= CITY_RADIUS_KM  # type: ignore[arg-type]


def _country_right(loc: dict, country: str) -> bool:
    from .acled import _country_right as by_code

    # UCDP writes "DR Congo (Zaire)", "Yemen (North Yemen)": the name before the brackets.
    return by_code(loc, re.sub(r"\s*\(.*\)\s*$", "", country))


def _deaths_right(pred_fat: Any, row: dict) -> bool:
    if not isinstance(pred_fat, dict) or pred_fat.get("best") is None:
        return False
    lo, hi = _float(row.get("low")), _float(row.get("high"))
    if lo is None or hi is None:
        return False
    return lo <= float(pred_fat["best"]) <= hi
