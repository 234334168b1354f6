"""Scoring our events against the corpus gold files (``NAME.gold.json``).

Gold files (described in ``corpus/FORMAT.md``) hold ACLED-style events plus the expected
article structure. ``score_events`` matches predicted to gold events (date overlap +
compatible place, maximum one-to-one assignment) and reports event P/R/F1 and per-field
accuracy; ``score_article`` checks each key of the gold ``article`` block;
``score_corpus`` runs a predictor over a folder.

Assignments use ``scipy.optimize.linear_sum_assignment`` (the ``eval`` extra), so a
document with many events is still scored optimally.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ._common import _best_assignment, _f1, _haversine_km, _norm_text, _parse_day, _ratio

__all__ = [
    "CITY_RADIUS_KM",
    "EVENT_FIELDS",
    "CorpusScore",
    "DocScore",
    "GoldScore",
    "load_gold",
    "score_article",
    "score_corpus",
    "score_events",
]

EVENT_FIELDS: tuple[str, ...] = ("type", "date", "location", "actor1", "actor2", "fatalities")
CITY_RADIUS_KM = 50.0


# --- gold files: parsing ----------------------------------------------------------


def load_gold(path: str | Path) -> dict:
    """Read a gold file and check the parts the scorer relies on, so a typo in a
    hand-written gold file fails loudly instead of silently scoring zero."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"gold file not found: {p}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"gold file {p} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("events", []), list):
        raise InputError(f"gold file {p}: expected an object with an 'events' list")
    seen: set[str] = set()
    for i, ev in enumerate(data.get("events", [])):
        for key in ("id", "types", "date", "location"):
            if key not in ev:
                raise InputError(f"gold file {p}: event #{i} lacks '{key}'")
        if ev["id"] in seen:
            raise InputError(f"gold file {p}: duplicate event id {ev['id']}")
        seen.add(ev["id"])
        if _parse_interval(ev["date"]) is None:
            raise InputError(f"gold file {p}: event {ev['id']} has an unreadable date")
    return data


def _parse_interval(date: Any) -> tuple[dt.date, dt.date] | None:
    """(start, end) of a {"start","end"} date, or None when missing or unreadable."""
    if not isinstance(date, dict):
        return None
    start = _parse_day(date.get("start"), end=False)
    end = _parse_day(date.get("end") or date.get("start"), end=True)
    if start is None or end is None or end < start:
        return None
    return start, end


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    """Lower-cased country name / ISO2 / ISO3 -> ISO2, from GeoNames' country table."""
    from conflictlens.kb.countries import countries

    index: dict[str, str] = {}
    for iso, row in countries().items():
        for key in (iso, row.get("iso3"), row.get("name")):
            if key:
                index[str(key).lower()] = iso
    return index


def _country_keys(*values: Any) -> set[str]:
    """Comparable keys for a country given by name or code: ISO2 when known, else the
    normalised text, so "Pakistan" and "PK" meet."""
    keys: set[str] = set()
    index = _country_index()
    for value in values:
        text = _norm_text(value).lower()
        if text:
            keys.add(index.get(text, text))
    return keys


# --- gold files: matching and field rules -----------------------------------------


def _place_check(pred_loc: Any, gold_loc: dict) -> tuple[bool, bool, str]:
    """(compatible for matching, same country, reason when not compatible).

    City against city is judged by distance (50 km of the gold point); when either side
    is a region or a country the only meaningful test is the country, because a
    centroid is not a place.
    """
    if not isinstance(pred_loc, dict):
        return False, False, "no predicted location"
    pred_c = _country_keys(pred_loc.get("country"), pred_loc.get("country_code"))
    gold_c = _country_keys(gold_loc.get("country"), gold_loc.get("country_code"))
    same_country = bool(pred_c & gold_c)
    pred_prec = str(pred_loc.get("precision") or "city").lower()
    gold_prec = str(gold_loc.get("precision") or "city").lower()
    if pred_prec == "city" and gold_prec == "city":
        plat, plon = pred_loc.get("lat"), pred_loc.get("lon")
        glat, glon = gold_loc.get("lat"), gold_loc.get("lon")
        if None in (plat, plon, glat, glon):
            return False, same_country, "city without coordinates"
        km = _haversine_km(float(plat), float(plon), float(glat), float(glon))
        if km > CITY_RADIUS_KM:
            return False, same_country, f"{km:.0f} km from {gold_loc.get('name')}"
        return True, same_country, ""
    if same_country:
        return True, True, ""
    return (
        False,
        False,
        f"country {pred_loc.get('country') or pred_loc.get('country_code')!r} "
        f"is not {gold_loc.get('country')!r}",
    )


