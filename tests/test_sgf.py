"""alphazero/go/sgf.py: SGF files open in sgfmill, replay to the same final position, give
samples."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from pgx.go import Go
from sgfmill import boards
from sgfmill import sgf as sgfmill_sgf

from alphazero.go import sgf
from games import go_coordinates as coords


def random_game(size: int, seed: int, max_moves: int = 60) -> tuple[list[int], object]:
    """A random legal game (no passes until forced) and its final pgx state."""
    env, rng = Go(size=size, komi=7.5), np.random.default_rng(seed)
    step = jax.jit(env.step)
    state, moves = jax.jit(env.init)(jax.random.PRNGKey(0)), []
    while not bool(state.terminated) and len(moves) < max_moves:
        legal = np.flatnonzero(np.asarray(state.legal_action_mask)[:-1])
        action = int(rng.choice(legal)) if len(legal) else size * size
        state, moves = step(state, action), moves + [action]
    return moves, state


@pytest.mark.parametrize("size", [5, 7])
def test_round_trip__sgfmill_replays_to_the_same_final_position(tmp_path, size):
    moves, final = random_game(size, seed=size)
    game = sgf.Game(size, 7.5, moves, "B+2.5", "agent", "gnugo", "seed 3; sims 64", "2026-11-23")
    path = sgf.write_game(tmp_path / "g.sgf", game)
    record = sgfmill_sgf.Sgf_game.from_bytes(path.read_bytes())
    root = record.get_root()
    assert record.get_size() == size and record.get_komi() == 7.5 and record.get_winner() == "b"
    assert [root.get(p) for p in ("PB", "PW", "RE", "DT", "RU")] == [
        "agent",
        "gnugo",
        "B+2.5",
        "2026-11-23",
        "Tromp-Taylor",
    ]
    board = boards.Board(size)  # sgfmill's own replay, captures included
    for node in record.get_main_sequence()[1:]:
        colour, point = node.get_move()
        if point is not None:
            board.play(point[0], point[1], colour)
    pgx_board = np.sign(np.asarray(final._x.board))
    for row in range(size):
        for col in range(size):
            want = {"b": 1, "w": -1, None: 0}[board.get(row, col)]
            assert pgx_board[coords.rowcol_to_action((row, col), size)] == want
    again = sgf.read_game(path)
    assert again == game
    assert np.array_equal(np.asarray(sgf.replay(again)[-1]._x.board), np.asarray(final._x.board))


def test_out_of_turn_moves_read_as_passes():
    data = b"(;FF[4]GM[1]SZ[5]KM[0.5];B[cc];B[dd];W[aa])"
    game = sgf.from_bytes(data)
    assert game.moves == [12, 25, 18, 0]  # black C3, white pass, black D2, white A5


def test_illegal_record_raises():
    with pytest.raises(ValueError, match="illegal move C3"):
        sgf.replay(sgf.from_bytes(b"(;FF[4]GM[1]SZ[5]KM[0.5];B[cc];W[cc])"))
