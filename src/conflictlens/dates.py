"""Date expressions in news text: find them and resolve them against the report's date.

Why a hand-written grammar and not ``dateparser.search``: an extractor runs this over
every sentence of every article, and dateparser's search costs tens of milliseconds per
article, resolves relative dates forwards ("Friday" -> next Friday) and happily reads
"may" in "they may attack" as a month. News reports speak about the past, relative to
their publication (reference) date, so every inferred year or weekday here is looked
for on or before that date. Explicit years are kept as written.

All words (months, weekdays, number words, hedges, "since" markers, relative phrases) are
data, in ``data/dates.json`` (English and French); the code only holds the grammar.

A mention's text covers the words that change its meaning ("Since November",
"Around 2012-2013", "the end of 2022", "last Friday") but not plain prepositions
("on", "in", "at"), so that evidence highlighting stays tight.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from conflictlens.models import DateSpan

__all__ = ["DateMention", "find_dates", "parse_iso", "point_of_when_clause", "resolve_expression"]


@dataclass(frozen=True)
class DateMention:
    """One date expression found in a text, with what it means.

    ``since`` marks "since November"/"from May on": the event runs from ``span`` up to the
    reference date, which only the caller (who knows the event) can decide to apply.
    ``approximate`` marks hedged expressions ("around 2012", "early 2020").
    """

    start: int
    end: int
    text: str
    span: DateSpan
    since: bool
    approximate: bool


# --- lexicons -----------------------------------------------------------------------------

_DATA_PATH = Path(__file__).with_name("data") / "dates.json"


def _norm(s: str) -> str:
    """Lookup key: lowercase, one space, straight apostrophes (typographic ones are common)."""
    return re.sub(r"\s+", " ", s.strip().lower().replace("’", "'"))


def _load() -> dict:
    with _DATA_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


_D = _load()
_MONTHS: dict[str, int] = {_norm(k): v for k, v in _D["months"].items()}
_ABBR = {_norm(k) for k in _D["month_abbreviations"]}
_AMBIG = {_norm(k) for k in _D["ambiguous_months"]}
_AMBIG_LOWER = {_norm(k) for k in _D["ambiguous_months_lowercase"]}
_WEEKDAYS: dict[str, int] = {_norm(k): v for k, v in _D["weekdays"].items()}
_NUMW: dict[str, int] = {_norm(k): v for k, v in _D["number_words"].items()}
_VAGUE = {_norm(k) for k in _D["vague_numbers"]}
_UNITS: dict[str, str] = {_norm(k): v for k, v in _D["units"].items()}
_REL_DAYS: dict[str, list[int]] = {_norm(k): v for k, v in _D["relative_days"].items()}
_REL_PERIODS: dict[str, list] = {_norm(k): v for k, v in _D["relative_periods"].items()}
_PARTS: dict[str, str] = {_norm(k): v for k, v in _D["part_modifiers"].items()}
_YEAR_PARTS: dict[str, list[int]] = _D["year_parts"]
_MONTH_PARTS: dict[str, list[int]] = _D["month_parts"]
_DECADE_PARTS: dict[str, list[int]] = _D["decade_parts"]
_SEASONS: dict[str, list[int]] = {_norm(k): v for k, v in _D["seasons"].items()}
_MONTH_CONTEXT = {_norm(k) for k in _D["context_words"]}
_YEAR_CONTEXT = {_norm(k) for k in _D["year_context_words"]}
_SINCE = {_norm(k) for k in _D["since_words"]}
_HEDGE = {_norm(k) for k in _D["hedge_words"]}
_HEDGE_COARSE = {_norm(k) for k in _D["hedge_words_coarse"]}
_FUTURE = {_norm(k) for k in _D["future_words"]}
_FILLERS = {_norm(k) for k in _D["filler_words"]}
_OPENERS = {_norm(k) for k in _D["range_openers"]}
_NEED_OPENER = {_norm(k) for k in _D["range_separators_needing_opener"]}


def _alt(phrases: Iterable[str]) -> str:
    """A regex alternation of phrases, factored as a trie so matching stays fast.

    Longer phrases are tried first (greedy optional tails); spaces become \\s+ and
    apostrophes match both the straight and the typographic one.
    """
    trie: dict = {}
    for p in set(phrases):
        node = trie
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_re(trie)


def _char_re(ch: str) -> str:
    if ch == " ":
        return r"\s+"
    if ch == "'":
        return "['’]"
    return re.escape(ch)


def _trie_re(node: dict) -> str:
    ends = "" in node
    branches = [_char_re(ch) + _trie_re(sub) for ch, sub in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return "(?:" + body + ")?"
    return body


_F = re.IGNORECASE
_MON = _alt(_MONTHS)
_FULLMON = _alt(k for k in _MONTHS if k not in _ABBR)
_WD = _alt(_WEEKDAYS)
_TOD = _alt(_D["times_of_day"])
_NUM = rf"\d{{1,3}}|{_alt(_NUMW)}"
_UNIT = _alt(_UNITS)
_PART = rf"(?P<part>{_alt(_PARTS)})(?:\s*-\s*|\s+)"
_Y4 = r"(?:1[89]\d\d|20\d\d)"


def _day(name: str) -> str:
    return rf"(?<!\d)(?P<{name}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th|er)?(?!\w)"


_WDPRE = rf"(?:(?:(?P<wmod>this|last|past)\s+)?(?P<wd>{_WD})(?:\s*,\s*|\s+)(?:the\s+)?)"
# a two-digit year only where nothing word-like follows it ("2 feb 90 (radio ...)"), so that
# "on 15 March 20 people died" does not read as 2020
_Y2 = r"'?(?P<y2>\d\d)(?=\s*(?:[^\w\s]|$))"

_PREV_WORDS = re.compile(r"([\w'’.]+)[\s,-]*$")
_SINCE_RE = re.compile(rf"(?<!\w)(?P<w>{_alt(_SINCE | _HEDGE | _HEDGE_COARSE)})\s+$", _F)
_OPENER_RE = re.compile(rf"(?<!\w)(?P<w>{_alt(_OPENERS)})\s+$", _F)
_ONWARD_OPEN_RE = re.compile(rf"(?<!\w)(?P<w>{_alt(_D['since_openers'])})\s+$", _F)
_ONWARD_RE = re.compile(r"^\s+(?:onwards?(?!\w)|on(?=\s*(?:[,.;:)]|$)))", _F)
_SEP_RE = re.compile(rf"^\s*(?P<s>{_alt(_D['range_separators'])})\s*$", _F)


# --- internal candidates ------------------------------------------------------------------


@dataclass
class _Cand:
    """A matched expression before overlap resolution and range joining.

    ``parts`` holds (year, month, day, part, year_explicit) when the expression is a
    calendar date whose year may still be borrowed from a range partner ("from October to
    December 2021"); ``span`` is the resolved meaning.
    """

    start: int
    end: int
    span: tuple[dt.date, dt.date, str]
    approximate: bool = False
    parts: tuple[int | None, int | None, int | None, str | None] | None = None
    since: bool = False
    coarse: bool = field(default=False)


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _shift_month(y: int, m: int, delta: int) -> tuple[int, int]:
    i = y * 12 + (m - 1) + delta
    return i // 12, i % 12 + 1


def _century(y2: int, ref: dt.date) -> int:
    """Two-digit year: the latest century reading not after next year (wire datelines)."""
    return 2000 + y2 if 2000 + y2 <= ref.year + 1 else 1900 + y2


def _clamp(span: tuple[dt.date, dt.date, str], ref: dt.date) -> tuple[dt.date, dt.date, str]:
    """Inferred spans never reach past the reference date (reports speak of the past)."""
    s, e, p = span
    return (min(s, ref), min(e, ref), p)


def _resolve_parts(
    y: int | None, m: int | None, d: int | None, part: str | None, ref: dt.date
) -> tuple[dt.date, dt.date, str] | None:
    """Calendar parts to a span; a missing year is the latest one not after ``ref``."""
    explicit = y is not None
    if m is not None and d is not None:
        if y is None:
            y = ref.year if (m, d) <= (ref.month, ref.day) else ref.year - 1
            for _ in range(8):  # 29 February: step back to a leap year
                if d <= _last_day(y, m):
                    break
                y -= 1
        if d > _last_day(y, m):
            return None
        day = dt.date(y, m, d)
        return (day, day, "day")
    if m is not None:
        if y is None:
            y = ref.year if m <= ref.month else ref.year - 1
        last = _last_day(y, m)
        if part:
            a, b = _MONTH_PARTS[part]
            span = (dt.date(y, m, a), dt.date(y, m, min(b, last)), "range")
        else:
            span = (dt.date(y, m, 1), dt.date(y, m, last), "month")
        return span if explicit else _clamp(span, ref)
    if y is not None:
        if part:
            a, b = _YEAR_PARTS[part]
            return (dt.date(y, a, 1), dt.date(y, b, _last_day(y, b)), "range")
        return (dt.date(y, 1, 1), dt.date(y, 12, 31), "year")
    return None


def _prev_word(text: str, start: int) -> str:
    m = _PREV_WORDS.search(text[max(0, start - 30) : start])
    return _norm(m.group(1)) if m else ""


def _has_context(text: str, start: int, words: set[str]) -> bool:
    """Whether the word just before ``start`` licenses a date reading ("in may", "since 2012")."""
    return _prev_word(text, start) in words


def _month_ok(mt: re.Match, text: str, relaxed: bool, strong: bool) -> bool:
    """Decide "may"/"march" ambiguity: a month only with a day, a year or a preposition.

    ``strong``: the match already carries an ordinal day, a year or a weekday.
    """
    tok = mt.group("m")
    key = _norm(tok)
    if relaxed or strong:
        return True
    ambiguous = key in _AMBIG or (key in _AMBIG_LOWER and tok.islower())
    if not ambiguous:
        return True
    # "May 5 ..." capitalised mid-text and followed by a number is a date
    has_day = "d" in mt.re.groupindex and mt.group("d") is not None
    if has_day and not tok.islower():
        return True
    after = text[mt.end() : mt.end() + 2]
    if has_day and not re.match(r"\s*[^\W\d_]", after):
        return True
    if has_day and (_prev_word(text, mt.start()) == "the" or mt[0][:4].lower() == "the "):
        return True  # "the 19 march elections"
    return _has_context(text, mt.start(), _MONTH_CONTEXT)


_AFTER_MONTH_RE = re.compile(
    rf"(?<!\w)(?:{_MON})\.?(?:\s+\d{{1,4}})?\s*(?:{_alt(_D['range_separators'])})\s*$", _F
)


def _after_month(text: str, start: int) -> bool:
    """Second half of a month range ("between March and may"): licensed by the first."""
    return bool(_AFTER_MONTH_RE.search(text[max(0, start - 25) : start]))


# --- rule handlers ------------------------------------------------------------------------

_Handler = Callable[[re.Match, str, dt.date, bool], "_Cand | None"]


def _g(mt: re.Match, name: str) -> str | None:
    return mt.group(name) if name in mt.re.groupindex else None


def _year_of(mt: re.Match, ref: dt.date) -> int | None:
    y = _g(mt, "y")
    if y:
        return int(y)
    y2 = _g(mt, "y2")
    return _century(int(y2), ref) if y2 else None


def _h_iso(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    y, m, d = int(mt["y"]), int(mt["m"]), int(mt["d"])
    if not 1 <= m <= 12 or not 1 <= d <= _last_day(y, m):
        return None
    day = dt.date(y, m, d)
    return _Cand(mt.start(), mt.end(), (day, day, "day"), parts=(y, m, d, None))


def _h_numeric(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    a, b, ys = int(mt["a"]), int(mt["b"]), mt["y"]
    if len(ys) == 2 and mt["sep"] == "-":
        return None  # "12-3-45" is more often a score or a code than a date
    y = int(ys) if len(ys) == 4 else _century(int(ys), ref)
    # day first (international and French usage) unless only month-first is possible
    d, m = (a, b) if b <= 12 else (b, a)
    if not 1 <= m <= 12 or not 1 <= d <= _last_day(y, m):
        return None
    day = dt.date(y, m, d)
    return _Cand(mt.start(), mt.end(), (day, day, "day"), parts=(y, m, d, None))


def _h_dated(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    """ "February 17, 2023", "17 February", "Friday the 17th of Feb", "2 feb 90"."""
    y = _year_of(mt, ref)
    strong = (
        y is not None
        or _g(mt, "wd") is not None
        or bool(re.search(r"\d(?:st|nd|rd|th|er)$", mt["dt"] or "", _F))
    )
    if not _month_ok(mt, text, relaxed, strong):
        return None
    m, d = _MONTHS[_norm(mt["m"])], int(mt["d"])
    span = _resolve_parts(y, m, d, None, ref)
    if span is None:
        return None
    return _Cand(mt.start(), mt.end(), span, parts=(y, m, d, None))


def _h_day_range(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    """ "Feb 17-19", "between 10 and 15 March", "17 au 19 février 2023"."""
    sep = _norm(mt["sep"])
    if sep in _NEED_OPENER and not mt["open"]:
        return None
    # two day numbers around a month ("10-15 may") settle the may/march ambiguity
    y = _year_of(mt, ref)
    m, d1, d2 = _MONTHS[_norm(mt["m"])], int(mt["d1"]), int(mt["d2"])
    if d2 <= d1:
        return None
    a = _resolve_parts(y, m, d1, None, ref)
    if a is None:
        return None
    yy = a[0].year
    if d2 > _last_day(yy, m):
        return None
    end = dt.date(yy, m, d2)
    if y is None:
        end = min(end, ref)
    return _Cand(mt.start(), mt.end(), (a[0], end, "range"))


def _h_month_year(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    y = _year_of(mt, ref)
    part = _PARTS[_norm(mt["part"])] if mt["part"] else None
    m = _MONTHS[_norm(mt["m"])]
    span = _resolve_parts(y, m, None, part, ref)
    assert span is not None
    return _Cand(mt.start(), mt.end(), span, approximate=part is not None, parts=(y, m, None, part))


def _h_month(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    """A month alone: the latest such month not after the reference ("since November")."""
    tok, rel = mt["m"], mt["rel"]
    part = _PARTS[_norm(mt["part"])] if mt["part"] else None
    key = _norm(tok)
    if not rel and not mt["part"] and _prev_word(text, mt.start()) in _FUTURE:
        return None  # "next June": reports do not resolve forwards
    ambiguous = key in _AMBIG or (key in _AMBIG_LOWER and tok.islower())
    if ambiguous and not relaxed:
        if rel:
            # "the last march was peaceful" is a protest, "last March" a month
            if _prev_word(text, mt.start()) in {"the", "a", "this", "that", "la", "le"}:
                return None
        elif (
            not part
            and not _has_context(text, mt.start(), _MONTH_CONTEXT)
            and not _after_month(text, mt.start())
        ):
            return None
    m = _MONTHS[key]
    strict = rel is not None and _norm(rel) in {"last", "past"}
    y = (ref.year if m < ref.month else ref.year - 1) if strict else None
    span = _resolve_parts(y, m, None, part, ref)
    if span is None:
        return None
    span = _clamp(span, ref)
    parts = None if rel else (None, m, None, part)
    return _Cand(mt.start(), mt.end(), span, approximate=part is not None, parts=parts, coarse=True)


def _h_year(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    """A year: needs a modifier or a preposition, since bare four-digit numbers are tolls too."""
    part = _PARTS[_norm(mt["part"])] if mt["part"] else None
    if not part and not relaxed and not _has_context(text, mt.start(), _YEAR_CONTEXT):
        return None
    y = int(mt["y"])
    span = _resolve_parts(y, None, None, part, ref)
    assert span is not None
    return _Cand(
        mt.start(),
        mt.end(),
        span,
        approximate=part is not None,
        parts=(y, None, None, part),
        coarse=True,
    )


def _h_year_range(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    """ "2012-2013", "2012–13", "between 2012 and 2013", "from 2012 to 2013"."""
    sep = _norm(mt["sep"])
    if sep in _NEED_OPENER and not mt["open"]:
        return None
    y1, y2s = int(mt["y1"]), mt["y2"]
    y2 = int(y2s) if len(y2s) == 4 else (y1 // 100) * 100 + int(y2s)
    if not y1 < y2 <= y1 + 100:
        return None
    span = (dt.date(y1, 1, 1), dt.date(y2, 12, 31), "range")
    return _Cand(mt.start(), mt.end(), span, coarse=True)


def _h_decade(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    dec = mt["dec"]
    if len(dec) == 2 and not mt["the"] and not relaxed:
        return None  # "in their 90s" is an age
    base = int(dec) if len(dec) == 4 else _century(int(dec), ref)
    if len(dec) == 2 and base > ref.year:
        base -= 100
    a, b = (0, 9)
    if mt["dpart"]:
        a, b = _DECADE_PARTS[_PARTS[_norm(mt["dpart"])]]
    span = (dt.date(base + a, 1, 1), dt.date(base + b, 12, 31), "range")
    return _Cand(mt.start(), mt.end(), span, approximate=mt["dpart"] is not None, coarse=True)


def _season_span(key: str, y: int) -> tuple[dt.date, dt.date, str]:
    a, b = _SEASONS[key]
    if a > b:  # winter of Y: December Y-1 to February Y
        return (dt.date(y - 1, a, 1), dt.date(y, b, _last_day(y, b)), "range")
    return (dt.date(y, a, 1), dt.date(y, b, _last_day(y, b)), "range")


def _h_season(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    key = _norm(mt["s"])
    if mt["y"]:
        return _Cand(mt.start(), mt.end(), _season_span(key, int(mt["y"])), coarse=True)
    if not mt["rel"]:
        return None
    y = ref.year
    span = _season_span(key, y)
    strict = _norm(mt["rel"]) in {"last", "past"}
    while (span[1] >= ref) if strict else (span[0] > ref):
        y -= 1
        span = _season_span(key, y)
    return _Cand(mt.start(), mt.end(), _clamp(span, ref), coarse=True)


def _h_weekday(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    """The latest such weekday on or before the reference ("last Friday": strictly before)."""
    if not mt["wmod"] and _prev_word(text, mt.start()) in _FUTURE:
        return None  # "next Friday": reports do not resolve forwards
    wd = _WEEKDAYS[_norm(mt["wd"])]
    delta = (ref.weekday() - wd) % 7
    strict = (mt["wmod"] and _norm(mt["wmod"]) in {"last", "past"}) or bool(mt["wpost"])
    if strict and delta == 0:
        delta = 7
    day = ref - dt.timedelta(days=delta)
    return _Cand(mt.start(), mt.end(), (day, day, "day"))


def _h_rel_day(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    a, b = _REL_DAYS[_norm(mt["p"])]
    s, e = ref - dt.timedelta(days=a), ref - dt.timedelta(days=b)
    return _Cand(mt.start(), mt.end(), (s, e, "day" if s == e else "range"))


def _period(unit: str, offset: int, ref: dt.date) -> tuple[dt.date, dt.date, str]:
    if unit == "week":
        monday = ref - dt.timedelta(days=ref.weekday()) + dt.timedelta(weeks=offset)
        return _clamp((monday, monday + dt.timedelta(days=6), "week"), ref)
    if unit == "weekend":
        sat = ref - dt.timedelta(days=(ref.weekday() - 5) % 7)
        if offset < 0 and sat + dt.timedelta(days=1) >= ref:
            sat -= dt.timedelta(days=7)
        return _clamp((sat, sat + dt.timedelta(days=1), "range"), ref)
    if unit == "month":
        y, m = _shift_month(ref.year, ref.month, offset)
        return _clamp((dt.date(y, m, 1), dt.date(y, m, _last_day(y, m)), "month"), ref)
    if unit == "year":
        y = ref.year + offset
        return _clamp((dt.date(y, 1, 1), dt.date(y, 12, 31), "year"), ref)
    # "days": the last N days up to the reference
    return (ref - dt.timedelta(days=offset), ref, "range")


def _h_rel_period(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    if re.match(r"\s+of(?!\w)", text[mt.end() :], _F):
        return None  # "last week of January" is not relative to the report
    unit, offset, approx = _REL_PERIODS[_norm(mt["p"])]
    span = _period(unit, offset, ref)
    part = _PARTS[_norm(mt["part"])] if mt["part"] else None
    if part and unit in {"month", "year"}:
        s = span[0]
        parts_span = _resolve_parts(s.year, s.month if unit == "month" else None, None, part, ref)
        assert parts_span is not None
        span = _clamp(parts_span, ref)
        approx = True
    elif part:
        return None
    return _Cand(mt.start(), mt.end(), span, approximate=bool(approx), coarse=unit != "week")


def _count(word: str) -> tuple[int, bool]:
    key = _norm(word)
    if key.isdigit():
        return int(key), False
    return _NUMW[key], key in _VAGUE


def _back(unit: str, n: int, ref: dt.date) -> dt.date:
    if unit == "hour":
        return ref - dt.timedelta(days=n // 24)
    if unit == "day":
        return ref - dt.timedelta(days=n)
    if unit == "week":
        return ref - dt.timedelta(weeks=n)
    if unit == "month":
        y, m = _shift_month(ref.year, ref.month, -n)
        return dt.date(y, m, min(ref.day, _last_day(y, m)))
    y = ref.year - n
    return dt.date(y, ref.month, min(ref.day, _last_day(y, ref.month)))


def _h_ago(mt: re.Match | _AgoMatch, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    """ "two days ago" (day), "3 weeks ago" (week around), "two months ago" (that month)."""
    n, vague = _count(mt["n"])
    unit = _UNITS[_norm(mt["u"])]
    if vague:
        s, e = _back(unit, 7 if unit != "hour" else 0, ref), _back(unit, 2, ref)
        if unit in {"month", "year"}:
            s = s.replace(day=1) if unit == "month" else s.replace(month=1, day=1)
        return _Cand(mt.start(), mt.end(), (min(s, e), e, "range"), approximate=True)
    when = _back(unit, n, ref)
    if unit in {"hour", "day"}:
        return _Cand(mt.start(), mt.end(), (when, when, "day"))
    if unit == "week":
        s, e = when - dt.timedelta(days=3), min(when + dt.timedelta(days=3), ref)
        return _Cand(mt.start(), mt.end(), (s, e, "week"))
    if unit == "month":
        s = when.replace(day=1)
        e = min(when.replace(day=_last_day(when.year, when.month)), ref)
        return _Cand(mt.start(), mt.end(), (s, e, "month"), coarse=True)
    s, e = dt.date(when.year, 1, 1), min(dt.date(when.year, 12, 31), ref)
    return _Cand(mt.start(), mt.end(), (s, e, "year"), coarse=True)


def _h_past(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    """ "the past two weeks", "over the last 24 hours", "ces derniers jours": up to the ref."""
    if re.match(r"\s+of(?!\w)", text[mt.end() :], _F):
        return None  # "the last week of January" is not relative to the report
    n, _ = _count(mt["n"]) if mt["n"] else (1, False)
    unit = _UNITS[_norm(mt["u"])]
    s = _back(unit, n, ref)
    if unit == "hour":
        s = ref - dt.timedelta(days=max(1, -(-n // 24)))
    return _Cand(mt.start(), mt.end(), (s, ref, "range"), coarse=True)


class _AgoMatch:
    """Presents the French "il y a N jours" groups under the English names for ``_h_ago``."""

    def __init__(self, mt: re.Match) -> None:
        self._mt = mt

    def __getitem__(self, name: str) -> str | None:
        if name in ("n", "u"):
            return self._mt[name] or self._mt[name + "2"]
        return self._mt[name]

    def start(self) -> int:
        return self._mt.start()

    def end(self) -> int:
        return self._mt.end()


def _h_ago_any(mt: re.Match, text: str, ref: dt.date, relaxed: bool) -> _Cand | None:
    return _h_ago(_AgoMatch(mt), text, ref, relaxed)


_RULES: list[tuple[re.Pattern[str], _Handler]] = [
    (
        re.compile(r"(?<![\w-])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\w-])", _F),
        _h_iso,
    ),
    (
        re.compile(
            r"(?<![\w/.-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)"
            r"(?P<y>\d{4}|\d{2})(?![\w/-]|\.\d)",
            _F,
        ),
        _h_numeric,
    ),
    # Month day[-day][, year]
    (
        re.compile(
            rf"(?<!\w)(?:(?P<open>between|from)\s+)?(?P<m>{_MON})\.?\s+{_day('d1')}\s*"
            rf"(?P<sep>-|–|—|to|through|until|till|and)\s*{_day('d2')}"
            rf"(?:\s*,?\s+(?P<y>{_Y4})(?!\w))?",
            _F,
        ),
        _h_day_range,
    ),
    # day[-day] Month [year]
    (
        re.compile(
            rf"(?<![\w.])(?:(?P<open>between|from|du|entre)\s+)?(?:the\s+)?{_day('d1')}\s*"
            rf"(?P<sep>-|–|—|to|through|until|till|and|au|et)\s*(?:the\s+)?{_day('d2')}"
            rf"(?:\s+of)?\s+(?P<m>{_MON})(?!\w)(?:\.?,?\s+(?P<y>{_Y4})(?!\w))?",
            _F,
        ),
        _h_day_range,
    ),
    (
        re.compile(
            rf"(?<!\w){_WDPRE}?(?P<m>{_MON})(?:\.\s*|\s+)(?:the\s+)?(?P<dt>{_day('d')})"
            rf"(?:\s*,?\s+(?P<y>{_Y4})(?!\w))?",
            _F,
        ),
        _h_dated,
    ),
    (
        re.compile(
            rf"(?<![\w.]){_WDPRE}?(?:the\s+)?(?P<dt>{_day('d')})(?:\s+of)?\s+(?P<m>{_MON})(?!\w)"
            rf"(?:\.?(?:\s*,?\s+(?P<y>{_Y4})(?!\w)|\s+{_Y2}))?",
            _F,
        ),
        _h_dated,
    ),
    (
        re.compile(
            rf"(?<!\w)(?:{_PART})?(?P<m>{_MON})(?!\w)\.?"
            rf"(?:\s*,?\s+(?:of\s+)?(?P<y>{_Y4})(?!\w)|\s+{_Y2})",
            _F,
        ),
        _h_month_year,
    ),
    (
        re.compile(
            rf"(?<!\w)(?:(?P<rel>last|past|this)\s+)?(?:{_PART})?(?P<m>{_FULLMON})(?!\w)", _F
        ),
        _h_month,
    ),
    (
        re.compile(
            rf"(?<!\w)(?:(?P<open>between|from|entre|de)\s+)?(?P<y1>{_Y4})\s*"
            rf"(?P<sep>-|–|—|/|to|and|until|till|through|et|à)\s*(?P<y2>{_Y4}|\d\d)(?!\w)",
            _F,
        ),
        _h_year_range,
    ),
    (
        re.compile(rf"(?<![\w.,-])(?:{_PART})?(?P<y>{_Y4})(?![\w%]|\s*[-–—]\s*\d|[.,]\d)", _F),
        _h_year,
    ),
    (
        re.compile(
            r"(?<!\w)(?:(?P<the>the)\s+)?(?:(?P<dpart>early|mid|late)(?:\s*-\s*|\s+))?"
            r"'?(?P<dec>(?:1[89]|20)\d0|\d0)['’]?s(?!\w)",
            _F,
        ),
        _h_decade,
    ),
    (
        re.compile(
            rf"(?<!\w)(?:(?P<rel>last|past|this)\s+)?(?:the\s+)?(?P<s>{_alt(_SEASONS)})"
            rf"(?:\s+(?:of\s+)?(?P<y>{_Y4}))?(?!\w)",
            _F,
        ),
        _h_season,
    ),
    (
        re.compile(
            rf"(?<!\w)(?:(?P<wmod>last|this|past)\s+)?(?P<wd>{_WD})(?!\w)(?:['’]s)?"
            rf"(?:\s+(?P<wpost>dernier)(?!\w))?(?:\s+(?P<tod>{_TOD})(?!\w)(?:['’]s)?)?",
            _F,
        ),
        _h_weekday,
    ),
    (
        re.compile(
            rf"(?<!\w)(?P<p>{_alt(_REL_DAYS)})(?!\w)(?:\s+(?P<tod>{_TOD})(?!\w))?(?:['’]s)?", _F
        ),
        _h_rel_day,
    ),
    (
        re.compile(rf"(?<!\w)(?:{_PART})?(?P<p>{_alt(_REL_PERIODS)})(?!\w)(?:['’]s)?", _F),
        _h_rel_period,
    ),
    (
        re.compile(
            rf"(?<!\w)(?:(?P<n>{_NUM})\s+(?P<u>{_UNIT})\s+(?:{_alt(_D['ago_suffix'])})"
            rf"|(?:{_alt(_D['ago_prefix'])})\s+(?P<n2>{_NUM})\s+(?P<u2>{_UNIT}))(?!\w)",
            _F,
        ),
        _h_ago_any,
    ),
    (
        re.compile(
            rf"(?<!\w)(?:{_alt(_D['past_prefix'])})\s+(?:(?P<n>{_NUM})\s+)?(?P<u>{_UNIT})(?!\w)",
            _F,
        ),
        _h_past,
    ),
]


# a cheap pre-check: every rule needs a digit or one of the lexicon words somewhere
_ANY_WORD = re.compile(
    r"\d|(?<!\w)(?:"
    + _alt(
        list(_MONTHS)
        + list(_WEEKDAYS)
        + list(_REL_DAYS)
        + list(_REL_PERIODS)
        + list(_SEASONS)
        + list(_D["ago_prefix"])
        + list(_D["past_prefix"])
        + list(_D["ago_suffix"])
    )
    + r")(?!\w)",
    _F,
)


# --- selection, ranges, prefixes ----------------------------------------------------------


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Longest match first, then no overlaps; returned in text order."""
    chosen: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), c.start)):
        if all(c.end <= o.start or c.start >= o.end for o in chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


def _join_ranges(text: str, cands: list[_Cand], ref: dt.date) -> list[_Cand]:
    """Join "from October to December 2021", "between March and May" into one range.

    The first date borrows the second's year when it has none, so "October" is read in
    2021, not in the latest October before the report.
    """
    out: list[_Cand] = []
    i = 0
    while i < len(cands):
        a = cands[i]
        if i + 1 < len(cands):
            b = cands[i + 1]
            sep = _SEP_RE.match(text[a.end : b.start])
            opener = _OPENER_RE.search(text[max(0, a.start - 12) : a.start])
            if sep and (_norm(sep["s"]) not in _NEED_OPENER or opener):
                start_span = a.span
                if a.parts and b.parts and a.parts[0] is None and b.parts[0] is not None:
                    y, m, d, part = a.parts
                    by, bm, bd, _ = b.parts
                    y = by
                    if (m or 1, d or 1) > (bm or 12, bd or 31):
                        y -= 1
                    start_span = _resolve_parts(y, m, d, part, ref) or a.span
                if start_span[0] <= b.span[1]:
                    s = a.start - (len(opener.group(0)) if opener else 0)
                    out.append(
                        _Cand(
                            s,
                            b.end,
                            (start_span[0], b.span[1], "range"),
                            approximate=a.approximate or b.approximate,
                            coarse=True,
                        )
                    )
                    i += 2
                    continue
        out.append(a)
        i += 1
    return out


def _extend(text: str, cands: list[_Cand]) -> None:
    """Take in "since"/hedge words before, and "from ... on(wards)" around, each mention."""
    prev_end = 0
    for c in cands:
        for _ in range(2):  # "since around 2012"
            window_start = max(prev_end, c.start - 30)
            m = _SINCE_RE.search(text[window_start : c.start])
            if not m:
                break
            w = _norm(m["w"])
            if w in _HEDGE_COARSE and not c.coarse:
                break  # "talk about Friday's attack" is no hedge
            c.start = window_start + m.start()
            if w in _SINCE:
                c.since = True
            else:
                c.approximate = True
        if not c.since:
            onward = _ONWARD_RE.match(text[c.end : c.end + 12])
            opener = _ONWARD_OPEN_RE.search(text[max(prev_end, c.start - 15) : c.start])
            if onward and opener:
                c.start -= len(opener.group(0))
                c.end += onward.end()
                c.since = True
        prev_end = c.end


def _windows(text: str) -> list[tuple[int, int]]:
    """Stretches of text around anchor words (digits, months, weekdays, ...), merged.

    Every rule needs an anchor, so running the rules only there keeps a whole article
    well under the time budget. Window edges fall on whitespace so that no word is cut.
    """
    spans: list[list[int]] = []
    for m in _ANY_WORD.finditer(text):
        lo, hi = max(0, m.start() - _MARGIN_BEFORE), min(len(text), m.end() + _MARGIN_AFTER)
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    out = []
    for lo, hi in spans:
        while lo > 0 and not text[lo - 1].isspace():
            lo -= 1
        while hi < len(text) and not text[hi].isspace():
            hi += 1
        out.append((lo, hi))
    return out


_MARGIN_BEFORE = 45  # "the latter part of", "between", "this Saturday, "
_MARGIN_AFTER = 60  # "February 18, 2023", "to December 2021"


def _scan(text: str, reference: dt.date, relaxed: bool) -> list[DateMention]:
    cands: list[_Cand] = []
    for lo, hi in _windows(text):
        for rx, handler in _RULES:
            for mt in rx.finditer(text, lo, hi):
                c = handler(mt, text, reference, relaxed)
                if c is not None:
                    cands.append(c)
    chosen = _join_ranges(text, _select(cands), reference)
    _extend(text, chosen)
    out = []
    for c in chosen:
        s, e, p = c.span
        out.append(
            DateMention(
                start=c.start,
                end=c.end,
                text=text[c.start : c.end],
                span=DateSpan(s.isoformat(), e.isoformat(), p),
                since=c.since,
                approximate=c.approximate,
            )
        )
    return out


# --- public API ---------------------------------------------------------------------------


#: Two reference dates far apart: an expression that means the same under both does not
#: depend on the reference ("9 July 2025"); one that moves ("Friday", "last week", "May
#: 14") needs a reference the report does not give.
_PROBES = (dt.date(2001, 3, 14), dt.date(2013, 10, 2))


def find_dates(text: str, reference: dt.date | None) -> list[DateMention]:
    """All date expressions in ``text``, in text order, non-overlapping, longest match.

    ``reference`` is the report's publication date: relative and year-less expressions
    are resolved to the latest matching date on or before it. Without one (``None``)
    only the expressions that say their own date are returned -- never one resolved
    against the machine's clock.
    """
    return _scan_against(text, reference, relaxed=False)


def _scan_against(text: str, reference: dt.date | None, relaxed: bool) -> list[DateMention]:
    if reference is not None:
        return _scan(text, reference, relaxed)
    first, second = (_scan(text, probe, relaxed) for probe in _PROBES)
    fixed = {_meaning(m) for m in second}
    return [m for m in first if _meaning(m) in fixed]


def _meaning(m: DateMention) -> tuple:
    return m.start, m.end, m.span.start, m.span.end, m.span.precision


def resolve_expression(expr: str, reference: dt.date | None) -> DateSpan | None:
    """The meaning of one date expression (the first one found in ``expr``), or None.

    An expression given on its own is taken to be a date, so "May" or "2021" resolve here
    although ``find_dates`` would not read them as dates without a preposition.
    """
    found = _scan_against(expr, reference, relaxed=False)
    if found:
        return found[0].span
    # relaxed reading only when the expression is nothing but the date and fillers
    for m in _scan_against(expr, reference, relaxed=True):
        rest = (expr[: m.start] + " " + expr[m.end :]).lower()
        if all(w in _FILLERS for w in re.findall(r"[^\W\d_]+", rest)):
            return m.span
    day = parse_iso(expr)
    if day is not None:
        return DateSpan(day.isoformat(), day.isoformat(), "day")
    return None


def parse_iso(value: str) -> dt.date | None:
    """An ISO date ("2023-02-17", or a datetime "2023-02-17T10:00:00Z") or None.

    Used for metadata dates (HTML meta, JSONL fields), which come in many ISO-ish shapes;
    a bad value is None rather than an exception because metadata is often wrong.
    """
    if not isinstance(value, str):
        return None
    v = value.strip()
    m = re.match(r"^(\d{4})-?(\d{2})-?(\d{2})(?:$|[T\s]\d)", v)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def point_of_when_clause(date: DateMention, text: str, event_at: int) -> DateMention:
    """ "Since November, when they broke the truce" / "Depuis novembre, lorsqu'ils ont
    rompu ...": the event of the when-clause happened in November, not since then."""
    if not date.since or event_at <= date.end:
        return date
    if not _WHEN_AFTER_RE.match(text, date.end):
        return date
    return DateMention(date.start, date.end, date.text, date.span, False, date.approximate)


_WHEN_AFTER_RE = re.compile(
    r"\s*,?\s*(?:"
    + "|".join(re.escape(w) + ("" if w[-1] in "'’" else r"(?!\w)") for w in _D["when_words"])
    + ")",
    re.I,
)