def _pred_type(pred: dict) -> tuple[str, str]:
    """(full "Type/Sub" string, type alone) of a prediction, normalised for comparison."""
    full = pred.get("type")
    etype, sub = pred.get("event_type"), pred.get("sub_event_type")
    if not full and etype:
        full = f"{etype}/{sub}" if sub else etype
    return _norm_text(full).lower(), _norm_text(etype).lower()


def _type_right(pred: dict, gold_types: Iterable[str]) -> bool:
    """Right when the predicted "Type/Sub" is listed, or a listed entry is only the type.

    ACLED type names may contain a slash themselves ("Explosions/Remote violence"), so a
    type-only entry is recognised by equality with the predicted event_type, falling
    back to a "entry/" prefix of the full string when event_type is absent.
    """
    full, etype = _pred_type(pred)
    if not full:
        return False
    for entry in gold_types:
        g = _norm_text(entry).lower()
        if g == full or (etype and g == etype) or (not etype and full.startswith(g + "/")):
            return True
    return False


def _contains_name(haystack: str, needle: str) -> bool:
    """Case-insensitive containment on word boundaries ("police" is in "Karachi police"
    but not in "policeman"), so short acronyms cannot match inside other words."""
    h, n = _norm_text(haystack).lower(), _norm_text(needle).lower()
    if not h or not n:
        return False
    return re.search(rf"(?<!\w){re.escape(n)}(?!\w)", h) is not None


def _actor_right(pred_actor: Any, gold_names: list[str]) -> bool:
    if not gold_names:
        return not isinstance(pred_actor, dict) or not _norm_text(pred_actor.get("name"))
    if not isinstance(pred_actor, dict):
        return False
    candidates = [pred_actor.get("name"), pred_actor.get("mention")]
    candidates += list(pred_actor.get("aliases") or [])
    return any(_contains_name(str(c), g) for c in candidates if c for g in gold_names if g)


def _fatalities_right(pred_fat: Any, gold_fat: Any) -> bool:
    if gold_fat is None:
        return pred_fat is None
    if not isinstance(pred_fat, dict) or pred_fat.get("best") is None:
        return False
    low = gold_fat.get("low", gold_fat.get("best"))
    high = gold_fat.get("high", gold_fat.get("best"))
    return low <= pred_fat["best"] <= high


def _field_results(pred: dict, gold: dict) -> tuple[dict[str, bool], dict[str, str]]:
    """Each field's verdict for one pair, and a short reason for each wrong one."""
    ok: dict[str, bool] = {}
    why: dict[str, str] = {}

    ok["type"] = _type_right(pred, gold.get("types") or [])
    if not ok["type"]:
        why["type"] = f"{pred.get('type')!r} not in {gold.get('types')}"

    p_int, g_int = _parse_interval(pred.get("date")), _parse_interval(gold["date"])
    if p_int is None or g_int is None:
        ok["date"] = False
        why["date"] = "no predicted date"
    else:
        one = dt.timedelta(days=1)
        ok["date"] = g_int[0] - one <= p_int[0] and p_int[1] <= g_int[1] + one
        if not ok["date"]:
            why["date"] = f"{p_int[0]}..{p_int[1]} not inside {g_int[0]}..{g_int[1]} (+-1 day)"

    compatible, same_country, reason = _place_check(pred.get("location"), gold["location"])
    ok["location"] = compatible and same_country
    if not ok["location"]:
        why["location"] = reason or "country differs"

    for role in ("actor1", "actor2"):
        names = gold.get(role) or []
        ok[role] = _actor_right(pred.get(role), names)
        if not ok[role]:
            got = (pred.get(role) or {}).get("name") if isinstance(pred.get(role), dict) else None
            why[role] = f"{got!r} vs {names or 'none'}"

    ok["fatalities"] = _fatalities_right(pred.get("fatalities"), gold.get("fatalities"))
    if not ok["fatalities"]:
        why["fatalities"] = f"{pred.get('fatalities')} vs {gold.get('fatalities')}"
    return ok, why


