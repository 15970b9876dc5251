"""The AlphaZero loss, and KataGo's auxiliary terms.

    l = -pi^T log p  +  c_v * (z - v)^2  (+ weight decay, applied by the optimizer: AdamW)

averaged over a batch; the value term only over samples whose `mask` is 1 (a real outcome is known).
`pi` is the search policy (`action_weights`) or an expert's one-hot move; the learner never needs to
know which. Under playout cap randomization the policy term averages over the samples whose
`policy_mask` is 1 (full searches) only.

Auxiliary terms (Wu 2019, "Accelerating Self-Play Learning in Go"), each added when the network
has the head and the batch the target, over the samples whose mask is 1:

    ownership  c_o * mean_points BCE(sigmoid(2 o_hat), (1 + o) / 2)   o in {-1, 0, 1}, c_o = 1.5
    score      c_s * Huber_10(s_hat - s)                                points, c_s = 0.02
    reply      c_r * -pi'^T log p'                                      pi' = pi one move later

The ownership head predicts tanh(o_hat) in [-1, 1]; its cross-entropy against (1 + o) / 2 is
KataGo's. The score weight is KataGo's weight for each of its two score-distribution terms, which
the one scalar margin here stands in for (docs/deviations.md).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

from alphazero import networks
from alphazero.config import TrainConfig
from alphazero.types import Samples


def loss(params, batch: Samples, weights: TrainConfig | float = 1.0):
    """Returns (total loss, metrics dict) for a batch [N]. `weights`: the train config (its loss
    weights), or the value-loss weight alone."""
    heads = networks.apply_heads(params, batch.observation)
    total, metrics = loss_from_outputs(heads.prior_logits, heads.value, batch, weights)
    if not isinstance(weights, TrainConfig):
        weights = TrainConfig(value_loss_weight=weights)
    return auxiliary_loss(heads, batch, weights, total, metrics)


def loss_from_outputs(
    logits: jax.Array, value: jax.Array, batch: Samples, weights: TrainConfig | float = 1.0
):
    """The loss given the network's outputs: logits [N, A], value [N]; (total, metrics)."""
    value_loss_weight = getattr(weights, "value_loss_weight", weights)
    policy_mask = batch.policy_mask if batch.policy_mask is not None else 1.0
    cross_entropy = optax.softmax_cross_entropy(logits, batch.action_weights)
    policy_loss = _masked_mean(cross_entropy, policy_mask)
    # Cross-entropy minus the target's own entropy: 0 when the net matches pi exactly.
    target_entropy = -jnp.sum(
        batch.action_weights
        * jnp.log(jnp.where(batch.action_weights > 0, batch.action_weights, 1)),
        axis=-1,
    )
    value_loss = _masked_mean((value - batch.value_target) ** 2, batch.mask)
    total = policy_loss + value_loss_weight * value_loss
    probs = jax.nn.softmax(logits)
    metrics = {
        "loss": total,
        "policy_loss": policy_loss,
        "policy_kl": policy_loss - _masked_mean(target_entropy, policy_mask),
        "value_loss": value_loss,
        "policy_entropy": -jnp.sum(probs * jax.nn.log_softmax(logits), axis=-1).mean(),
        "value_mean": value.mean(),
    }
    return total, metrics


def auxiliary_loss(heads: networks.Heads, batch: Samples, weights: TrainConfig, total, metrics):
    """Adds the auxiliary terms the network and the batch both have to `total` and `metrics`."""
    if heads.ownership is not None and batch.ownership is not None:
        # BCE of sigmoid(2 o_hat) against (1 + o) / 2, mean over points: KataGo's ownership loss.
        owned = (1 + batch.ownership) / 2
        per_point = optax.sigmoid_binary_cross_entropy(2 * heads.ownership, owned)
        ownership_loss = _masked_mean(per_point.mean(-1), batch.score_mask)
        score_loss = _masked_mean(optax.huber_loss(heads.score, batch.score_margin, delta=10.0),
                                  batch.score_mask)  # fmt: skip
        total = total + weights.ownership_loss_weight * ownership_loss
        total = total + weights.score_loss_weight * score_loss
        metrics |= {"ownership_loss": ownership_loss, "score_loss": score_loss}
    if heads.reply_logits is not None and batch.reply_weights is not None:
        cross_entropy = optax.softmax_cross_entropy(heads.reply_logits, batch.reply_weights)
        reply_loss = _masked_mean(cross_entropy, batch.reply_mask)
        total = total + weights.reply_loss_weight * reply_loss
        metrics |= {"reply_loss": reply_loss}
    return total, {**metrics, "loss": total}


def _masked_mean(x: jax.Array, mask) -> jax.Array:
    """The mean of x [N] over the samples where mask [N] (or a scalar 1) is 1; 0 if none."""
    mask = jnp.broadcast_to(jnp.asarray(mask, x.dtype), x.shape)
    return jnp.sum(mask * x) / jnp.maximum(mask.sum(), 1.0)
