"""Train the MUC-4 role-filler ranker shipped as ``data/fillers_model.npz`` (``make train``).

Recipe (deterministic: L-BFGS from zero weights, no sampling):

1. every MUC-4 document is truecased and run through the real pipeline (structure,
   spaCy parse, rule-based extraction) and the ``roles`` tagger;
2. ``fillers.candidates`` lists its noun phrases with their features;
3. a candidate is a positive for a role when its normalised text is one of that
   role's gold mentions in the document (any template);
4. one L2 logistic regression per role is fitted on MUC-4 *train*;
5. the per-role thresholds are chosen on MUC-4 *dev* by template F1 (GTT definition,
   ``conflictlens.evaluate.score_muc``), one role at a time.

The tagger and the incident classifier were themselves trained on MUC-4 train, so on
train their outputs are better than they will ever be on new text; their features are
left out of the ranker (``--stack`` puts them in, for comparison).

Usage: python scripts/train_fillers.py --shared ../shared [--cache DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from conflictlens import fillers, muc
from conflictlens.evaluate import load_muc, score_muc
from conflictlens.fillers import ROLES, Model


def prepare(docs: list[dict], stack: bool) -> list[dict]:
    """Per document: its candidates, their labels and the rule events' templates."""
    gold_by_id = {d["docid"]: d for d in docs}
    out = []
    for item in muc.analyse_docs(docs, n_process=2):
        tags = item.tagged if stack else []
        cands = fillers.candidates(item.doc, item.result.events, tags, item.cats if stack else None)
        gold = {r: set() for r in ROLES}
        for t in gold_by_id[item.docid].get("templates") or []:
            for r in ROLES:
                for entity in t.get(r) or []:
                    gold[r] |= {fillers.norm(m) for m, _ in entity}
        labels = np.array(
            [[fillers.norm(c.text) in gold[r] for r in ROLES] for c in cands], dtype=np.int8
        ).reshape(len(cands), len(ROLES))
        out.append(
            {
                "docid": item.docid,
                "cands": cands,
                "labels": labels,
                "events": muc.positioned_templates(item.result),
                "cats": item.cats,
            }
        )
    return out


def load_or_prepare(path: Path, docs: list[dict], stack: bool) -> list[dict]:
    if path.exists():
        return pickle.loads(path.read_bytes())
    data = prepare(docs, stack)
    path.write_bytes(pickle.dumps(data))
    return data


def decode(data: list[dict], model: Model) -> dict[str, list[dict]]:
    out = {}
    for item in data:
        scores = model.scores(item["cands"])
        picked = fillers.pick(item["cands"], scores, model)
        out[item["docid"]] = muc.fill_templates(item["events"], picked, item["cats"])
    return out


def tune(data: list[dict], gold: list[dict], model: Model) -> float:
    """Coordinate ascent over per-role thresholds (two sweeps), on template F1."""
    grid = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.95]
    best = score_muc(decode(data, model), gold).f1
    for _ in range(2):
        for role in ROLES:
            for t in grid:
                old = model.thresholds[role]
                model.thresholds[role] = t
                f1 = score_muc(decode(data, model), gold).f1
                if f1 > best + 1e-9:
                    best = f1
                else:
                    model.thresholds[role] = old
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--cache", type=Path, default=None, help="keep prepared features here")
    ap.add_argument("--out", type=Path, default=fillers.MODEL_PATH)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--stack", action="store_true", help="use the tagger's outputs as features")
    args = ap.parse_args(argv)
    t0 = time.time()
    muc_dir = args.shared / "benchmarks" / "muc4"
    train_docs, dev_docs = load_muc(muc_dir / "train.json"), load_muc(muc_dir / "dev.json")
    if args.cache is not None:
        args.cache.mkdir(parents=True, exist_ok=True)
        tag = "stack" if args.stack else "plain"
        train = load_or_prepare(args.cache / f"train-{tag}.pkl", train_docs, args.stack)
        dev = load_or_prepare(args.cache / f"dev-{tag}.pkl", dev_docs, args.stack)
    else:
        train, dev = prepare(train_docs, args.stack), prepare(dev_docs, args.stack)
    print(f"prepared in {time.time() - t0:.0f} s", file=sys.stderr)
    cands = [c for item in train for c in item["cands"]]
    labels = np.concatenate([item["labels"] for item in train])
    print(f"{len(cands)} candidates, positives per role {labels.sum(axis=0)}", file=sys.stderr)
    model = Model(fillers.train(cands, labels, l2=args.l2), dict.fromkeys(ROLES, 0.5))
    f1 = tune(dev, dev_docs, model)
    score = score_muc(decode(dev, model), dev_docs)
    print(f"dev F1 {f1:.4f}  thresholds {model.thresholds}  ({time.time() - t0:.0f} s)")
    for role, (p, r, f) in score.per_role.items():
        print(f"  {role:14s} P {p:.3f} R {r:.3f} F1 {f:.3f}")
    model.save(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