def _candidate(pred: dict, gold: dict) -> tuple[bool, str]:
    """Whether a pair may be matched (dates overlap, place compatible), with a reason."""
    p_int, g_int = _parse_interval(pred.get("date")), _parse_interval(gold["date"])
    if p_int is None:
        return False, "no predicted date"
    if p_int[1] < g_int[0] or g_int[1] < p_int[0]:
        return False, f"date {p_int[0]}..{p_int[1]} does not overlap {g_int[0]}..{g_int[1]}"
    compatible, _, reason = _place_check(pred.get("location"), gold["location"])
    return compatible, reason


@dataclass
class GoldScore:
    """Event-level scores of one document's predictions against its gold file."""

    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    matches: list[tuple[str, int]]  # (gold id, predicted index), optional golds included
    field_correct: dict[str, int]
    field_total: dict[str, int]
    field_accuracy: dict[str, float]
    per_event: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "matches": [list(m) for m in self.matches],
            "field_correct": dict(self.field_correct),
            "field_total": dict(self.field_total),
            "field_accuracy": dict(self.field_accuracy),
            "per_event": self.per_event,
        }


def score_events(pred: list[dict], gold: dict) -> GoldScore:
    """Match predictions to gold events and score them (FORMAT.md, "Matching and scores").

    The assignment maximises the number of matches first, then the number of right
    fields, then (only to break remaining ties) matches to required rather than optional
    gold events -- a weight of 1000*match + 10*fields + required does all three at once.
    """
    gold_events: list[dict] = list(gold.get("events", []))
    n_p, n_g = len(pred), len(gold_events)
    cand = [[_candidate(p, g) for g in gold_events] for p in pred]
    fields = [[_field_results(p, g) for g in gold_events] for p in pred]
    weights = np.zeros((n_p, n_g))
    for i in range(n_p):
        for j in range(n_g):
            if cand[i][j][0]:
                right = sum(fields[i][j][0].values())
                required = gold_events[j].get("required", True) is not False
                weights[i, j] = 1000 + 10 * right + int(required)
    pairs = [(i, j) for i, j in _best_assignment(weights) if cand[i][j][0]]
    by_gold = {j: i for i, j in pairs}
    by_pred = {i: j for i, j in pairs}

    tp = fp = fn = 0
    correct = dict.fromkeys(EVENT_FIELDS, 0)
    total = dict.fromkeys(EVENT_FIELDS, 0)
    per_event: list[dict] = []
    for j, g in enumerate(gold_events):
        required = g.get("required", True) is not False
        entry: dict[str, Any] = {
            "gold_id": g["id"],
            "required": required,
            "pred_index": by_gold.get(j),
            "fields": {},
            "reasons": {},
        }
        if j in by_gold:
            ok, why = fields[by_gold[j]][j]
            entry["fields"], entry["reasons"] = ok, why
            if required:
                tp += 1
                for name in EVENT_FIELDS:
                    total[name] += 1
                    correct[name] += int(ok[name])
        else:
            if required:
                fn += 1
            misses = [f"pred {i}: {cand[i][j][1]}" for i in range(n_p) if not cand[i][j][0]]
            entry["reasons"] = {"match": "; ".join(misses) or "no prediction"}
        per_event.append(entry)
    for i in range(n_p):
        if i not in by_pred:
            fp += 1
            why = (
                "no candidate gold event"
                if not any(c[0] for c in cand[i])
                else "its candidate gold events went to better-fitting predictions"
            )
            per_event.append(
                {
                    "gold_id": None,
                    "required": None,
                    "pred_index": i,
                    "fields": {},
                    "reasons": {"match": why},
                }
            )
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return GoldScore(
        tp=tp,
        fp=fp,
        fn=fn,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        matches=sorted(((gold_events[j]["id"], i) for i, j in pairs), key=lambda m: m[1]),
        field_correct=correct,
        field_total=total,
        field_accuracy={k: _ratio(correct[k], total[k]) for k in EVENT_FIELDS},
        per_event=per_event,
    )


# --- gold files: article structure ------------------------------------------------

_EXACT_SCALARS = ("headline", "kicker", "publisher", "language")
_EXACT_LISTS = ("authors", "speakers", "tags", "related")
_TRAILING_PUNCT = ".,;:!?\u2026-\u2013\u2014 \t"


