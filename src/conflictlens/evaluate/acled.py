"""Scoring against ACLED rows: each row's ``notes`` is the text, the row's coding the truth.

An ACLED row describes exactly one event, so there is no matching step: the prediction
for a row is one event (see :func:`pick_event`) or nothing, and each field is right or
wrong. Prediction (:func:`predict_acled`, the real pipeline) and scoring
(:func:`score_acled`, pure) are apart so that hand-made predictions can be scored.

The rules, per row (a row where no event was found is wrong on every metric, so that
"fraction of all rows" never credits an empty output):

* ``found``: the pipeline returned an event.
* ``event_type``: the predicted ACLED type equals the gold ``event_type``.
* ``sub_event_type``: the predicted "Type/Sub" equals the gold "event_type/sub_event_type".
* ``date``: the gold ``event_date`` lies inside the predicted start..end and the
  predicted precision is "day" -- ACLED codes one day, so a week or a month that merely
  contains it is not the right date. ``date_in_range`` is the lenient form, without the
  precision condition.
* ``date_1day``: the predicted start..end lies inside the gold day widened by a day on
  each side (ACLED's sources are dated about the day of the event).
* ``place_50km``: the predicted point is within 50 km (haversine) of the gold
  latitude/longitude; a prediction without coordinates is wrong.
* ``country`` / ``admin1``: the predicted location's country / first-level region is
  the gold one (names compared as text; a row without a gold admin1 counts as wrong).
* ``actor1`` / ``actor2``: the predicted actor's normalised ``name`` equals the gold
  actor's name (case- and whitespace-insensitive, exact otherwise: ACLED's actor names
  are a closed vocabulary, "Civilians (Burkina Faso)" is not "Civilians"). An empty gold
  actor is right when the prediction has no actor or an empty name.
* ``fatalities``: the predicted ``low`` (ACLED records the lowest reported figure), or 0
  when the event has no fatalities, equals the gold ``fatalities``.

Text comparisons are case-, quote- and whitespace-insensitive throughout, so that a CSV
export's typography never decides a score.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import hashlib
import io
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..kb.taxonomy import ACLED_TAXONOMY, NONE, SUBTYPES
from ._common import _f1, _haversine_km, _norm_text, _parse_day, _ratio, first_record
from .gold import CITY_RADIUS_KM

__all__ = [
    "ACLED_SUBTYPES",
    "ACLED_TAXONOMY",
    "CODER_ENV",
    "METRICS",
    "NONE",
    "AcledLoad",
    "AcledScore",
    "is_acled_file",
    "load_acled",
    "pick_event",
    "predict_acled",
    "prediction_records",
    "row_verdicts",
    "score_acled",
    "use_coder_weights",
]

#: The 25 sub-types as "Type/Sub" strings, then "none" (no event found).
ACLED_SUBTYPES: tuple[str, ...] = SUBTYPES
#: Metric key -> label in the report, in report order.
METRICS: dict[str, str] = {
    "found": "found",
    "event_type": "event type",
    "sub_event_type": "sub-type",
    "date": "date (day)",
    "date_in_range": "date in range",
    "date_1day": "date within a day",
    "place_50km": "place <= 50 km",
    "country": "country",
    "admin1": "admin1",
    "actor1": "actor1",
    "actor2": "actor2",
    "fatalities": "fatalities",
}
#: The environment variable the coder reads for an alternate weights file.
CODER_ENV = "CONFLICTLENS_CODER"
TOP_CONFUSIONS = 10

_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%m/%d/%Y")


# --- loading ----------------------------------------------------------------------


def _key(value: Any) -> str:
    """The comparable form of a text field: normalised and case-folded."""
    return _norm_text(value).casefold()


def _iso_day(value: Any) -> str | None:
    """An ACLED event_date as ISO: the JSONL files use ISO, older CSV exports write
    "01 August 2020" or "01-August-2020"."""
    text = _norm_text(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def is_acled_file(path: Path) -> bool:
    """A ``.csv`` file, or JSON Lines whose first row has ``notes`` (or the French
    ``notes_fr``) and ``sub_event_type``."""
    if not path.is_file():
        return False
    if path.suffix.lower() == ".csv":
        return True
    record = first_record(path)
    return (
        record is not None
        and "sub_event_type" in record
        and bool({"notes", "notes_fr"} & set(record))
    )


#: The English rows a file of translated notes is aligned with, in the same folder.
EVENTS_FILE = "events.jsonl"


def french_split(event_id: str, english_split: str | None) -> str:
    """This project's split of the translated French notes: "dev" for every event in the
    English dev split and for a fifth of the others (by a hash of the event id), so that
    no French dev note is the translation of a note the coder was trained on."""
    if _key(english_split) == "dev":
        return "dev"
    digest = hashlib.sha1(event_id.encode("utf-8")).digest()
    return "dev" if digest[0] % 5 == 0 else "train"


def french_text(value: Any) -> str:
    """The French note: the file keeps the translator's output as written,
    ``[{'translation_text': "..."}]``; a plain string is taken as it is."""
    text = _norm_text(value) if not isinstance(value, str) else value
    if text.startswith("[{"):
        try:
            parsed = ast.literal_eval(text)
            return " ".join(str(p.get("translation_text", "")) for p in parsed).strip()
        except (ValueError, SyntaxError, AttributeError, TypeError):
            return text
    return text.strip()


def _french_rows(path: Path, rows: Iterable[dict]) -> Iterator[dict]:
    """Translated notes joined to their English rows (the full coding: actors, place,
    toll), with the French text as ``notes`` and :func:`french_split` as ``split``."""
    english = path.with_name(EVENTS_FILE)
    if not english.is_file():
        raise InputError(
            f"{path}: French notes are scored against their ACLED rows, expected in {english}"
        )
    coding = {r.get("event_id_cnty"): r for r in _read_jsonl(english)}
    for row in rows:
        event_id = str(row.get("event_id_cnty") or "")
        base = coding.get(event_id)
        if base is None:
            continue
        yield {
            **base,
            "notes": french_text(row.get("notes_fr")),
            "split": french_split(event_id, base.get("split")),
            "language": "fr",
        }


def _read_csv(path: Path) -> Iterator[dict]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    yield from csv.DictReader(io.StringIO(text), dialect=dialect)


def _read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{n}: not valid JSON: {exc}") from exc
            if not isinstance(row, dict):
                raise InputError(f"{path}:{n}: expected one JSON object per line")
            yield row


@dataclass
class AcledLoad:
    """The rows to score, and how many were left out and why."""

    rows: list[dict]
    without_notes: int = 0  # skipped: nothing to read
    filtered_out: int = 0  # dropped by split / only
    split: str | None = None
    only: str | None = None


def load_acled(
    path: str | Path,
    *,
    split: str | None = None,
    only: str | None = None,
    limit: int | None = None,
) -> AcledLoad:
    """Read ACLED rows from JSON Lines or CSV (ACLED export columns).

    ``split`` keeps rows whose ``split`` field equals it; a file without that field
    cannot be split, and asking is an error rather than a silent score of every row.
    ``only`` keeps rows whose ``region`` or ``country`` equals it (the held-out part of a
    leave-one-region-out check). ``limit`` keeps the first N rows after both filters.
    Rows with empty ``notes`` are skipped and counted.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"ACLED file not found: {p}")
    reader = _read_csv(p) if p.suffix.lower() == ".csv" else _read_jsonl(p)
    record = first_record(p) if p.suffix.lower() != ".csv" else None
    if record is not None and "notes_fr" in record and "notes" not in record:
        reader = _french_rows(p, reader)
    out = AcledLoad(rows=[], split=split, only=only)
    has_split = False
    for row in reader:
        if not _norm_text(row.get("notes")):
            out.without_notes += 1
            continue
        has_split = has_split or "split" in row
        if split is not None and _key(row.get("split")) != _key(split):
            out.filtered_out += 1
            continue
        if only is not None and _key(only) not in (
            _key(row.get("region")),
            _key(row.get("country")),
        ):
            out.filtered_out += 1
            continue
        if limit is None or len(out.rows) < limit:
            out.rows.append(row)
    if split is not None and not has_split:
        raise InputError(f"{p} has no 'split' field: drop --split or add one")
    return out


