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

import functools
from collections.abc import Callable
from typing import NamedTuple

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
    """pgx Go over a batch of games, with positional-superko moves removed from the legal set.

    The jitted rules are shared by every referee of one (size, komi): a match, a rating and a
    check of saved games compile them once per process, not once per referee."""

    def __init__(self, size: int, komi: float, batch: int):
        self.size, self.komi, self.batch = size, komi, batch
        self.env, self._rules = _rules(size, float(komi))

    def init(self, key):
        return self._rules.init(jax.random.split(key, self.batch))

    def legal(self, states) -> np.ndarray:
        return np.asarray(states.legal_action_mask) & ~np.asarray(self._rules.superko(states))

    def step_where(self, states, actions: np.ndarray, running: np.ndarray):
        """Steps the games where `running` is true; the others keep their state."""
        safe = np.where(running, actions, coords.pass_action(self.size))
        return self._rules.step_where(states, jnp.asarray(safe, jnp.int32), jnp.asarray(running))

    def black_margin(self, states) -> np.ndarray:
        """Black's area - White's area - komi, per game."""
        return np.asarray(self._rules.black_margin(states))


class _Rules(NamedTuple):
    """pgx Go's rules over a batch [B], jitted (each compiles once per batch size)."""

    init: Callable  # keys [B, 2] -> states
    step_where: Callable  # (states, actions [B], running [B]) -> states, stopped games kept
    superko: Callable  # states -> [B, A] bool
    black_margin: Callable  # states -> [B]


@functools.cache
def _rules(size: int, komi: float) -> tuple[Go, _Rules]:
    env = Go(size=size, komi=komi)

    def step_where(state, action, running):  # one game; a stopped game keeps its state
        return jax.tree.map(lambda old, new: jnp.where(running, new, old), state,
                            env.step(state, action))  # fmt: skip

    rules = _Rules(
        init=jax.jit(jax.vmap(env.init)),
        step_where=jax.jit(jax.vmap(step_where)),
        superko=jax.jit(jax.vmap(superko_moves(env))),
        black_margin=jax.jit(jax.vmap(lambda state: go.black_margin(state, komi))),
    )
    return env, rules
