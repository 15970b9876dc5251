"""The referee of every Go game the project plays or checks: pgx Go over a batch of games.

    referee = Referee(size=9, komi=7.5, batch=16)
    states = referee.init(key)
    legal = referee.legal(states)                  # [B, A] pgx's legal moves minus superko
    states = referee.step_where(states, actions, running)
    margin = referee.black_margin(states)          # [B] Black's area - White's - komi

pgx's rules (alphazero/go/__init__.py): area scoring as the board stands, suicide illegal, simple
ko masked by pgx; positional superko, which pgx lets a player play and then loses for them, is
removed from the legal moves here, so a move that repeats a position is never made.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from pgx.go import Go

from games import go
from games import go_coordinates as coords


def superko_moves(env):
    """(state) -> [A] bool: the moves that would repeat an earlier position (pgx: mover loses)."""
    actions = jnp.arange(env.num_actions)
    return lambda state: jax.vmap(lambda a: go.repeats_position(env.step(state, a)))(actions)


class Referee:
    """pgx Go over a batch of games, with positional-superko moves removed from the legal set."""

    def __init__(self, size: int, komi: float, batch: int):
        self.size, self.komi, self.batch = size, komi, batch
        env = Go(size=size, komi=komi)
        self.env = env
        self._init = jax.jit(lambda k: jax.vmap(env.init)(jax.random.split(k, batch)))
        self._step = jax.jit(jax.vmap(env.step))
        self._superko = jax.jit(jax.vmap(superko_moves(env)))
        self._black_margin = jax.jit(jax.vmap(go.black_margin, in_axes=(0, None)))

    def init(self, key):
        return self._init(key)

    def legal(self, states) -> np.ndarray:
        return np.asarray(states.legal_action_mask) & ~np.asarray(self._superko(states))

    def step(self, states, actions: np.ndarray):
        return self._step(states, jnp.asarray(actions, jnp.int32))

    def step_where(self, states, actions: np.ndarray, running: np.ndarray):
        """Steps the games where `running` is true; the others keep their state."""
        safe = np.where(running, actions, coords.pass_action(self.size))
        stepped, keep = self.step(states, safe), jnp.asarray(~running)
        return jax.tree.map(
            lambda old, new: jnp.where(keep.reshape((-1,) + (1,) * (old.ndim - 1)), old, new),
            states,
            stepped,
        )

    def black_margin(self, states) -> np.ndarray:
        """Black's area - White's area - komi, per game."""
        return np.asarray(self._black_margin(states, self.komi))
