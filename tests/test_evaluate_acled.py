"""The ACLED-row scorer: rules on hand-built rows, loading, and ``conflictlens eval`` on
ACLED and MUC-4 files (the CLI runs there go through the real pipeline, so they check
the shape of what comes out, never its accuracy)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import SHARED
from typer.testing import CliRunner

from conflictlens.errors import InputError
from conflictlens.evaluate import (
    ACLED_SUBTYPES,
    MUC_ROLES,
    is_acled_file,
    load_acled,
    predict_acled,
    predictions_json,
    score_acled,
)
from conflictlens.evaluate import acled as acled_mod
from conflictlens.evaluate.acled import (
    CODER_ENV,
    METRICS,
    NONE,
    gold_fields,
    pick_event,
    row_verdicts,
    use_coder_weights,
)

ACLED_EVENTS = SHARED / "training" / "acled" / "events.jsonl"
CLI = [sys.executable, "-m", "conflictlens.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("CONFLICTLENS_DEBUG", None)
    env.pop(CODER_ENV, None)  # the shipped coder, whatever the caller's shell says
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=300)


def make_row(**overrides: str) -> dict:
    """An ACLED row as the files hold it: every value a string."""
    row = {
        "event_id_cnty": "XYZ1",
        "event_date": "2021-03-04",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Nigeria (2015-2023)",
        "actor2": "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad",
        "region": "Western Africa",
        "country": "Nigeria",
        "admin1": "Borno",
        "location": "Maiduguri",
        "latitude": "11.8464",
        "longitude": "13.1603",
        "fatalities": "3",
        "notes": "On 4 March 2021, soldiers clashed with Boko Haram fighters near Maiduguri.",
        "split": "dev",
    }
    return row | overrides


def make_event(**overrides: object) -> dict:
    """A predicted event in ExtractionResult.to_dict() shape, agreeing with make_row()."""
    event = {
        "id": "E1",
        "type": "Battles/Armed clash",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "date": {"start": "2021-03-04", "end": "2021-03-04", "precision": "day"},
        "location": {
            "name": "Maiduguri",
            "admin1": "Borno",
            "country": "Nigeria",
            "country_code": "NG",
            "lat": 11.85,
            "lon": 13.16,
            "precision": "city",
        },
        "actor1": {"name": "Military Forces of Nigeria (2015-2023)", "mention": "soldiers"},
        "actor2": {
            "name": "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad",
            "mention": "Boko Haram",
        },
        "fatalities": {"best": 3, "low": 3, "high": 3},
        "background": False,
    }
    return event | overrides


def with_type(etype: str, sub: str) -> dict:
    return make_event(type=f"{etype}/{sub}", event_type=etype, sub_event_type=sub)


# --- per-row rules ----------------------------------------------------------------


def test_a_prediction_that_agrees_is_right_on_every_metric():
    assert row_verdicts(make_row(), make_event()) == dict.fromkeys(METRICS, True)


def test_no_event_is_wrong_on_every_metric_even_where_gold_is_empty():
    verdicts = row_verdicts(make_row(actor2="", fatalities="0"), None)
    assert verdicts == dict.fromkeys(METRICS, False)


def test_type_and_sub_type_are_separate_verdicts():
    pred = make_event(type="Battles/Government regains territory")
    pred["sub_event_type"] = "Government regains territory"
    v = row_verdicts(make_row(), pred)
    assert v["event_type"] and not v["sub_event_type"]
    v = row_verdicts(make_row(), make_event(type="battles / armed clash"))
    assert not v["sub_event_type"]  # exact up to case and whitespace runs, not spacing
    v = row_verdicts(make_row(), make_event(type="BATTLES/armed  clash"))
    assert v["sub_event_type"]


@pytest.mark.parametrize(
    ("date", "day_rule", "in_range"),
    [
        ({"start": "2021-03-04", "end": "2021-03-04", "precision": "day"}, True, True),
        ({"start": "2021-03-03", "end": "2021-03-05", "precision": "day"}, True, True),
        ({"start": "2021-03-01", "end": "2021-03-07", "precision": "week"}, False, True),
        ({"start": "2021-03", "end": "2021-03", "precision": "month"}, False, True),
        ({"start": "2021-03-05", "end": "2021-03-05", "precision": "day"}, False, False),
        (None, False, False),
    ],
)
def test_date_needs_the_gold_day_inside_and_day_precision(date, day_rule, in_range):
    v = row_verdicts(make_row(), make_event(date=date))
    assert (v["date"], v["date_in_range"]) == (day_rule, in_range)


def test_place_is_right_within_50_km_of_the_gold_point():
    near = make_event()
    near["location"] = near["location"] | {"lat": 11.8464 + 0.27, "lon": 13.1603}  # ~30 km
    far = make_event()
    far["location"] = far["location"] | {"lat": 11.8464 + 0.72, "lon": 13.1603}  # ~80 km
    blind = make_event()
    blind["location"] = blind["location"] | {"lat": None, "lon": None}
    assert row_verdicts(make_row(), near)["place_50km"]
    assert not row_verdicts(make_row(), far)["place_50km"]
    assert not row_verdicts(make_row(), blind)["place_50km"]
    assert not row_verdicts(make_row(), make_event(location=None))["place_50km"]
    assert not row_verdicts(make_row(latitude="", longitude=""), make_event())["place_50km"]


def test_actors_match_exactly_up_to_case_and_spaces():
    row = make_row(actor1="Civilians (Burkina Faso)", actor2="")
    shouty = make_event(actor1={"name": "  civilians   (BURKINA FASO) ", "mention": "x"})
    bare = make_event(actor1={"name": "Civilians", "mention": "civilians"})
    assert row_verdicts(row, shouty | {"actor2": None})["actor1"]
    assert not row_verdicts(row, bare)["actor1"]


@pytest.mark.parametrize(
    ("pred_actor2", "right"),
    [
        (None, True),
        ({"name": "", "mention": ""}, True),
        ({"name": "Police", "mention": "p"}, False),
    ],
)
def test_empty_gold_actor2_is_right_only_when_none_is_predicted(pred_actor2, right):
    v = row_verdicts(make_row(actor2=""), make_event(actor2=pred_actor2))
    assert v["actor2"] is right


def test_fatalities_compare_the_low_figure_and_none_means_zero():
    ranged = make_event(fatalities={"best": 5, "low": 3, "high": 7})
    assert row_verdicts(make_row(fatalities="3"), ranged)["fatalities"]
    assert not row_verdicts(make_row(fatalities="5"), ranged)["fatalities"]
    assert row_verdicts(make_row(fatalities="0"), make_event(fatalities=None))["fatalities"]
    assert not row_verdicts(make_row(fatalities="2"), make_event(fatalities=None))["fatalities"]


def test_pick_event_skips_background_events():
    old, new = make_event(id="E1", background=True), make_event(id="E2")
    assert pick_event([old, new])["id"] == "E2"
    assert pick_event([old])["id"] == "E1"
    assert pick_event([]) is None


# --- scoring a set of rows --------------------------------------------------------


@pytest.fixture
def scored():
    """Five rows (two clashes, an attack, two protests) and predictions worked out by hand.

    row  gold                       predicted               other fields wrong
    r1   Battles/Armed clash        Battles/Armed clash     -
    r2   Battles/Armed clash        VAC/Attack              fatalities
    r3   VAC/Attack                 VAC/Attack              actor1
    r4   Protests/Peaceful protest  none (no event)         everything
    r5   Protests/Peaceful protest  Protests/Peaceful       place (~80 km)
    """
    attack = ("Violence against civilians", "Attack")
    rows = [
        make_row(event_id_cnty="r1"),
        make_row(event_id_cnty="r2"),
        make_row(
            event_id_cnty="r3",
            event_type="Violence against civilians",
            sub_event_type="Attack",
        ),
        make_row(event_id_cnty="r4", event_type="Protests", sub_event_type="Peaceful protest"),
        make_row(event_id_cnty="r5", event_type="Protests", sub_event_type="Peaceful protest"),
    ]
    r2 = with_type(*attack) | {"fatalities": {"best": 9, "low": 9, "high": 9}}
    r3 = with_type(*attack) | {"actor1": {"name": "Unidentified Armed Group", "mention": "x"}}
    r5 = with_type("Protests", "Peaceful protest")
    r5["location"] = r5["location"] | {"lat": 11.8464 + 0.72}
    preds = [make_event(), r2, r3, None, r5]
    return score_acled(rows, preds)


def test_overall_counts_as_fractions_of_all_rows_and_of_found_rows(scored):
    assert scored.rows == 5 and scored.found == 4
    assert scored.correct == {
        "found": 4,
        "event_type": 3,
        "sub_event_type": 3,
        "date": 4,
        "date_in_range": 4,
        "date_1day": 4,
        "place_50km": 3,
        "country": 4,  # r5's point is 80 km off, but still in Nigeria and Borno
        "admin1": 4,
        "actor1": 3,
        "actor2": 4,
        "fatalities": 3,
    }
    assert scored.of_all("event_type") == pytest.approx(3 / 5)
    assert scored.of_found("event_type") == pytest.approx(3 / 4)
    assert scored.of_found("found") == 1.0


def test_breakdown_per_gold_event_type(scored):
    assert scored.per_type_rows == {"Battles": 2, "Violence against civilians": 1, "Protests": 2}
    battles = scored.per_type_correct["Battles"]
    assert (battles["found"], battles["event_type"], battles["fatalities"]) == (2, 1, 1)
    protests = scored.per_type_correct["Protests"]
    assert (protests["found"], protests["sub_event_type"], protests["place_50km"]) == (1, 1, 0)
    d = scored.to_dict()["per_event_type"]["Protests"]
    assert d["rows"] == 2 and d["metrics"]["found"]["of_all"] == pytest.approx(0.5)
    assert d["metrics"]["sub_event_type"]["of_found"] == pytest.approx(1.0)


def test_sub_type_f1_macro_weighted_and_accuracy_by_hand(scored):
    clash = scored.per_subtype["Battles/Armed clash"]
    attack = scored.per_subtype["Violence against civilians/Attack"]
    protest = scored.per_subtype["Protests/Peaceful protest"]
    none = scored.per_subtype[NONE]
    # clash: 1 of 1 predicted right, 1 of 2 gold found; attack: 1 of 2, 1 of 1
    assert (clash.precision, clash.recall, clash.support, clash.predicted) == (1.0, 0.5, 2, 1)
    assert (attack.precision, attack.recall, attack.support, attack.predicted) == (0.5, 1.0, 1, 2)
    assert clash.f1 == attack.f1 == protest.f1 == pytest.approx(2 / 3)
    assert (none.support, none.predicted, none.f1) == (0, 1, 0.0)
    assert set(scored.per_subtype) == set(ACLED_SUBTYPES)
    # macro over the four labels seen in gold or predictions: (3 * 2/3 + 0) / 4
    assert scored.macro_f1 == pytest.approx(0.5)
    # weighted by support 2, 1, 2 (none has none): (2/3 * 5) / 5
    assert scored.weighted_f1 == pytest.approx(2 / 3)
    assert scored.accuracy == pytest.approx(3 / 5)


def test_confusions_gold_to_predicted(scored):
    assert scored.confusions == [
        ("Battles/Armed clash", "Violence against civilians/Attack", 1),
        ("Protests/Peaceful protest", NONE, 1),
    ]


def test_top_ten_confusions_most_frequent_first():
    pairs = [(t, sub) for t, subs in acled_mod.ACLED_TAXONOMY.items() for sub in subs][:12]
    rows, preds = [], []
    for i, (etype, sub) in enumerate(pairs):
        for _ in range(4 if i == 5 else 1):  # the sixth sub-type is missed four times
            rows.append(make_row(event_type=etype, sub_event_type=sub))
            preds.append(None)
    score = score_acled(rows, preds)
    assert len(score.confusions) == 10
    assert score.confusions[0] == ("/".join(pairs[5]), NONE, 4)
    assert all(c == 1 for _, _, c in score.confusions[1:])


def test_a_label_outside_the_taxonomy_gets_its_own_row():
    score = score_acled([make_row()], [make_event(type="Battles/Skirmish")])
    assert score.per_subtype["Battles/Skirmish"].predicted == 1
    assert score.confusions == [("Battles/Armed clash", "Battles/Skirmish", 1)]


def test_report_and_dict_carry_every_part(scored):
    text = scored.report()
    for label in METRICS.values():
        assert label in text
    assert "Violence against civilians" in text
    assert "macro F1 0.500" in text and "accuracy 0.600" in text
    assert "Protests/Peaceful protest -> none" in text
    d = json.loads(json.dumps(scored.to_dict()))
    assert d["rows"] == 5 and d["found"] == 4
    assert d["metrics"]["actor1"] == {"right": 3, "of_all": 0.6, "of_found": 0.75}
    assert d["confusions"][0] == {
        "gold": "Battles/Armed clash",
        "predicted": "Violence against civilians/Attack",
        "count": 1,
    }


def test_rows_and_predictions_must_pair_up():
    with pytest.raises(ValueError):
        score_acled([make_row()], [])


# --- loading ----------------------------------------------------------------------


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_jsonl_split_only_limit_and_rows_without_notes(tmp_path):
    rows = [
        make_row(event_id_cnty="a", split="dev"),
        make_row(event_id_cnty="b", split="train"),
        make_row(event_id_cnty="c", split="dev", notes="  "),
        make_row(event_id_cnty="d", split="dev", country="Ukraine", region="Europe"),
        make_row(event_id_cnty="e", split="dev"),
    ]
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    loaded = load_acled(path)
    assert [r["event_id_cnty"] for r in loaded.rows] == ["a", "b", "d", "e"]
    assert loaded.without_notes == 1
    dev = load_acled(path, split="dev")
    assert [r["event_id_cnty"] for r in dev.rows] == ["a", "d", "e"]
    assert dev.filtered_out == 1
    assert [r["event_id_cnty"] for r in load_acled(path, split="dev", limit=2).rows] == ["a", "d"]
    assert [r["event_id_cnty"] for r in load_acled(path, only="ukraine").rows] == ["d"]
    assert [r["event_id_cnty"] for r in load_acled(path, only="Europe").rows] == ["d"]
    not_ukraine = load_acled(path, only="Western Africa", split="dev")
    assert [r["event_id_cnty"] for r in not_ukraine.rows] == ["a", "e"]


def test_split_on_a_file_without_splits_is_an_error(tmp_path):
    row = make_row()
    del row["split"]
    path = write_jsonl(tmp_path / "rows.jsonl", [row])
    assert len(load_acled(path).rows) == 1
    with pytest.raises(InputError, match="split"):
        load_acled(path, split="dev")


def test_csv_export_with_bom_and_written_out_dates(tmp_path):
    path = tmp_path / "export.csv"
    fields = list(make_row())
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerow(make_row(event_date="04 March 2021"))
        writer.writerow(make_row(event_id_cnty="XYZ2", notes=""))
    assert is_acled_file(path)
    loaded = load_acled(path)
    assert len(loaded.rows) == 1 and loaded.without_notes == 1
    gold = gold_fields(loaded.rows[0])
    assert gold["event_date"] == "2021-03-04"
    assert (gold["latitude"], gold["longitude"], gold["fatalities"]) == (11.8464, 13.1603, 3)
    assert gold["type"] == "Battles/Armed clash"
    assert row_verdicts(loaded.rows[0], make_event()) == dict.fromkeys(METRICS, True)


def test_format_detection(tmp_path):
    assert is_acled_file(write_jsonl(tmp_path / "a.jsonl", [make_row()]))
    muc = write_jsonl(tmp_path / "m.json", [{"docid": "x", "doctext": "y", "templates": []}])
    assert not is_acled_file(muc)
    assert not is_acled_file(write_jsonl(tmp_path / "n.jsonl", [{"notes": "only notes"}]))
    assert not is_acled_file(tmp_path)


@pytest.mark.skipif(not ACLED_EVENTS.exists(), reason="../shared/training not present")
def test_the_shared_dev_rows_load_and_parse():
    loaded = load_acled(ACLED_EVENTS, split="dev", limit=200)
    assert len(loaded.rows) == 200
    assert all(r["split"] == "dev" for r in loaded.rows)
    golds = [gold_fields(r) for r in loaded.rows]
    assert all(g["event_date"] and g["fatalities"] is not None for g in golds)
    assert all(g["latitude"] is not None and g["longitude"] is not None for g in golds)
    assert {g["type"] for g in golds} <= set(ACLED_SUBTYPES)


# --- the coder weights flag -------------------------------------------------------


@pytest.fixture
def no_coder_env(monkeypatch):
    """CONFLICTLENS_CODER unset, and unset again afterwards even if a test sets it
    (delenv alone records nothing to undo when the variable was absent)."""
    monkeypatch.setenv(CODER_ENV, "")
    monkeypatch.delenv(CODER_ENV)


def test_use_coder_weights_sets_the_variable_to_an_absolute_path(
    tmp_path, monkeypatch, no_coder_env
):
    monkeypatch.chdir(tmp_path)
    Path("w.bin").write_bytes(b"weights")
    assert use_coder_weights("w.bin") == str(tmp_path / "w.bin")
    assert os.environ[CODER_ENV] == str(tmp_path / "w.bin")
    with pytest.raises(InputError):
        use_coder_weights("missing.bin")


def test_model_and_only_flags_reach_the_prediction(tmp_path, monkeypatch, no_coder_env):
    """--model must be in the environment when prediction starts (workers fork from it),
    and --only must decide which rows are predicted at all."""
    from conflictlens.cli import app

    weights = tmp_path / "coder-without-ukraine.bin"
    weights.write_bytes(b"weights")
    rows = [
        make_row(event_id_cnty="ng"),
        make_row(event_id_cnty="ua", country="Ukraine", region="Europe"),
    ]
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    seen: dict = {}

    def fake_predict(batch, n_process=None):
        seen["env"] = os.environ.get(CODER_ENV)
        seen["ids"] = [r["event_id_cnty"] for r in batch]
        return iter([make_event() for _ in batch])

    monkeypatch.setattr(acled_mod, "predict_acled", fake_predict)
    result = CliRunner().invoke(
        app, ["eval", str(path), "--only", "Ukraine", "--model", str(weights), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert seen == {"env": str(weights.resolve()), "ids": ["ua"]}
    data = json.loads(result.stdout)
    assert data["rows"] == 1 and data["only"] == "Ukraine" and data["model"] == seen["env"]


def test_acled_flags_on_other_formats_are_refused(tmp_path):
    from conflictlens.cli import app

    muc = write_jsonl(tmp_path / "m.json", [{"docid": "x", "doctext": "y", "templates": []}])
    result = CliRunner().invoke(app, ["eval", str(muc), "--split", "dev"])
    assert isinstance(result.exception, InputError)
    assert "--split" in str(result.exception)


# --- end to end through the real pipeline -----------------------------------------

E2E_ROWS = [
    make_row(event_id_cnty="E2E1"),
    make_row(
        event_id_cnty="E2E2",
        event_date="2022-03-10",
        event_type="Explosions/Remote violence",
        sub_event_type="Shelling/artillery/missile attack",
        actor1="Military Forces of Russia (2000-)",
        actor2="Civilians (Ukraine)",
        country="Ukraine",
        region="Europe",
        location="Kharkiv",
        latitude="49.9935",
        longitude="36.2304",
        fatalities="2",
        notes="On 10 March 2022, Russian forces shelled a residential area of Kharkiv, "
        "killing 2 civilians.",
    ),
    make_row(
        event_id_cnty="E2E3",
        event_date="2020-06-02",
        event_type="Protests",
        sub_event_type="Peaceful protest",
        actor1="Protesters (United States)",
        actor2="",
        country="United States",
        region="North America",
        location="Denver",
        latitude="39.7392",
        longitude="-104.9847",
        fatalities="0",
        notes="On 2 June 2020, around 200 people held a peaceful demonstration in Denver "
        "(Colorado) against police violence.",
    ),
]


def test_cli_scores_an_acled_file_and_writes_what_it_scored(tmp_path):
    path = write_jsonl(tmp_path / "three.jsonl", E2E_ROWS)
    out = tmp_path / "scored.json"
    proc = run("eval", str(path), "--json", "--predictions", str(out))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["rows"] == 3 and data["skipped_without_notes"] == 0
    assert set(data["metrics"]) == set(METRICS)
    assert set(data["per_event_type"]) == {"Battles", "Explosions/Remote violence", "Protests"}
    assert set(data["per_sub_type"]) >= set(ACLED_SUBTYPES)
    assert sum(v["support"] for v in data["per_sub_type"].values()) == 3

    records = json.loads(out.read_text())
    assert [r["event_id_cnty"] for r in records] == ["E2E1", "E2E2", "E2E3"]
    for record, row in zip(records, E2E_ROWS, strict=True):
        assert record["notes"] == row["notes"]
        assert record["gold"]["type"] == f"{row['event_type']}/{row['sub_event_type']}"
        assert set(record["right"]) == set(METRICS)
        assert record["right"]["found"] is (record["predicted"] is not None)
        if record["predicted"] is not None:
            assert {"type", "date", "location", "actor1", "actor2", "fatalities"} <= set(
                record["predicted"]
            )
    for metric in METRICS:
        right = sum(r["right"][metric] for r in records)
        assert data["metrics"][metric]["right"] == right


def test_cli_only_keeps_the_held_out_region_in_the_text_report(tmp_path):
    path = write_jsonl(tmp_path / "three.jsonl", E2E_ROWS)
    proc = run("eval", str(path), "--only", "Ukraine")
    assert proc.returncode == 0, proc.stderr
    assert "ACLED events, 1 row of three.jsonl (only Ukraine)" in proc.stdout
    assert "Explosions/Remote violence" in proc.stdout
    assert "macro F1" in proc.stdout
    lines = proc.stdout.splitlines()
    per_type = lines[lines.index("per gold event type (fraction of that type's rows)") + 2 :]
    assert per_type[0].startswith("Explosions/Remote violence") and per_type[1] == ""


MUC_DOCS = [
    {
        "docid": "DEV-MUC3-9001",
        "doctext": "san salvador, 3 feb 90 -- urban guerrillas of the farabundo marti "
        "national liberation front today exploded a car bomb outside the national guard "
        "barracks in san salvador, killing two soldiers and a passer-by, police said.",
        "templates": [
            {
                "incident_type": "bombing",
                "PerpInd": [[["urban guerrillas", 26]]],
                "PerpOrg": [[["farabundo marti national liberation front", 50]]],
                "Target": [[["national guard barracks", 134]]],
                "Victim": [[["passer-by", 201]]],
                "Weapon": [[["car bomb", 111]]],
            }
        ],
    },
    {
        "docid": "DEV-MUC3-9002",
        "doctext": "lima, 5 mar 90 -- the peruvian congress today debated the budget.",
        "templates": [],
    },
]


def test_cli_writes_muc_predictions_as_entities_of_mention_strings(tmp_path):
    path = write_jsonl(tmp_path / "muc.json", MUC_DOCS)
    out = tmp_path / "templates.json"
    proc = run("eval", str(path), "--predictions", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["docs"] == 2
    pred = json.loads(out.read_text())
    assert set(pred) == {"DEV-MUC3-9001", "DEV-MUC3-9002"}
    for templates in pred.values():
        assert isinstance(templates, list)
        for t in templates:
            assert set(t) == {"incident_type", *MUC_ROLES}
            assert isinstance(t["incident_type"], str) and t["incident_type"]
            for role in MUC_ROLES:
                assert all(
                    isinstance(entity, list) and entity and all(isinstance(m, str) for m in entity)
                    for entity in t[role]
                )


def test_predictions_json_normalises_every_template_shape():
    pred = {
        "d1": [
            {
                "incident_type": "attack",
                "PerpInd": [["gunmen"], [["men", 4], ["they", 9]]],
                "Target": ["bus", []],
            },
            {"incident_type": "bombing"},  # a template the encoder added, no roles yet
        ]
    }
    out = predictions_json(pred, docids=["d0", "d1"])
    assert list(out) == ["d0", "d1"]
    assert out["d0"] == []
    first, second = out["d1"]
    assert first["PerpInd"] == [["gunmen"], ["men", "they"]]
    assert first["Target"] == [["bus"]]
    assert first["Victim"] == first["PerpOrg"] == first["Weapon"] == []
    assert second == {"incident_type": "bombing", **{r: [] for r in MUC_ROLES}}


@pytest.mark.parametrize(
    ("date", "near"),
    [
        ({"start": "2021-03-03", "end": "2021-03-04", "precision": "range"}, True),
        ({"start": "2021-03-05", "end": "2021-03-05", "precision": "day"}, True),
        ({"start": "2021-03-02", "end": "2021-03-04", "precision": "range"}, False),
        ({"start": "2021-02-25", "end": "2021-03-04", "precision": "week"}, False),
        ({"start": None, "end": None, "precision": "unknown"}, False),
    ],
)
def test_date_within_a_day_of_the_coded_day(date, near):
    assert row_verdicts(make_row(), make_event(date=date))["date_1day"] is near


def test_country_by_iso_code_and_admin1_without_accents():
    row = make_row(country="Democratic Republic of Congo", admin1="Nord-Kivu")
    loc = {
        "country": "Democratic Republic of the Congo",
        "country_code": "CD",
        "admin1": "Nord Kivu",
    }
    verdicts = row_verdicts(row, make_event(location=loc))
    assert verdicts["country"] and verdicts["admin1"]
    assert not row_verdicts(row, make_event())["country"]  # Nigeria


ACLED_EVENTS = SHARED / "training" / "acled" / "events.jsonl"


@pytest.mark.skipif(not ACLED_EVENTS.exists(), reason="needs ../shared/training/acled")
def test_the_first_200_dev_rows_stay_above_their_floors():
    """A smoke check on real data, sized for CI (~10 s): a change that breaks actor
    naming or typing (one once made protest organisers actor 1 and cost actor 1 0.16 on
    dev, unnoticed) fails here. Floors sit ~0.05 under the figures of 2026-12-01
    (found 0.99, sub-type 0.90, actor 1 0.655, actor 2 0.685, fatalities 0.905, date
    within a day 0.945); the full dev split is the measurement, this only a tripwire."""
    loaded = load_acled(ACLED_EVENTS, split="dev", limit=200)
    score = score_acled(loaded.rows, list(predict_acled(loaded.rows)))
    floors = {
        "found": 0.94,
        "sub_event_type": 0.85,
        "actor1": 0.60,
        "actor2": 0.63,
        "fatalities": 0.85,
        "date_1day": 0.90,
    }
    measured = {k: score.of_all(k) for k in floors}
    assert all(measured[k] >= floors[k] for k in floors), measured


# --- French notes: translated text scored against the English row's coding -----------

FRENCH_NOTES = SHARED / "training" / "acled" / "notes_fr_machine_translated.jsonl"


def _french_pair(tmp_path: Path) -> Path:
    """A translated-notes file (the shape of notes_fr_machine_translated.jsonl, rows
    written for the test) beside the events.jsonl it is aligned with."""
    english = [
        {**E2E_ROWS[0], "event_id_cnty": "FRX1", "split": "dev"},
        {**E2E_ROWS[1], "event_id_cnty": "FRX3", "split": "train"},
    ]
    write_jsonl(tmp_path / "events.jsonl", english)
    notes = [
        {
            "event_id_cnty": "FRX1",
            "notes_fr": "[{'translation_text': "
            '"Le 3 mars 2022, l\'armée a affronté des rebelles."}]',
            "notes_en": "...",
            "event_date": english[0]["event_date"],
            "event_type": english[0]["event_type"],
            "sub_event_type": english[0]["sub_event_type"],
        },
        {"event_id_cnty": "FRX3", "notes_fr": "Le 4 mars 2022, une frappe.", "sub_event_type": "x"},
        {"event_id_cnty": "MISSING", "notes_fr": "Aucune ligne.", "sub_event_type": "x"},
    ]
    return write_jsonl(tmp_path / "notes_fr.jsonl", notes)


def test_french_notes_take_the_coding_of_their_english_rows(tmp_path):
    path = _french_pair(tmp_path)
    assert is_acled_file(path)
    rows = load_acled(path).rows
    assert [r["event_id_cnty"] for r in rows] == ["FRX1", "FRX3"]  # no row, no score
    assert rows[0]["notes"] == "Le 3 mars 2022, l'armée a affronté des rebelles."
    assert rows[0]["actor1"] == E2E_ROWS[0]["actor1"] and rows[0]["language"] == "fr"
    assert rows[0]["split"] == "dev"  # every event of the English dev split is French dev
    assert [r["event_id_cnty"] for r in load_acled(path, split="dev").rows] == ["FRX1"]


def test_french_notes_without_their_english_rows_are_one_clear_error(tmp_path):
    path = _french_pair(tmp_path)
    (tmp_path / "events.jsonl").unlink()
    with pytest.raises(InputError, match="scored against their ACLED rows"):
        load_acled(path)


def test_french_split_holds_out_a_fifth_more_than_the_english_dev_split():
    from conflictlens.evaluate.acled import french_split

    ids = [f"BFO{n}" for n in range(5000)]
    share = sum(french_split(i, "train") == "dev" for i in ids) / len(ids)
    assert 0.17 < share < 0.23
    assert all(french_split(i, "dev") == "dev" for i in ids[:50])


@pytest.mark.skipif(not FRENCH_NOTES.exists(), reason="../shared/training not present")
def test_the_shared_french_notes_split():
    dev = load_acled(FRENCH_NOTES, split="dev").rows
    train = load_acled(FRENCH_NOTES, split="train").rows
    assert (len(dev), len(train)) == (484, 1319)
    assert all(not r["notes"].startswith("[{") for r in dev)
    english_dev = {r["event_id_cnty"] for r in load_acled(ACLED_EVENTS, split="dev").rows}
    assert english_dev & {r["event_id_cnty"] for r in dev}
    assert not english_dev & {r["event_id_cnty"] for r in train}
