"""Tests for the role-filler ranker: candidates from a real parse, a real (tiny) fit,
decoding, and the packaged model on MUC-4 dev documents."""

from __future__ import annotations

import numpy as np
from corpus import MUC_DEV, needs_muc

from conflictlens import fillers, muc
from conflictlens.evaluate import score_muc
from conflictlens.fillers import ROLES, Candidate, Filler, Model
from conflictlens.stages.analyse import analyse

TEXT = (
    "Members of the Farabundo Marti National Liberation Front attacked the police "
    "station in San Miguel with rifles. A policeman was killed."
)


def test_norm_is_the_scorers():
    assert fillers.norm("The  Police Station") == "police station"
    assert fillers.norm("an urban commando") == "urban commando"
    assert fillers.norm("theater") == "theater"


def test_candidates_cover_phrases_and_their_variants():
    doc = analyse(TEXT)
    cands = fillers.candidates(doc)
    texts = {c.text for c in cands}
    assert "the police station" in texts and "police station" in texts
    # The head with its "of" phrase, as MUC coders write perpetrators.
    assert any(t.startswith("Members of the Farabundo Marti") for t in texts)
    assert "rifles" in texts and "A policeman" in texts
    station = next(c for c in cands if c.text == "police station")
    assert station.head == "station"
    assert "gtrig|dobj" in station.features and "trig=attack" in station.features
    assert all(TEXT[c.start : c.end] == c.text for c in cands)


def test_shorter_forms_down_to_the_head_are_candidates():
    text = (
        "Gunmen killed Salvadoran leftist leader Hector Oqueli Colindres and burned "
        "500 houses near the Sheraton hotel's gate."
    )
    texts = {c.text for c in fillers.candidates(analyse(text))}
    assert "Hector Oqueli Colindres" in texts and "Colindres" in texts
    assert "500 houses" in texts and "houses" in texts
    # never a form that starts at the possessive marker
    assert not any(t.startswith("'s") for t in texts)


def test_rule_and_tagger_outputs_become_features():
    doc = analyse(TEXT)
    start = TEXT.index("rifles")
    cands = fillers.candidates(doc, tagged=[(start, start + 6, "Weapon")])
    rifles = next(c for c in cands if c.text == "rifles")
    assert "tagger=Weapon" in rifles.features


def test_training_learns_a_separable_role():
    # Candidates whose head is "bomb" are weapons; the fit must find it.
    def cand(head: str) -> Candidate:
        return Candidate(0, 1, head, head, ("bias", f"h={head}"))

    cands = [cand(h) for h in ["bomb", "car", "bomb", "house", "bomb", "mayor"] * 5]
    labels = np.zeros((len(cands), len(ROLES)), dtype=np.int8)
    labels[:, ROLES.index("Weapon")] = [c.head == "bomb" for c in cands]
    model = Model(fillers.train(cands, labels, l2=0.1), dict.fromkeys(ROLES, 0.5))
    scores = model.scores([cand("bomb"), cand("car")])
    weapon = ROLES.index("Weapon")
    assert scores[0, weapon] > 0.9 and scores[1, weapon] < 0.1
    picked = fillers.pick([cand("bomb"), cand("car")], scores, model)
    assert [(f.role, f.text) for f in picked] == [("Weapon", "bomb")]


def test_model_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    model = Model(rng.normal(size=(len(ROLES), fillers.N_FEATURES)), dict.fromkeys(ROLES, 0.3))
    path = tmp_path / "m.npz"
    model.save(path)
    back = Model.load(path)
    assert back.thresholds == model.thresholds
    # Stored as float16: close, not equal.
    assert np.allclose(back.weights, model.weights, atol=1e-2)


def test_pick_keeps_one_phrase_per_entity_and_its_best_role():
    cands = [
        Candidate(0, 9, "policeman", "policeman", ()),
        Candidate(20, 31, "a policeman", "policeman", ()),
        Candidate(40, 45, "rifle", "rifle", ()),
    ]
    scores = np.zeros((3, len(ROLES)))
    scores[0, ROLES.index("Victim")] = 0.6
    scores[1, ROLES.index("Victim")] = 0.8
    scores[1, ROLES.index("Target")] = 0.7
    scores[2, ROLES.index("Weapon")] = 0.2
    model = Model(np.zeros((len(ROLES), 1)), dict.fromkeys(ROLES, 0.5))
    picked = fillers.pick(cands, scores, model)
    assert [(f.role, f.text) for f in picked] == [("Victim", "a policeman")]


def test_fill_templates_puts_each_filler_with_the_nearest_event():
    empty = {r: [] for r in ROLES}
    events = [(0, {"incident_type": "bombing", **empty}), (500, {"incident_type": "attack"})]
    picked = [
        Filler("Weapon", "bomb", 10, 14, "bomb", 0.9),
        Filler("Victim", "mayor", 520, 525, "mayor", 0.8),
    ]
    bombing, attack = muc.fill_templates(events, picked, {})
    assert bombing["Weapon"] == [["bomb"]] and bombing["Victim"] == []
    assert attack["Victim"] == [["mayor"]] and attack["Weapon"] == []
    # No rule event: a template only when the incident classifier is confident.
    assert (
        muc.fill_templates([], picked, {"attack": 0.9, "bombing": 0.2})[0]["incident_type"]
        == "attack"
    )
    assert muc.fill_templates([], picked, {"attack": 0.2}) == []
    assert muc.fill_templates([], [], {"attack": 0.9}) == []


def test_a_repeated_event_without_fillers_is_not_a_second_template():
    def t(kind: str) -> dict:
        return {"incident_type": kind, **{r: [] for r in ROLES}}

    bomb = Filler("Weapon", "bomb", 10, 14, "bomb", 0.9)
    mayor = Filler("Victim", "mayor", 1020, 1025, "mayor", 0.8)
    # "the explosion" far down the story: an event of its own, but nothing attaches to it
    events = [(0, t("bombing")), (600, t("bombing")), (1000, t("attack"))]
    out = muc.fill_templates(events, [bomb, mayor], {})
    assert [x["incident_type"] for x in out] == ["bombing", "attack"]
    assert out[0]["Weapon"] == [["bomb"]]
    # two incidents of one type, each with its own fillers, stay two
    two = [(0, t("bombing")), (1000, t("bombing"))]
    assert len(muc.fill_templates(two, [bomb, mayor], {})) == 2
    # an empty template of a type seen nowhere else stays; of empty repeats, the first
    lone = [(0, t("bombing")), (900, t("kidnapping")), (500, {**t("kidnapping"), "first": 1})]
    out = muc.fill_templates(lone, [bomb], {})
    assert [x["incident_type"] for x in out] == ["bombing", "kidnapping"]
    assert out[1].get("first") == 1  # the one earlier in the text, whatever the list order


@needs_muc
def test_packaged_ranker_on_muc_dev_documents():
    assert fillers.default_model() is not None
    docs = muc.load_docs(MUC_DEV)[:40]
    fused = score_muc(muc.predict(docs), docs)
    ranked = score_muc(muc.predict(docs, use_encoder=False), docs)
    rules = score_muc(muc.predict(docs, rules_only=True), docs)
    # On all 200 dev documents: 0.508 fused with the encoder, 0.43 with the ranker alone,
    # 0.32 with the rules' fillers (on these 40: 0.45, 0.38, 0.26).
    assert fused.f1 > ranked.f1 > rules.f1
    assert ranked.f1 > 0.3