def _same_scalar(pred: Any, gold: Any) -> bool:
    if gold is None or pred is None:
        return gold is None and (pred is None or _norm_text(pred) == "")
    if isinstance(gold, bool | int | float) and not isinstance(gold, bool):
        try:
            return float(pred) == float(gold)
        except (TypeError, ValueError):
            return False
    return _norm_text(pred) == _norm_text(gold)


def _same_list(pred: Any, gold: list) -> bool:
    if not isinstance(pred, list):
        return False
    return [_norm_text(x) for x in pred] == [_norm_text(x) for x in gold]


def _lines(text: Any) -> list[str]:
    return [_norm_text(line) for line in str(text or "").splitlines()]


def _captions_right(pred: Any, gold: list[dict]) -> bool:
    items = [c for c in (pred or []) if isinstance(c, dict)]
    for g in gold:
        start, credit = _norm_text(g.get("starts")), _norm_text(g.get("credit"))
        if not any(
            _norm_text(c.get("text")).startswith(start) and _norm_text(c.get("credit")) == credit
            for c in items
        ):
            return False
    return True


def _boilerplate_right(pred_article: dict, gold: list[str]) -> bool:
    body_lines = set(_lines(pred_article.get("body")))
    removed = [line for item in pred_article.get("boilerplate") or [] for line in _lines(item)]
    for s in map(_norm_text, gold):
        if s in body_lines:
            return False
        if not any(line == s or s in line for line in removed):
            return False
    return True


def _truncated_right(pred: Any, gold: list[str]) -> bool:
    def key(s: Any) -> str:
        return _norm_text(s).rstrip(_TRAILING_PUNCT)

    if not isinstance(pred, list):
        return not gold
    return Counter(key(p) for p in pred) == Counter(key(g) for g in gold)


def score_article(pred_article: dict, gold_article: dict) -> dict[str, bool]:
    """One verdict per key of the gold ``article`` block (see FORMAT.md).

    Scalars and lists must be equal after whitespace/quote normalisation (lists in the
    same order); the special keys follow their own rules. A key this scorer does not
    know is compared for plain equality, so new gold keys are never silently skipped.
    """
    pred_article = pred_article or {}
    out: dict[str, bool] = {}
    for key, gold in gold_article.items():
        pred = pred_article.get(key)
        if key == "published":
            p = _norm_text(pred)
            g = _norm_text(gold)
            out[key] = p == g or (bool(g) and len(g) == 10 and p.startswith(g + "T"))
        elif key in ("reading_time_minutes", "questions"):
            out[key] = _same_scalar(pred, gold)
        elif key == "standfirst_starts":
            out[key] = _norm_text(pred_article.get("standfirst")).startswith(_norm_text(gold))
        elif key == "captions":
            out[key] = _captions_right(pred, gold or [])
        elif key == "boilerplate":
            out[key] = _boilerplate_right(pred_article, gold or [])
        elif key == "truncated":
            out[key] = _truncated_right(pred, gold or [])
        elif key in _EXACT_LISTS or isinstance(gold, list):
            out[key] = _same_list(pred, gold)
        else:  # _EXACT_SCALARS and anything new
            out[key] = _same_scalar(pred, gold)
    return out


# --- gold files: whole corpus -----------------------------------------------------


@dataclass
class DocScore:
    """One document's result inside a corpus run."""

    name: str
    path: str
    events: GoldScore
    article: dict[str, bool]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "events": self.events.to_dict(),
            "article": dict(self.article),
        }