def gold_fields(row: dict) -> dict[str, Any]:
    """The fields of a row that are scored, typed (ACLED's files hold every value as text)."""
    etype, sub = _norm_text(row.get("event_type")), _norm_text(row.get("sub_event_type"))
    return {
        "event_date": _iso_day(row.get("event_date")),
        "event_type": etype,
        "sub_event_type": sub,
        "type": f"{etype}/{sub}",
        "latitude": _float(row.get("latitude")),
        "longitude": _float(row.get("longitude")),
        "location": _norm_text(row.get("location")),
        "country": _norm_text(row.get("country")),
        "admin1": _norm_text(row.get("admin1")),
        "actor1": _norm_text(row.get("actor1")),
        "actor2": _norm_text(row.get("actor2")),
        "fatalities": _int(row.get("fatalities")),
    }


# --- prediction -------------------------------------------------------------------


def use_coder_weights(path: str | Path) -> str:
    """Make the pipeline's coder load ``path`` instead of its shipped weights, by setting
    CONFLICTLENS_CODER (which the coder reads when it loads). Call it before the first
    prediction: worker processes inherit the environment when they start. Returns the
    absolute path that was set, since workers may not share the caller's directory."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"--model: no such file: {p}")
    value = str(p.resolve())
    os.environ[CODER_ENV] = value
    return value


def pick_event(events: Sequence[dict]) -> dict | None:
    """The event a row's notes are about: the first that is not background (notes often
    recall an earlier incident), else the first, else None."""
    for event in events:
        if not event.get("background"):
            return event
    return events[0] if events else None


def predict_acled(rows: Iterable[dict], n_process: int | None = None) -> Iterator[dict | None]:
    """The predicted event of each row, in row order, from the real product pipeline.

    Each row's notes are one document, published on the row's event_date: ACLED's sources
    are dated about the day of the event and the notes state their dates explicitly, so
    the event day is the reference a news report would give. A row whose notes the
    ingest checks refuse (no letters, say) predicts None; pipeline errors propagate,
    since a scorer that turns crashes into zeros hides the bug it should reveal.
    """
    rows = list(rows)
    texts = [
        (
            str(row.get("notes") or ""),
            f"acled:{row.get('event_id_cnty') or i}",
            _iso_day(row.get("event_date")),
        )
        for i, row in enumerate(rows)
    ]
    yield from predict_texts(texts, n_process)


def predict_texts(
    texts: Sequence[tuple[str, str, str | None]], n_process: int | None = None
) -> Iterator[dict | None]:
    """The event :func:`pick_event` takes from each (text, source, publication date),
    through the real pipeline, in order; None where the ingest checks refuse the text.
    Shared by the scorers that read one event per row (ACLED notes, UCDP headlines)."""
    from ..pipeline import process_many
    from ..stages.ingest import document_from_bytes

    documents = []
    usable: set[int] = set()
    for i, (text, source, published) in enumerate(texts):
        try:
            doc = document_from_bytes(
                text.encode("utf-8"), source, published=published, media_type="text"
            )
        except InputError:
            continue
        documents.append(doc)
        usable.add(i)
    results = iter(process_many(documents, n_process=n_process))
    for i in range(len(texts)):
        yield pick_event(next(results).to_dict()["events"]) if i in usable else None


# --- scoring ----------------------------------------------------------------------


def _pred_label(pred: dict | None) -> str:
    """A prediction's "Type/Sub" in the taxonomy's spelling when it is one, else as given."""
    if pred is None:
        return NONE
    full = pred.get("type") or f"{pred.get('event_type') or ''}/{pred.get('sub_event_type') or ''}"
    return _CANONICAL.get(_key(full), _norm_text(full))


_CANONICAL = {_key(label): label for label in ACLED_SUBTYPES}


def _actor_right(pred_actor: Any, gold_name: str) -> bool:
    name = pred_actor.get("name") if isinstance(pred_actor, dict) else None
    return _key(name) == _key(gold_name)


def _date_verdicts(pred_date: Any, gold_day: str | None) -> tuple[bool, bool, bool]:
    """(right by the day rule, gold inside the predicted range, predicted range inside
    the gold day widened by a day on each side)."""
    if not isinstance(pred_date, dict) or gold_day is None:
        return False, False, False
    start = _parse_day(pred_date.get("start"), end=False)
    end = _parse_day(pred_date.get("end") or pred_date.get("start"), end=True)
    if start is None or end is None:
        return False, False, False
    day = dt.date.fromisoformat(gold_day)
    inside = start <= day <= end
    near = day - dt.timedelta(days=1) <= start and end <= day + dt.timedelta(days=1)
    return inside and _key(pred_date.get("precision")) == "day", inside, near


def _country_right(loc: dict, gold_country: str) -> bool:
    """By ISO code: GeoNames and ACLED spell countries differently ("Democratic Republic
    of the Congo", "Democratic Republic of Congo")."""
    from ..actors import ActorDictionary

    code = ActorDictionary.default().country_code(gold_country)
    if code and loc.get("country_code"):
        return str(loc["country_code"]).upper() == code.upper()
    return _key(loc.get("country")) == _key(gold_country)


def _fold(name: Any) -> str:
    """Admin names without accents, case or punctuation ("Tillabéri" = "Tillaberi")."""
    from ..gazetteer import normalize

    return normalize(str(name or ""))


def _place_right(pred_loc: Any, gold: dict) -> bool:
    if not isinstance(pred_loc, dict):
        return False
    plat, plon = _float(pred_loc.get("lat")), _float(pred_loc.get("lon"))
    glat, glon = gold["latitude"], gold["longitude"]
    if None in (plat, plon, glat, glon):
        return False
    return _haversine_km(plat, plon, glat, glon) <= CITY_RADIUS_KM  # type: ignore[arg-type]


def _fatalities_right(pred_fat: Any, gold_fat: int | None) -> bool:
    if gold_fat is None:
        return False
    if not isinstance(pred_fat, dict):
        return gold_fat == 0
    low = pred_fat.get("low", pred_fat.get("best"))
    return _int(low) == gold_fat


def row_verdicts(row: dict, pred: dict | None) -> dict[str, bool]:
    """Every metric of one row (the rules are in the module docstring)."""
    if pred is None:
        return dict.fromkeys(METRICS, False)
    gold = gold_fields(row)
    date_right, in_range, near = _date_verdicts(pred.get("date"), gold["event_date"])
    loc = pred.get("location") if isinstance(pred.get("location"), dict) else {}
    return {
        "found": True,
        "event_type": _key(pred.get("event_type")) == _key(gold["event_type"]),
        "sub_event_type": _key(_pred_label(pred)) == _key(gold["type"]),
        "date": date_right,
        "date_in_range": in_range,
        "date_1day": near,
        "place_50km": _place_right(pred.get("location"), gold),
        "country": _country_right(loc, gold["country"]),
        "admin1": bool(gold["admin1"]) and _fold(loc.get("admin1")) == _fold(gold["admin1"]),
        "actor1": _actor_right(pred.get("actor1"), gold["actor1"]),
        "actor2": _actor_right(pred.get("actor2"), gold["actor2"]),
        "fatalities": _fatalities_right(pred.get("fatalities"), gold["fatalities"]),
    }


@dataclass
class ClassScore:
    """One sub-type's row in the classification table."""

    precision: float
    recall: float
    f1: float
    support: int  # gold rows of this label
    predicted: int  # rows predicted as this label

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "support": self.support,
            "predicted": self.predicted,
        }


