"""A learned proxy reward model, best-of-n selection against it, and Gao et al.'s functional forms
(Scaling laws for reward model overoptimization, 2023) at toy scale: E6a.

    config = rm_config()                                  # one Llama block, a scalar head
    params, report = train(config, batch, labels, key)    # BCE on N labelled samples
    proxy = jax.nn.sigmoid(score(config, params, batch))  # [B] the model's P(correct)
    gold_n, proxy_n = best_of_n(gold, proxy, ns)          # [P, m] samples -> [len(ns)]
    alpha, beta = fit(d, gold_n - gold_n[0], "bon")       # R(d) = d (alpha - beta d)

The reward model reads the policy's own sequences (alphazero/text_policy.Batch: prompt, answer,
<eos>) and predicts from the last position, the answer's <eos>, whether the strict verifier (the
gold reward) accepts the answer. Gold is what the experiment measures; the proxy is what
best-of-n and RL optimise.

Best-of-n with a proxy: draw n answers, keep the one the proxy scores highest. From m >= n
samples of an instance, sorted by proxy (ascending, ranks i = 1..m), the chance that rank i is
the best of a uniformly drawn n-subset is C(i - 1, n - 1) / C(m, n); `best_of_n` averages gold
and proxy with those weights (exact, no resampling noise). Its distance from the sampling policy
is d = sqrt(KL) with KL = log n - (n - 1) / n (an upper bound: Beirami et al. 2024).

Gao et al.'s forms for the gold reward gained over the initial policy, with d = sqrt(KL):
    best-of-n: R(d) = d (alpha - beta d)         peak at d* = alpha / (2 beta)
    RL:        R(d) = d (alpha - beta log d)     peak at d* = exp(alpha / beta - 1)
Both are linear in (alpha, beta), so `fit` is least squares.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
from scipy.special import gammaln

from alphazero.lm import llama
from alphazero.lm.text_policy import Batch, policy_config


def rm_config(dim: int = 64) -> llama.LlamaConfig:
    return policy_config(dim=dim, num_layers=1)


def score(config: llama.LlamaConfig, params, batch: Batch) -> jax.Array:
    """The logit of P(correct) [B], read at each answer's <eos> (its last scored position)."""
    b, t = batch.tokens.shape
    logits = llama.logits(params, config, batch.tokens, batch.valid)
    last = t - 1 - jnp.argmax(batch.answer_mask[:, ::-1], axis=1)  # [B]
    return logits[jnp.arange(b), last, 0]


def _rows(batch: Batch, index) -> Batch:
    return Batch(*(x[index] for x in batch))


def train(config: llama.LlamaConfig, batch: Batch, labels: np.ndarray, key: jax.Array,
          steps: int = 600, batch_size: int = 64, learning_rate: float = 1e-3,
          holdout: float = 0.2) -> tuple[dict, dict]:  # fmt: skip
    """A reward model fitted by binary cross-entropy to `labels` [B] (1 = gold accepts) on the
    labelled samples `batch`. `holdout` of them is kept for early stopping: the returned params
    are the ones with the lowest held-out loss among checks every 25 steps; the report has that
    loss, the held-out accuracy and the step."""
    labels = jnp.asarray(labels, jnp.float32)
    init_key, key = jax.random.split(key)
    order = np.asarray(jax.random.permutation(key, labels.shape[0]))
    cut = max(1, int(round(holdout * labels.shape[0])))
    held, fit_rows = order[:cut], order[cut:]
    optimizer = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(learning_rate))
    params = llama.init(config, init_key, num_outputs=1)
    opt_state = optimizer.init(params)

    def loss_fn(params, rows):
        logits = score(config, params, _rows(batch, rows))
        return jnp.mean(optax.sigmoid_binary_cross_entropy(logits, labels[rows]))

    @jax.jit
    def update(params, opt_state, rows):
        loss, grads = jax.value_and_grad(loss_fn)(params, rows)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    @jax.jit
    def check(params):
        logits = score(config, params, _rows(batch, held))
        loss = jnp.mean(optax.sigmoid_binary_cross_entropy(logits, labels[held]))
        return loss, jnp.mean((logits > 0) == (labels[held] > 0.5))

    rng = np.random.default_rng(int(jax.random.randint(key, (), 0, 2**30)))
    best = (math.inf, 0.0, 0, params)
    for step in range(1, steps + 1):
        rows = rng.choice(fit_rows, size=min(batch_size, len(fit_rows)), replace=False)
        params, opt_state, _ = update(params, opt_state, jnp.asarray(rows))
        if step % 25 == 0:
            loss, accuracy = (float(x) for x in check(params))
            if loss < best[0]:
                best = (loss, accuracy, step, params)
    loss, accuracy, step, params = best
    return params, dict(heldout_loss=loss, heldout_accuracy=accuracy, best_step=step)


def best_of_n(gold: np.ndarray, proxy: np.ndarray, ns) -> tuple[np.ndarray, np.ndarray]:
    """Expected gold and proxy reward [len(ns)] of the proxy's pick among n of the m samples per
    instance (gold, proxy [P, m]; exact order-statistics weights, ties in proxy order broken
    by sample order), averaged over instances."""
    m = gold.shape[1]
    order = np.argsort(proxy, axis=1, kind="stable")
    gold_sorted = np.take_along_axis(gold, order, 1)
    proxy_sorted = np.take_along_axis(proxy, order, 1)
    rank = np.arange(1, m + 1)
    gold_out, proxy_out = [], []
    for n in ns:
        if not 1 <= n <= m:
            raise ValueError(f"n = {n} is outside 1..{m} samples")
        weights = np.exp(_log_comb(rank - 1, n - 1) - _log_comb(m, n))  # 0 where i < n
        gold_out.append(float(np.mean(gold_sorted @ weights)))
        proxy_out.append(float(np.mean(proxy_sorted @ weights)))
    return np.array(gold_out), np.array(proxy_out)


def _log_comb(a, b: int) -> np.ndarray:
    """log C(a, b), elementwise over a; -inf where a < b."""
    a = np.asarray(a, float)
    value = gammaln(a + 1) - gammaln(b + 1) - gammaln(np.maximum(a - b, 0) + 1)
    return np.where(a >= b, value, -np.inf)


def bon_kl(n) -> np.ndarray:
    """KL(best-of-n || sampling policy) <= log n - (n - 1) / n (the usual formula, a bound)."""
    n = np.asarray(n, float)
    return np.log(n) - (n - 1) / n


def fit(d: np.ndarray, gain: np.ndarray, form: str) -> tuple[float, float]:
    """Least-squares (alpha, beta) of Gao et al.'s form ("bon" or "rl") to gold gains at d."""
    d, gain = np.asarray(d, float), np.asarray(gain, float)
    if form == "bon":
        shape = d * d
    elif form == "rl":
        shape = d * np.log(np.maximum(d, 1e-12))
    else:
        raise ValueError(f"unknown form {form!r}; use 'bon' or 'rl'")
    (alpha, beta), *_ = np.linalg.lstsq(np.stack([d, -shape], 1), gain, rcond=None)
    return float(alpha), float(beta)


def peak(alpha: float, beta: float, form: str) -> float:
    """d at which the fitted gold gain peaks (inf if it never turns over: beta <= 0)."""
    if beta <= 0:
        return math.inf
    return alpha / (2 * beta) if form == "bon" else math.exp(alpha / beta - 1)
