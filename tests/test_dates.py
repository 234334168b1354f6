"""Tests for conflictlens.dates: resolution table, seed offsets, negatives, speed."""

from __future__ import annotations

import datetime as dt

import pytest
from corpus import SEED_TXT

from conflictlens.dates import DateMention, find_dates, parse_iso, resolve_expression
from conflictlens.models import DateSpan

SEED = SEED_TXT
REF = dt.date(2023, 2, 18)  # the seed's publication date, a Saturday

# (expression, reference, expected start, expected end, expected precision)
TABLE: list[tuple[str, dt.date, str, str, str]] = [
    # weekdays: latest such day on or before the reference
    ("Friday", REF, "2023-02-17", "2023-02-17", "day"),
    ("on Friday", REF, "2023-02-17", "2023-02-17", "day"),
    ("Friday's", REF, "2023-02-17", "2023-02-17", "day"),
    ("Saturday", REF, "2023-02-18", "2023-02-18", "day"),
    ("last Friday", REF, "2023-02-17", "2023-02-17", "day"),
    ("last Saturday", REF, "2023-02-11", "2023-02-11", "day"),
    ("on Tuesday night", REF, "2023-02-14", "2023-02-14", "day"),
    ("this Saturday, February 18, 2023", REF, "2023-02-18", "2023-02-18", "day"),
    ("Friday, February 17", REF, "2023-02-17", "2023-02-17", "day"),
    # day and month, year inferred backwards
    ("January 30th", REF, "2023-01-30", "2023-01-30", "day"),
    ("30 January", REF, "2023-01-30", "2023-01-30", "day"),
    ("Jan. 30", REF, "2023-01-30", "2023-01-30", "day"),
    ("on 2 february", REF, "2023-02-02", "2023-02-02", "day"),
    ("November 5", REF, "2022-11-05", "2022-11-05", "day"),
    ("the 5th of November", REF, "2022-11-05", "2022-11-05", "day"),
    ("Feb 29", REF, "2020-02-29", "2020-02-29", "day"),
    # months, years, parts
    ("November", REF, "2022-11-01", "2022-11-30", "month"),
    ("in November", REF, "2022-11-01", "2022-11-30", "month"),
    ("since November", REF, "2022-11-01", "2022-11-30", "month"),
    ("May", REF, "2022-05-01", "2022-05-31", "month"),
    ("in may", dt.date(1989, 6, 1), "1989-05-01", "1989-05-31", "month"),
    ("August 2021", REF, "2021-08-01", "2021-08-31", "month"),
    ("in 2021", REF, "2021-01-01", "2021-12-31", "year"),
    ("2012-2013", REF, "2012-01-01", "2013-12-31", "range"),
    ("2012–2013", REF, "2012-01-01", "2013-12-31", "range"),
    ("2012-13", REF, "2012-01-01", "2013-12-31", "range"),
    ("between 2012 and 2013", REF, "2012-01-01", "2013-12-31", "range"),
    ("from 2012 to 2013", REF, "2012-01-01", "2013-12-31", "range"),
    ("around 2012-2013", REF, "2012-01-01", "2013-12-31", "range"),
    ("the end of 2022", REF, "2022-10-01", "2022-12-31", "range"),
    ("late 2022", REF, "2022-10-01", "2022-12-31", "range"),
    ("early 2020", REF, "2020-01-01", "2020-04-30", "range"),
    ("mid-2019", REF, "2019-05-01", "2019-08-31", "range"),
    ("the end of November", REF, "2022-11-21", "2022-11-30", "range"),
    ("mid-November", REF, "2022-11-11", "2022-11-20", "range"),
    ("early March 2020", REF, "2020-03-01", "2020-03-10", "range"),
    ("the 1990s", REF, "1990-01-01", "1999-12-31", "range"),
    ("the '90s", REF, "1990-01-01", "1999-12-31", "range"),
    ("the early 1990s", REF, "1990-01-01", "1993-12-31", "range"),
    ("last summer", REF, "2022-06-01", "2022-08-31", "range"),
    ("the summer of 2021", REF, "2021-06-01", "2021-08-31", "range"),
    # relative to the reference
    ("today", REF, "2023-02-18", "2023-02-18", "day"),
    ("yesterday", REF, "2023-02-17", "2023-02-17", "day"),
    ("yesterday morning", REF, "2023-02-17", "2023-02-17", "day"),
    ("the day before yesterday", REF, "2023-02-16", "2023-02-16", "day"),
    ("last night", REF, "2023-02-17", "2023-02-17", "day"),
    ("this morning", REF, "2023-02-18", "2023-02-18", "day"),
    ("two days ago", REF, "2023-02-16", "2023-02-16", "day"),
    ("3 weeks ago", REF, "2023-01-25", "2023-01-31", "week"),
    ("a week ago", REF, "2023-02-08", "2023-02-14", "week"),
    ("last week", REF, "2023-02-06", "2023-02-12", "week"),
    ("last weekend", REF, "2023-02-11", "2023-02-12", "range"),
    ("last month", REF, "2023-01-01", "2023-01-31", "month"),
    ("two months ago", REF, "2022-12-01", "2022-12-31", "month"),
    ("last year", REF, "2022-01-01", "2022-12-31", "year"),
    ("two years ago", REF, "2021-01-01", "2021-12-31", "year"),
    ("late last year", REF, "2022-10-01", "2022-12-31", "range"),
    ("this year", REF, "2023-01-01", "2023-02-18", "year"),
    ("earlier this month", REF, "2023-02-01", "2023-02-18", "month"),
    ("the past two weeks", REF, "2023-02-04", "2023-02-18", "range"),
    ("in recent days", REF, "2023-02-11", "2023-02-18", "range"),
    # explicit dates and ranges
    ("February 17, 2023", REF, "2023-02-17", "2023-02-17", "day"),
    ("17 February 2023", REF, "2023-02-17", "2023-02-17", "day"),
    ("MARCH 3, 2021", REF, "2021-03-03", "2021-03-03", "day"),
    ("Dec. 5, 2021", REF, "2021-12-05", "2021-12-05", "day"),
    ("17/02/2023", REF, "2023-02-17", "2023-02-17", "day"),
    ("12/25/2022", REF, "2022-12-25", "2022-12-25", "day"),
    ("2023-02-17", REF, "2023-02-17", "2023-02-17", "day"),
    ("Feb 17-19", dt.date(2023, 3, 1), "2023-02-17", "2023-02-19", "range"),
    ("between 10 and 15 March", dt.date(2023, 4, 1), "2023-03-10", "2023-03-15", "range"),
    ("from October to December 2021", REF, "2021-10-01", "2021-12-31", "range"),
    ("between March and May 2022", REF, "2022-03-01", "2022-05-31", "range"),
    ("on 3 february 1990", REF, "1990-02-03", "1990-02-03", "day"),
    # lowercase wire copy, two-digit years
    ("2 feb 90", dt.date(1990, 2, 5), "1990-02-02", "1990-02-02", "day"),
    ("14 apr 89", dt.date(1989, 4, 15), "1989-04-14", "1989-04-14", "day"),
    # French
    ("17 février 2023", REF, "2023-02-17", "2023-02-17", "day"),
    ("vendredi 17 février", REF, "2023-02-17", "2023-02-17", "day"),
    ("le 1er mars 2022", REF, "2022-03-01", "2022-03-01", "day"),
    ("hier", REF, "2023-02-17", "2023-02-17", "day"),
    ("il y a deux jours", REF, "2023-02-16", "2023-02-16", "day"),
    ("fin 2022", REF, "2022-10-01", "2022-12-31", "range"),
    ("la semaine dernière", REF, "2023-02-06", "2023-02-12", "week"),
    ("depuis novembre", REF, "2022-11-01", "2022-11-30", "month"),
    ("le 30 janvier dernier", REF, "2023-01-30", "2023-01-30", "day"),
    ("en août 2021", REF, "2021-08-01", "2021-08-31", "month"),
    ("vers 2012-2013", REF, "2012-01-01", "2013-12-31", "range"),
]


