"""Go as the rest of the project reads it: the one public door to pgx Go's internal state.

pgx 2.6 keeps what a Go tool needs beyond the `State` contract in private fields: the board, the
colour to move and the pass count in `state._x`, komi in `env._game`, and the area count in
`pgx._src.games.go._count_scores`. Everything outside games/ reads them through these functions,
so a pgx upgrade that moves them is mended here and nowhere else.

Each function takes ONE unbatched state; callers `jax.vmap` them over a batch. All are jittable.

    stones(state)          [N*N] int32   +1 black, -1 white, 0 empty (pgx action order)
    colour_to_move(state)  int32         0 black, 1 white
    consecutive_passes(state)  int32     2 ends the game
    area(state)            [2] float32   black's and white's area (stones + surrounded empty points)
    black_margin(state, komi)  float32   black's area - white's area - komi: > 0 means black wins
    repeats_position(state)    bool      the last move repeated an earlier board (superko)
    own_eyes(state)        [N*N] bool    empty points whose on-board neighbours are all the mover's
    komi(env), board_size(env)           the environment's rules

Scoring is pgx's: area (Tromp-Taylor) counting of the final position, no dead-stone removal, komi
added to White; docs/deviations.md explains why the ladder's GNU Go runs `--capture-all-dead`.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from pgx._src.games.go import _count_scores
from pgx.go import Go

BLACK, WHITE = 0, 1


def komi(env: Go) -> float:
    """The points added to White's area (pgx Go's `komi`)."""
    return float(env._game.komi)


def board_size(env: Go) -> int:
    """N of the N x N board."""
    return int(env._game.size)


def _size(state) -> int:
    return int(round(math.sqrt(state._x.board.shape[-1])))  # static: from the array's shape


def stones(state) -> jax.Array:
    """[N*N] int32: +1 black stone, -1 white stone, 0 empty (pgx stores chain ids with a sign)."""
    return jnp.sign(state._x.board).astype(jnp.int32)


def colour_to_move(state) -> jax.Array:
    """0 when Black is to move, 1 when White is."""
    return state._x.color


def consecutive_passes(state) -> jax.Array:
    """Passes in a row just played; a second one ends the game."""
    return state._x.consecutive_pass_count


def area(state) -> jax.Array:
    """[2] float32: Black's and White's area (stones plus empty regions only they border)."""
    return _count_scores(state._x, _size(state)).astype(jnp.float32)


def ownership(state) -> jax.Array:
    """[N*N] int32 area map: +1 where Black owns the point, -1 White, 0 neither (Tromp-Taylor:
    a stone is its colour's; an empty region is the colour of every stone it touches, and
    nobody's when it touches both colours or none). Its per-colour counts are `area`'s."""
    size = _size(state)
    board = stones(state).reshape(size, size)
    empty = board == 0

    def spread(reached):  # flood from a colour's stones through empty points, until fixed
        def grow(r):
            padded = jnp.pad(r, 1)
            near = padded[:-2, 1:-1] | padded[2:, 1:-1] | padded[1:-1, :-2] | padded[1:-1, 2:]
            return r | (empty & near)

        return jax.lax.while_loop(lambda r: jnp.any(grow(r) != r), grow, reached)

    black, white = spread(board > 0), spread(board < 0)
    owner = jnp.where(board != 0, board, black.astype(jnp.int32) - white.astype(jnp.int32))
    return owner.reshape(-1)


def black_margin(state, komi: float) -> jax.Array:
    """Black's area - White's area - komi, as pgx scores a finished game."""
    black, white = area(state)
    return black - white - komi


def repeats_position(state) -> jax.Array:
    """Whether the move that led here repeated an earlier board (pgx: the mover loses)."""
    return state._x.is_psk


def own_eyes(state) -> jax.Array:
    """[N*N] bool: empty points whose on-board neighbours are all stones of the side to move."""
    size = _size(state)
    board = stones(state).reshape(size, size)
    mine = jnp.where(colour_to_move(state) == BLACK, board > 0, board < 0)
    padded = jnp.pad(mine, 1, constant_values=True)
    neighbours = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    return ((board == 0) & neighbours).reshape(-1)
