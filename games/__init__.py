"""Game registry (pgx environments by name) and reference players to evaluate agents against.

`make(name)` builds a fresh pgx environment; `available()` lists the names. Players have the
signature `player(key, state) -> action` for ONE unbatched pgx state and are jittable, so
callers `jax.vmap` them over a batch.
"""

from collections.abc import Callable

import numpy as np
import pgx

# Import every game module now: pgx.make imports them lazily, and a first import inside a jit
# trace would leak tracers into the module-level defaults of pgx's state classes.
import pgx.connect_four
import pgx.hex
import pgx.othello
import pgx.tic_tac_toe
from pgx._src.struct import dataclass  # the frozen pytree a new game's State is declared with
from pgx.go import Go

from games import countdown_solver
from games.connect_four_alphabeta import alphabeta_player, heuristic, move_values
from games.countdown import Countdown
from games.random_player import Player, random_argmax, random_player
from games.tic_tac_toe_solver import Positions, action_values, all_positions, minimax_player

_REGISTRY: dict[str, Callable[[], pgx.Env]] = {
    "tic_tac_toe": lambda: pgx.make("tic_tac_toe"),
    "connect_four": lambda: pgx.make("connect_four"),
    "othello": lambda: pgx.make("othello"),
    "hex": lambda: pgx.make("hex"),
    "go_5x5": lambda: Go(size=5, komi=24.5),
    "go_7x7": lambda: Go(size=7, komi=8.5),
    "go_9x9": lambda: Go(size=9, komi=7.5),
    "go_19x19": lambda: Go(size=19, komi=7.5),
    "countdown": lambda: Countdown(k=(2, 6)),
    **{f"countdown_k{k}": (lambda k=k: Countdown(k=k)) for k in range(2, 7)},
    "countdown_24": lambda: Countdown(instances=game_of_24_instances()),
    "countdown_token": lambda: Countdown(k=(2, 4), mode="token"),
    "countdown_numbers": lambda: Countdown(k=(2, 6), observation="numbers"),
}


def game_of_24_instances() -> tuple[np.ndarray, np.ndarray]:
    """The 1,346 solvable Game-of-24 sets (four numbers from 1..13, target 24) as an instance
    table: numbers [1346, 6] (-1 padded), targets [1346]."""
    sets = [s for s in countdown_solver.game_of_24_sets() if countdown_solver.solvable(s, 24)]
    numbers = np.full((len(sets), 6), -1, np.int32)
    numbers[:, :4] = sets
    return numbers, np.full(len(sets), 24, np.int32)


def available() -> tuple[str, ...]:
    """Names accepted by `make`, in registry order."""
    return tuple(_REGISTRY)


def register(name: str, factory: Callable[[], pgx.Env]) -> None:
    """Adds a game under `name` so `make(name)`, configs and `alphazero.train.run` accept it.

    Args:
        name: registry name, used as `Config.game`; an existing name is replaced.
        factory: builds a fresh environment that follows pgx's `Env` contract (check it with
            `games.testing.check_game(factory())`).
    """
    _REGISTRY[name] = factory


def unregister(name: str) -> None:
    """Removes a game added with `register` (built-in games can be removed too; tests use this)."""
    _REGISTRY.pop(name, None)


def make(name: str) -> pgx.Env:
    """Builds a fresh pgx environment for a registered game name.

    Args:
        name: one of `available()`.

    Returns:
        The pgx environment.

    Raises:
        ValueError: if the name is not registered.
    """
    if name not in _REGISTRY:
        raise ValueError(f"unknown game {name!r}; available: {', '.join(available())}")
    return _REGISTRY[name]()


__all__ = [
    "Countdown",
    "Player",
    "Positions",
    "action_values",
    "all_positions",
    "alphabeta_player",
    "available",
    "dataclass",
    "game_of_24_instances",
    "heuristic",
    "make",
    "minimax_player",
    "move_values",
    "random_argmax",
    "random_player",
    "register",
    "unregister",
]
