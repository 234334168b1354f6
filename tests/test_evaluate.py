"""Tests of the gold-file scorer (against the real seed gold file) and the MUC-4 scorer."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from corpus import MUC_DEV, SEED_DIR

from conflictlens.errors import InputError
from conflictlens.evaluate import (
    EVENT_FIELDS,
    MUC_ROLES,
    load_gold,
    load_muc,
    score_article,
    score_corpus,
    score_events,
    score_muc,
)

SEED = SEED_DIR
GOLD_PATH = SEED / "rfi-karachi-interview.gold.json"


@pytest.fixture(scope="module")
def gold() -> dict:
    return load_gold(GOLD_PATH)


def by_id(gold: dict, gid: str) -> dict:
    return next(e for e in gold["events"] if e["id"] == gid)


def pred_from_gold(g: dict) -> dict:
    """A prediction in ExtractionResult.to_dict() shape that says exactly what the gold says."""
    loc = g["location"]
    fat = g["fatalities"]
    return {
        "type": g["types"][0],
        "event_type": None,
        "sub_event_type": None,
        "date": {"start": g["date"]["start"], "end": g["date"]["end"], "precision": "day"},
        "location": {
            "name": loc["name"],
            "admin1": loc["admin1"],
            "country": loc["country"],
            "country_code": None,
            "lat": loc["lat"],
            "lon": loc["lon"],
            "precision": loc["precision"],
            "geonames_id": None,
        },
        "actor1": (
            {"name": g["actor1"][0], "mention": g["actor1"][-1], "aliases": []}
            if g["actor1"]
            else None
        ),
        "actor2": (
            {"name": g["actor2"][0], "mention": g["actor2"][-1], "aliases": []}
            if g["actor2"]
            else None
        ),
        "fatalities": dict(fat) if fat is not None else None,
    }


def shifted(lat: float, lon: float, km_north: float) -> tuple[float, float]:
    return lat + km_north / 111.195, lon


# --- events ---------------------------------------------------------------------


def test_perfect_prediction_scores_one(gold: dict) -> None:
    pred = [pred_from_gold(g) for g in gold["events"]]
    s = score_events(pred, gold)
    required = sum(1 for g in gold["events"] if g["required"])
    assert (s.tp, s.fp, s.fn) == (required, 0, 0)
    assert s.f1 == 1.0 and s.precision == 1.0 and s.recall == 1.0
    assert s.field_accuracy == dict.fromkeys(EVENT_FIELDS, 1.0)
    assert s.field_total["type"] == required  # optional E7 is not counted
    assert sorted(s.matches) == sorted((g["id"], i) for i, g in enumerate(gold["events"]))


def test_empty_prediction(gold: dict) -> None:
    s = score_events([], gold)
    assert s.recall == 0.0 and s.f1 == 0.0 and s.precision == 0.0
    assert s.fn == sum(1 for g in gold["events"] if g["required"])
    assert all(e["pred_index"] is None for e in s.per_event)


def test_optional_event_counts_neither_way(gold: dict) -> None:
    # E7 overlaps E1 in date and (country precision) place: the tie-break on matching
    # fields must pick E7, which is optional -> no TP, no FP.
    s = score_events([pred_from_gold(by_id(gold, "E7"))], gold)
    assert s.matches == [("E7", 0)]
    assert s.tp == 0 and s.fp == 0
    assert s.fn == 6
    assert sum(s.field_total.values()) == 0


def test_wrong_date_is_fp_and_fn(gold: dict) -> None:
    p = pred_from_gold(by_id(gold, "E2"))
    p["date"] = {"start": "2023-03-15", "end": "2023-03-15", "precision": "day"}
    s = score_events([p], gold)
    assert (s.tp, s.fp, s.fn) == (0, 1, 6)
    e2 = next(e for e in s.per_event if e["gold_id"] == "E2")
    assert "does not overlap" in e2["reasons"]["match"]


def test_null_date_or_location_never_matches(gold: dict) -> None:
    a = pred_from_gold(by_id(gold, "E2"))
    a["date"] = None
    b = pred_from_gold(by_id(gold, "E2"))
    b["location"] = None
    s = score_events([a, b], gold)
    assert (s.tp, s.fp) == (0, 2)


def test_duplicate_prediction_is_one_fp(gold: dict) -> None:
    pred = [pred_from_gold(g) for g in gold["events"]]
    pred.append(pred_from_gold(by_id(gold, "E1")))
    s = score_events(pred, gold)
    assert (s.tp, s.fp, s.fn) == (6, 1, 0)
    assert s.field_accuracy == dict.fromkeys(EVENT_FIELDS, 1.0)


def test_date_field_widened_by_one_day(gold: dict) -> None:
    p = pred_from_gold(by_id(gold, "E3"))  # gold 2023-01-30..2023-02-18
    p["date"] = {"start": "2023-02-10", "end": "2023-02-19", "precision": "range"}
    s = score_events([p], gold)
    assert s.per_event[2]["fields"]["date"] is True
    p["date"] = {"start": "2023-02-10", "end": "2023-02-20", "precision": "range"}
    s = score_events([p], gold)
    assert s.tp == 1 and s.field_correct["date"] == 0


def test_type_rules(gold: dict) -> None:
    g = copy.deepcopy(gold)
    e1 = by_id(g, "E1")
    p = pred_from_gold(e1)
    p["type"] = e1["types"][1]  # any listed alternative is right
    assert score_events([p], g).field_correct["type"] == 1
    p["type"] = "Protests/Peaceful protest"
    assert score_events([p], g).field_correct["type"] == 0
    # A gold entry that is only the type accepts any sub-event type of it, even a type
    # whose name contains a slash.
    e1["types"] = ["Explosions/Remote violence"]
    p.update(
        type="Explosions/Remote violence/Grenade",
        event_type="Explosions/Remote violence",
        sub_event_type="Grenade",
    )
    assert score_events([p], g).field_correct["type"] == 1
    p.update(event_type=None, sub_event_type=None)
    assert score_events([p], g).field_correct["type"] == 1
    p.update(type="Battles/Armed clash", event_type="Battles", sub_event_type="Armed clash")
    assert score_events([p], g).field_correct["type"] == 0


def test_actor_containment_rule(gold: dict) -> None:
    e1 = by_id(gold, "E1")

    def actor2_right(actor: dict | None) -> bool:
        p = pred_from_gold(e1)
        p["actor2"] = actor
        s = score_events([p], gold)
        assert s.tp == 1
        return s.field_correct["actor2"] == 1

    gold_name = e1["actor2"][1]
    assert actor2_right({"name": gold_name.upper(), "mention": "x", "aliases": []})
    assert actor2_right({"name": f"the {gold_name} department", "mention": "", "aliases": []})
    assert actor2_right({"name": "Unknown", "mention": "", "aliases": [e1["actor2"][0]]})
    assert actor2_right({"name": "Unknown", "mention": f"two {e1['actor2'][0]} officers"})
    # no containment on part of a word, and a missing actor is wrong when one is stated
    assert not actor2_right({"name": e1["actor2"][0] + "men", "mention": "", "aliases": []})
    assert not actor2_right(None)
    assert not actor2_right({"name": "Sub" + e1["actor2"][0].lower(), "mention": ""})
    # gold with no actor: the prediction must be null or nameless
    e3 = by_id(gold, "E3")
    p = pred_from_gold(e3)
    assert score_events([p], gold).field_correct["actor2"] == 1
    p["actor2"] = {"name": "", "mention": "", "aliases": []}
    assert score_events([p], gold).field_correct["actor2"] == 1
    p["actor2"] = {"name": "Civilians", "mention": "civilians", "aliases": []}
    assert score_events([p], gold).field_correct["actor2"] == 0


def test_fatalities_rules(gold: dict) -> None:
    e1, e2 = by_id(gold, "E1"), by_id(gold, "E2")
    p1 = pred_from_gold(e1)  # gold null
    assert score_events([p1], gold).field_correct["fatalities"] == 1
    p1["fatalities"] = {"best": 0, "low": 0, "high": 0}
    assert score_events([p1], gold).field_correct["fatalities"] == 0
    p2 = pred_from_gold(e2)  # gold 100 (90..110)
    for best, right in ((90, 1), (110, 1), (89, 0), (111, 0)):
        p2["fatalities"] = {"best": best, "low": best, "high": best}
        assert score_events([p2], gold).field_correct["fatalities"] == right
    p2["fatalities"] = None
    assert score_events([p2], gold).field_correct["fatalities"] == 0


def test_location_50_km_rule(gold: dict) -> None:
    e1 = by_id(gold, "E1")
    for km, matches in ((30, True), (100, False)):
        p = pred_from_gold(e1)
        lat, lon = shifted(e1["location"]["lat"], e1["location"]["lon"], km)
        p["location"].update(name="Elsewhere", lat=lat, lon=lon)
        s = score_events([p], gold)
        assert (s.tp == 1) is matches, km
        if matches:
            assert s.field_correct["location"] == 1
        else:
            e = next(e for e in s.per_event if e["gold_id"] == "E1")
            assert "km from" in e["reasons"]["match"]


def test_country_precision_compares_name_or_iso2(gold: dict) -> None:
    e4 = by_id(gold, "E4")
    p = pred_from_gold(e4)
    p["location"].update(country=None, country_code="pk", lat=None, lon=None, precision="region")
    s = score_events([p], gold)
    assert s.matches == [("E4", 0)] and s.field_correct["location"] == 1
    p["location"].update(country="Afghanistan", country_code="AF")
    assert score_events([p], gold).tp == 0


def test_load_gold_rejects_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.gold.json"
    bad.write_text('{"events": [{"id": "E1"}]}', encoding="utf-8")
    with pytest.raises(InputError):
        load_gold(bad)
    with pytest.raises(InputError):
        load_gold(tmp_path / "missing.gold.json")


# --- article --------------------------------------------------------------------


def article_from_gold(gold: dict) -> dict:
    a = gold["article"]
    return {
        "headline": a["headline"].replace('"', "\u201c", 1).replace('"', "\u201d", 1),
        "kicker": a["kicker"],
        "standfirst": a["standfirst_starts"] + " and the rest of the paragraph.",
        "authors": list(a["authors"]),
        "publisher": a["publisher"],
        "published": a["published"],
        "language": a["language"],
        "reading_time_minutes": a["reading_time_minutes"],
        "captions": [
            {"text": c["starts"] + " in the city.", "credit": c["credit"]} for c in a["captions"]
        ],
        "speakers": list(a["speakers"]),
        "questions": a["questions"],
        "tags": list(a["tags"]),
        "related": list(a["related"]),
        "body": "First paragraph of the report.\n\nSecond paragraph.",
        "boilerplate": [f"  {b}  " for b in a["boilerplate"]],
        "truncated": [t + "\u2026" for t in a["truncated"]],
    }


def test_article_perfect(gold: dict) -> None:
    res = score_article(article_from_gold(gold), gold["article"])
    assert set(res) == set(gold["article"])
    assert all(res.values()), res


def test_article_failures(gold: dict) -> None:
    a = article_from_gold(gold)
    a["authors"] = []
    a["tags"] = list(reversed(a["tags"]))
    a["body"] += "\n  " + gold["article"]["boilerplate"][0] + "  \n"
    a["truncated"].append("An extra sentence that was")
    a["captions"][0]["credit"] = "Someone else"
    a["standfirst"] = "Something else. " + a["standfirst"]
    a["questions"] = 3
    res = score_article(a, gold["article"])
    wrong = {k for k, ok in res.items() if not ok}
    assert wrong == {
        "authors",
        "tags",
        "boilerplate",
        "truncated",
        "captions",
        "standfirst_starts",
        "questions",
    }
    # a boilerplate string missing from pred["boilerplate"] is also wrong
    b = article_from_gold(gold)
    b["boilerplate"] = b["boilerplate"][1:]
    assert score_article(b, gold["article"])["boilerplate"] is False
    # a missing truncated sentence is wrong
    c = article_from_gold(gold)
    c["truncated"] = c["truncated"][1:]
    assert score_article(c, gold["article"])["truncated"] is False


def test_score_corpus(tmp_path: Path, gold: dict) -> None:
    shutil.copy(SEED / "rfi-karachi-interview.txt", tmp_path / "doc.txt")
    shutil.copy(GOLD_PATH, tmp_path / "doc.gold.json")
    (tmp_path / "ungolded.txt").write_text("no gold here", encoding="utf-8")
    seen: list[Path] = []

    def predict(path: Path) -> dict:
        seen.append(path)
        events = [pred_from_gold(g) for g in gold["events"]][:3]
        return {"article": article_from_gold(gold), "events": events}

    cs = score_corpus(tmp_path, predict)
    assert seen == [tmp_path / "doc.txt"]
    assert (cs.tp, cs.fp, cs.fn) == (3, 0, 3)
    assert cs.precision == 1.0 and cs.recall == 0.5
    assert cs.article_accuracy["headline"] == 1.0
    d = cs.to_dict()
    assert d["documents"] == 1 and d["events"]["f1"] == pytest.approx(2 / 3)
    text = cs.render()
    assert "ALL (micro)" in text and "doc.txt" in text and "boilerplate" in text
    with pytest.raises(InputError):
        score_corpus(tmp_path / "nope", predict)


# --- MUC-4 ----------------------------------------------------------------------


def first_mentions(templates: list[dict]) -> list[dict]:
    return [
        {"incident_type": t["incident_type"], **{r: [[e[0][0]] for e in t[r]] for r in MUC_ROLES}}
        for t in templates
    ]


@pytest.fixture(scope="module")
def muc_dev() -> list[dict]:
    if not MUC_DEV.exists():
        pytest.skip("../shared/benchmarks not present")
    return load_muc(MUC_DEV)


def test_muc_gold_against_itself(muc_dev: list[dict]) -> None:
    pred = {d["docid"]: first_mentions(d["templates"]) for d in muc_dev}
    s = score_muc(pred, muc_dev)
    assert s.docs == len(muc_dev) == 200
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)
    assert all(v == (1.0, 1.0, 1.0) for v in s.per_role.values())


def test_muc_empty_prediction(muc_dev: list[dict]) -> None:
    s = score_muc({}, muc_dev)
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)
    assert s.gold > 0 and s.predicted == 0


def test_muc_trivial_baseline_is_weak(muc_dev: list[dict]) -> None:
    s = score_muc({d["docid"]: [{"incident_type": "attack"}] for d in muc_dev}, muc_dev)
    assert s.predicted == 200
    assert 0.0 < s.f1 < 0.3
    assert s.per_role["PerpInd"] == (0.0, 0.0, 0.0)


def _gold_doc() -> dict:
    return {
        "docid": "D1",
        "doctext": "...",
        "templates": [
            {
                "incident_type": "attack",
                "PerpInd": [[["the guerrillas", 0], ["rebels", 40]]],
                "PerpOrg": [],
                "Target": [[["bus", 20]]],
                "Victim": [[["driver", 30]]],
                "Weapon": [],
            },
            {
                "incident_type": "kidnapping",
                "PerpInd": [],
                "PerpOrg": [[["fmln", 50]]],
                "Target": [],
                "Victim": [[["mayor", 60]]],
                "Weapon": [],
            },
        ],
    }


def test_muc_hand_computed_case() -> None:
    gold = [_gold_doc()]
    pred = {
        "D1": [
            # right type; PerpInd via second coreferent mention; Target with an article;
            # Victim filler missing
            {"incident_type": "attack", "PerpInd": [["Rebels"]], "Target": [["The  Bus"]]},
            # wrong incident type: cannot align, both its slots are wrong
            {"incident_type": "bombing", "Victim": [[["mayor", 60]]]},
        ]
    }
    s = score_muc(pred, gold)
    # gold slots 4 + 3 = 7, predicted 3 + 2 = 5, correct 3 (type, PerpInd, Target)
    assert (s.correct, s.predicted, s.gold) == (3, 5, 7)
    assert s.precision == pytest.approx(3 / 5)
    assert s.recall == pytest.approx(3 / 7)
    assert s.f1 == pytest.approx(0.5)
    assert s.per_role["Victim"] == (0.0, 0.0, 0.0)
    assert s.per_role["incident_type"] == pytest.approx((0.5, 0.5, 0.5))
    assert s.per_role["Target"] == (1.0, 1.0, 1.0)


def test_muc_alignment_ignores_listing_order() -> None:
    gold = _gold_doc()
    gold["templates"][1]["incident_type"] = "attack"
    pred = {"D1": list(reversed(first_mentions(gold["templates"])))}
    assert score_muc(pred, [gold]).f1 == 1.0


def test_muc_gold_entity_matched_once_and_bombing_attack() -> None:
    gold = _gold_doc()
    gold["templates"][0]["incident_type"] = "bombing / attack"
    pred = {
        "D1": [
            {
                "incident_type": "bombing",
                "PerpInd": ["guerrillas", ["rebels"]],  # two predicted entities, one gold
                "Target": [[["bus", 20]]],
                "Victim": [["driver", "the driver"]],
            }
        ]
    }
    s = score_muc(pred, [gold])
    assert s.per_role["incident_type"][0] == 1.0
    assert s.per_role["PerpInd"][:2] == (0.5, 1.0)
    assert (s.correct, s.predicted) == (4, 5)
