"""cli.py: bad input gives one line on stderr, exit status 2, no traceback, nothing overwritten."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from alphazero import cli


def _run(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(list(argv))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def _digest(folder) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def trained(tiny_run):
    return tiny_run[0]


def test_cli__unknown_game(capsys, tmp_path):
    err = _run(capsys, "train", "--workdir", str(tmp_path / "w"), "--game", "chess9")
    assert "unknown game 'chess9'" in err and "tic_tac_toe" in err


def test_cli__unknown_preset(capsys, tmp_path):
    assert "unknown preset" in _run(capsys, "train", "--preset", "nope", "--workdir", str(tmp_path))


@pytest.mark.parametrize(
    "flag, value, field",
    [
        ("--train.batch-size", "0", "train.batch_size"),
        ("--search.num-simulations", "-3", "search.num_simulations"),
        ("--train.learning-rate", "-1", "train.learning_rate"),
        ("--eval.opponents", "stockfish", "eval opponent"),
        ("--eval.opponents", "gnugo-5", "Go games only"),
    ],
)
def test_cli__invalid_values(capsys, tmp_path, flag, value, field):
    assert field in _run(capsys, "train", "--workdir", str(tmp_path / "w"), flag, value)


def test_cli__unwritable_workdir(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert "not writable" in _run(capsys, "train", "--workdir", str(blocker / "run"))


def test_cli__missing_checkpoint(capsys, tmp_path):
    assert "holds no run" in _run(capsys, "play", "--workdir", str(tmp_path))


@pytest.mark.slow
def test_cli__changed_config_refused_and_nothing_overwritten(capsys, trained):
    before = _digest(trained)
    err = _run(capsys, "train", "--workdir", str(trained), "--train.learning-rate", "0.5")
    assert "train.learning_rate" in err
    assert _digest(trained) == before


@pytest.mark.slow
def test_cli__corrupt_checkpoint_refused_and_kept(capsys, trained, tmp_path):
    import shutil

    workdir = tmp_path / "copy"
    shutil.copytree(trained, workdir)
    for path in (workdir / "checkpoints").rglob("*"):
        if path.is_file() and "metadata" not in path.name and path.stat().st_size > 0:
            path.write_bytes(b"\x00garbage")
    before = _digest(workdir)
    err = _run(capsys, "train", "--workdir", str(workdir), "--train.num-iterations", "4")
    assert "unreadable" in err
    assert _digest(workdir) == before


def test_cli__subprocess_has_no_traceback(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "alphazero.cli",
            "train",
            "--workdir",
            str(tmp_path),
            "--game",
            "nope",
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert out.stderr.strip().startswith("alphazero: error: unknown game 'nope'")
    assert "Traceback" not in out.stderr


def test_cli__help_lists_config_fields(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in ("--search.num-simulations", "--replay.reuse", "--workdir", "--preset"):
        assert name in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (("tree", "--moves", "4,4"), "move 4 is not legal"),
        (("tree", "--moves", "a,b"), "comma-separated integers"),
        (("tree", "--game", "chess"), "unknown game 'chess'"),
        (("tree", "--simulations", "0"), "must be positive"),
    ],
)
def test_cli__tree_bad_input(capsys, argv, message):
    assert message in _run(capsys, *argv)


@pytest.mark.slow
def test_cli__tree_draws_a_trained_run(capsys, trained, tmp_path):
    out = tmp_path / "tree.png"
    cli.main(["tree", "--workdir", str(trained), "--moves", "0,4", "--out", str(out)])
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert f"wrote {out}" in capsys.readouterr().out


@pytest.mark.slow
def test_cli__eval_a_board_game_in_the_arena(capsys, trained, tmp_path):
    """`alphazero eval` on a non-Go run plays the arena: W/D/L, the score and its interval."""
    out = tmp_path / "eval.json"
    argv = ["eval", "--workdir", str(trained), "--simulations", "2", "--num-games", "4"]
    cli.main([*argv, "--opponents", "random", "minimax", "--out", str(out)])
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(" vs ")[1].split(":")[0] for line in printed] == ["random", "minimax"]
    report = json.loads(out.read_text())
    minimax = report["results"]["minimax"]
    assert minimax["loss_rate"] + minimax["draw_rate"] + minimax["win_rate"] == pytest.approx(1)
    assert minimax["win_rate"] == 0  # nothing beats perfect play
    low, high = minimax["score_95ci"]
    assert low <= minimax["score"] <= high and report["num_games"] == 4
    assert "unknown opponent 'stockfish'" in _run(capsys, *argv, "--opponents", "stockfish")