@dataclass
class AcledScore:
    """Field accuracy per row, overall and per gold event type, plus the sub-type
    classification (with "none" for rows where nothing was found).

    ``macro_f1`` averages over the labels that occur in the gold or the predictions (the
    usual convention: a sub-type absent from both says nothing about the model);
    ``weighted_f1`` weights each label's F1 by its gold support.
    """

    rows: int
    correct: dict[str, int]
    per_type_rows: dict[str, int]
    per_type_correct: dict[str, dict[str, int]]
    per_subtype: dict[str, ClassScore]
    macro_f1: float
    weighted_f1: float
    accuracy: float
    confusions: list[tuple[str, str, int]]
    verdicts: list[dict[str, bool]] = field(default_factory=list)

    @property
    def found(self) -> int:
        return self.correct["found"]

    def of_all(self, metric: str) -> float:
        return _ratio(self.correct[metric], self.rows)

    def of_found(self, metric: str) -> float:
        return _ratio(self.correct[metric], self.found)

    def to_dict(self) -> dict[str, Any]:
        def block(correct: dict[str, int], n: int) -> dict[str, Any]:
            found = correct["found"]
            return {
                "rows": n,
                "found": found,
                "metrics": {
                    m: {
                        "right": correct[m],
                        "of_all": _ratio(correct[m], n),
                        "of_found": _ratio(correct[m], found),
                    }
                    for m in METRICS
                },
            }

        return {
            **block(self.correct, self.rows),
            "per_event_type": {
                t: block(self.per_type_correct[t], n) for t, n in self.per_type_rows.items()
            },
            "per_sub_type": {k: v.to_dict() for k, v in self.per_subtype.items()},
            "macro_f1": self.macro_f1,
            "weighted_f1": self.weighted_f1,
            "accuracy": self.accuracy,
            "confusions": [{"gold": g, "predicted": p, "count": c} for g, p, c in self.confusions],
        }

    def report(self) -> str:
        """A plain-text report: the metrics overall, per event type, then the sub-types."""
        out = [f"{'metric':<16} {'right':>6} {'of all':>7} {'of found':>9}"]
        for m, label in METRICS.items():
            out.append(
                f"{label:<16} {self.correct[m]:>6} {self.of_all(m):>7.3f} {self.of_found(m):>9.3f}"
            )
        out.append(f"{'rows':<16} {self.rows:>6}")

        short = {m: label.split()[0][:7] for m, label in METRICS.items()}
        short |= {"date_in_range": "inrange", "place_50km": "place", "sub_event_type": "sub"}
        out += ["", "per gold event type (fraction of that type's rows)"]
        out.append(f"{'event type':<28} {'rows':>5} " + " ".join(f"{short[m]:>7}" for m in METRICS))
        for t, n in self.per_type_rows.items():
            c = self.per_type_correct[t]
            cells = " ".join(f"{_ratio(c[m], n):>7.3f}" for m in METRICS)
            out.append(f"{t[:28]:<28} {n:>5} {cells}")

        out += ["", f"{'sub-type':<60} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'pred':>5}"]
        for label, s in self.per_subtype.items():
            out.append(
                f"{label[:60]:<60} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} "
                f"{s.support:>5} {s.predicted:>5}"
            )
        out.append(
            f"macro F1 {self.macro_f1:.3f}   weighted F1 {self.weighted_f1:.3f}   "
            f"accuracy {self.accuracy:.3f}"
        )
        if self.confusions:
            width = max(60, *(len(f"{g} -> {p}") for g, p, _ in self.confusions))
            out += ["", f"{'top confusions (gold -> predicted)':<{width}} {'rows':>5}"]
            for g, p, c in self.confusions:
                out.append(f"{f'{g} -> {p}':<{width}} {c:>5}")
        return "\n".join(out)