@pytest.mark.parametrize(("expr", "ref", "start", "end", "precision"), TABLE)
def test_resolve_expression_table(
    expr: str, ref: dt.date, start: str, end: str, precision: str
) -> None:
    assert resolve_expression(expr, ref) == DateSpan(start, end, precision)


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 50


def _seed() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.mark.skipif(not SEED.exists(), reason="seed corpus not present")
@pytest.mark.parametrize(
    ("context", "mention", "start", "end", "precision", "since", "approximate"),
    [
        (
            "on Friday, February 17, against",
            "Friday, February 17",
            "2023-02-17",
            "2023-02-17",
            "day",
            False,
            False,
        ),
        ("that Friday's attack", "Friday's", "2023-02-17", "2023-02-17", "day", False, False),
        (
            "Since November, when",
            "Since November",
            "2022-11-01",
            "2022-11-30",
            "month",
            True,
            False,
        ),
        ("at the end of 2022", "the end of 2022", "2022-10-01", "2022-12-31", "range", False, True),
        ("on January 30th", "January 30th", "2023-01-30", "2023-01-30", "day", False, False),
        ("Around 2012-2013", "Around 2012-2013", "2012-01-01", "2013-12-31", "range", False, True),
        ("in August 2021", "August 2021", "2021-08-01", "2021-08-31", "month", False, False),
        ("in Karachi in 2012-2013", "2012-2013", "2012-01-01", "2013-12-31", "range", False, False),
        (
            "this Saturday, February 18, 2023",
            "this Saturday, February 18, 2023",
            "2023-02-18",
            "2023-02-18",
            "day",
            False,
            False,
        ),
    ],
)
def test_find_dates_on_seed(
    context: str,
    mention: str,
    start: str,
    end: str,
    precision: str,
    since: bool,
    approximate: bool,
) -> None:
    text = _seed()
    offset = text.index(context) + context.index(mention)
    found = {m.start: m for m in find_dates(text, REF)}
    assert offset in found, f"{mention!r} not found"
    m = found[offset]
    assert m.end == offset + len(mention)
    assert m.text == mention == text[m.start : m.end]
    assert m.span == DateSpan(start, end, precision)
    assert (m.since, m.approximate) == (since, approximate)


