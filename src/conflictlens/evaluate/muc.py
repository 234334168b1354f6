"""Scoring templates against MUC-4, the way the GTT scorer defines it.

``score_muc`` aligns predicted and gold templates per document to maximise correct slots
and micro-averages P/R/F1; ``predictions_json`` turns predicted templates into the plain
JSON that other scorers (GTT's eval.py among them) read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ._common import _best_assignment, _f1, _ratio

__all__ = [
    "MUC_ROLES",
    "MucScore",
    "load_muc",
    "norm_mention",
    "predictions_json",
    "score_muc",
]

MUC_ROLES: tuple[str, ...] = ("PerpInd", "PerpOrg", "Target", "Victim", "Weapon")
_ARTICLE_RE = re.compile(r"^(?:the|a|an)\s+")


def load_muc(path: str | Path) -> list[dict]:
    """Read a MUC-4 JSONL file (one document per line) into a list of dicts."""
    p = Path(path)
    docs: list[dict] = []
    try:
        with p.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        docs.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise InputError(f"{p}:{n}: not valid JSON: {exc}") from exc
    except FileNotFoundError as exc:
        raise InputError(f"MUC file not found: {p}") from exc
    return docs


def norm_mention(text: str) -> str:
    """Lower-case, collapse whitespace and drop a leading article: the GTT normalisation."""
    s = " ".join(str(text).lower().split())
    return _ARTICLE_RE.sub("", s, count=1)


def _mention_text(m: Any) -> str | None:
    if isinstance(m, str):
        return m
    if isinstance(m, list | tuple) and m and isinstance(m[0], str):
        return m[0]
    return None


def _entity_mentions(entity: Any) -> set[str]:
    """Normalised mentions of one entity: a bare string, a [mention, offset] pair, or a
    list of either."""
    if isinstance(entity, str):
        items: list[Any] = [entity]
    elif (
        isinstance(entity, list | tuple)
        and len(entity) == 2
        and isinstance(entity[0], str)
        and isinstance(entity[1], int)
    ):
        items = [entity]
    else:
        items = list(entity or [])
    out = {norm_mention(t) for t in map(_mention_text, items) if t is not None}
    return {m for m in out if m}


def _incident_types(value: Any) -> set[str]:
    """Set of types a label stands for: "bombing / attack" stands for both."""
    return {p.strip().lower() for p in str(value or "").split("/") if p.strip()}


def _prep_template(t: dict) -> dict[str, Any]:
    return {
        "type": _incident_types(t.get("incident_type")),
        "roles": {r: [_entity_mentions(e) for e in (t.get(r) or [])] for r in MUC_ROLES},
    }


def _role_correct(pred_ents: list[set[str]], gold_ents: list[set[str]]) -> int:
    """Maximum one-to-one matching of predicted to gold entities sharing a mention."""
    if not pred_ents or not gold_ents:
        return 0
    w = np.array([[1.0 if p & g else 0.0 for g in gold_ents] for p in pred_ents])
    return int(sum(w[i, j] for i, j in _best_assignment(w)))


def _pair_correct(p: dict, g: dict) -> dict[str, int] | None:
    """Correct slots per role (plus incident_type) of an aligned pair; None when the
    incident types differ, since such a pair may not be aligned."""
    if not p["type"] & g["type"]:
        return None
    out = {"incident_type": 1}
    for r in MUC_ROLES:
        out[r] = _role_correct(p["roles"][r], g["roles"][r])
    return out


def _slots(t: dict) -> dict[str, int]:
    return {"incident_type": 1} | {r: len(t["roles"][r]) for r in MUC_ROLES}


@dataclass
class MucScore:
    """Micro-averaged MUC-4 template scores; per_role includes "incident_type"."""

    precision: float
    recall: float
    f1: float
    per_role: dict[str, tuple[float, float, float]]
    docs: int
    correct: int = 0
    predicted: int = 0
    gold: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "per_role": {k: list(v) for k, v in self.per_role.items()},
            "docs": self.docs,
            "correct": self.correct,
            "predicted": self.predicted,
            "gold": self.gold,
        }


def score_muc(pred: dict[str, list[dict]], gold_docs: list[dict]) -> MucScore:
    """Score predicted templates against MUC-4 gold, the way the GTT scorer defines it.

    Per document the one-to-one template alignment maximising correct slots is taken
    (only same-incident-type pairs may align); every predicted slot counts as predicted
    and every gold slot as gold, aligned or not. Predictions for docids not in the gold
    are ignored; a gold document without predictions counts as empty output.
    """
    keys = ("incident_type", *MUC_ROLES)
    correct = dict.fromkeys(keys, 0)
    n_pred = dict.fromkeys(keys, 0)
    n_gold = dict.fromkeys(keys, 0)
    for doc in gold_docs:
        gts = [_prep_template(t) for t in doc.get("templates") or []]
        pts = [_prep_template(t) for t in pred.get(doc.get("docid"), []) or []]
        for t in pts:
            for k, v in _slots(t).items():
                n_pred[k] += v
        for t in gts:
            for k, v in _slots(t).items():
                n_gold[k] += v
        table = [[_pair_correct(p, g) for g in gts] for p in pts]
        w = np.array(
            [[sum(c.values()) if c else 0.0 for c in row] for row in table], dtype=float
        ).reshape(len(pts), len(gts))
        for i, j in _best_assignment(w):
            if table[i][j] is not None:
                for k, v in table[i][j].items():
                    correct[k] += v
    per_role: dict[str, tuple[float, float, float]] = {}
    for k in keys:
        p, r = _ratio(correct[k], n_pred[k]), _ratio(correct[k], n_gold[k])
        per_role[k] = (p, r, _f1(p, r))
    tc, tp_, tg = sum(correct.values()), sum(n_pred.values()), sum(n_gold.values())
    precision, recall = _ratio(tc, tp_), _ratio(tc, tg)
    return MucScore(
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        per_role=per_role,
        docs=len(gold_docs),
        correct=tc,
        predicted=tp_,
        gold=tg,
    )


def _entity_strings(entity: Any) -> list[str]:
    """The mention strings of one entity, as written (not normalised), in order, once each.

    Accepts every shape ``_entity_mentions`` does: a bare string, a [mention, offset]
    pair, or a list of either.
    """
    if isinstance(entity, str) or (
        isinstance(entity, list | tuple)
        and len(entity) == 2
        and isinstance(entity[0], str)
        and isinstance(entity[1], int)
    ):
        items: list[Any] = [entity]
    else:
        items = list(entity or [])
    out: list[str] = []
    for text in map(_mention_text, items):
        if text is not None and text.strip() and text not in out:
            out.append(text)
    return out


def predictions_json(
    pred: dict[str, list[dict]], docids: Iterable[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """docid -> templates in one fixed shape, whatever shape the predictor used:
    ``{"incident_type": str, role: [[mention, ...], ...] for every role}``, each role a
    list of entities and each entity the list of its mention strings.

    Every role is present (an empty list when unfilled), because ``muc.predict`` leaves
    roles out of a template the encoder added. With ``docids``, each of them appears
    (``[]`` when nothing was predicted), so a reader can tell "no templates" from "not run".
    """
    keys = list(pred) if docids is None else list(dict.fromkeys([*docids, *pred]))
    out: dict[str, list[dict[str, Any]]] = {}
    for docid in keys:
        rows: list[dict[str, Any]] = []
        for t in pred.get(docid) or []:
            row: dict[str, Any] = {"incident_type": str(t.get("incident_type") or "")}
            for role in MUC_ROLES:
                entities = [_entity_strings(e) for e in t.get(role) or []]
                row[role] = [e for e in entities if e]
            rows.append(row)
        out[str(docid)] = rows
    return out
