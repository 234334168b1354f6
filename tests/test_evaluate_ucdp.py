"""The UCDP GED scorer: hand-made rows and predictions, then the real file when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conflictlens.evaluate import ucdp

SHARED = Path(__file__).resolve().parents[2] / "shared" / "training" / "ucdp" / "ged.jsonl"


def make_row(**overrides: str) -> dict:
    row = {
        "id": "10.0",
        "country": "Nigeria",
        "source_date": "2016-03-05",
        "source_headline": "Boko Haram militants kill two in police ambush in Maiduguri",
        "where_prec": "1.0",
        "latitude": "11.8464",
        "longitude": "13.1603",
        "date_start": "2016-03-04",
        "date_end": "2016-03-04",
        "low": "2.0",
        "best": "2.0",
        "high": "4.0",
    }
    return row | overrides


def make_event(**overrides: object) -> dict:
    event = {
        "date": {"start": "2016-03-04", "end": "2016-03-05", "precision": "range"},
        "location": {"country": "Nigeria", "country_code": "NG", "lat": 11.85, "lon": 13.16},
        "fatalities": {"best": 3, "low": 3, "high": 3},
    }
    return event | overrides


def test_split_is_every_fifth_event_id():
    assert [ucdp.ucdp_split({"id": f"{i}.0"}) for i in range(6)] == [
        "dev", "train", "train", "train", "train", "dev"
    ]  # fmt: skip


def test_an_agreeing_prediction_is_right_on_every_metric():
    assert ucdp.row_verdicts(make_row(), make_event()) == dict.fromkeys(ucdp.METRICS, True)


def test_rows_are_scored_only_where_the_metric_applies():
    vague = make_row(where_prec="4.0", source_headline="Boko Haram attack in Borno")
    verdicts = ucdp.row_verdicts(vague, make_event())
    assert verdicts["place_50km"] is None and verdicts["deaths"] is None
    missing = ucdp.row_verdicts(make_row(), None)
    assert missing["found"] is False and missing["deaths"] is False
    score = ucdp.score_ucdp([make_row(), vague], [make_event(), None])
    assert score.scored == {"found": 2, "date": 2, "place_50km": 1, "country": 2, "deaths": 1}
    assert score.right == {"found": 1, "date": 1, "place_50km": 1, "country": 1, "deaths": 1}


@pytest.mark.parametrize(
    ("headline", "scored"),
    [
        ("Nine DPR militiamen killed, 7 injured in shellings", True),
        ("JFO HQ reports 1 KIA, 2 WIA amid 9 enemy attacks", True),
        ("Boko Haram abducts 135, kills 8 in Cameroon raid", True),
        ("14 airstrikes target Reef Dimashq", False),  # a number, but of strikes
        ("April 24th 2017: (S642) Various locations around Tabaqa city", False),
    ],
)
def test_deaths_are_scored_where_the_headline_gives_a_figure_of_the_dead(headline, scored):
    verdicts = ucdp.row_verdicts(make_row(source_headline=headline), make_event())
    assert (verdicts["deaths"] is not None) is scored


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date", {"start": "2016-03-01", "end": "2016-03-05", "precision": "range"}),
        ("location", {"country": "Niger", "country_code": "NE", "lat": 13.5, "lon": 2.1}),
        ("fatalities", {"best": 9, "low": 9, "high": 9}),
    ],
)
def test_each_wrong_field_is_wrong(field, value):
    verdicts = ucdp.row_verdicts(make_row(), make_event(**{field: value}))
    wrong = {k for k, ok in verdicts.items() if not ok}
    expected = {"date": {"date"}, "location": {"place_50km", "country"}, "fatalities": {"deaths"}}
    assert wrong == expected[field]


def test_ucdp_country_names_with_brackets():
    row = make_row(country="DR Congo (Zaire)")
    loc = {"country_code": "CD", "lat": 11.85, "lon": 13.16}
    assert ucdp.row_verdicts(row, make_event(location=loc))["country"]


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/training/ucdp")
def test_the_real_file_through_the_pipeline(tmp_path):
    assert ucdp.is_ucdp_file(SHARED)
    rows = ucdp.load_ucdp(SHARED, split="dev", limit=40)
    assert len(rows) == 40 and all(ucdp.ucdp_split(r) == "dev" for r in rows)
    score = ucdp.score_ucdp(rows, list(ucdp.predict_ucdp(rows)))
    assert score.of_scored("found") > 0.5
    # the CLI route: the file is recognised as UCDP, not ACLED
    sample = tmp_path / "ged.jsonl"
    sample.write_text("".join(json.dumps(r) + "\n" for r in rows[:3]))
    assert ucdp.is_ucdp_file(sample)
