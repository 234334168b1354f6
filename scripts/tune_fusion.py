"""Choose how ``muc.predict`` fuses the encoder with the ranker (``make train``, last step).

Runs MUC-4 dev once through the real path (truecase, structure, parse, rules, ranker,
encoder), then picks on dev template F1: for each weight ``alpha`` of the
ranker's probabilities against the encoder's, coordinate ascent over one threshold per
role and the two incident-type gates (``keep_min``, ``add_min``); the best alpha wins. Writes
``src/conflictlens/data/encoder_config.json``. Dev chooses these eight numbers only;
no weight is trained on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from conflictlens import encoder, fillers, muc
from conflictlens.evaluate import load_muc, score_muc

ALPHAS = (1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3)
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7)
KEEP = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3)
ADD = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.01)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, default=encoder.CONFIG_PATH)
    args = ap.parse_args()
    dev_path = args.shared / "benchmarks" / "muc4" / "dev.json"
    if not dev_path.exists():
        print(f"error: MUC-4 dev not found at {dev_path}", file=sys.stderr)
        return 2
    gold = load_muc(dev_path)
    ranker = fillers.default_model()
    enc = encoder.default_model()
    if ranker is None or enc is None:
        print("error: train the ranker and the encoder first", file=sys.stderr)
        return 2
    cache = []
    for item in muc.analyse_docs(gold):
        cands = fillers.candidates(item.doc, item.result.events)
        (reading,) = encoder.read([item.doc.text], enc)
        neural = np.array([reading.span_scores(c.start, c.end) for c in cands])
        cache.append(
            (
                item.docid,
                cands,
                ranker.scores(cands),
                neural.reshape(len(cands), 5),
                reading,
                muc.positioned_templates(item.result),
            )
        )

    def f1(cfg: dict) -> float:
        # muc.fused_templates, with each document's scores computed once for all trials
        pred = {}
        for docid, cands, rank, neural, reading, positioned in cache:
            scores = cfg["alpha"] * rank + (1 - cfg["alpha"]) * neural
            model = fillers.Model(ranker.weights, cfg["thresholds"])
            picked = fillers.pick(cands, scores, model) if cands else []
            anchor = min((f.start for f in picked), default=0)
            kept = muc.gate_templates(
                positioned, reading.types, cfg["keep_min"], cfg["add_min"], anchor
            )
            pred[docid] = muc.fill_templates(kept, picked, {}) if kept else []
        return score_muc(pred, gold).f1

    base = {
        "alpha": 1.0,
        "thresholds": dict(ranker.thresholds),
        "keep_min": 0.0,
        "add_min": 1.01,
    }
    print(f"ranker alone, no gates: {f1(base):.4f}", flush=True)
    # Thresholds depend on alpha (the fused scores are on another scale), so each alpha
    # gets its own ascent over the gates and the role thresholds.
    best, cfg = -1.0, base
    for alpha in ALPHAS:
        here = {**base, "alpha": alpha}
        score = f1(here)
        for _sweep in range(2):
            for key, grid in (("keep_min", KEEP), ("add_min", ADD)):
                for value in grid:
                    trial = {**here, key: value}
                    if (s := f1(trial)) > score:
                        score, here = s, trial
            for role in fillers.ROLES:
                for value in THRESHOLDS:
                    trial = {**here, "thresholds": {**here["thresholds"], role: value}}
                    if (s := f1(trial)) > score:
                        score, here = s, trial
        print(f"alpha {alpha}: {score:.4f} {here}", flush=True)
        if score > best:
            best, cfg = score, here
    cfg["dev_f1"] = round(best, 4)
    args.out.write_text(json.dumps(cfg, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
