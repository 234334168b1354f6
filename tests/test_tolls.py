"""tolls: casualty phrases -> best/low/high."""

from __future__ import annotations

import pytest

from conflictlens.models import Fatalities
from conflictlens.tolls import combine, parse_number, parse_toll


@pytest.mark.parametrize(
    ("text", "best", "low", "high"),
    [
        ("30", 30, 30, 30),
        ("1,250", 1250, 1250, 1250),
        ("five", 5, 5, 5),
        ("twenty-one", 21, 21, 21),
        ("a hundred", 100, 100, 100),  # a stated figure: ACLED codes 100
        ("at least 30", 30, 30, 30),
        ("more than 12", 12, 12, 12),
        ("about 40", 40, 40, 44),
        ("nearly 200", 200, 180, 200),
        ("many more than 20", 20, 20, 20),  # a figure beats the vague word
        ("well over 100", 100, 100, 100),
        ("dozens", 24, 12, 99),
        ("hundreds", 200, 100, 999),
        ("between 10 and 15", 12, 10, 15),
        ("10-15", 12, 10, 15),
        ("two thousand five hundred", 2500, 2500, 2500),
    ],
)
def test_parse_toll(text, best, low, high):
    assert parse_toll(text) == Fatalities(best=best, low=low, high=high)


@pytest.mark.parametrize("text", ["the police", "", "Friday", "soldiers"])
def test_not_a_toll(text):
    assert parse_toll(text) is None


def test_parse_number_rejects_words():
    assert parse_number("police") is None
    assert parse_number("a hundred") == 100


def test_combine_keeps_disagreement():
    merged = combine([Fatalities(30, 30, 30), Fatalities(45, 40, 50)])
    assert merged == Fatalities(best=45, low=30, high=50)
    assert combine([]) is None


@pytest.mark.parametrize(
    ("text", "best", "low", "high"),
    [
        ("trente", 30, 30, 30),
        ("au moins trente", 30, 30, 30),
        ("vingt-deux", 22, 22, 22),
        ("quatre-vingt-dix", 90, 90, 90),
        ("une centaine", 100, 100, 199),
        ("une dizaine", 10, 10, 19),
        ("des dizaines", 24, 12, 99),
        ("plus de 40", 40, 40, 40),
        ("près de 40", 40, 36, 40),
        ("environ 50", 50, 50, 55),
        ("entre 10 et 15", 12, 10, 15),
        ("1 200", 1200, 1200, 1200),
        ("les trois", 3, 3, 3),
    ],
)
def test_parse_toll_in_french(text, best, low, high):
    assert parse_toll(text, "fr") == Fatalities(best=best, low=low, high=high)


def test_french_words_are_no_numbers_in_english():
    # "un" is a French "one"; in English text it is the United Nations
    assert parse_number("un") is None
    assert parse_number("un", "fr") == 1
    assert parse_toll("policiers", "fr") is None


def test_casualty_abbreviations_are_tolls():
    from conflictlens.pipeline import extract_text

    (event,) = extract_text(
        "Militants shelled Ukrainian positions near Avdiivka on Friday: 1 KIA, 2 WIA.",
        published="2019-05-04",
    ).events
    assert event.fatalities is not None and event.fatalities.best == 1
    assert event.injured == 2
