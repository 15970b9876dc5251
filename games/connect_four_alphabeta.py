"""Depth-limited search player for pgx connect four, the classical baseline opponent.

The search is full-width depth-limited negamax: every move is expanded by `jax.vmap` over the 7
columns, recursively, `depth` plies deep, with a heuristic at the leaves. Its best root value,
and so the set of moves it may choose, equals that of alpha-beta search of the same depth and
evaluation (alpha-beta prunes only branches that cannot change the minimax value; it just does
not compute exact values for the moves it proves worse). Full width costs 7**depth leaves per
state, cheap in JAX for depth <= 4, and avoids data-dependent pruning, which vmaps badly.

It runs on pgx's internal rules (`state._x`: board [42] row-major from the top, -1 empty, 0/1 the
colour of a stone; `color` to move; `winner`), skipping the env's observation and bookkeeping.
"""

import functools

import jax
import jax.numpy as jnp
import pgx
from pgx._src.games.connect_four import Game, GameState

from games.random_player import Player, random_argmax

WIN = 10_000.0
"""Value of a win; a win `k` plies sooner scores `k` more, so faster wins / slower losses win."""

_GAME = Game()
_TWO, _THREE, _CENTER = 2.0, 5.0, 3.0  # heuristic weights, see `heuristic`


def _window_counts(plane: jax.Array) -> jax.Array:
    """[6, 7] 0/1 stones -> [69] stones in each window of four (slices; faster than gathers)."""
    rows = plane[:, 0:4] + plane[:, 1:5] + plane[:, 2:6] + plane[:, 3:7]  # [6, 4]
    cols = plane[0:3] + plane[1:4] + plane[2:5] + plane[3:6]  # [3, 7]
    diag = plane[0:3, 0:4] + plane[1:4, 1:5] + plane[2:5, 2:6] + plane[3:6, 3:7]  # [3, 4]
    anti = plane[0:3, 3:7] + plane[1:4, 2:6] + plane[2:5, 1:5] + plane[3:6, 0:4]  # [3, 4]
    return jnp.concatenate([rows.ravel(), cols.ravel(), diag.ravel(), anti.ravel()])


def _open_window_score(own: jax.Array, other: jax.Array) -> jax.Array:
    """Sum over windows [69] free of the other side: +THREE per three, +TWO per two."""
    per_window = jnp.where(own == 3, _THREE, jnp.where(own == 2, _TWO, 0.0))  # [69]
    return jnp.sum(jnp.where(other == 0, per_window, 0.0))


def _heuristic(x: GameState) -> jax.Array:
    """Leaf score of a non-terminal position for the side to move (x.color)."""
    board = x.board.reshape(6, 7)
    mine = (board == x.color).astype(jnp.float32)  # [6, 7]
    theirs = (board == 1 - x.color).astype(jnp.float32)  # [6, 7]
    mine_counts, their_counts = _window_counts(mine), _window_counts(theirs)  # [69], [69]
    score = _open_window_score(mine_counts, their_counts)
    score -= _open_window_score(their_counts, mine_counts)
    return score + _CENTER * jnp.sum(mine[:, 3] - theirs[:, 3])


def heuristic(state: pgx.State) -> jax.Array:
    """Heuristic score of one unbatched non-terminal pgx connect-four state for the side to move.

    Counts the windows of four holding only one side's stones: +2 per two and +5 per three of
    the mover's, minus the same for the opponent, plus 3 per stone in the centre column (mover's
    minus opponent's). Bounded well below `WIN`.

    Args:
        state: unbatched pgx connect-four state.

    Returns:
        Scalar float32 score.
    """
    return _heuristic(state._x)


def _negamax(x: GameState, depth: int) -> jax.Array:
    """[7] values of each move for the side to move in non-terminal x; -inf for full columns."""
    children = jax.vmap(_GAME.step, in_axes=(None, 0))(x, jnp.arange(7))  # GameState [7, ...]
    won = children.winner >= 0  # [7] the mover completed four
    full = jnp.all(children.board >= 0, axis=-1)  # [7] drawn by a full board
    if depth == 1:
        rest = -jax.vmap(_heuristic)(children)  # [7]
    else:
        grandchildren = jax.vmap(functools.partial(_negamax, depth=depth - 1))(children)  # [7, 7]
        rest = -jnp.max(grandchildren, axis=-1)  # [7]
    value = jnp.where(won, WIN + depth, jnp.where(full, 0.0, rest))  # [7]
    return jnp.where(_GAME.legal_action_mask(x), value, -jnp.inf)


def move_values(state: pgx.State, depth: int) -> jax.Array:
    """Depth-limited negamax value of each move for the side to move.

    Args:
        state: unbatched, non-terminal pgx connect-four state.
        depth: plies searched (1 = the mover's own moves only, scored by the heuristic).

    Returns:
        [7] float32: about +WIN for a forced win, about -WIN for a forced loss, 0 for a drawn
        full board, otherwise a heuristic score; -inf for full columns.
    """
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    return _negamax(state._x, depth)


@functools.cache
def alphabeta_player(depth: int) -> Player:
    """Connect-four player searching `depth` plies (plays as alpha-beta of that depth would).

    Cached per depth, so repeated calls return the same function (and hit the same jit cache).

    Args:
        depth: plies searched, >= 1. 1 = own moves only; 2 also sees the opponent's replies.

    Returns:
        `player(key, state) -> []` int32 action for one unbatched pgx connect-four state; ties
        between equally valued moves are broken at random with `key`. Never picks a full column.
    """
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")

    def player(key: jax.Array, state: pgx.State) -> jax.Array:
        return random_argmax(key, _negamax(state._x, depth))

    player.__name__ = player.__qualname__ = f"alphabeta_{depth}"
    return player
