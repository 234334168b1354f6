"""Export the MUC-4 template encoder's PyTorch checkpoint to the ONNX file that ships.

``scripts/train_encoder.py`` ends with this step (``make train``); run it alone to
re-export a checkpoint without retraining. Needs the ``train`` extra (PyTorch, onnx).
Writes ``src/conflictlens/data/encoder_model.onnx``: int8 weights by default
(onnxruntime's dynamic quantization), float32 with ``--fp32``; README-encoder.md has the
measured size, speed and MUC-4 dev F1 of both.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conflictlens import encoder
from conflictlens.encoder_torch import CHECKPOINT, TemplateEncoder, export_onnx


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkpoint", type=Path, default=CHECKPOINT)
    ap.add_argument("--out", type=Path, default=encoder.MODEL_PATH)
    ap.add_argument("--fp32", action="store_true", help="float32 weights, no quantization")
    args = ap.parse_args(argv)
    if not args.checkpoint.exists():
        print(f"error: no checkpoint at {args.checkpoint}", file=sys.stderr)
        return 2
    export_onnx(TemplateEncoder.load(args.checkpoint), args.out, int8=not args.fp32)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
