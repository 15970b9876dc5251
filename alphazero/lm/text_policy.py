"""A tiny language model that answers Countdown with one expression (the `expr` mode): the policy
of the reward-hacking experiments (E6). It is the LLM arm's Llama (alphazero/lm/llama.py) at toy
size, trained from scratch over a character vocabulary, so its sampler and its log-probabilities are
the real language-model ones, small enough for two CPU cores.

    instances = sample_instances(np.random.default_rng(0), 1_000, "train")  # [(numbers, target)]
    config = policy_config()
    learn = learner(config, learning_rate=1e-3)
    state = learn.init(llama.init(config, key))
    state, loss = learn.supervised(state, batch(instances, solver_answers))    # imitation
    tokens = sample(config, state.params, instances, copies=4, key=key)       # [P, R, N]
    state, stats = learn.reinforce(state, ref_params, batch_of(instances, tokens), rewards, beta)

A sequence is "<bos>24:8,5,3,1=" (the prompt: target, then the numbers sorted descending, as the
environment renders them), then the answer "(8-5)*(3+1)", then "<eos>". Prompts are left-padded
to PROMPT_LEN, so every answer starts at the same column and a batch is one [B, T] array.

RL is REINFORCE with a group baseline: each instance is sampled R times and a sample's advantage
is its reward minus the mean reward of the instance's other R - 1 samples. An optional KL penalty
shapes the reward with the sequence log-ratio, r' = r - beta (log pi(y|x) - log pi0(y|x)), and
KL(pi || pi0) is estimated as the mean of that log-ratio over on-policy samples (Gao et al. 2023).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from alphazero.lm import llama
from games import countdown, countdown_solver

VOCAB = (*countdown.VOCAB, "(", ")")  # the environment's 22 characters and parentheses
TOKEN = {s: i for i, s in enumerate(VOCAB)}
BOS, EOS = TOKEN["<bos>"], TOKEN["<eos>"]
PROMPT_LEN, ANSWER_LEN = 32, 24  # tokens: "<bos>target:numbers=" padded; answer and its <eos>


def policy_config(dim: int = 64, num_layers: int = 2, num_heads: int = 4) -> llama.LlamaConfig:
    """A Llama over VOCAB (the reward model uses the same shapes with one layer)."""
    return llama.LlamaConfig(vocab_size=len(VOCAB), num_layers=num_layers, dim=dim,
                           ffn_dim=3 * dim, num_heads=num_heads, num_kv_heads=num_heads,
                           eos_token_id=EOS)  # fmt: skip


def prompt_tokens(numbers, target: int) -> list[int]:
    return [BOS] + [TOKEN[c] for c in countdown.render(numbers, target) + "="]


def encode_answer(text: str) -> list[int]:
    """An answer's tokens ending in <eos>, cut to ANSWER_LEN; characters outside VOCAB raise."""
    return ([TOKEN[c] for c in text] + [EOS])[:ANSWER_LEN]


def decode_answer(tokens) -> str:
    """The text before the first <eos> (an unknown id reads as '?', which no verifier accepts)."""
    out = []
    for t in np.asarray(tokens).tolist():
        if t == EOS:
            break
        out.append(VOCAB[t] if 3 <= t < len(VOCAB) else "?")
    return "".join(out)


class Batch(NamedTuple):
    tokens: jax.Array  # [B, T] int32: left-padded prompt, answer, <eos> (and <eos> padding)
    valid: jax.Array  # [B, T] bool: not left padding
    answer_mask: jax.Array  # [B, T] bool: scored positions (the answer and its first <eos>)


def batch_of(instances, answers: np.ndarray) -> Batch:
    """Rows of instances [P] and answer tokens [P, R, N] (as `sample` gives them), prompt-major."""
    answers = np.asarray(answers).reshape(len(instances), -1, ANSWER_LEN)
    copies = answers.shape[1]
    prompts = np.zeros((len(instances), PROMPT_LEN), np.int32)
    for row, (numbers, target) in enumerate(instances):
        ids = prompt_tokens(numbers, target)
        prompts[row, PROMPT_LEN - len(ids) :] = ids
    prompts = np.repeat(prompts, copies, axis=0)
    answers = answers.reshape(-1, ANSWER_LEN)
    ended = np.cumsum(answers == EOS, axis=1) - (answers == EOS)  # <eos> strictly before
    answer_mask = np.concatenate([np.zeros_like(prompts, bool), ended == 0], axis=1)
    tokens = np.concatenate([prompts, answers], axis=1)
    valid = np.concatenate([prompts != 0, np.ones_like(answers, bool)], axis=1)
    return Batch(jnp.asarray(tokens), jnp.asarray(valid), jnp.asarray(answer_mask))


def batch(instances, answers: list[str]) -> Batch:
    """One row per (instance, answer text) pair: supervised examples."""
    tokens = np.full((len(answers), ANSWER_LEN), EOS, np.int32)
    for row, text in enumerate(answers):
        ids = encode_answer(text)
        tokens[row, : len(ids)] = ids
    return batch_of(instances, tokens[:, None])


