"""roles: a trained MUC-4 role-filler tagger (PerpInd, PerpOrg, Target, Victim, Weapon).

The rule-based extractor finds actors from the dependency parse; this module adds a
statistical second opinion trained on MUC-4 (see ``data/README-roles.md`` and
``scripts/train_roles.py``). The packaged pipeline (``data/roles_model``) holds two
components, each with its own small weights so that nothing is shared with, or
disturbs, the main ``en_core_web_sm`` pipeline:

* ``roles``: an ``ner``-type span tagger with its own HashEmbedCNN tok2vec.
* ``incident``: a bag-of-words ``textcat_multilabel`` over the six MUC incident types.

Case: MUC-4 is lower-cased wire copy and the model was trained on it as is, so every
entry point runs the model on a lower-cased copy of the text. Lower-casing keeps the
length (we fall back to the original character where it would not), so offsets found
on the copy are offsets into the caller's text.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from conflictlens.evaluate import norm_mention
from conflictlens.stages.analyse import use_blas_ops

__all__ = [
    "INCIDENT_TYPES",
    "MODEL_DIR",
    "ROLE_LABELS",
    "RoleSpan",
    "add_to_pipeline",
    "find_roles",
    "gold_spans",
    "incident_types",
    "load_roles",
    "lower_same_length",
    "muc_templates",
    "predict",
    "predict_many",
]

ROLE_LABELS: tuple[str, ...] = ("PerpInd", "PerpOrg", "Target", "Victim", "Weapon")
INCIDENT_TYPES: tuple[str, ...] = (
    "attack",
    "bombing",
    "kidnapping",
    "arson",
    "robbery",
    "forced work stoppage",
)
MODEL_DIR = Path(__file__).resolve().parent / "data" / "roles_model"
#: Tuned on MUC-4 dev by benchmarks/muc_roles_eval.py (see data/README-roles.md).
DEFAULT_THRESHOLD = 0.1
DEFAULT_MAX_TYPES = 2
SPAN_KEY = "roles"


@dataclass(frozen=True)
class RoleSpan:
    """One role filler found in a text: character offsets into the caller's text."""

    start: int
    end: int
    text: str
    label: str
    score: float | None = None


def lower_same_length(text: str) -> str:
    """``text.lower()`` where that keeps every character's position.

    A few characters (e.g. dotted capital I) lower-case to two code points; keeping
    those as they are is what makes offsets on the copy valid on the original.
    """
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@functools.cache
def load_roles() -> Language | None:
    """The packaged roles pipeline, loaded once; None when the model is not shipped
    (a checkout where ``make train`` has not been run), so callers can fall back."""
    if not (MODEL_DIR / "meta.json").exists():
        return None
    return use_blas_ops(spacy.load(MODEL_DIR))


def _spans(doc: Doc, text: str) -> list[RoleSpan]:
    return [
        RoleSpan(e.start_char, e.end_char, text[e.start_char : e.end_char], e.label_)
        for e in doc.ents
    ]


def predict(text: str) -> tuple[list[RoleSpan], dict[str, float]]:
    """Role spans and incident-type probabilities of one text, in a single model pass."""
    nlp = load_roles()
    if nlp is None:
        return [], {}
    doc = nlp(lower_same_length(text))
    return _spans(doc, text), dict(doc.cats)


def predict_many(
    texts: Iterable[str], batch_size: int = 16
) -> Iterator[tuple[list[RoleSpan], dict[str, float]]]:
    """Batched :func:`predict` (spaCy's ``pipe`` amortises the per-call overhead)."""
    nlp = load_roles()
    items = list(texts)
    if nlp is None:
        yield from (([], {}) for _ in items)
        return
    lowered = (lower_same_length(t) for t in items)
    for text, doc in zip(items, nlp.pipe(lowered, batch_size=batch_size), strict=True):
        yield _spans(doc, text), dict(doc.cats)


def find_roles(text: str) -> list[RoleSpan]:
    """Role fillers in ``text`` (any case); offsets index the given text."""
    nlp = load_roles()
    if nlp is None:
        return []
    doc = nlp(lower_same_length(text), disable=["incident"])
    return _spans(doc, text)


def find_roles_many(texts: Iterable[str], batch_size: int = 32) -> Iterator[list[RoleSpan]]:
    """Batched :func:`find_roles` without the incident classifier (the extraction
    stage calls it on the sentences that hold event mentions)."""
    nlp = load_roles()
    items = list(texts)
    if nlp is None:
        yield from ([] for _ in items)
        return
    # The tagger is called directly: it is the only component needed, and going through
    # nlp.pipe with the classifier switched off cost a quarter of the tagger's own time
    # on the few sentences of one report (bench: 2.2 s -> 1.7 s for 250 reports).
    tagger = nlp.get_pipe("roles")
    docs = [nlp.make_doc(lower_same_length(t)) for t in items]
    for text, doc in zip(items, tagger.pipe(docs, batch_size=batch_size), strict=True):
        yield _spans(doc, text)


def incident_types(text: str) -> dict[str, float]:
    """Probability of each MUC incident type being reported in ``text`` ({} without model)."""
    nlp = load_roles()
    if nlp is None or "incident" not in nlp.pipe_names:
        return {}
    return dict(nlp(lower_same_length(text), disable=["roles"]).cats)


# --- integration into the main pipeline -------------------------------------------


