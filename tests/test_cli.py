"""cli.py: bad input gives one line on stderr, exit status 2, no traceback, nothing overwritten."""

from __future__ import annotations

import errno
import hashlib
import json
import subprocess
import sys
from pathlib import Path

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
        ("--eval.opponents", "gnugo-٣", "unknown eval opponent"),
        ("--train.learning-rate", "inf", "train.learning_rate must be finite"),
        ("--replay.reuse", "inf", "replay.reuse must be finite"),
        ("--train.weight-decay", "nan", "train.weight_decay must be finite"),
        ("--seed", str(2**40), "seed must lie in"),
        ("--replay.reuse", "1e30", "gradient steps per iteration"),
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
    assert "could be restored" in err  # none is good: nothing is moved aside
    assert _digest(workdir) == before


@pytest.mark.parametrize(
    "stored, message",
    [
        ("[]", "must be a JSON object, got list"),
        ('{"seed": "x"}', "config field seed must be int, got 'x'"),
        ('{"network": {"num_blocks": "1"}}', "network.num_blocks must be int"),
        ('{"network": 3}', "network. must be a JSON object"),
        ('{"eval": {"algorithm": "mcts"}}', "eval.algorithm must be Literal"),
        ("{", "corrupt"),
    ],
)
def test_cli__config_json_of_the_wrong_shape_is_one_line(capsys, tmp_path, stored, message):
    (tmp_path / "checkpoints" / "1").mkdir(parents=True)
    (tmp_path / "config.json").write_text(stored)
    assert message in _run(capsys, "train", "--workdir", str(tmp_path))


def test_cli__checkpoints_without_config_json_is_one_line(capsys, tmp_path):
    (tmp_path / "checkpoints" / "1").mkdir(parents=True)
    assert "no config.json" in _run(capsys, "train", "--workdir", str(tmp_path))


def test_cli__a_failed_start_does_not_block_the_corrected_command(capsys, tmp_path, monkeypatch):
    from alphazero import checkpoint, train

    def fails_before_a_checkpoint(config, workdir, **kwargs):
        checkpoint.prepare_workdir(Path(workdir), config)
        checkpoint.write_config(Path(workdir), config)
        raise OSError(errno.ENOSPC, "No space left on device", str(workdir))

    monkeypatch.setattr(train, "run", fails_before_a_checkpoint)
    err = _run(capsys, "train", "--workdir", str(tmp_path), "--seed", "1")
    assert err.endswith(f"No space left on device: {tmp_path}; nothing saved before was changed")
    monkeypatch.setattr(train, "run", lambda config, workdir, **kwargs: {})
    cli.main(["train", "--workdir", str(tmp_path), "--seed", "2", "--preset", "tic_tac_toe"])
    assert "done" in capsys.readouterr().out  # seed 1's config.json does not block seed 2


def test_cli__tree_output_folder_that_cannot_be_made_is_one_line(capsys, tmp_path):
    (tmp_path / "file").write_text("a file, not a folder")
    err = _run(capsys, "tree", "--out", str(tmp_path / "file" / "sub" / "t.png"))
    assert "cannot write" in err


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


def test_cli__eval_refuses_negative_opening_samples(capsys, tmp_path):
    message = _run(capsys, "eval", "--workdir", str(tmp_path), "--opening-samples", "-1")
    assert "--opening-samples must be >= 0" in message


@pytest.mark.slow
def test_cli__tree_draws_a_trained_run(capsys, trained, tmp_path):
    out = tmp_path / "new" / "folder" / "tree.png"  # made for it
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