@pytest.mark.skipif(not SEED.exists(), reason="seed corpus not present")
def test_seed_mentions_are_ordered_and_disjoint_and_nothing_spurious() -> None:
    text = _seed()
    found = find_dates(text, REF)
    assert all(isinstance(m, DateMention) for m in found)
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start
    # boilerplate "4 mins", the toll "a hundred", "several hours" are not dates
    texts = [m.text for m in found]
    assert not any("min" in t or "hundred" in t or "hours" in t for t in texts)
    assert len(found) == 10  # the nine above and "today"
    assert all(m.span.end <= REF.isoformat() for m in found)


@pytest.mark.parametrize(
    "text",
    [
        "they may attack the police again",
        "It may rain, and the talks may fail.",
        "Text by: Sylvie Noël Follow 4 mins",
        "It was a real siege that lasted several hours.",
        "a hundred police officers had been killed",
        "30 people were killed and 2000 people fled",
        "the march was peaceful",
        "protesters march on parliament",
        "a march 2 km long",
        "up to 2 may be dead",
        "Jan Egeland said the convoy was hit",
        "veterans in their 90s joined",
        "the day before the attack, 10 to 15 people gathered",
        "the fall of Kabul",
        "version 3.12 was released; call 555-1234",
    ],
)
def test_not_dates(text: str) -> None:
    assert find_dates(text, REF) == []


def test_may_as_month_with_context_or_day() -> None:
    spans = [m.span.start for m in find_dates("in may they may attack; on May 5 it did", REF)]
    assert spans == ["2022-05-01", "2022-05-05"]


