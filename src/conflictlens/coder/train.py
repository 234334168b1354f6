"""Fine-tune MiniLM as the event coder and export it to ONNX (``make train``).

Needs PyTorch (the ``train`` extra); nothing in the news path imports this module.

The recipe: the base ``all-MiniLM-L6-v2`` body with three heads -- the ACLED sub-type of
a text (25 sub-types + "none") from [CLS], a BIO tag per word piece for the argument
roles, and the toll class ("none" / "one" / "spans"). Trained on ACLED coders' notes
(train split, each (sub-type, country) capped so that US peaceful protests do not drown
the rest) plus non-conflict passages from MUC-4 train and RAMS, with the sub-type loss
weighted by inverse square-root frequency so that rare sub-types count. Word embeddings
stay frozen (the base's): cheaper, and they keep the base's knowledge of words ACLED's
notes never use. The trained model goes to ONNX and is quantized to int8 (onnxruntime's
dynamic quantization), which is what ``conflictlens.coder.model`` runs.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections import Counter
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from conflictlens.coder import labels as L
from conflictlens.coder.pieces import CLS_ID, SEP_ID, encode
from conflictlens.coder.taxonomy import SUBTYPES, TAGS, TOLLS
from conflictlens.encoder_torch import MiniLM, base_state, quantize
from conflictlens.evaluate.acled import load_acled
from conflictlens.evaluate.ucdp import ucdp_split

#: The regions (ACLED's names) of the countries UCDP's rows cover, for held-out checks.
UCDP_REGIONS = {"Nigeria": "Western Africa", "Ukraine": "Europe", "Syria": "Middle East"}
MAX_PIECES = 126  # + [CLS] and [SEP]: the notes' 99th percentile is ~110 pieces
WEIGHTS = Path(__file__).resolve().parent / "weights"
BUILD = Path(__file__).resolve().parents[3] / "build"  # the repository's, git-ignored


class Coder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.enc = MiniLM()
        self.sub = nn.Linear(384, len(SUBTYPES))
        self.toll = nn.Linear(384, len(TOLLS))
        self.tag = nn.Linear(384, len(TAGS))

    def forward(self, ids: torch.Tensor, attn: torch.Tensor):
        h = self.enc(ids, attn)
        return self.sub(h[:, 0]), self.toll(h[:, 0]), self.tag(h)


def piece_tags(offsets: list[tuple[int, int]], spans: list[tuple[int, int, str]]) -> list[int]:
    """BIO tag index per piece from character spans."""
    tags = [0] * len(offsets)
    for s, e, role in spans:
        first = True
        for k, (a, b) in enumerate(offsets):
            if a >= s and b <= e and b > a:
                tags[k] = TAGS.index(("B-" if first else "I-") + role)
                first = False
    return tags


def tensors(examples: list[L.Example]):
    enc = encode([ex.text for ex in examples])
    n = 2 + min(MAX_PIECES, max(len(ids) for ids, _ in enc))
    ids = torch.zeros(len(examples), n, dtype=torch.long)
    attn = torch.zeros_like(ids)
    tags = torch.full_like(ids, -100)
    # The sub-types each text may have: one for ACLED rows, a set for partial labels.
    allowed = torch.zeros(len(examples), len(SUBTYPES), dtype=torch.bool)
    for k, ex in enumerate(examples):
        for name in ex.allowed or (ex.subtype,):
            allowed[k, SUBTYPES.index(name)] = True
    toll = torch.tensor(
        [
            -100 if ex.toll is None else (2 if ex.toll_from_spans else (1 if ex.toll == 1 else 0))
            for ex in examples
        ]
    )
    for k, ((p, off), ex) in enumerate(zip(enc, examples, strict=True)):
        p, off = p[:MAX_PIECES], off[:MAX_PIECES]
        ids[k, : len(p) + 2] = torch.tensor([CLS_ID, *p, SEP_ID])
        attn[k, : len(p) + 2] = 1
        if ex.spans_known:
            tags[k, 1 : len(p) + 1] = torch.tensor(piece_tags(off, ex.spans), dtype=torch.long)
    return ids, attn, allowed, toll, tags


def french_rows(training: Path) -> list[dict]:
    """The translated French notes joined to their ACLED coding, with this project's
    French split (``evaluate.acled.french_split``); none when the file is absent."""
    path = training / "acled" / "notes_fr_machine_translated.jsonl"
    return load_acled(path).rows if path.is_file() else []


def build_examples(shared: Path, args, rng: random.Random) -> list[L.Example]:
    training = shared / "training"

    def kept(r: dict) -> bool:
        return r.get("country") not in args.exclude_country and (
            r.get("region") not in args.exclude_region
        )

    french = [r for r in french_rows(training) if kept(r)]
    # No English note of an event whose French translation is scored (French dev).
    french_dev = {r["event_id_cnty"] for r in french if r["split"] == "dev"}
    rows = [
        r
        for r in L.acled_rows(training, "train")
        if kept(r) and r.get("event_id_cnty") not in french_dev
    ]
    examples = [L.from_acled(r, rng) for r in rows]
    examples = L.balanced(examples, args.cap, rng)
    # French notes, each seen ``french_copies`` times (augmented anew): 1,300 among
    # 35,000 English examples would hardly move the encoder.
    examples += [
        L.from_acled(r, rng, "fr")
        for r in french
        if r["split"] == "train"
        for _ in range(args.french_copies)
    ]
    negatives = L.muc_negatives(shared / "benchmarks" / "muc4" / "train.json")
    negatives += L.rams_negatives(training / "rams")
    rng.shuffle(negatives)
    # News-style positives, with partial sub-type labels: UCDP report headlines and the
    # trigger sentences of RAMS's conflict events.
    held_out = set(args.exclude_country) | {
        c for c, region in UCDP_REGIONS.items() if region in args.exclude_region
    }
    news = [
        e
        for r in L.read_jsonl(training / "ucdp" / "ged.jsonl")
        if r.get("country") not in held_out
        and ucdp_split(r) == "train"  # the dev fifth scores dates, places, tolls
        and (e := L.from_ucdp(r))
    ]
    news = L.balanced(news, args.ucdp_cap, rng)
    for name in ("dev.jsonlines", "test.jsonlines"):
        news += [e for d in L.read_jsonl(training / "rams" / name) if (e := L.from_rams(d))]
    # Analysts' reviews (``conflictlens export --format training``), each seen
    # ``reviewed_copies`` times: a few hundred corrections among 40,000 rows.
    reviewed = [
        ex
        for path in args.reviewed
        for _ in range(args.reviewed_copies)
        for ex in L.reviewed_examples(Path(path), rng)
    ]
    return examples + negatives[: args.negatives] + news + reviewed


def batches(examples: list[L.Example], size: int, rng: random.Random):
    """Batches of similar length (less padding), in random order."""
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].text) + rng.random() * 40)
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    return [[examples[i] for i in g] for g in groups]


def subtype_loss(logits: torch.Tensor, allowed: torch.Tensor, weight: torch.Tensor):
    """-log of the probability of the allowed sub-types: cross-entropy for one label,
    the partial-label likelihood for a set. Weighted by the class weight of a single
    label (rare sub-types count more), 1 for sets, normalised like cross_entropy."""
    inside = logits.masked_fill(~allowed, float("-inf")).logsumexp(-1)
    nll = logits.logsumexp(-1) - inside
    single = allowed.sum(-1) == 1
    w = torch.where(single, (allowed.float() * weight).sum(-1), torch.ones_like(nll))
    return (w * nll).sum() / w.sum()


def train(args) -> dict:
    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    examples = build_examples(Path(args.shared), args, rng)
    counts = Counter(ex.subtype for ex in examples if ex.subtype)
    print(f"{len(examples)} examples; {dict(counts.most_common())}", flush=True)
    top = max(counts.values())
    weight = torch.tensor(
        [min(10.0, math.sqrt(top / counts[s])) if counts[s] else 1.0 for s in SUBTYPES]
    )
    model = Coder()
    model.enc.load_state_dict(base_state())
    model.enc.word.weight.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    plan = [batches(examples, args.batch, rng) for _ in range(args.epochs)]
    total = sum(len(p) for p in plan)
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm)))
    )
    model.train()
    step, t0 = 0, time.time()
    for epoch, plan_e in enumerate(plan):
        for group in plan_e:
            ids, attn, allowed, toll, tags = tensors(group)
            s_log, t_log, g_log = model(ids, attn)
            loss = (
                subtype_loss(s_log, allowed, weight)
                + F.cross_entropy(g_log.reshape(-1, len(TAGS)), tags.reshape(-1))
                + 0.5 * F.cross_entropy(t_log, toll, ignore_index=-100)
            )
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 50 == 0:
                el = time.time() - t0
                print(
                    f"epoch {epoch} step {step}/{total} loss {loss.item():.3f} "
                    f"{el / 60:.1f} min, eta {(total - step) * el / step / 60:.1f} min",
                    flush=True,
                )
    return {
        "model": model,
        "examples": len(examples),
        "counts": dict(counts),
        "minutes": (time.time() - t0) / 60,
    }


def export(model: Coder, out: Path) -> None:
    """ONNX, then int8 weights (dynamic quantization of the matrix products and the
    embedding lookup): ~23 MB, and about 2x faster than float32 on this CPU."""
    model.eval()
    out.parent.mkdir(parents=True, exist_ok=True)
    full = BUILD / (out.stem + ".fp32.onnx")
    full.parent.mkdir(parents=True, exist_ok=True)
    ids = torch.tensor([[CLS_ID, 2000, 2001, 2002, SEP_ID]] * 2)
    attn = torch.ones_like(ids)
    torch.onnx.export(
        model,
        (ids, attn),
        str(full),
        input_names=["ids", "attn"],
        output_names=["subtype", "toll", "tags"],
        dynamic_axes={"ids": {0: "b", 1: "n"}, "attn": {0: "b", 1: "n"}},
        opset_version=17,
        dynamo=False,
    )
    quantize(full, out)  # the float32 graph stays in build/ for re-quantizing


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="../shared")
    # English's weights (coder.onnx) are trained with --french-copies 0; the French
    # coder (coder_fr.onnx) with French notes too.
    ap.add_argument("--out", default=str(WEIGHTS / "coder.onnx"))
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--cap", type=int, default=1000, help="examples per (sub-type, country)")
    ap.add_argument("--negatives", type=int, default=3000)
    ap.add_argument("--ucdp-cap", type=int, default=1000, help="headlines per (type, country)")
    ap.add_argument(
        "--french-copies", type=int, default=0, help="times each French note (French coder: 3)"
    )
    ap.add_argument(
        "--reviewed", nargs="*", default=[], help="files of `conflictlens export -f training`"
    )
    ap.add_argument("--reviewed-copies", type=int, default=3, help="times each reviewed row")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--exclude-country", nargs="*", default=[], help="held-out check")
    ap.add_argument("--exclude-region", nargs="*", default=[], help="held-out check")
    args = ap.parse_args(argv)
    result = train(args)
    out = Path(args.out)
    export(result["model"], out)
    meta = {
        "examples": result["examples"],
        "subtype_counts": result["counts"],
        "train_minutes": round(result["minutes"], 1),
        "args": {k: v for k, v in vars(args).items() if k != "shared"},
    }
    out.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
