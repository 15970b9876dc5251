"""Exercise 10 — KataGo's ownership and score targets from a Go game's final position.

Fill in the three functions, then run

    alphazero exercise check 10

A win/loss value target says nothing about HOW a game was won: every position of a lost game
gets the same -1. KataGo (Wu 2019, section 3.2) adds two targets read off the final position of
every self-play game that ended by two passes, and trains two extra network heads on them
(alphazero/ownership.py, alphazero/targets.py):

- ownership: who owns each point of the board at the end, +1, -1 or 0;
- score margin: by how many points the game was won, komi included.

Boards are [N, N] int arrays, row 0 at the top: +1 a black stone, -1 a white stone, 0 empty.
Plain numpy is enough.

Area (Tromp-Taylor) scoring, as pgx scores Go (no dead stones are removed: every stone on the
board counts as alive):

- a stone is owned by its colour;
- the empty points split into regions, each a maximal set of empty points connected through
  up, down, left and right neighbours (4-connected; diagonals do not touch);
- an empty region belongs to Black if every stone it touches (a stone 4-adjacent to one of its
  points) is black, to White if every one is white; a region touching stones of both colours,
  or no stone at all (an empty board), is nobody's (0).

    owner(p) = board(p)                     if p holds a stone
    owner(p) = +1 / -1 / 0                  the owner of p's empty region, as above

    area_black = #{p : owner(p) = +1},   area_white = #{p : owner(p) = -1}
    margin_black = area_black - area_white - komi            (> 0: Black wins)

On 5x5, a black wall on column b and a white wall on column d (columns a..e, left to right):

    . X . O .        owner   + + 0 - -
    . X . O .                + + 0 - -
    . X . O .                + + 0 - -       area_black = 10, area_white = 10,
    . X . O .                + + 0 - -       margin_black = -komi
    . X . O .                + + 0 - -

Targets for training: each position t = 0..T-1 of the game trains on them from the view of the
player TO MOVE at t (as the value target z_t does), so with s_t = +1 when Black is to move at t
and -1 when White is,

    ownership_t = s_t * owner_black        (flattened, [N*N], pgx's point order row * N + col)
    margin_t    = s_t * margin_black

Players alternate, so the sign flips every move, passes included.
"""

from __future__ import annotations

import numpy as np


def ownership_map(board: np.ndarray) -> np.ndarray:
    """[N, N] board (+1 black, -1 white, 0 empty) -> [N, N] int owner (+1, -1, 0) by area
    (Tromp-Taylor): stones are their colour's, an empty region the colour of every stone it
    touches, 0 when it touches both colours or none.

    Hint: a flood fill (breadth-first search over empty points) per region, collecting the
    colours of the stones it touches."""
    raise NotImplementedError("ownership_map")


def score_margin(board: np.ndarray, komi: float) -> float:
    """Black's area - White's area - komi, from `ownership_map(board)`."""
    raise NotImplementedError("score_margin")


def targets_for_game(
    final_owner_black: np.ndarray, margin_black: float, black_to_move: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A finished game's targets for each of its T positions, from the view of the player to move.

    Args:
        final_owner_black: [N*N] the final position's owner map, Black's view (+1 Black's).
        margin_black: the final margin, Black's view (komi included).
        black_to_move: [T] bool, True where Black is to move at position t.

    Returns:
        (ownership [T, N*N] float, margin [T] float): s_t * final_owner_black and
        s_t * margin_black, s_t = +1 where Black is to move, -1 where White is.
    """
    raise NotImplementedError("targets_for_game")
