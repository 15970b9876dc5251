"""The AlphaZero loss.

    l = -pi^T log p  +  c_v * (z - v)^2  (+ weight decay, applied by the optimizer: AdamW)

averaged over a batch; the value term only over samples whose `mask` is 1 (a real outcome is known).
`pi` is the search policy (`action_weights`) or an expert's one-hot move; the learner never needs to
know which.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

from alphazero import networks
from alphazero.types import Samples


def loss(params, batch: Samples, value_loss_weight: float = 1.0):
    """Returns (total loss, metrics dict) for a batch [N]."""
    logits, value = networks.apply(params, batch.observation)
    return loss_from_outputs(logits, value, batch, value_loss_weight)


def loss_from_outputs(
    logits: jax.Array, value: jax.Array, batch: Samples, value_loss_weight: float = 1.0
):
    """The loss given the network's outputs: logits [N, A], value [N]; (total, metrics)."""
    policy_loss = optax.softmax_cross_entropy(logits, batch.action_weights).mean()
    # Cross-entropy minus the target's own entropy: 0 when the net matches pi exactly.
    target_entropy = -jnp.sum(
        batch.action_weights
        * jnp.log(jnp.where(batch.action_weights > 0, batch.action_weights, 1)),
        axis=-1,
    ).mean()
    weight = batch.mask / jnp.maximum(batch.mask.sum(), 1.0)
    value_loss = jnp.sum(weight * (value - batch.value_target) ** 2)
    total = policy_loss + value_loss_weight * value_loss
    probs = jax.nn.softmax(logits)
    metrics = {
        "loss": total,
        "policy_loss": policy_loss,
        "policy_kl": policy_loss - target_entropy,
        "value_loss": value_loss,
        "policy_entropy": -jnp.sum(probs * jax.nn.log_softmax(logits), axis=-1).mean(),
        "value_mean": value.mean(),
    }
    return total, metrics
