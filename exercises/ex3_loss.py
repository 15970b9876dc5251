"""Exercise 3 — the AlphaZero loss.

Fill in `alphazero_loss`, then run

    alphazero exercise check 3

The network f_theta(s) = (p, v) is trained so that its policy p matches the search policy pi and
its value v matches the game outcome z (AlphaGo Zero, equation 1):

    l = -pi^T log p + c_v * (z - v)^2      (+ c * ||theta||^2, done by the optimizer here)

Over a batch of N positions:

- policy_loss = mean over the batch of the cross-entropy -sum_a pi(a) log softmax(logits)(a);
- value_loss = mean of (z - v)^2 over the positions whose mask is 1 only (positions without a
  known outcome carry mask 0 and must not count; if no position has mask 1, value_loss is 0);
- total = policy_loss + value_loss_weight * value_loss.

Use `jax.numpy` (not numpy) so the grader can differentiate your loss with `jax.grad`, and compute
log softmax in a numerically stable way (`jax.nn.log_softmax`): logits can be large.
"""

from __future__ import annotations

import jax


def alphazero_loss(
    logits: jax.Array,  # [N, A] unnormalised policy logits
    value: jax.Array,  # [N] predicted value v in [-1, 1]
    action_weights: jax.Array,  # [N, A] policy target pi (rows sum to 1)
    value_target: jax.Array,  # [N] outcome z in [-1, 1]
    mask: jax.Array,  # [N] 1.0 where z is a real outcome, else 0.0
    value_loss_weight: float = 1.0,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Returns (total, policy_loss, value_loss), each a scalar."""
    raise NotImplementedError("alphazero_loss")
