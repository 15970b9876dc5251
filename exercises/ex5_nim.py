"""Exercise 5 — a new game in the pgx contract (Nim), and AlphaZero trained on it.

Fill in the methods marked `raise NotImplementedError`, then run

    alphazero exercise check 5

The game: one pile of 12 stones; the two players take turns removing 1, 2 or 3 stones; whoever
takes the last stone wins. (The first player wins by always leaving a multiple of 4.)

pgx's contract, which every game in `games/` follows and `games.testing.check_game` checks:

- a `State` dataclass (pgx's `@dataclass`, immutable, a pytree) with pgx's common fields:
  `current_player` (0 or 1), `observation` (from the view of the player to move), `rewards` [2]
  (indexed by player id, non-zero only on the move that ends the game), `terminated`,
  `truncated`, `legal_action_mask` [A] and `_step_count`, plus the game's own fields, whose
  names start with `_` (pgx's API test checks that only the common fields are public);
- an `Env` subclass implementing `_init(key)`, `_step(state, action, key)` and
  `_observe(state, player_id)`, and the properties `id`, `version` and `num_players`. pgx's own
  `Env.init`/`Env.step` wrap these: they fill in the observation, count steps, punish illegal
  actions and freeze finished games, so you never write that logic;
- everything is written with `jax.numpy` and `jax.lax` (no Python `if` on array values), so
  `jax.jit(jax.vmap(env.step))` runs thousands of games at once.

Actions: 0, 1, 2 remove 1, 2, 3 stones. An action is legal only if that many stones are left.
Observation: anything of a fixed shape that tells the positions apart; a one-hot vector of the
pile size, `jax.nn.one_hot(pile, PILE + 1)`, is enough (Nim looks the same to both players).

Once your game passes, train on it (the grader does a tiny run too):

    import dataclasses, games
    from alphazero import config, exercises, presets, train
    games.register("nim", exercises.load("exercises/ex5_nim.py").Nim)
    nim = dataclasses.replace(presets.tic_tac_toe(), game="nim", eval=config.EvalConfig())
    train.run(nim, "runs/nim")
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pgx.core as core

from games import dataclass

PILE = 12  # stones at the start
NUM_ACTIONS = 3  # remove 1, 2 or 3


@dataclass
class State(core.State):
    current_player: jax.Array = jnp.int32(0)
    observation: jax.Array = jnp.zeros(PILE + 1, dtype=jnp.float32)
    rewards: jax.Array = jnp.float32([0.0, 0.0])
    terminated: jax.Array = jnp.bool_(False)
    truncated: jax.Array = jnp.bool_(False)
    legal_action_mask: jax.Array = jnp.ones(NUM_ACTIONS, dtype=jnp.bool_)
    _step_count: jax.Array = jnp.int32(0)
    _pile: jax.Array = jnp.int32(PILE)  # stones left

    @property
    def env_id(self) -> str:
        return "nim"


class Nim(core.Env):
    def _init(self, key: jax.Array) -> State:
        """A full pile; the first player (0 or 1) drawn at random from `key`, as pgx games do."""
        raise NotImplementedError("Nim._init")

    def _step(self, state: State, action: jax.Array, key) -> State:
        """Removes action + 1 stones; sets the next player, the legal mask, rewards, terminated."""
        raise NotImplementedError("Nim._step")

    def _observe(self, state: State, player_id: jax.Array) -> jax.Array:
        """Observation of `state` for `player_id` (a fixed shape, e.g. one-hot of the pile)."""
        raise NotImplementedError("Nim._observe")

    @property
    def id(self) -> str:
        return "nim"

    @property
    def version(self) -> str:
        return "v0"

    @property
    def num_players(self) -> int:
        return 2