def test_anaphoric_week_is_not_relative() -> None:
    found = find_dates("in the last week of January", REF)
    assert [m.text for m in found] == ["January"]


def test_dateline_lowercase_wire_copy() -> None:
    text = "san salvador, 2 feb 90 (radio venceremos) -- [text] the fmln attacked"
    (m,) = find_dates(text, dt.date(1990, 2, 3))
    assert (m.text, m.start) == ("2 feb 90", text.index("2 feb"))
    assert m.span == DateSpan("1990-02-02", "1990-02-02", "day")


def test_two_digit_number_after_month_is_not_a_year() -> None:
    (m,) = find_dates("On 15 March 20 people were killed", REF)
    assert m.text == "15 March" and m.span.start == "2022-03-15"


def test_flags() -> None:
    (m,) = find_dates("from January onwards, the group", REF)
    assert m.since and m.text == "from January onwards"
    (m,) = find_dates("since around 2012 there", REF)
    assert m.since and m.approximate and m.text == "since around 2012"
    (m,) = find_dates("about 2012 the offensive", REF)
    assert m.approximate
    (m,) = find_dates("we spoke about Friday's attack", REF)
    assert m.text == "Friday's" and not m.approximate
    (m,) = find_dates("early 2020", REF)
    assert m.approximate and not m.since


def test_never_after_reference_for_inferred_years() -> None:
    for expr in ["Feb 17-19", "this year", "November", "February", "this week", "Sunday"]:
        span = resolve_expression(expr, REF)
        assert span is not None and span.end <= REF.isoformat(), expr
    # an explicit year is kept as written
    assert resolve_expression("August 2023", REF) == DateSpan("2023-08-01", "2023-08-31", "month")


def test_resolve_expression_rejects_non_dates() -> None:
    assert resolve_expression("they may attack", REF) is None
    assert resolve_expression("a hundred", REF) is None
    assert resolve_expression("", REF) is None
    assert resolve_expression("2021", REF) == DateSpan("2021-01-01", "2021-12-31", "year")


def test_parse_iso() -> None:
    assert parse_iso("2023-02-18") == dt.date(2023, 2, 18)
    assert parse_iso("2023-02-18T10:15:00+01:00") == dt.date(2023, 2, 18)
    assert parse_iso("20230218") == dt.date(2023, 2, 18)
    assert parse_iso("2023-02-30") is None
    assert parse_iso("18 February 2023") is None
    assert parse_iso("") is None


def test_500_words_give_the_same_dates_every_time() -> None:
    # Speed is measured in benchmarks/bench.py; here, that repeated calls are stable.
    words = _seed().split() if SEED.exists() else []
    text = " ".join((words * 2)[:500]) if words else "On Friday, February 17, x. " * 80
    first = find_dates(text, REF)
    assert first and all(find_dates(text, REF) == first for _ in range(3))


def test_future_markers_are_not_resolved_backwards() -> None:
    assert find_dates("the delegation will meet next july", REF) == []
    assert find_dates("talks resume next Friday", REF) == []


def test_numbered_may_or_march_after_the() -> None:
    (m,) = find_dates("will not boycott the 19 march presidential elections", dt.date(1990, 1, 5))
    assert m.text == "the 19 march" and m.span.start == "1989-03-19"


@pytest.mark.parametrize(
    "text",
    [
        "Since November, when they broke off the talks, they attack the police.",
        "Depuis novembre, lorsqu'ils ont rompu les négociations, ils visent la police.",
    ],
)
def test_the_event_of_a_when_clause_is_at_the_since_date(text):
    from conflictlens.dates import point_of_when_clause

    (since,) = [d for d in find_dates(text, dt.date(2023, 2, 18)) if d.since]
    event_at = text.index("broke") if "broke" in text else text.index("rompu")
    point = point_of_when_clause(since, text, event_at)
    assert not point.since and point.span.start == "2022-11-01"
    # an event told before the date is not the when-clause's
    assert point_of_when_clause(since, text, 0).since
