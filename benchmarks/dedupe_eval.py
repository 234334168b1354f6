"""Cross-article merge (``conflictlens.stages.dedupe``) measured on annotated test sets.

Three measurements, each as pairwise precision/recall over pairs of events from
*different* articles (predicted same group vs. gold same group):

- ``articles``: hand-written reports of the seed's Karachi police office attack and
  Peshawar mosque bombing from several outlets, plus similar events that must stay apart
  (tests/data/dedupe/articles/), run through the real pipeline;
- ``muc4-gold``: event records built from MUC-4 dev gold templates plus the annotated
  date and place of each incident (tests/data/dedupe/muc4_pairs.json), so the merge is
  measured apart from extraction quality;
- ``muc4-pipeline``: the same MUC-4 documents through the real pipeline; an extracted
  event takes an incident's label when its family, country and date agree with it.

    python benchmarks/dedupe_eval.py            # prints the figures as JSON
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from conflictlens.actors import ActorDictionary
from conflictlens.gazetteer import Gazetteer, to_location
from conflictlens.models import to_dict
from conflictlens.pipeline import extract_text
from conflictlens.stages.dedupe import (
    DEFAULT_CONFIG,
    MergeConfig,
    article_key,
    best_group,
    family,
    group_events,
    pair_scores,
)
from conflictlens.stages.extract import lexicon

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "dedupe"
MUC_DEV = ROOT.parent / "shared" / "benchmarks" / "muc4" / "dev.json"

Labelled = tuple[list[dict[str, Any]], list[str]]
_BOMBING_TYPE = "Explosions/Remote violence/Remote explosive/landmine/IED"
_FAMILY_OF_TYPE = lexicon()["families"]


def _split_type(type_string: str) -> tuple[str, str]:
    """("Explosions/Remote violence", "Suicide bomb") from the gold files' joined form."""
    for main in _FAMILY_OF_TYPE:
        if type_string.startswith(main + "/"):
            return main, type_string[len(main) + 1 :]
    raise ValueError(f"unknown ACLED type {type_string!r}")


def _overlaps(event: dict[str, Any], start: str, end: str, slack: int = 1) -> bool:
    date = event.get("date")
    if not date:
        return False
    s = dt.date.fromisoformat(date["start"]) - dt.timedelta(days=slack)
    e = dt.date.fromisoformat(date["end"]) + dt.timedelta(days=slack)
    return s <= dt.date.fromisoformat(end) and dt.date.fromisoformat(start) <= e


def _label(event: dict[str, Any], candidates: dict[str, dict[str, Any]], fallback: str) -> str:
    """The gold label an extracted event stands for, or ``fallback`` (its own singleton)."""
    loc = event.get("location") or {}
    for label, inc in candidates.items():
        if family(event) != inc["family"]:
            continue
        if not _overlaps(event, inc["start"], inc.get("end") or inc["start"]):
            continue
        if "place" in inc and loc.get("name") != inc["place"]:
            continue
        if "country" in inc and loc.get("country_code") not in (None, inc["country"]):
            continue
        return label
    return fallback


def score(events: list[dict[str, Any]], labels: list[str], config: MergeConfig) -> dict:
    """Pairwise scores of :func:`group_events` against gold labels."""
    predicted = group_events(events, config)
    gold: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        gold.setdefault(label, []).append(i)
    return pair_scores(predicted, list(gold.values()), [article_key(e) for e in events])


def incremental_groups(events: list[dict[str, Any]], config: MergeConfig) -> list[list[int]]:
    """The groups the store assigns (``dedupe.best_group``), one report at a time in
    input order, each against the groups of its country and type family so far."""
    groups: dict[int, list[int]] = {}
    for i, event in enumerate(events):
        code = (event.get("location") or {}).get("country_code")
        near = {
            gid: [events[j] for j in members]
            for gid, members in groups.items()
            if code
            and (events[members[0]].get("location") or {}).get("country_code") == code
            and family(events[members[0]]) == family(event)
        }
        gid = best_group(event, near, config=config) if near else None
        groups.setdefault(len(groups) if gid is None else gid, []).append(i)
    return list(groups.values())


def score_incremental(events: list[dict[str, Any]], labels: list[str], config: MergeConfig) -> dict:
    """Pairwise scores of the store's persistent groups against gold labels."""
    gold: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        gold.setdefault(label, []).append(i)
    predicted = incremental_groups(events, config)
    return pair_scores(predicted, list(gold.values()), [article_key(e) for e in events])


# --- the hand-written articles -------------------------------------------------------------


def article_events() -> Labelled:
    """Pipeline events of the hand-written articles and their gold labels."""
    manifest = json.loads((DATA / "articles.json").read_text(encoding="utf-8"))
    incidents = manifest["incidents"]
    events: list[dict[str, Any]] = []
    labels: list[str] = []
    for art in manifest["articles"]:
        text = (DATA / "articles" / art["file"]).read_text(encoding="utf-8")
        result = extract_text(text, published=art["published"]).to_dict()
        reported = {k: incidents[k] for k in art["events"]}
        for event in result["events"]:
            event["id"] = f"{art['file']}-{event['id']}"
            event["source"]["article_id"] = art["file"]
            events.append(event)
            labels.append(_label(event, reported, event["id"]))
    return events, labels