@dataclass
class CorpusScore:
    """Micro-averaged scores over every gold-annotated document of a folder."""

    docs: list[DocScore]
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    field_correct: dict[str, int]
    field_total: dict[str, int]
    field_accuracy: dict[str, float]
    article_correct: dict[str, int]
    article_total: dict[str, int]
    article_accuracy: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": len(self.docs),
            "events": {
                "tp": self.tp,
                "fp": self.fp,
                "fn": self.fn,
                "precision": self.precision,
                "recall": self.recall,
                "f1": self.f1,
            },
            "field_correct": dict(self.field_correct),
            "field_total": dict(self.field_total),
            "field_accuracy": dict(self.field_accuracy),
            "article_correct": dict(self.article_correct),
            "article_total": dict(self.article_total),
            "article_accuracy": dict(self.article_accuracy),
            "docs": [d.to_dict() for d in self.docs],
        }

    def render(self) -> str:
        """A plain-text report: per-document lines, then the micro-averaged tables."""
        out = [f"{'document':<40} {'TP':>4} {'FP':>4} {'FN':>4} {'P':>6} {'R':>6} {'F1':>6}"]
        for d in self.docs:
            e = d.events
            out.append(
                f"{d.name[:40]:<40} {e.tp:>4} {e.fp:>4} {e.fn:>4} "
                f"{e.precision:>6.3f} {e.recall:>6.3f} {e.f1:>6.3f}"
            )
        out.append(
            f"{'ALL (micro)':<40} {self.tp:>4} {self.fp:>4} {self.fn:>4} "
            f"{self.precision:>6.3f} {self.recall:>6.3f} {self.f1:>6.3f}"
        )
        out += ["", f"{'event field':<24} {'right':>6} {'of':>6} {'acc':>6}"]
        for k in EVENT_FIELDS:
            out.append(
                f"{k:<24} {self.field_correct[k]:>6} {self.field_total[k]:>6} "
                f"{self.field_accuracy[k]:>6.3f}"
            )
        if self.article_total:
            out += ["", f"{'article field':<24} {'right':>6} {'of':>6} {'acc':>6}"]
            for k in self.article_total:
                out.append(
                    f"{k:<24} {self.article_correct[k]:>6} {self.article_total[k]:>6} "
                    f"{self.article_accuracy[k]:>6.3f}"
                )
        return "\n".join(out)


def _gold_pairs(folder: Path) -> list[tuple[Path, Path]]:
    """(document, gold file) pairs under ``folder``: NAME.txt or NAME.html beside
    NAME.gold.json (or the file the gold's "document" key names)."""
    pairs: list[tuple[Path, Path]] = []
    for gold_path in sorted(folder.rglob("*.gold.json")):
        stem = gold_path.name[: -len(".gold.json")]
        options = [gold_path.with_name(stem + ext) for ext in (".txt", ".html", ".htm")]
        try:
            named = json.loads(gold_path.read_text(encoding="utf-8")).get("document")
        except (json.JSONDecodeError, AttributeError):
            named = None
        if isinstance(named, str) and named:
            options.insert(0, gold_path.with_name(named))
        doc = next((o for o in options if o.is_file()), None)
        if doc is not None:
            pairs.append((doc, gold_path))
    return pairs


def score_corpus(folder: str | Path, predict: Callable[[Path], dict]) -> CorpusScore:
    """Run ``predict`` on every gold-annotated document of ``folder`` and micro-average.

    ``predict(path)`` returns ``{"article": ..., "events": [...]}`` as produced by
    ``ExtractionResult.to_dict()``. Errors from ``predict`` propagate: a scorer that
    quietly turns crashes into zeros hides the bug it should reveal.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"not a folder: {root}")
    docs: list[DocScore] = []
    a_correct: dict[str, int] = {}
    a_total: dict[str, int] = {}
    for doc_path, gold_path in _gold_pairs(root):
        gold = load_gold(gold_path)
        result = predict(doc_path) or {}
        events = score_events(list(result.get("events") or []), gold)
        article = score_article(result.get("article") or {}, gold.get("article") or {})
        for k, ok in article.items():
            a_total[k] = a_total.get(k, 0) + 1
            a_correct[k] = a_correct.get(k, 0) + int(ok)
        name = str(doc_path.relative_to(root))
        docs.append(DocScore(name=name, path=str(doc_path), events=events, article=article))
    tp = sum(d.events.tp for d in docs)
    fp = sum(d.events.fp for d in docs)
    fn = sum(d.events.fn for d in docs)
    f_correct = {k: sum(d.events.field_correct[k] for d in docs) for k in EVENT_FIELDS}
    f_total = {k: sum(d.events.field_total[k] for d in docs) for k in EVENT_FIELDS}
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return CorpusScore(
        docs=docs,
        tp=tp,
        fp=fp,
        fn=fn,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        field_correct=f_correct,
        field_total=f_total,
        field_accuracy={k: _ratio(f_correct[k], f_total[k]) for k in EVENT_FIELDS},
        article_correct=a_correct,
        article_total=a_total,
        article_accuracy={k: _ratio(a_correct[k], a_total[k]) for k in a_total},
    )
