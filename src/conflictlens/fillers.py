"""fillers: a learned ranker that picks the role fillers of an event template.

Why: the parse rules and the ``roles`` tagger each propose victims, targets,
perpetrators and weapons, and each is wrong more often than right on MUC-4 (a filler
must be the noun phrase a human coder would write). This stage stacks them: every noun
phrase of the document is a candidate, described by sparse features -- its head and
governor, the trigger it hangs off, where it stands in the story, what the rules and the
tagger said about it, the actor dictionary's category -- and one logistic model per role
scores it. Training (``scripts/train_fillers.py``, part of ``make train``) uses MUC-4
train only; the weights ship in ``data/fillers_model.npz`` (see README-fillers.md).

The model is linear over hashed features, so it needs only numpy at run time and is
fast: scoring is a sparse dot product per candidate.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Doc, Span

from conflictlens.actors import ActorDictionary
from conflictlens.evaluate import norm_mention
from conflictlens.models import Event
from conflictlens.stages.extract import lexicon

ROLES: tuple[str, ...] = ("PerpInd", "PerpOrg", "Target", "Victim", "Weapon")
N_FEATURES = 1 << 18
MODEL_PATH = Path(__file__).resolve().parent / "data" / "fillers_model.npz"
#: Longest candidate, in tokens: MUC fillers are short noun phrases.
MAX_TOKENS = 10
#: Shorter forms of one phrase tried as candidates (see _tails).
MAX_TAILS = 6
# Event fields the rules fill, by the MUC role they correspond to.
_RULE_FIELDS = {
    "perpetrators": "PerpInd",
    "victims": "Victim",
    "targets": "Target",
    "weapons": "Weapon",
}


#: The scorer's normal form of a mention: lower case, single spaces, no leading article.
norm = norm_mention


@dataclass(frozen=True)
class Candidate:
    """A noun phrase that could fill a role; offsets index the document text."""

    start: int
    end: int
    text: str
    head: str  # head lemma, the key for "same entity" within a document
    features: tuple[str, ...]


@dataclass(frozen=True)
class Filler:
    role: str
    text: str
    start: int
    end: int
    head: str
    score: float


# --- candidates -----------------------------------------------------------------------


def _trimmed(span: Span) -> Span:
    """The phrase without leading determiners and possessives ("the", "its")."""
    start = span.start
    while start < span.end - 1 and span.doc[start].dep_ in ("det", "poss", "predet", "case"):
        start += 1
    return span.doc[start : span.end]


def _with_of(span: Span) -> Span | None:
    """ "members" -> "members of the 8th front": the head's "of" phrase, when short."""
    for child in span.root.rights:
        if child.dep_ == "prep" and child.lower_ == "of":
            end = max(t.i for t in child.subtree) + 1
            if end - span.start <= MAX_TOKENS:
                return span.doc[span.start : end]
    return None


def _tails(span: Span) -> list[Span]:
    """The phrase without its leading modifiers, one at a time, down to the head:
    "500 houses" -> "houses", "spanish jesuit ignacio ellacuria" -> "ignacio ellacuria",
    and without a trailing possessive ("the sheraton hotel's" -> "sheraton hotel").
    Annotators write the bare form; which one is the ranker's to learn."""
    end = span.end
    if end - span.start > 1 and span.doc[end - 1].dep_ == "case":
        end -= 1
    root = span.doc[span.start : end].root
    out = [
        span.doc[k:end]
        for k in range(span.start, root.i + 1)
        if not (span.doc[k].is_punct or span.doc[k].dep_ in ("case", "cc", "prep"))
    ]
    return out[:MAX_TAILS]


def _spans(doc: Doc) -> list[Span]:
    out: dict[tuple[int, int], Span] = {}
    for chunk in doc.noun_chunks:
        for span in (chunk, _trimmed(chunk)):
            out[(span.start, span.end)] = span
            wider = _with_of(span)
            if wider is not None:
                out[(wider.start, wider.end)] = wider
        for span in _tails(_trimmed(chunk)):
            out[(span.start, span.end)] = span
    for ent in doc.ents:
        if ent.label_ in ("PERSON", "ORG", "NORP", "FAC", "GPE"):
            out[(ent.start, ent.end)] = ent
    return [s for s in out.values() if 0 < len(s) <= MAX_TOKENS and s.text.strip()]


