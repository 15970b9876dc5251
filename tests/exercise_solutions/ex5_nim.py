"""Reference solution of exercise 5 (Nim in the pgx contract). Not for students' eyes."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pgx.core as core
from pgx._src.struct import dataclass

PILE = 12
NUM_ACTIONS = 3


@dataclass
class State(core.State):
    current_player: jax.Array = jnp.int32(0)
    observation: jax.Array = jnp.zeros(PILE + 1, dtype=jnp.float32)
    rewards: jax.Array = jnp.float32([0.0, 0.0])
    terminated: jax.Array = jnp.bool_(False)
    truncated: jax.Array = jnp.bool_(False)
    legal_action_mask: jax.Array = jnp.ones(NUM_ACTIONS, dtype=jnp.bool_)
    _step_count: jax.Array = jnp.int32(0)
    _pile: jax.Array = jnp.int32(PILE)

    @property
    def env_id(self) -> str:
        return "nim"


class Nim(core.Env):
    def _init(self, key):
        return State(current_player=jnp.int32(jax.random.bernoulli(key)))

    def _step(self, state, action, key):
        del key
        pile = state._pile - (action + 1)
        won = pile == 0  # the mover took the last stone
        mover = state.current_player
        rewards = jnp.where(won, jnp.where(jnp.arange(2) == mover, 1.0, -1.0), 0.0)
        return state.replace(
            current_player=1 - mover,
            _pile=pile,
            rewards=rewards.astype(jnp.float32),
            terminated=won,
            legal_action_mask=jnp.arange(1, NUM_ACTIONS + 1) <= pile,
        )

    def _observe(self, state, player_id):
        del player_id
        return jax.nn.one_hot(state._pile, PILE + 1, dtype=jnp.float32)

    @property
    def id(self):
        return "nim"

    @property
    def version(self):
        return "v0"

    @property
    def num_players(self):
        return 2
