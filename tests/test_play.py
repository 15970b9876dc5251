"""play.py: a scripted human plays a whole game against a trained agent in the terminal."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from alphazero import play


def _scripted_human():
    moves = itertools.cycle([str(i) for i in range(9)] + ["x"])  # includes bad input
    return lambda prompt: next(moves)


@pytest.mark.parametrize("human_first", [True, False])
def test_play__full_game_against_agent(tiny_run, capsys, human_first):
    workdir, _ = tiny_run
    result = play.main(
        workdir, simulations=4, human_first=human_first, seed=0, read=_scripted_human()
    )
    out = capsys.readouterr().out
    assert result in (-1, 0, 1)
    assert "agent plays" in out and ("X" in out and "O" in out)
    assert out.strip().splitlines()[-1] in ("You win.", "Draw.", "The agent wins.")


def test_play__quit(tiny_run):
    with pytest.raises(SystemExit) as exit_info:
        play.main(tiny_run[0], simulations=4, human_first=True, seed=0, read=lambda _: "q")
    assert exit_info.value.code == 0


def test_play__end_of_input_quits(tiny_run):
    def closed(_prompt):
        raise EOFError

    with pytest.raises(SystemExit) as exit_info:
        play.main(tiny_run[0], simulations=4, human_first=True, seed=0, read=closed)
    assert exit_info.value.code == 0


def test_ask__only_ascii_digits_of_legal_cells_are_moves(capsys):
    legal = np.array([False, True, True])
    lines = iter(["²", "٣", "0", "3", "-1", " 1e0", "", "2"])
    assert play._ask(legal, "> ", read=lambda _: next(lines)) == 2
    out = capsys.readouterr().out
    assert out.count("illegal move") == 7 and "'²'" in out and "legal: 1 2" in out


def test_render__marks_first_player_x(ttt_env):
    from conftest import play_moves

    state = play_moves(ttt_env, [4, 0])  # X centre, O corner; X to move
    board = play.render(state, first_player=int(play_moves(ttt_env, []).current_player))
    assert board.splitlines() == ["O . .", ". X .", ". . ."]


@pytest.mark.slow  # a Go agent's compile (8 s)
def test_play__go_in_gtp_coordinates_with_bad_input_and_undo(go_workdir, capsys):
    script = iter(["", "Z9", "c3", "C3", "undo", "C3", "b2"])
    result = play.main(go_workdir, 4, True, 0, read=lambda _: next(script, "pass"))
    out = capsys.readouterr().out
    assert "You are Black (X)" in out and "A B C D E" in out  # vertices named as a GUI names them
    assert "invalid vertex" in out and "illegal move" in out  # Z9 off the board; C3 taken
    empty = "\n".join(f"{row:>2} . . . . . {row}" for row in range(5, 0, -1))
    assert out.count(empty) == 2  # at the start, and after undo took back C3 and the reply
    assert out.count("agent plays") >= 3
    assert result == (1 if out.strip().endswith("You win.") else -1)
    assert "Final score (area, komi 24.5)" in out or "resigns" in out


def test_play__step_flag_reaches_the_agent_loader(monkeypatch, capsys):
    """`alphazero play --step best` plays the run's best network, as gtp and eval do."""
    from alphazero import checkpoint, cli

    seen = {}

    def loader(workdir, simulations=None, step=None):
        seen["step"] = step
        raise checkpoint.CheckpointError("stopped here")

    monkeypatch.setattr(play, "load_agent", loader)
    for flag, step in (["--step", "best"], "best"), (["--step", "120"], 120), ([], None):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["play", "--workdir", "w", *flag])
        assert exit_info.value.code != 0 and seen.pop("step") == step
    assert "stopped here" in capsys.readouterr().err
