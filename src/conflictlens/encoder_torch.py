"""encoder_torch: the MiniLM template encoder in PyTorch, for training and ONNX export.

Needs PyTorch (the ``train`` extra: ``make train``); inference never imports this module
-- ``conflictlens.encoder`` runs the exported ONNX file with onnxruntime. The transformer
is written out here in plain PyTorch -- about sixty lines -- instead of pulling in
``transformers`` for it; ``conflictlens.coder.train`` builds the news coder on the same
``MiniLM`` and ``base_state``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from conflictlens import encoder
from conflictlens.coder.pieces import CLS_ID, SEP_ID, base_dir
from conflictlens.encoder import LABELS, TYPES, Pieces

#: Where ``scripts/train_encoder.py`` leaves its PyTorch checkpoint (not shipped: only the
#: ONNX export is); ``scripts/export_encoder.py`` re-exports from it.
CHECKPOINT = Path(__file__).resolve().parents[2] / "build" / "encoder_model.safetensors"


class Layer(nn.Module):
    """One post-norm BERT layer: self-attention, then a GELU feed-forward block."""

    def __init__(self, width: int = 384, heads: int = 12, inner: int = 1536) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.ln1 = nn.LayerNorm(width, eps=1e-12)
        self.up = nn.Linear(width, inner)
        self.down = nn.Linear(inner, width)
        self.ln2 = nn.LayerNorm(width, eps=1e-12)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, n, w = x.shape
        q, k, v = (
            self.qkv(x).view(b, n, 3, self.heads, w // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        )
        drop = 0.1 if self.training else 0.0
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=drop)
        # training= spelt out: F.dropout's default (True) would export a Dropout node in train
        # mode to ONNX.
        x = self.ln1(
            x + F.dropout(self.out(a.transpose(1, 2).reshape(b, n, w)), drop, self.training)
        )
        return self.ln2(x + F.dropout(self.down(F.gelu(self.up(x))), drop, self.training))


class MiniLM(nn.Module):
    """BERT encoder with MiniLM-L6's shape; ``forward`` gives the last hidden states."""

    def __init__(self, vocab: int = 30522, width: int = 384, layers: int = 6) -> None:
        super().__init__()
        self.word = nn.Embedding(vocab, width)
        self.pos = nn.Embedding(512, width)
        self.typ = nn.Embedding(2, width)
        self.ln = nn.LayerNorm(width, eps=1e-12)
        self.layers = nn.ModuleList(Layer(width) for _ in range(layers))

    def forward(self, ids: torch.Tensor, attn: torch.Tensor) -> torch.Tensor:
        x = self.word(ids) + self.pos.weight[: ids.shape[1]] + self.typ.weight[0]
        x = F.dropout(self.ln(x), 0.1, self.training)
        mask = attn[:, None, None, :].bool()
        for layer in self.layers:
            x = layer(x, mask)
        return x


def base_state() -> dict[str, torch.Tensor]:
    """The packaged base weights under this module's parameter names (HF BERT layout in,
    fused q/k/v out)."""
    from safetensors.torch import load_file

    w = load_file(str(base_dir() / "model.safetensors"))
    e = "embeddings."
    sd = {
        "word.weight": w[e + "word_embeddings.weight"],
        "pos.weight": w[e + "position_embeddings.weight"],
        "typ.weight": w[e + "token_type_embeddings.weight"],
        "ln.weight": w[e + "LayerNorm.weight"],
        "ln.bias": w[e + "LayerNorm.bias"],
    }
    n_layers = 1 + max(int(k.split(".")[2]) for k in w if k.startswith("encoder.layer."))
    for i in range(n_layers):
        p, q = f"encoder.layer.{i}.", f"layers.{i}."
        for t in ("weight", "bias"):
            sd[q + "qkv." + t] = torch.cat(
                [w[p + f"attention.self.{x}.{t}"] for x in ("query", "key", "value")]
            )
            sd[q + "out." + t] = w[p + f"attention.output.dense.{t}"]
            sd[q + "ln1." + t] = w[p + f"attention.output.LayerNorm.{t}"]
            sd[q + "up." + t] = w[p + f"intermediate.dense.{t}"]
            sd[q + "down." + t] = w[p + f"output.dense.{t}"]
            sd[q + "ln2." + t] = w[p + f"output.LayerNorm.{t}"]
    return sd


