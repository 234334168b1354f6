"""The event coder at run time: int8 ONNX MiniLM -> sub-type, toll class, argument spans.

``Coder.code(texts)`` reads each text (a sentence of a report, or a coder's note) as one
window of at most ``MAX_PIECES`` word pieces and returns a :class:`Coding`: the ACLED
sub-type probabilities (``"none"`` included), the toll class, and the spans its BIO head
marks for each role, as character offsets into the text. Texts are batched by length so
that padding costs little. No PyTorch: the weights were exported by
``conflictlens.coder.train`` (``make train``) and run through onnxruntime.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from conflictlens.coder.pieces import CLS_ID, SEP_ID, encode
from conflictlens.coder.runtime import session
from conflictlens.coder.taxonomy import NONE, SPAN_ROLES, SUBTYPES, TAGS, TOLLS

WEIGHTS = Path(__file__).resolve().parent / "weights" / "coder.onnx"
#: Weights by the language of the report: English's, and one trained on French notes
#: too (see weights/README.md for why two); any other language takes English's.
WEIGHTS_BY_LANGUAGE = {"en": WEIGHTS, "fr": WEIGHTS.with_name("coder_fr.onnx")}
#: Word pieces a window holds (plus [CLS] and [SEP]), as in training.
MAX_PIECES = 126
#: Windows per onnxruntime call: one. The int8 graph quantizes its activations with one
#: scale per tensor, computed at run time over the whole batch, so a window read in a
#: batch came out a little different from the same window read alone (a borderline
#: actor span flipped with its batch neighbours). Alone, a window's coding depends on it
#: only; and on this CPU it is also faster (300 ACLED notes: 4.4 ms a note alone, 6.6 in
#: batches of 16 sorted by length: no padding to compute).
BATCH = 1


@dataclass
class CodedSpan:
    role: str  # one of SPAN_ROLES
    start: int  # character offsets into the coded text
    end: int
    text: str
    score: float  # mean probability of its pieces' tags


@dataclass
class Coding:
    """What the coder makes of one text."""

    probs: np.ndarray  # (len(SUBTYPES),) sub-type probabilities
    toll: str  # one of TOLLS
    spans: list[CodedSpan] = field(default_factory=list)

    @property
    def subtype(self) -> str:
        return SUBTYPES[int(self.probs.argmax())]

    @property
    def confidence(self) -> float:
        return float(self.probs.max())

    @property
    def p_event(self) -> float:
        """Probability that the text reports an event at all."""
        return 1.0 - float(self.probs[SUBTYPES.index(NONE)])

    def best_event_subtype(self) -> tuple[str, float]:
        """The most likely sub-type other than "none"."""
        probs = self.probs.copy()
        probs[SUBTYPES.index(NONE)] = -1
        k = int(probs.argmax())
        return SUBTYPES[k], float(self.probs[k])

    def role(self, name: str) -> list[CodedSpan]:
        return [s for s in self.spans if s.role == name]


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def decode_spans(text: str, offsets: list[tuple[int, int]], probs: np.ndarray) -> list[CodedSpan]:
    """BIO tags -> spans, decided per word: a word's tag is the argmax of its pieces'
    mean probabilities, so a span never starts or ends inside a word ("Shaba|ab").
    An I- without its B- starts a span too."""
    words: list[tuple[int, int]] = []  # [first piece, last piece] of each word
    for k, (a, b) in enumerate(offsets):
        glued = words and a == offsets[k - 1][1] and a < b
        if glued and text[a].isalnum() and text[a - 1].isalnum():  # "##" continuation
            words[-1] = (words[-1][0], k)
        else:
            words.append((k, k))
    spans: list[CodedSpan] = []
    cur: tuple[str, int, int, list[float]] | None = None  # role, first/last word, scores
    for w, (i, j) in enumerate(words):
        mean = probs[i : j + 1].mean(0)
        t = int(mean.argmax())
        label = TAGS[t]
        if label != "O":
            prefix, role = label.split("-", 1)
            if cur is not None and cur[0] == role and prefix == "I":
                cur = (role, cur[1], w, [*cur[3], float(mean[t])])
                continue
        if cur is not None:
            spans.append(_span(text, offsets, words, cur))
            cur = None
        if label != "O":
            cur = (role, w, w, [float(mean[t])])
    if cur is not None:
        spans.append(_span(text, offsets, words, cur))
    return spans


#: What joins one written word of a name past the pieces' words: "Nu|’|man" of
#: "Maarrat al-Nu’man", "al|-|Fateh"; not a possessive "'s".
_GLUED_AFTER = re.compile(r"(?:[’'ʼ‘-](?![sS]\b)\w+)+")
_GLUED_BEFORE = re.compile(r"(?:\w+[’'ʼ‘-])+$")


def _span(text, offsets, words, cur) -> CodedSpan:
    role, first, last, scores = cur
    s, e = offsets[words[first][0]][0], offsets[words[last][1]][1]
    # A span ends and starts where the written word does, apostrophes and hyphens in it.
    if after := _GLUED_AFTER.match(text, e):
        e = after.end()
    if before := _GLUED_BEFORE.search(text, max(0, s - 40), s):
        s = before.start()
    return CodedSpan(role, s, e, text[s:e], float(np.mean(scores)))


class Coder:
    """The fine-tuned coder behind an onnxruntime session."""

    def __init__(self, path: str | Path = WEIGHTS) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"coder weights not found: {self.path}")
        self.session = session(str(self.path))

    def code(self, texts: list[str]) -> list[Coding]:
        if not texts:
            return []
        encoded = encode(texts)
        out: list[Coding | None] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i][0]))
        for b in range(0, len(order), BATCH):
            group = order[b : b + BATCH]
            n = 2 + min(MAX_PIECES, max(len(encoded[i][0]) for i in group))
            ids = np.zeros((len(group), n), np.int64)
            attn = np.zeros_like(ids)
            for r, i in enumerate(group):
                p = encoded[i][0][:MAX_PIECES]
                ids[r, : len(p) + 2] = [CLS_ID, *p, SEP_ID]
                attn[r, : len(p) + 2] = 1
            sub, toll, tags = self.session.run(None, {"ids": ids, "attn": attn})
            sub_p, tag_p = _softmax(sub), _softmax(tags)
            for r, i in enumerate(group):
                offsets = encoded[i][1][:MAX_PIECES]
                spans = decode_spans(texts[i], offsets, tag_p[r, 1 : len(offsets) + 1])
                out[i] = Coding(sub_p[r], TOLLS[int(toll[r].argmax())], spans)
        return out  # type: ignore[return-value]


@functools.cache
def _cached(path: str) -> Coder | None:
    try:
        return Coder(path)
    except (FileNotFoundError, ImportError):
        return None


def default_coder(language: str = "en") -> Coder | None:
    """The packaged coder for reports in ``language``, or the weights named by
    ``CONFLICTLENS_CODER`` (a model trained for a held-out check, for every language);
    None when no weights are installed."""
    weights = WEIGHTS_BY_LANGUAGE.get(language, WEIGHTS)
    return _cached(os.environ.get("CONFLICTLENS_CODER") or str(weights))


__all__ = ["SPAN_ROLES", "Coder", "CodedSpan", "Coding", "default_coder", "decode_spans"]
