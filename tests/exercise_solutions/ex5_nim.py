"""Reference solution of exercise 5 (Nim in the pgx contract). Not for students' eyes."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import pgx.core as core

from alphazero import exercises

# The scaffolding the stub gives the student (data types, constants) is reused, not copied.
_STUB = exercises.load(Path(__file__).resolve().parents[2] / "exercises" / "ex5_nim.py")
PILE, NUM_ACTIONS, State = _STUB.PILE, _STUB.NUM_ACTIONS, _STUB.State


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