# --- MUC-4 ---------------------------------------------------------------------------------


def _muc_docs(path: Path) -> dict[str, dict[str, Any]]:
    docs = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            docs[doc["docid"]] = doc
    return docs


def _gold_event(
    doc: dict[str, Any], ref: dict[str, Any], incident: dict[str, Any], n: int
) -> dict[str, Any]:
    """An event record as a perfect extractor would give it for this doc's incident."""
    gazetteer, actors = Gazetteer.default(), ActorDictionary.default()
    country = incident["country"]
    place = gazetteer.resolve(ref.get("place") or incident["place"], [country])
    if place is None:
        raise ValueError(f"gazetteer has no {incident['place']!r}")
    etype = incident["type"]
    names: list[str] = list(ref.get("actors") or [])
    if ref.get("template") is not None:
        template = doc["templates"][ref["template"]]
        if template["incident_type"] == "bombing":
            etype = _BOMBING_TYPE
        names = names or [entity[0][0] for entity in template["PerpOrg"]]
    actor = None
    for name in names:
        resolved = actors.resolve(name, country)
        actor = (
            to_dict(resolved)
            if resolved is not None
            else {"name": name, "mention": name, "aliases": [], "category": None, "country": None}
        )
        break
    main, sub = _split_type(etype)
    start = incident["date"]
    return {
        "id": f"{doc['docid']}-E{n}",
        "event_type": main,
        "sub_event_type": sub,
        "type": etype,
        "date": {
            "start": start,
            "end": incident.get("end", start),
            "precision": incident.get("precision", "day"),
        },
        "location": to_dict(to_location(place)),
        "actor1": actor,
        "actor2": None,
        "fatalities": None,
        "injured": None,
        "background": False,
        "summary": incident["description"],
        "evidence": [],
        "source": {"publisher": None, "url": None, "speaker": None, "article_id": doc["docid"]},
        "sources": [],
    }


def muc_gold_events(muc_path: Path = MUC_DEV) -> Labelled:
    """Gold-derived events of the annotated MUC-4 documents, labelled by incident."""
    ann = json.loads((DATA / "muc4_pairs.json").read_text(encoding="utf-8"))
    docs = _muc_docs(muc_path)
    events, labels = [], []
    for entry in ann["docs"]:
        doc = docs[entry["docid"]]
        for n, ref in enumerate(entry["incidents"], start=1):
            events.append(_gold_event(doc, ref, ann["incidents"][ref["id"]], n))
            labels.append(ref["id"])
    return events, labels


def muc_pipeline_events(muc_path: Path = MUC_DEV) -> Labelled:
    """Pipeline events of the annotated MUC-4 documents (reference date: 'published')."""
    ann = json.loads((DATA / "muc4_pairs.json").read_text(encoding="utf-8"))
    docs = _muc_docs(muc_path)
    events, labels = [], []
    for entry in ann["docs"]:
        doc = docs[entry["docid"]]
        reported = {}
        for ref in entry["incidents"]:
            inc = ann["incidents"][ref["id"]]
            main = _split_type(inc["type"])[0]
            reported[ref["id"]] = {
                "family": _FAMILY_OF_TYPE[main],
                "start": inc["date"],
                "end": inc.get("end", inc["date"]),
                "country": inc["country"],
            }
        result = extract_text(doc["doctext"], published=entry["published"]).to_dict()
        for event in result["events"]:
            event["id"] = f"{doc['docid']}-{event['id']}"
            event["source"]["article_id"] = doc["docid"]
            events.append(event)
            labels.append(_label(event, reported, event["id"]))
    return events, labels


def annotated_pairs() -> dict[str, int]:
    """How many same-incident and look-alike different-incident pairs are annotated."""
    ann = json.loads((DATA / "muc4_pairs.json").read_text(encoding="utf-8"))
    by_incident: dict[str, set[str]] = {}
    for entry in ann["docs"]:
        for ref in entry["incidents"]:
            by_incident.setdefault(ref["id"], set()).add(entry["docid"])
    same = sum(len(d) * (len(d) - 1) // 2 for d in by_incident.values())
    groups = sum(1 for d in by_incident.values() if len(d) > 1)
    return {
        "same_incident_groups": groups,
        "same_incident_pairs": same,
        "different_incident_pairs": len(ann["different_incident_pairs"]),
    }


def main(argv: list[str] | None = None) -> int:
    config = DEFAULT_CONFIG
    out: dict[str, Any] = {"config": to_dict(config)}
    events, labels = article_events()
    out["articles"] = score(events, labels, config) | {"events": len(events)}
    out["articles-stored-groups"] = score_incremental(events, labels, config)
    if MUC_DEV.exists():
        out["muc4_annotation"] = annotated_pairs()
        events, labels = muc_gold_events()
        out["muc4-gold"] = score(events, labels, config) | {"events": len(events)}
        out["muc4-gold-stored-groups"] = score_incremental(events, labels, config)
        events, labels = muc_pipeline_events()
        labelled = sum(1 for e, lab in zip(events, labels, strict=True) if lab != e["id"])
        out["muc4-pipeline"] = score(events, labels, config) | {
            "events": len(events),
            "events_matching_an_incident": labelled,
        }
    else:
        out["muc4"] = "skipped: ../shared/benchmarks/muc4/dev.json not present"
    json.dump(out, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
