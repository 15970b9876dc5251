"""Uniform random player and the random tie-breaking argmax shared by the reference players.

Players in `games` act on ONE unbatched pgx state and are jittable; batch them with `jax.vmap`.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import pgx

Player = Callable[[jax.Array, pgx.State], jax.Array]
"""`player(key, state) -> action`: one unbatched pgx state in, a scalar int32 action out."""


def random_argmax(key: jax.Array, scores: jax.Array) -> jax.Array:
    """Index of a maximal entry, chosen uniformly at random among ties.

    Args:
        key: PRNG key used for the tie-break.
        scores: [A] float scores; use -inf for actions that must never win the argmax.

    Returns:
        Scalar int32 index. If every entry is -inf, any index may be returned.
    """
    is_best = scores == jnp.max(scores)  # [A]
    noise = jax.random.uniform(key, scores.shape)  # [A]
    return jnp.argmax(jnp.where(is_best, noise, -1.0)).astype(jnp.int32)


def random_player(key: jax.Array, state: pgx.State) -> jax.Array:
    """Uniformly random legal action for one unbatched pgx state.

    Args:
        key: PRNG key.
        state: unbatched pgx state.

    Returns:
        Scalar int32 action, legal whenever the state is non-terminal.
    """
    mask = state.legal_action_mask  # [A]
    return random_argmax(key, jnp.where(mask, 0.0, -jnp.inf))