@functools.cache
def _triggers() -> frozenset[str]:
    lex = lexicon()
    return frozenset(lex["verbs"]) | frozenset(lex["nouns"])


def _bucket(n: int, edges: Sequence[int]) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f">{edges[-1]}"


def _overlap_labels(start: int, end: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    out = []
    for s, e, label in spans:
        if s == start and e == end:
            out.append(f"={label}")
        elif s < end and start < e:
            out.append(f"~{label}")
    return out


def candidates(
    doc: Doc,
    events: Sequence[Event] = (),
    tagged: Sequence[tuple[int, int, str]] = (),
    incident: dict[str, float] | None = None,
) -> list[Candidate]:
    """Every candidate filler of ``doc`` with its features.

    ``events`` are the rule-based events of the same text (their role fields are
    features), ``tagged`` the ``roles`` tagger's (start, end, label) spans, ``incident``
    the document's incident-type probabilities.
    """
    text = doc.text
    triggers = _triggers()
    sent_index = {s.start: i for i, s in enumerate(doc.sents)}
    rule_spans = [
        (a.start, a.end, role)
        for event in events
        for field_name, role in _RULE_FIELDS.items()
        for a in getattr(event, field_name)
    ]
    for event in events:
        if event.actor1 is not None and event.actor1.mention:
            for ev in event.evidence:
                if ev.field == "actor1":
                    rule_spans.append((ev.start, ev.end, "Actor1"))
    actor_spans = [
        (m.start, m.end, "generic" if m.entry.generic else (m.entry.category or "named"))
        for m in ActorDictionary.default().find(text)
    ]
    heads: dict[str, int] = {}
    spans = _spans(doc)
    for span in spans:
        heads[span.root.lemma_.lower()] = heads.get(span.root.lemma_.lower(), 0) + 1
    doc_feats = []
    if incident:
        best = max(incident, key=incident.get)
        doc_feats += [
            f"rel={_bucket(int(100 * incident[best]), (5, 10, 20, 40, 60, 80, 100))}",
            f"inc={best}",
        ]
    out: list[Candidate] = []
    first_mention: dict[str, int] = {}
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        head = span.root
        lemma = head.lemma_.lower()
        sent = span.sent
        gov = head.head
        feats = [
            "bias",
            f"h={lemma}",
            f"hd={lemma}|{head.dep_}",
            f"ent={head.ent_type_}",
            f"tag={head.tag_}",
            f"first={span[0].lower_}",
            f"len={_bucket(len(span), (1, 2, 3, 4, 6))}",
            f"sent={_bucket(sent_index.get(sent.start, 99), (0, 1, 2, 4, 8))}",
            f"freq={_bucket(heads[lemma], (1, 2, 3, 5))}",
            *doc_feats,
        ]
        if head.dep_ == "pobj" and gov.head is not gov:
            feats += [f"g={gov.head.lemma_.lower()}|{gov.lower_}", f"p={gov.lower_}"]
            gov_word = gov.head
        else:
            feats.append(f"g={gov.lemma_.lower()}|{head.dep_}")
            gov_word = gov
        feats.append(f"gl={gov_word.lemma_.lower()}")
        feats.append(f"hg={lemma}|{gov_word.lemma_.lower()}")
        if gov_word.lemma_.lower() in triggers:
            feats += [f"gtrig|{head.dep_}", f"gtrig={gov_word.lemma_.lower()}|{head.dep_}"]
        before = doc[span.start - 1] if span.start > 0 else None
        after = doc[span.end] if span.end < len(doc) else None
        feats.append(f"prev={before.lower_ if before is not None else '<s>'}")
        feats.append(f"next={after.lower_ if after is not None else '</s>'}")
        feats.append(f"entdep={head.ent_type_}|{head.dep_}")
        if first_mention.setdefault(lemma, span.start) == span.start:
            feats.append("first_mention")
        feats += [f"w={t.lower_}" for t in span if not t.is_punct]
        if any(t.like_num or t.dep_ == "nummod" for t in span):
            feats.append("num")
        if span.text[:1] == '"' or text[max(0, span.start_char - 1) : span.start_char] == '"':
            feats.append("quoted")
        sent_triggers = [t for t in sent if t.lemma_.lower() in triggers and t.i != head.i]
        if sent_triggers:
            near = min(sent_triggers, key=lambda t: abs(t.i - head.i))
            feats += [
                f"trig={near.lemma_.lower()}",
                f"tdist={_bucket(abs(near.i - head.i), (1, 2, 4, 8, 16))}",
                f"tside={'before' if head.i < near.i else 'after'}",
            ]
        else:
            feats.append("notrig")
        start, end = span.start_char, span.end_char
        feats += [f"rule{x}" for x in _overlap_labels(start, end, rule_spans)]
        feats += [f"tagger{x}" for x in _overlap_labels(start, end, tagged)]
        feats += [f"actor{x}" for x in _overlap_labels(start, end, actor_spans)]
        out.append(Candidate(start, end, span.text, lemma, tuple(feats)))
    return out


# --- model ----------------------------------------------------------------------------


def feature_index(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % N_FEATURES


def matrix(cands: Sequence[Candidate]):
    """Binary sparse design matrix (scipy CSR) of ``cands``."""
    from scipy.sparse import csr_matrix

    indptr, indices = [0], []
    for c in cands:
        idx = sorted({feature_index(f) for f in c.features})
        indices.extend(idx)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return csr_matrix(
        (data, np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
        shape=(len(cands), N_FEATURES),
    )


@dataclass
class Model:
    """One weight vector per role, plus the decision threshold chosen on dev."""

    weights: np.ndarray  # (len(ROLES), N_FEATURES)
    thresholds: dict[str, float]

    def scores(self, cands: Sequence[Candidate]) -> np.ndarray:
        """(len(cands), len(ROLES)) probabilities."""
        if not cands:
            return np.zeros((0, len(ROLES)))
        # A binary design row times the weights is the sum of the weight columns of its
        # features: numpy alone, so that reading needs no scipy (training builds ``matrix``).
        weights = self.weights.astype(np.float32)
        logits = np.stack(
            [weights[:, sorted({feature_index(f) for f in c.features})].sum(axis=1) for c in cands]
        )
        return 1.0 / (1.0 + np.exp(-logits))

    def save(self, path: Path = MODEL_PATH) -> None:
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float16),
            thresholds=np.array([self.thresholds[r] for r in ROLES]),
        )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Model:
        data = np.load(path)
        weights = data["weights"].astype(np.float32)
        return cls(weights, dict(zip(ROLES, map(float, data["thresholds"]), strict=True)))


@functools.cache
def default_model() -> Model | None:
    return Model.load() if MODEL_PATH.exists() else None


def train(
    cands: Sequence[Candidate], labels: np.ndarray, l2: float = 1.0, max_iter: int = 300
) -> np.ndarray:
    """Per-role L2 logistic regression (L-BFGS); ``labels`` is (n, len(ROLES)) of 0/1."""
    from scipy.optimize import minimize

    x = matrix(cands)
    xt = x.T.tocsr()
    weights = np.zeros((len(ROLES), N_FEATURES), dtype=np.float64)
    for r in range(len(ROLES)):
        y = labels[:, r].astype(np.float64)

        def loss(w: np.ndarray, y: np.ndarray = y) -> tuple[float, np.ndarray]:
            z = x @ w
            # log(1 + e^z) - y z, computed stably
            value = np.logaddexp(0.0, z).sum() - y @ z + 0.5 * l2 * w @ w
            grad = xt @ (1.0 / (1.0 + np.exp(-z)) - y) + l2 * w
            return float(value), grad

        res = minimize(loss, weights[r], jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
        weights[r] = res.x
    return weights


# --- decoding -------------------------------------------------------------------------


def pick(cands: Sequence[Candidate], scores: np.ndarray, model: Model) -> list[Filler]:
    """Fillers above each role's threshold, one per entity (head lemma) and role, the
    best-scored phrase first; a phrase fills only its best role."""
    best_role = scores.argmax(axis=1) if len(cands) else np.array([], dtype=int)
    chosen: dict[tuple[str, str], Filler] = {}
    for i, cand in enumerate(cands):
        r = int(best_role[i])
        role = ROLES[r]
        score = float(scores[i, r])
        if score < model.thresholds[role]:
            continue
        key = (role, cand.head)
        if key not in chosen or score > chosen[key].score:
            chosen[key] = Filler(role, cand.text, cand.start, cand.end, cand.head, score)
    return sorted(chosen.values(), key=lambda f: -f.score)
