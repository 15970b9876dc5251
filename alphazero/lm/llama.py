"""The "broad but shallow" arm: a Llama-architecture language model in JAX, with a KV cache.

    config, params, tokenizer = loader.load(loader.smollm2_path())   # alphazero/lm/loader.py
    ids = [tokenizer.encode(p).ids for p in ["The capital of France is", "2+3="]]
    tokens = llm.generate(params, config, ids, 8)                    # [2, 1, 8]: greedy
    tokens = llm.generate(params, config, ids, 8, key, (0.0, 0.8, 0.8))  # + 2 samples each

The forward pass is the Llama one (SmolLM2 uses it unchanged): token embedding; per block
    x += Wo attn(RoPE(Wq rms(x)), RoPE(Wk rms(x)), Wv rms(x))
    x += Wd (silu(Wg rms(x)) * Wu rms(x))
then a final RMS norm and logits = x E^T (tied embeddings) or x Wout. Attention is grouped-query:
each of the `num_kv_heads` key/value heads serves num_heads / num_kv_heads query heads.

RoPE layout. GGUF files keep Wq and Wk rows in llama.cpp's order, where the rotated pairs are
adjacent features (x[2i], x[2i+1]) of each head, rotated by angle position * base^(-2i / head_dim).
We rotate those interleaved pairs directly on the stored weights (no un-permuting); a checkpoint
with Hugging Face's layout (`rotate_half`) must be permuted when written to GGUF, as llama.cpp's
converter does (tests/test_llm.py writes one that way and checks against a NumPy reference).

Batches of prompts of different lengths are left-padded: `valid` [B, S] marks the cache slots that
hold real tokens, and each row's positions count only its own tokens.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp


@dataclasses.dataclass(frozen=True)
class LlamaConfig:
    """Shapes and constants of a Llama model (read from the GGUF header)."""

    vocab_size: int  # V
    num_layers: int  # L
    dim: int  # D, the residual width
    ffn_dim: int  # F, the SwiGLU hidden width
    num_heads: int  # H query heads
    num_kv_heads: int  # G key/value heads (H % G == 0)
    rope_base: float = 10_000.0  # RoPE frequency base (SmolLM2: 1e5)
    norm_eps: float = 1e-5  # RMS norm epsilon
    eos_token_id: int = 2  # generation stops a row after this token

    @property
    def head_dim(self) -> int:
        return self.dim // self.num_heads


class KVCache(NamedTuple):
    k: jax.Array  # [L, B, S, G, head_dim]
    v: jax.Array  # [L, B, S, G, head_dim]
    valid: jax.Array  # [B, S] bool, slot holds a real (not padding) token


def empty_cache(config: LlamaConfig, batch: int, length: int, dtype=jnp.float32) -> KVCache:
    shape = (config.num_layers, batch, length, config.num_kv_heads, config.head_dim)
    valid = jnp.zeros((batch, length), bool)
    return KVCache(jnp.zeros(shape, dtype), jnp.zeros(shape, dtype), valid)


def init(config: LlamaConfig, key: jax.Array, num_outputs: int | None = None) -> dict:
    """Fresh parameters (normal(0, 0.02) matrices, unit norms) in the loader's layout; an untied
    output [D, num_outputs] when given (1: a scalar head, as a reward model reads it)."""
    d, hd, f, layers = config.dim, config.head_dim, config.ffn_dim, config.num_layers
    shapes = dict(wq=(d, config.num_heads * hd), wk=(d, config.num_kv_heads * hd),
                  wv=(d, config.num_kv_heads * hd), wo=(d, d), w_gate=(d, f), w_up=(d, f),
                  w_down=(f, d))  # fmt: skip
    keys = iter(jax.random.split(key, len(shapes) + 2))
    normal = lambda shape: 0.02 * jax.random.normal(next(keys), shape)  # noqa: E731
    params = {
        "embed": normal((config.vocab_size, d)),
        "layers": {name: normal((layers, *shape)) for name, shape in shapes.items()}
        | {"attn_norm": jnp.ones((layers, d)), "ffn_norm": jnp.ones((layers, d))},
        "final_norm": jnp.ones(d),
    }
    if num_outputs is not None:
        params["output"] = normal((d, num_outputs))
    return params


def rms_norm(x: jax.Array, weight: jax.Array, eps: float) -> jax.Array:
    x32 = x.astype(jnp.float32)
    scale = jax.lax.rsqrt(jnp.mean(x32 * x32, -1, keepdims=True) + eps)
    return (x32 * scale).astype(x.dtype) * weight


def rope(x: jax.Array, positions: jax.Array, base: float) -> jax.Array:
    """Rotates interleaved feature pairs i of x [B, T, heads, hd] by position * base^(-2i/hd)."""
    half = x.shape[-1] // 2
    freq = base ** (-jnp.arange(half, dtype=jnp.float32) / half)  # [hd/2]
    angle = positions[:, :, None, None].astype(jnp.float32) * freq  # [B, T, 1, hd/2]
    cos, sin = jnp.cos(angle), jnp.sin(angle)
    even, odd = x[..., 0::2], x[..., 1::2]
    out = jnp.stack([even * cos - odd * sin, even * sin + odd * cos], axis=-1)
    return out.reshape(x.shape).astype(x.dtype)


def _block(config: LlamaConfig, x, layer, k_cache, v_cache, positions, mask, start):
    """One transformer block on x [B, T, D]; writes this block's keys/values at slot `start`."""
    b, t, _ = x.shape
    hd, g = config.head_dim, config.num_kv_heads
    h = rms_norm(x, layer["attn_norm"], config.norm_eps)
    q = rope((h @ layer["wq"]).reshape(b, t, config.num_heads, hd), positions, config.rope_base)
    k = rope((h @ layer["wk"]).reshape(b, t, g, hd), positions, config.rope_base)
    v = (h @ layer["wv"]).reshape(b, t, g, hd)
    k_cache = jax.lax.dynamic_update_slice(k_cache, k.astype(k_cache.dtype), (0, start, 0, 0))
    v_cache = jax.lax.dynamic_update_slice(v_cache, v.astype(v_cache.dtype), (0, start, 0, 0))
    q = q.reshape(b, t, g, config.num_heads // g, hd)  # query heads grouped by their kv head
    scores = jnp.einsum("btgqd,bsgd->bgqts", q, k_cache).astype(jnp.float32) / jnp.sqrt(hd)
    scores = jnp.where(mask[:, None, None], scores, -1e30)
    weights = jax.nn.softmax(scores, axis=-1).astype(x.dtype)
    attended = jnp.einsum("bgqts,bsgd->btgqd", weights, v_cache).reshape(b, t, config.dim)
    x = x + attended @ layer["wo"]
    h = rms_norm(x, layer["ffn_norm"], config.norm_eps)
    x = x + (jax.nn.silu(h @ layer["w_gate"]) * (h @ layer["w_up"])) @ layer["w_down"]
    return x, k_cache, v_cache


def forward(params, config: LlamaConfig, tokens, positions, cache: KVCache, start, valid,
            last_only: bool = False):  # fmt: skip
    """Logits [B, T, V] for tokens [B, T] written at cache slots start..start+T-1 ([B, 1, V], the
    last token's, with `last_only`: a prompt's other logits are never needed).

    positions [B, T]: each token's position in its own row (RoPE); valid [B, T]: real tokens.
    A query at slot i attends to slots j <= i that hold real tokens (this call's included)."""
    t = tokens.shape[1]
    valid_slots = jax.lax.dynamic_update_slice(cache.valid, valid, (0, start))
    slots = jnp.arange(cache.valid.shape[1])
    causal = slots[None, :] <= (start + jnp.arange(t))[:, None]  # [T, S]
    mask = causal[None] & valid_slots[:, None, :]  # [B, T, S]
    x = params["embed"][tokens]

    def layer_step(x, inputs):
        layer, k_cache, v_cache = inputs
        x, k_cache, v_cache = _block(config, x, layer, k_cache, v_cache, positions, mask, start)
        return x, (k_cache, v_cache)

    x, (k, v) = jax.lax.scan(layer_step, x, (params["layers"], cache.k, cache.v))
    x = rms_norm(x[:, -1:] if last_only else x, params["final_norm"], config.norm_eps)
    out = params.get("output")
    logits = x @ (params["embed"].T if out is None else out)
    return logits.astype(jnp.float32), KVCache(k, v, valid_slots)


def logits(params, config: LlamaConfig, tokens: jax.Array, valid: jax.Array) -> jax.Array:
    """Logits [B, T, V] at every position of whole left-padded sequences (tokens, valid [B, T]):
    teacher forcing, as training and scoring read them; the cache is not kept."""
    positions = jnp.maximum(jnp.cumsum(valid, axis=1) - 1, 0)
    cache = empty_cache(config, *tokens.shape, params["embed"].dtype)
    return forward(params, config, tokens, positions, cache, 0, valid)[0]


def pad_left(prompts: list[list[int]], multiple: int = 32) -> tuple[jax.Array, jax.Array]:
    """Token lists -> (tokens [B, T] left-padded with 0, valid [B, T]); T is rounded up to a
    multiple of `multiple` so that prompts of similar length share one compiled function."""
    length = -(-max(len(p) for p in prompts) // multiple) * multiple
    tokens = [[0] * (length - len(p)) + list(p) for p in prompts]
    valid = [[False] * (length - len(p)) + [True] * len(p) for p in prompts]
    return jnp.asarray(tokens, jnp.int32), jnp.asarray(valid)


@functools.partial(jax.jit, static_argnames=("config", "max_new_tokens"))
def _generate(params, config: LlamaConfig, tokens, valid, key, temperatures, max_new_tokens: int):
    prompts, t = tokens.shape
    copies = temperatures.shape[0]  # R decodings of each prompt share its prefill
    cache = empty_cache(config, prompts, t + max_new_tokens, params["embed"].dtype)
    positions = jnp.maximum(jnp.cumsum(valid, axis=1) - 1, 0)
    logits, cache = forward(params, config, tokens, positions, cache, 0, valid, last_only=True)
    repeat = functools.partial(jnp.repeat, repeats=copies, axis=0)  # [P, ...] -> [P * R, ...]
    cache = KVCache(jnp.repeat(cache.k, copies, 1), jnp.repeat(cache.v, copies, 1),
                    repeat(cache.valid))  # fmt: skip
    logits, positions = repeat(logits), repeat(positions)
    temperature = jnp.tile(temperatures, prompts)  # [P * R]
    b = prompts * copies

    def pick(logits, key):  # temperature 0: greedy; else a sample of softmax(logits / T)
        sampled = jax.random.categorical(key, logits / jnp.maximum(temperature, 1e-6)[:, None])
        return jnp.where(temperature > 0, sampled, jnp.argmax(logits, -1)).astype(jnp.int32)

    def step(carry, key):
        logits, cache, position, done, slot = carry
        token = jnp.where(done, config.eos_token_id, pick(logits, key))
        new_logits, cache = forward(
            params, config, token[:, None], position[:, None], cache, slot, jnp.ones((b, 1), bool)
        )
        done = done | (token == config.eos_token_id)
        return (new_logits[:, -1], cache, position + 1, done, slot + 1), token

    carry = (logits[:, -1], cache, positions[:, -1] + 1, jnp.zeros(b, bool), t)
    _, out = jax.lax.scan(step, carry, jax.random.split(key, max_new_tokens))
    return out.T.reshape(prompts, copies, max_new_tokens)


def generate(params, config: LlamaConfig, prompts: list[list[int]], max_new_tokens: int,
             key: jax.Array | None = None, temperatures=(0.0,)) -> jax.Array:  # fmt: skip
    """New tokens [P, R, max_new_tokens]: each of the P prompts (token ids) decoded once per
    entry of `temperatures` (R of them; 0 = greedy, else a sample at that temperature), all R
    from one prefill of the prompt. Rows that emit `config.eos_token_id` are padded with it."""
    tokens, valid = pad_left(prompts)
    key = jax.random.PRNGKey(0) if key is None else key
    temperatures = jnp.asarray(temperatures, jnp.float32)
    return _generate(params, config, tokens, valid, key, temperatures, max_new_tokens)