def sequence_log_probs(config: llama.LlamaConfig, params, batch: Batch) -> jax.Array:
    """log pi(answer | prompt) [B]: the summed log-probabilities of the scored tokens."""
    logits = llama.logits(params, config, batch.tokens, batch.valid)
    log_probs = jax.nn.log_softmax(logits[:, :-1])  # position i predicts token i + 1
    picked = jnp.take_along_axis(log_probs, batch.tokens[:, 1:, None], axis=-1)[..., 0]
    return jnp.sum(picked * batch.answer_mask[:, 1:], axis=1)


def sample(config: llama.LlamaConfig, params, instances, copies: int, key: jax.Array,
           temperature: float = 1.0) -> np.ndarray:  # fmt: skip
    """Answer tokens [P, R, ANSWER_LEN]: R samples per instance (temperature 0: greedy)."""
    prompts = [prompt_tokens(n, t) for n, t in instances]
    return np.asarray(llama.generate(params, config, prompts, ANSWER_LEN, key,
                                   (temperature,) * copies))  # fmt: skip


class TrainState(NamedTuple):
    params: dict
    opt_state: optax.OptState
    step: jax.Array  # [] int32: updates so far


class Learner(NamedTuple):
    init: Callable  # params -> TrainState
    supervised: Callable  # (state, batch) -> (state, mean token cross-entropy)
    reinforce: Callable  # (state, ref_params, batch, rewards [P, R], kl_coef) -> (state, stats)


def learner(config: llama.LlamaConfig, learning_rate: float) -> Learner:
    """Jitted update functions for the policy `config` (Adam, gradients clipped at norm 1)."""
    optimizer = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(learning_rate))

    def apply(state, grads):
        updates, opt_state = optimizer.update(grads, state.opt_state, state.params)
        return TrainState(optax.apply_updates(state.params, updates), opt_state, state.step + 1)

    @jax.jit
    def supervised(state: TrainState, batch: Batch):
        def loss(params):
            total = sequence_log_probs(config, params, batch)
            return -jnp.sum(total) / jnp.sum(batch.answer_mask)

        value, grads = jax.value_and_grad(loss)(state.params)
        return apply(state, grads), value

    @jax.jit
    def reinforce(state: TrainState, ref_params, batch: Batch, rewards: jax.Array, kl_coef):
        prompts, copies = rewards.shape

        def loss(params):
            log_p = sequence_log_probs(config, params, batch)  # [P * R]
            log_ratio = jax.lax.stop_gradient(log_p - sequence_log_probs(config, ref_params, batch))
            shaped = (rewards.reshape(-1) - kl_coef * log_ratio).reshape(prompts, copies)
            baseline = (shaped.sum(1, keepdims=True) - shaped) / (copies - 1)  # leave one out
            advantage = (shaped - baseline).reshape(-1)
            stats = dict(kl=jnp.mean(log_ratio), nll=-jnp.mean(log_p))
            return -jnp.mean(advantage * log_p), stats

        (_, stats), grads = jax.value_and_grad(loss, has_aux=True)(state.params)
        return apply(state, grads), stats

    return Learner(lambda params: TrainState(params, optimizer.init(params), jnp.int32(0)),
                   supervised, reinforce)  # fmt: skip


def sample_instances(rng: np.random.Generator, count: int, split: str, k: int = 4,
                     values=(1, 13), targets=(10, 100)) -> list[tuple[tuple, int]]:  # fmt: skip
    """`count` distinct instances of the environment's `split` (its hash buckets): k numbers
    drawn with replacement (so duplicates and 1s are common: the bugs E6b looks for), target the
    end of a random legal path, in `targets` and not one of the numbers. Always solvable."""
    wanted = countdown.SPLITS.get(split)
    out: dict = {}
    while len(out) < count:
        candidates = []
        for _ in range(4 * count):
            numbers = tuple(
                sorted(rng.integers(values[0], values[1] + 1, k).tolist(), reverse=True)
            )
            position = numbers
            while len(position) > 1:
                position = countdown_solver.step(position, int(rng.choice(
                    countdown_solver.legal_actions(position))))  # fmt: skip
            if targets[0] <= position[0] <= targets[1] and position[0] not in numbers:
                candidates.append((numbers, position[0]))
        padded = np.full((len(candidates), countdown.MAX_NUMBERS), -1)
        for row, (numbers, _) in enumerate(candidates):
            padded[row, :k] = numbers
        buckets = countdown.split_of(padded, np.array([t for _, t in candidates]))
        for instance, bucket in zip(candidates, buckets, strict=True):
            held_out = bucket in countdown.SPLITS.values()
            if (bucket == wanted) if wanted is not None else not held_out:
                out.setdefault(instance, None)
    return list(out)[:count]


def solver_answers(instances, rng: np.random.Generator, per_instance: int = 1) -> list[list[str]]:
    """Expressions the perfect demonstrator writes: random winning paths, distinct per instance."""
    out = []
    for numbers, target in instances:
        paths = {countdown_solver.to_expression(numbers, countdown_solver.demonstrate(
            numbers, target, "solver", rng)["moves"]) for _ in range(per_instance)}  # fmt: skip
        out.append(sorted(paths))
    return out
