"""Helpers the scorers share: text normalisation, safe ratios, optimal assignment, distance."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from conflictlens.errors import ConflictLensError

EARTH_RADIUS_KM = 6371.0088

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
    }
)


def _norm_text(value: Any) -> str:
    """Whitespace- and quote-normalised text, so typography never decides a score."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).translate(_QUOTES)
    return " ".join(text.split())


def _ratio(num: int, den: int) -> float:
    """num/den with 0/0 defined as 0, the usual convention for empty outputs."""
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _best_assignment(weights: np.ndarray) -> list[tuple[int, int]]:
    """Row/column pairs of a maximum-weight one-to-one assignment (empty if no cells)."""
    if weights.size == 0:
        return []
    try:
        from scipy.optimize import linear_sum_assignment
    except ImportError:  # scipy is the eval extra: 140 MB that extraction never needs
        raise ConflictLensError("scoring needs scipy: pip install 'conflictlens[eval]'") from None
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _parse_day(text: Any, *, end: bool) -> dt.date | None:
    """An ISO day; a bare year or year-month stands for its first (or last) day."""
    if not isinstance(text, str):
        return None
    s = text.strip()[:10]
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            return dt.date.fromisoformat(s)
        if re.fullmatch(r"\d{4}-\d{2}", s):
            y, m = int(s[:4]), int(s[5:7])
            return dt.date(y, m, calendar.monthrange(y, m)[1] if end else 1)
        if re.fullmatch(r"\d{4}", s):
            return dt.date(int(s), 12, 31) if end else dt.date(int(s), 1, 1)
    except ValueError:
        return None
    return None


def first_record(path: Path) -> dict | None:
    """The first row of a JSON Lines file, or None when the file is no such thing (how
    the scorers tell which data set a file is)."""
    try:
        with path.open(encoding="utf-8-sig") as fh:
            first = next((line for line in fh if line.strip()), "")
        record = json.loads(first)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return record if isinstance(record, dict) else None
