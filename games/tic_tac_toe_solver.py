"""Exact minimax for pgx tic-tac-toe: a solved value table, a perfect player, every position.

pgx keeps the board in `state._x.board` ([9] int32, row-major: -1 empty, 0 = X, 1 = O) and the
colour to move in `state._x.color` (0 = X, who always moves first). The player *id*
(`state.current_player`) that plays X is drawn at random by `env.init`, so everything here works
from the board and the colour to move, never from player ids.

The table is solved once in plain Python (memoised negamax over all 5,478 reachable boards) and
indexed in JAX by the base-3 encoding `sum((board[i] + 1) * 3**i)`.
"""

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pgx

from games.random_player import random_argmax

NUM_NON_TERMINAL_POSITIONS = 4520
_POW3 = 3 ** np.arange(9)  # [9]
_LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))

Board = tuple[int, ...]


class Positions(NamedTuple):
    """Every non-terminal tic-tac-toe position reachable from the empty board.

    Attributes:
        states: batched pgx states [P, ...], real outputs of `env.step`.
        optimal_action_mask: [P, 9] bool, legal moves whose minimax value is the best value.
        value: [P] float32 minimax value for the side to move (+1 win, 0 draw, -1 loss).
    """

    states: pgx.State
    optimal_action_mask: jax.Array
    value: jax.Array


def _is_won(board: Board) -> bool:
    return any(board[a] >= 0 and board[a] == board[b] == board[c] for a, b, c in _LINES)


def _place(board: Board, action: int, color: int) -> Board:
    return (*board[:action], color, *board[action + 1 :])


def _solve() -> dict[Board, int]:
    """Negamax value for the side to move of every reachable board (terminal ones included)."""
    values: dict[Board, int] = {}

    def negamax(board: Board, color: int) -> int:
        if board not in values:
            if _is_won(board):  # the previous mover just won
                values[board] = -1
            elif -1 not in board:
                values[board] = 0
            else:
                children = (_place(board, a, color) for a in range(9) if board[a] < 0)
                values[board] = max(-negamax(child, 1 - color) for child in children)
        return values[board]

    negamax((-1,) * 9, 0)
    return values


@functools.cache
def _value_table() -> np.ndarray:
    """[3**9] float32 value for the side to move, indexed by board encoding (0 if unreachable)."""
    table = np.zeros(3**9, np.float32)
    for board, value in _solve().items():
        table[int(np.dot(np.array(board) + 1, _POW3))] = value
    return table


def action_values(state: pgx.State) -> jax.Array:
    """Minimax value of each move for the side to move in one unbatched pgx tic-tac-toe state.

    Args:
        state: unbatched pgx tic-tac-toe state.

    Returns:
        [9] float32: +1 win, 0 draw, -1 loss under perfect play; -inf for illegal moves and for
        every move of a terminal state.
    """
    board, color = state._x.board, state._x.color  # [9], []
    index = jnp.sum((board + 1) * _POW3)
    child_index = index + (color + 1) * _POW3  # [9]
    child_value = jnp.take(jnp.asarray(_value_table()), child_index, mode="clip")  # [9]
    legal = (board < 0) & ~state.terminated  # [9]
    return jnp.where(legal, 0.0 - child_value, -jnp.inf)  # 0.0 - v: no negative zeros


def minimax_player(key: jax.Array, state: pgx.State) -> jax.Array:
    """Perfect tic-tac-toe player; ties between equally good moves are broken at random.

    Args:
        key: PRNG key for the tie-break.
        state: unbatched pgx tic-tac-toe state.

    Returns:
        Scalar int32 action, legal for non-terminal states.
    """
    return random_argmax(key, action_values(state))


def _first_move_sequences() -> dict[tuple[Board, int], tuple[int, ...]]:
    """One move sequence reaching each non-terminal board, keyed by (board, colour to move)."""
    sequences: dict[tuple[Board, int], tuple[int, ...]] = {}
    stack: list[tuple[Board, int, tuple[int, ...]]] = [((-1,) * 9, 0, ())]
    while stack:
        board, color, moves = stack.pop()
        if (board, color) in sequences or _is_won(board) or -1 not in board:
            continue
        sequences[(board, color)] = moves
        for a in range(9):
            if board[a] < 0:
                stack.append((_place(board, a, color), 1 - color, (*moves, a)))
    return sequences


@functools.cache
def all_positions() -> Positions:
    """Every non-terminal reachable position (4,520), as real pgx states with minimax labels.

    States are built by replaying one move sequence per position through `env.step` from
    `env.init` (so `current_player` is random, as in play). Computed once, then cached.

    Returns:
        Positions with states [P, ...], optimal_action_mask [P, 9] and value [P], P = 4,520.
    """
    sequences = _first_move_sequences()
    assert len(sequences) == NUM_NON_TERMINAL_POSITIONS, len(sequences)
    num = len(sequences)
    moves = np.zeros((num, 8), np.int32)  # [P, 8]; padding is stepped but discarded
    lengths = np.array([len(m) for m in sequences.values()], np.int32)  # [P]
    for i, m in enumerate(sequences.values()):
        moves[i, : len(m)] = m
    env = pgx.make("tic_tac_toe")  # outside jit: pgx builds module-level arrays on first import
    states, q = jax.jit(functools.partial(_replay, env))(jnp.asarray(moves), jnp.asarray(lengths))
    expected_boards = np.array([board for board, _ in sequences], np.int32)  # [P, 9]
    assert np.array_equal(np.asarray(states._x.board), expected_boards)
    assert not np.asarray(states.terminated).any()
    value = q.max(axis=-1)  # [P]
    return Positions(states=states, optimal_action_mask=q == value[:, None], value=value)


def _replay(env: pgx.Env, moves: jax.Array, lengths: jax.Array) -> tuple[pgx.State, jax.Array]:
    """Plays moves [P, 8] (the first lengths [P] of each row) from init; returns states and q."""
    keys = jax.random.split(jax.random.PRNGKey(0), moves.shape[0])
    states = jax.vmap(env.init)(keys)

    def body(states: pgx.State, t: jax.Array) -> tuple[pgx.State, None]:
        stepped = jax.vmap(env.step)(states, moves[:, t])
        keep = t < lengths  # [P]

        def pick(new: jax.Array, old: jax.Array) -> jax.Array:
            return jnp.where(keep.reshape((-1,) + (1,) * (new.ndim - 1)), new, old)

        return jax.tree.map(pick, stepped, states), None

    states, _ = jax.lax.scan(body, states, jnp.arange(moves.shape[1]))
    return states, jax.vmap(action_values)(states)
