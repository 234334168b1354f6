"""Where the missing MUC-4 points are: the score with parts of the answer given.

Runs the real MUC-4 path once (``conflictlens.muc.analyse_docs``, the packaged filler
ranker fused with the encoder, the encoder's type gates, ``muc.fill_templates``; with
``--no-encoder`` the ranker alone) over a split, then scores the same fillers again with
one document-level decision taken from the gold file instead of from our models:

* relevance: documents with no gold template get no template;
* incident type: a template whose type is not among the document's gold types takes
  the document's most frequent gold type;
* both of the above;
* template count and types: each document gets exactly the gold templates, each
  anchored at a rule event of its type (the text's start where there is none), each
  filler going to the template with the nearest anchor.

These are diagnostics, not results: they use gold answers on purpose, to show which
decision to learn next. Nothing here is used by the pipeline.

Usage: python benchmarks/muc_ceiling.py --shared ../shared [--split dev] [--no-encoder]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

from conflictlens import encoder, fillers, muc
from conflictlens.evaluate import MUC_ROLES, load_muc, score_muc


def _empty(incident_type: str) -> dict:
    return {"incident_type": incident_type, **{r: [] for r in MUC_ROLES}}


def gold_types(gold: dict) -> Counter:
    return Counter(t["incident_type"] for t in gold.get("templates") or [])


def oracle_relevance(templates: list[dict], gold: dict) -> list[dict]:
    return templates if gold_types(gold) else []


def oracle_type(templates: list[dict], gold: dict) -> list[dict]:
    types = gold_types(gold)
    if not types:
        return templates
    best = types.most_common(1)[0][0]
    return [t if t["incident_type"] in types else {**t, "incident_type": best} for t in templates]


def oracle_templates(positioned: list[tuple[int, dict]], picked: list, gold: dict) -> list[dict]:
    """The gold templates, each anchored at a rule event of its type (the k-th of a type
    at the k-th such event, the text's start where there is none); each filler goes to
    the template anchored nearest to it."""
    anchors: dict[str, list[int]] = defaultdict(list)
    for pos, t in positioned:
        anchors[t["incident_type"]].append(pos)
    seen: Counter = Counter()
    slots = []
    for t in gold.get("templates") or []:
        kind = t["incident_type"]
        positions = sorted(anchors.get(kind) or [0])
        pos = positions[min(seen[kind], len(positions) - 1)]
        seen[kind] += 1
        slots.append((pos, _empty(kind)))
    for f in picked:
        if slots:
            _, template = min(slots, key=lambda s: abs(s[0] - f.start))
            template[f.role].append([f.text])
    return [t for _, t in slots]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--split", default="dev")
    ap.add_argument("--no-encoder", action="store_true", help="the ranker alone, as in stop 9")
    args = ap.parse_args(argv)
    path = args.shared / "benchmarks" / "muc4" / f"{args.split}.json"
    if not path.exists():
        print(f"error: no MUC-4 file at {path}", file=sys.stderr)
        return 2
    docs = load_muc(path)
    by_id = {d["docid"]: d for d in docs}
    model = fillers.default_model()
    if model is None:
        print("error: no filler model installed (run make train)", file=sys.stderr)
        return 2
    enc = None if args.no_encoder else encoder.default_model()
    runs: dict[str, dict[str, list[dict]]] = defaultdict(dict)
    for item in muc.analyse_docs(docs):
        gold = by_id[item.docid]
        positioned = muc.positioned_templates(item.result)
        if enc is None:
            cands = fillers.candidates(item.doc, item.result.events)
            picked = fillers.pick(cands, model.scores(cands), model)
            ours = muc.fill_templates(positioned, picked, item.cats)
        else:
            picked, ours = muc.fused_templates(item, enc, model)
        runs["as shipped"][item.docid] = ours
        runs["+ gold relevance"][item.docid] = oracle_relevance(ours, gold)
        runs["+ gold incident type"][item.docid] = oracle_type(ours, gold)
        runs["+ gold relevance and type"][item.docid] = oracle_relevance(
            oracle_type(ours, gold), gold
        )
        runs["+ gold template count and types"][item.docid] = oracle_templates(
            positioned, picked, gold
        )
    print(f"MUC-4 {args.split}: {len(docs)} documents, same fillers throughout\n")
    print(f"{'decision taken from gold':34s}     P      R     F1")
    for name, pred in runs.items():
        s = score_muc(pred, docs)
        print(f"{name:34s} {s.precision:.3f}  {s.recall:.3f}  {s.f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