def score_acled(rows: Sequence[dict], predictions: Sequence[dict | None]) -> AcledScore:
    """Score one predicted event (or None) per row; see the module docstring for the rules."""
    if len(rows) != len(predictions):
        raise ValueError(f"{len(rows)} rows but {len(predictions)} predictions")
    verdicts = [row_verdicts(r, p) for r, p in zip(rows, predictions, strict=True)]
    correct = {m: sum(v[m] for v in verdicts) for m in METRICS}

    per_type_rows: dict[str, int] = {}
    per_type_correct: dict[str, dict[str, int]] = {}
    for row, v in zip(rows, verdicts, strict=True):
        etype = gold_fields(row)["event_type"] or "(no type)"
        per_type_rows[etype] = per_type_rows.get(etype, 0) + 1
        bucket = per_type_correct.setdefault(etype, dict.fromkeys(METRICS, 0))
        for m in METRICS:
            bucket[m] += int(v[m])
    order = {t: i for i, t in enumerate(ACLED_TAXONOMY)}
    types = sorted(per_type_rows, key=lambda t: (order.get(t, len(order)), t))

    golds = [_CANONICAL.get(_key(gold_fields(r)["type"]), gold_fields(r)["type"]) for r in rows]
    preds = [_pred_label(p) for p in predictions]
    pairs = Counter(zip(golds, preds, strict=True))
    support, predicted = Counter(golds), Counter(preds)
    labels = list(ACLED_SUBTYPES) + sorted((set(golds) | set(preds)) - set(ACLED_SUBTYPES))
    per_subtype: dict[str, ClassScore] = {}
    for label in labels:
        tp = pairs[(label, label)]
        p, r = _ratio(tp, predicted[label]), _ratio(tp, support[label])
        per_subtype[label] = ClassScore(p, r, _f1(p, r), support[label], predicted[label])
    seen = [k for k in labels if support[k] or predicted[k]]
    macro = _ratio(sum(per_subtype[k].f1 for k in seen), len(seen)) if seen else 0.0
    weighted = sum(per_subtype[k].f1 * support[k] for k in labels) / len(rows) if rows else 0.0
    confusions = sorted(
        ((g, p, c) for (g, p), c in pairs.items() if g != p), key=lambda x: (-x[2], x[0], x[1])
    )[:TOP_CONFUSIONS]
    return AcledScore(
        rows=len(rows),
        correct=correct,
        per_type_rows={t: per_type_rows[t] for t in types},
        per_type_correct={t: per_type_correct[t] for t in types},
        per_subtype=per_subtype,
        macro_f1=macro,
        weighted_f1=weighted,
        accuracy=_ratio(sum(pairs[(k, k)] for k in labels), len(rows)),
        confusions=confusions,
        verdicts=verdicts,
    )


def prediction_records(
    rows: Sequence[dict], predictions: Sequence[dict | None], score: AcledScore
) -> list[dict[str, Any]]:
    """What was scored, one record per row, for ``--predictions``: the id, the notes, the
    gold fields scored, the predicted event dict (or None) and each metric's verdict."""
    return [
        {
            "event_id_cnty": row.get("event_id_cnty"),
            "notes": row.get("notes"),
            "gold": gold_fields(row),
            "predicted": pred,
            "right": verdict,
        }
        for row, pred, verdict in zip(rows, predictions, score.verdicts, strict=True)
    ]
