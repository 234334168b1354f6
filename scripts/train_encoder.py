"""Fine-tune the MiniLM template encoder on MUC-4 train (``make train``, fourth step).

Writes a PyTorch checkpoint (``build/encoder_model.safetensors``, not shipped) and its
ONNX export, ``src/conflictlens/data/encoder_model.onnx`` (int8; ``scripts/export_encoder.py``
re-exports a checkpoint alone). Needs the ``train`` extra. Two stages, both seeded:

1. 3 epochs, learning rate 5e-5 everywhere: role tags on every training document
   (template-less ones all "O") and incident types;
2. 5 more epochs, encoder 8e-5 and heads 1e-3, word embeddings frozen, role tags only
   on documents with templates -- relevance is the type head's job, and tagging the 600
   template-less documents as all "O" teaches the tagger to say nothing.

The checkpoint leaves out the word embeddings (23 MB instead of 45): at load time, and so
in the export, the base package's are used. Stage 1 moved them only slightly;
README-encoder.md gives the measured effect of the swap on MUC-4 dev.

AdamW (weight decay 0.01), 6% linear warm-up then linear decay in each stage, batches of
4 documents (all their windows), gradient norm clipped at 1, bfloat16 autocast. About 45
minutes on 2 CPU cores with bfloat16 matrix units (AMX); no GPU needed. MUC-4 dev is
never trained on: it picks the fusion thresholds (``scripts/tune_fusion.py``).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from conflictlens import encoder, encoder_torch
from conflictlens.evaluate import _incident_types, load_muc
from conflictlens.roles import gold_spans


def example(doc: dict) -> dict:
    """Word pieces, BIO targets (every occurrence of every gold mention, as
    ``roles.gold_spans`` defines them) and the document's incident types."""
    p = encoder.pieces(doc["doctext"])
    tags = [0] * len(p.ids)
    for start, end, role in gold_spans(doc):
        first = True
        for i, (s, e) in enumerate(p.offsets):
            if s >= start and e <= end and e > s:
                tags[i] = encoder.LABELS.index(("B-" if first else "I-") + role)
                first = False
    types = np.zeros(len(encoder.TYPES), np.float32)
    for t in doc.get("templates") or []:
        for ty in _incident_types(t["incident_type"]):
            if ty in encoder.TYPES:
                types[encoder.TYPES.index(ty)] = 1.0
    return {"pieces": p, "tags": tags, "types": types}


def run_stage(
    model: encoder_torch.TemplateEncoder,
    data: list[dict],
    *,
    epochs: int,
    lr: float,
    head_lr: float,
    freeze_words: bool,
    relevant_tags_only: bool,
    batch_docs: int = 4,
) -> None:
    model.enc.word.weight.requires_grad_(not freeze_words)
    heads = [*model.tag.parameters(), *model.typ.parameters()]
    body = [p for p in model.enc.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(
        [{"params": body, "lr": lr}, {"params": heads, "lr": head_lr}], weight_decay=0.01
    )
    steps = epochs * math.ceil(len(data) / batch_docs)
    warm = max(1, int(0.06 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm)))
    )
    rng = random.Random(0)
    for epoch in range(epochs):
        model.train()
        order = list(range(len(data)))
        rng.shuffle(order)
        t0, total = time.time(), 0.0
        for b in range(0, len(order), batch_docs):
            docs = [data[i] for i in order[b : b + batch_docs]]
            items = [(d["pieces"], w) for d in docs for w in d["pieces"].windows]
            tags = [d["tags"] for d in docs for _ in d["pieces"].windows]
            ids, attn, target = encoder_torch.batch(items, tags)
            if relevant_tags_only:
                k = 0
                for d in docs:
                    n = len(d["pieces"].windows)
                    if not d["types"].any():
                        target[k : k + n] = -100
                    k += n
            with torch.autocast("cpu", dtype=torch.bfloat16):
                tag_logits, type_logits = model(ids, attn)
            n_tagged = max(1, int((target != -100).sum()))
            tag_loss = (
                F.cross_entropy(
                    tag_logits.float().reshape(-1, len(encoder.LABELS)),
                    target.reshape(-1),
                    ignore_index=-100,
                    reduction="sum",
                )
                / n_tagged
            )
            # A document's incident types: max over its windows (any window may tell).
            k, doc_logits = 0, []
            for d in docs:
                n = len(d["pieces"].windows)
                doc_logits.append(type_logits[k : k + n].float().max(0).values)
                k += n
            gold = torch.tensor(np.stack([d["types"] for d in docs]))
            loss = tag_loss + F.binary_cross_entropy_with_logits(torch.stack(doc_logits), gold)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            total += float(loss.detach())
        print(
            f"epoch {epoch + 1}/{epochs}: mean loss {total / math.ceil(len(data) / batch_docs):.4f}"
            f" ({time.time() - t0:.0f} s)",
            flush=True,
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--checkpoint", type=Path, default=encoder_torch.CHECKPOINT)
    ap.add_argument("--out", type=Path, default=encoder.MODEL_PATH, help="the ONNX export")
    args = ap.parse_args()
    train_path = args.shared / "benchmarks" / "muc4" / "train.json"
    if not train_path.exists():
        print(f"error: MUC-4 train not found at {train_path}", file=sys.stderr)
        return 2
    torch.manual_seed(0)
    data = [example(d) for d in load_muc(train_path)]
    model = encoder_torch.TemplateEncoder.from_base()
    run_stage(
        model, data, epochs=3, lr=5e-5, head_lr=5e-5, freeze_words=False, relevant_tags_only=False
    )
    torch.manual_seed(0)
    run_stage(
        model, data, epochs=5, lr=8e-5, head_lr=1e-3, freeze_words=True, relevant_tags_only=True
    )
    model.save(args.checkpoint)
    # Exported from the reloaded checkpoint, not the model in memory, so that what ships
    # is what scripts/export_encoder.py gives from the same file (float16 weights, the
    # base word embeddings).
    encoder_torch.export_onnx(encoder_torch.TemplateEncoder.load(args.checkpoint), args.out)
    print(f"wrote {args.checkpoint} and {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
