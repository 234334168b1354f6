"""Recall on WikiEvents dev (KAIROS ontology, modern English news about attacks).

For every gold Conflict.Attack.*, Life.Die.* and Life.Injure.* event mention we ask:
did ConflictLens produce an event whose evidence covers the trigger word? and for its
Attacker / Target / Victim / Place arguments: does the matched event name that
participant (the gold head word inside our actor, perpetrator, victim, target or
location evidence)? WikiEvents has no train split and its ontology differs from ACLED's
(every death is an event there), so this is a recall report, not a tuned score.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from conflictlens.pipeline import extract_text

FAMILIES = ("Conflict.Attack", "Life.Die", "Life.Injure")
ROLES = {
    "Attacker": ("actor1", "perpetrators"),
    "Killer": ("actor1", "perpetrators"),
    "Target": ("actor2", "targets", "victims"),
    "Victim": ("actor2", "victims", "targets", "fatalities", "injured"),
    "Place": ("location",),
}


def _token_offsets(doc: dict) -> list[tuple[int, int]]:
    text, pos, out = doc["text"], 0, []
    for tok in doc["tokens"]:
        i = text.find(tok, pos)
        if i < 0:
            i = pos
        out.append((i, i + len(tok)))
        pos = i + len(tok)
    return out


def _family(event_type: str) -> str | None:
    return next((f for f in FAMILIES if event_type.startswith(f)), None)


def evaluate(path: Path) -> dict:
    docs = [json.loads(line) for line in path.open()]
    found = Counter()
    total = Counter()
    for doc in docs:
        offsets = _token_offsets(doc)
        result = extract_text(doc["text"])
        body = result.article.body
        # Map our evidence (offsets into body) onto the source text by locating each
        # evidence sentence; body paragraphs are verbatim substrings of the source.
        spans = []
        for event in result.events:
            for ev in event.evidence:
                left = body.rfind("\n", 0, ev.start) + 1
                right = body.find("\n", ev.end)
                para = body[left : right if right >= 0 else len(body)]
                at = doc["text"].find(para)
                if at >= 0:
                    shift = at - left
                    spans.append((event, ev.field, ev.start + shift, ev.end + shift, ev.text))
        for mention in doc["event_mentions"]:
            family = _family(mention["event_type"])
            if family is None:
                continue
            total[family] += 1
            t_start = offsets[mention["trigger"]["start"]][0]
            t_end = offsets[mention["trigger"]["end"] - 1][1]
            hits = [s for s in spans if s[2] < t_end and t_start < s[3]]
            events = {id(s[0]): s[0] for s in hits}
            if events:
                found[family] += 1
            for arg in mention["arguments"]:
                role = arg["role"]
                if role not in ROLES:
                    continue
                key = f"{role}"
                total[key] += 1
                head = arg["text"].lower()
                named = False
                for s in spans:
                    if id(s[0]) in events and s[1] in ROLES[role] and head in s[4].lower():
                        named = True
                if named:
                    found[key] += 1
    return {k: (found[k], total[k], found[k] / total[k] if total[k] else 0.0) for k in total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared"
    )
    args = parser.parse_args()
    path = args.shared / "benchmarks" / "wikievents" / "dev.jsonl"
    scores = evaluate(path)
    print(f"WikiEvents dev ({path}): recall")
    for key, (hit, n, recall) in sorted(scores.items()):
        print(f"  {key:18s} {hit:4d} / {n:4d}  {recall:.3f}")


if __name__ == "__main__":
    main()
