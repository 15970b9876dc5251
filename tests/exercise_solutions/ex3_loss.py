"""Reference solution of exercise 3 (the AlphaZero loss). Not for students' eyes."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def alphazero_loss(logits, value, action_weights, value_target, mask, value_loss_weight=1.0):
    policy_loss = -jnp.sum(action_weights * jax.nn.log_softmax(logits), axis=-1).mean()
    value_loss = jnp.sum(mask * (value - value_target) ** 2) / jnp.maximum(mask.sum(), 1.0)
    return policy_loss + value_loss_weight * value_loss, policy_loss, value_loss