class TemplateEncoder(nn.Module):
    """MiniLM with two heads: a BIO role tag per word piece, and incident-type logits from
    each window's [CLS] (a document's are the max over its windows)."""

    def __init__(self) -> None:
        super().__init__()
        self.enc = MiniLM()
        self.tag = nn.Linear(384, len(LABELS))
        self.typ = nn.Linear(384, len(TYPES))

    def forward(self, ids: torch.Tensor, attn: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.enc(ids, attn)
        return self.tag(h), self.typ(h[:, 0])

    @classmethod
    def from_base(cls) -> TemplateEncoder:
        """Base MiniLM weights, freshly initialised heads: the start of training."""
        model = cls()
        model.enc.load_state_dict(base_state())
        return model

    def save(self, path: Path = CHECKPOINT) -> None:
        """Every tensor but the (frozen, base) word embeddings, as float16: the checkpoint
        that the ONNX export is made from."""
        from safetensors.torch import save_file

        path.parent.mkdir(parents=True, exist_ok=True)
        state = {
            k: v.detach().to(torch.float16).contiguous()
            for k, v in self.state_dict().items()
            if k != "enc.word.weight"
        }
        save_file(state, str(path))

    @classmethod
    def load(cls, path: Path = CHECKPOINT) -> TemplateEncoder:
        from safetensors.torch import load_file

        model = cls()
        state = {k: v.float() for k, v in load_file(str(path)).items()}
        state["enc.word.weight"] = base_state()["word.weight"]
        model.load_state_dict(state)
        return model.eval()


def batch(
    items: Sequence[tuple[Pieces, int]], tags: Sequence[Sequence[int]] | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``encoder.batch`` as tensors: (ids, attention mask, tag targets)."""
    return tuple(torch.from_numpy(a) for a in encoder.batch(items, tags))  # type: ignore[return-value]


def export_onnx(model: TemplateEncoder, out: Path = encoder.MODEL_PATH, int8: bool = True) -> None:
    """The model as ONNX (inputs ``ids``, ``attn``; outputs ``tags``, ``types``, both
    logits), with int8 weights unless ``int8`` is false: onnxruntime's dynamic quantization
    of the matrix products and the embedding lookup, 23 MB instead of 90.

    Why per channel and reduced range: with one scale per tensor MUC-4 dev fell from
    0.509 (float32) to 0.477; one per output channel gives 0.501, and 7-bit weights on top
    0.504 -- they also keep the u8 x s8 products clear of the saturation that CPUs without
    VNNI can hit, so the figure does not depend on the machine's instruction set.
    README-encoder.md has the full comparison."""
    model.eval()
    out.parent.mkdir(parents=True, exist_ok=True)
    full = out.with_suffix(".fp32.onnx") if int8 else out
    ids = torch.tensor([[CLS_ID, 2000, 2001, 2002, SEP_ID]] * 2)
    attn = torch.ones_like(ids)
    # The TorchScript exporter, deprecated: the torch.export one needs onnxscript, one more
    # training dependency, for a graph this one handles (the news coder's export, too).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            model,
            (ids, attn),
            str(full),
            input_names=["ids", "attn"],
            output_names=["tags", "types"],
            dynamic_axes={"ids": {0: "b", 1: "n"}, "attn": {0: "b", 1: "n"}},
            opset_version=17,
            dynamo=False,
        )
    if int8:
        quantize(full, out)
        full.unlink()


def quantize(full: Path, out: Path) -> None:
    """int8 weights, one scale per output channel and 7-bit range: per tensor cost the
    MUC-4 encoder 0.03 F1, and the 7-bit range avoids the overflow of CPUs without VNNI
    (data/README-encoder.md). Used for the MUC-4 encoder and the news coder alike."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(full),
        str(out),
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul", "Gather"],
        per_channel=True,
        reduce_range=True,
    )