class RolesComponent:
    """Runs the packaged ``roles`` tagger on a lower-cased copy of each doc.

    Why a wrapper rather than the sourced ``ner`` itself: an ``ner`` writes
    ``doc.ents``, which belongs to the main pipeline's entity recogniser, and the roles
    model expects lower-cased input. The copy reuses the doc's own tokens (same token
    indices, so the spans transfer one-to-one) and only the tagger runs on it.
    """

    def __init__(self, roles_nlp: Language) -> None:
        self.roles_nlp = roles_nlp
        self.tagger = roles_nlp.get_pipe("roles")

    def _lower_copy(self, doc: Doc) -> Doc:
        words = [lower_same_length(t.text) for t in doc]
        spaces = [bool(t.whitespace_) for t in doc]
        return Doc(self.roles_nlp.vocab, words=words, spaces=spaces)

    @staticmethod
    def _transfer(doc: Doc, low: Doc) -> Doc:
        doc.spans[SPAN_KEY] = [Span(doc, e.start, e.end, label=e.label_) for e in low.ents]
        return doc

    def __call__(self, doc: Doc) -> Doc:
        return self._transfer(doc, self.tagger(self._lower_copy(doc)))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Batched version, used by ``nlp.pipe``."""
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._run(batch)
                batch = []
        if batch:
            yield from self._run(batch)

    def _run(self, batch: list[Doc]) -> Iterator[Doc]:
        lows = self.tagger.pipe([self._lower_copy(d) for d in batch], batch_size=len(batch))
        for doc, low in zip(batch, lows, strict=True):
            yield self._transfer(doc, low)


@Language.factory("conflictlens_roles")
def make_roles_component(nlp: Language, name: str) -> RolesComponent:
    """Factory for :class:`RolesComponent`; the weights come from the packaged model."""
    roles_nlp = load_roles()
    if roles_nlp is None:
        raise RuntimeError(f"roles model missing at {MODEL_DIR}: run `make train`")
    return RolesComponent(roles_nlp)


def add_to_pipeline(nlp: Language) -> None:
    """Add the role tagger to an ``en_core_web_sm`` pipeline, after its ``ner``.

    Afterwards every doc carries ``doc.spans["roles"]`` (labels = ROLE_LABELS) while
    ``doc.ents`` stays the main recogniser's. Does nothing if already added; raises
    RuntimeError when the model is not packaged.
    """
    if "roles" in nlp.pipe_names:
        return
    after = "ner" if "ner" in nlp.pipe_names else None
    nlp.add_pipe("conflictlens_roles", name="roles", after=after)


# --- MUC-4 helpers shared by training, evaluation and tests -----------------------


def span_scores(
    docs: list[dict], preds: list[list[RoleSpan]]
) -> dict[str, tuple[float, float, float]]:
    """Exact-match span P/R/F1 per label and overall ("ALL") against ``gold_spans``."""
    keys = (*ROLE_LABELS, "ALL")
    tp, npred, ngold = (dict.fromkeys(keys, 0) for _ in range(3))
    for d, spans in zip(docs, preds, strict=True):
        gold = set(gold_spans(d))
        pred = {(s.start, s.end, s.label) for s in spans}
        for k in keys:
            g = {s for s in gold if k in ("ALL", s[2])}
            p = {s for s in pred if k in ("ALL", s[2])}
            tp[k] += len(g & p)
            npred[k] += len(p)
            ngold[k] += len(g)
    out = {}
    for k in keys:
        p = tp[k] / npred[k] if npred[k] else 0.0
        r = tp[k] / ngold[k] if ngold[k] else 0.0
        out[k] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    return out


def gold_spans(doc: dict) -> list[tuple[int, int, str]]:
    """Character spans of every occurrence of every gold role mention of a MUC doc.

    MUC gold gives one offset per mention, but a name that fills a role fills it
    wherever it occurs, so we label all whole-word occurrences (a consistent target for
    a tagger). A string filling several roles takes its most frequent one (ties: role
    order); overlapping spans keep the longer one.
    """
    text: str = doc["doctext"]
    votes: dict[str, Counter[str]] = {}
    for t in doc.get("templates") or []:
        for role in ROLE_LABELS:
            for entity in t.get(role) or []:
                for mention, _off in entity:
                    m = mention.strip()
                    if m:
                        votes.setdefault(m, Counter())[role] += 1
    cands: list[tuple[int, int, str]] = []
    for mention, counts in votes.items():
        label = max(counts, key=lambda r: (counts[r], -ROLE_LABELS.index(r)))
        pat = re.compile(r"(?<!\w)" + re.escape(mention) + r"(?!\w)")
        cands.extend((m.start(), m.end(), label) for m in pat.finditer(text))
    cands.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    taken: list[tuple[int, int, str]] = []
    for s in cands:
        if all(s[1] <= o[0] or s[0] >= o[1] for o in taken):
            taken.append(s)
    return sorted(taken)


def muc_templates(
    spans: Iterable[RoleSpan],
    cats: dict[str, float],
    threshold: float = DEFAULT_THRESHOLD,
    max_types: int = DEFAULT_MAX_TYPES,
) -> list[dict[str, Any]]:
    """Model-only MUC templates: one per predicted incident type, each holding every
    predicted role entity (mentions grouped by normalised string).

    Types are those with probability >= threshold (at most ``max_types``, most likely
    first); no type, no template -- most MUC documents report no relevant incident.
    """
    types = sorted((t for t, p in cats.items() if p >= threshold), key=lambda t: -cats[t])
    types = types[:max_types]
    if not types:
        return []
    roles: dict[str, dict[str, list[Any]]] = {r: {} for r in ROLE_LABELS}
    for s in spans:
        key = norm_mention(s.text)
        if key and s.label in roles:
            roles[s.label].setdefault(key, [[s.text, s.start]])
    return [{"incident_type": t} | {r: list(roles[r].values()) for r in ROLE_LABELS} for t in types]
