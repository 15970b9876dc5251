"""alphazero/go/sgf.py: records (JSON lines) become SGF files that open in sgfmill and replay to
the same final position; `alphazero sgf export | check` on good and bad input."""

from __future__ import annotations

import json

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


# A 5x5 record as the match runner writes it: B C3, W D3, B C2, W D2, B C4, W D4, pass, pass.
RECORD = dict(game=0, black="gnugo-10", white="agent-3@8", result="W+24.5", winner="W", num_moves=8,
              moves=["C3", "D3", "C2", "D2", "C4", "D4", "pass", "pass"], size=5, komi=24.5,
              referee_margin=-24.5, engine_winner=None, disagreement=False, seed=7,
              opening_moves=2, seconds=0.1, comment="ladder 5x5", date="2026-12-03")  # fmt: skip


def test_record__to_sgf_and_back_to_the_same_moves():
    game = sgf.record_to_game(RECORD)
    assert game.moves == [12, 13, 17, 18, 7, 8, 25, 25]  # pgx actions: row from the top
    assert game.comment == "ladder 5x5; seed 7; random opening moves 2"
    again = sgf.from_bytes(sgf.to_bytes(game))
    vertices = [coords.action_to_gtp(action, again.size) for action in again.moves]
    assert again == game and vertices == RECORD["moves"]
    assert sgf.to_bytes(game).startswith(b"(;FF[4]")


def test_export__files_sgfmill_opens(tmp_path):
    records = [RECORD, dict(RECORD, game=1, black="agent-3@8", white="gnugo-10")]
    paths = sgf.export(records, tmp_path / "sgf", [1])
    assert [p.name for p in paths] == ["0001_agent-3@8_vs_gnugo-10.sgf"]
    opened = sgfmill_sgf.Sgf_game.from_bytes(paths[0].read_bytes())
    root = opened.get_root()
    assert (opened.get_size(), opened.get_komi(), root.get("RE"), root.get("PB")) == (
        5, 24.5, "W+24.5", "agent-3@8")  # fmt: skip
    moves = [node.get_move() for node in opened.get_main_sequence()[1:]]
    assert moves[0] == ("b", (2, 2)) and moves[-1] == ("w", None) and len(moves) == 8


def test_cli__export_and_check(tmp_path, capsys):
    from alphazero import cli

    games = tmp_path / "games.jsonl"
    games.write_text(json.dumps(RECORD) + "\n" + json.dumps(dict(RECORD, game=1)) + "\n")
    cli.main(["sgf", "export", str(games), "--out", str(tmp_path / "sgf"), "--games", "1"])
    assert [p.name for p in (tmp_path / "sgf").iterdir()] == ["0001_gnugo-10_vs_agent-3@8.sgf"]
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["sgf", "check", str(games)])
    assert exit_info.value.code == 0
    assert "2 replay to their recorded result" in capsys.readouterr().out
    games.write_text(json.dumps(dict(RECORD, referee_margin=-23.5)) + "\n")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["sgf", "check", str(games)])
    assert exit_info.value.code == 1 and "line 1: replayed margin" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["export", "nowhere.jsonl", "--out", "x"], "nowhere.jsonl: no such file"),
        (["check", "nowhere.jsonl"], "nowhere.jsonl: no such file"),
        (["export", "{games}", "--out", "x", "--games", "5"], "has 1 games; --games takes"),
        (["export", "{bad}", "--out", "x"], "not a .jsonl file of game records"),
    ],
)
def test_cli__bad_input_is_one_line_and_status_2(tmp_path, capsys, argv, message):
    from alphazero import cli

    (tmp_path / "games.jsonl").write_text(json.dumps(RECORD) + "\n")
    (tmp_path / "bad.jsonl").write_text("(;FF[4]GM[1]SZ[5])\n")
    argv = [a.format(games=tmp_path / "games.jsonl", bad=tmp_path / "bad.jsonl") for a in argv]
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["sgf", *argv])
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2 and message in err and "\n" not in err, err
