"""alphazero/imitation.py: expert games -> samples, the supervised phase, its hand-over to RL."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import TINY_FLAGS, load_script, tiny_config

import games
from alphazero import checkpoint, imitation, learner, train
from alphazero.agent import load_agent
from alphazero.go import sgf
from alphazero.go.records import read_games
from alphazero.types import IMITATION, RL
from games import go_coordinates as coords

# A 5x5 game with known moves: B c3, W d3, B c2, W d2, B c4, W d4, B pass, W pass; White wins.
KNOWN = b"(;FF[4]GM[1]SZ[5]KM[24.5]RE[W+20.5];B[cc];W[dc];B[cd];W[dd];B[cb];W[db];B[];W[])"


@pytest.fixture(scope="module")
def ttt_games(tmp_path_factory):
    """64 perfect-play tic-tac-toe games (2 random opening moves), as make_expert_games writes."""
    path = tmp_path_factory.mktemp("expert") / "ttt.jsonl"
    load_script("make_expert_games").reference_games("tic_tac_toe", 64, path, 0, 0, 2)
    return path


def test_load__sgf_known_moves_and_outcome(tmp_path):
    (tmp_path / "known.sgf").write_bytes(KNOWN)
    dataset = imitation.load(tmp_path, games.make("go_5x5"))
    gtp = ["C3", "D3", "C2", "D2", "C4", "D4", "pass", "pass"]
    moves = [coords.gtp_to_action(v.lower(), 5) for v in gtp]
    samples = dataset.samples
    assert samples.observation.shape == (8, 5, 5, 17)
    assert list(samples.action_weights.argmax(-1)) == moves
    assert np.allclose(samples.action_weights.sum(-1), 1.0)
    assert list(samples.value_target) == [-1, 1, -1, 1, -1, 1, -1, 1]  # Black lost
    assert samples.mask.min() == 1.0 and dataset.skipped == {}
    assert list(dataset.move) == list(range(8)) and set(dataset.length) == {8}
    # Before White's first move, Black's stone at C3 is on the board (the opponent plane).
    c3 = moves[0]
    before_white = np.asarray(samples.observation[1])
    assert before_white[..., 1].reshape(-1)[c3] and not before_white[..., 0].any()


def test_load__match_records_give_the_samples_of_the_same_sgf(tmp_path):
    """A games .jsonl of the match runner (moves as GTP vertices) loads like the SGF of the same
    game; lines of another board size, without moves or unreadable are skipped and counted."""
    (tmp_path / "sgf").mkdir()
    (tmp_path / "sgf" / "known.sgf").write_bytes(KNOWN)
    line = dict(game=0, black="b", white="w", result="W+20.5", winner="W", num_moves=8,
                moves=["C3", "D3", "C2", "D2", "C4", "D4", "pass", "pass"], size=5, komi=24.5,
                seed=0, opening_moves=1)  # fmt: skip
    lines = [line, dict(line, size=9), dict(line, moves=[], num_moves=0), dict(line, moves=["Z9"])]
    path = tmp_path / "games.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines) + "not json\n")
    env = games.make("go_5x5")
    from_jsonl, from_sgf = imitation.load(path, env), imitation.load(tmp_path / "sgf", env)
    assert from_jsonl.skipped == {"board size 9": 1, "no moves": 1,
                                  "unreadable line or other game": 2}  # fmt: skip
    keep = from_sgf.move >= 1  # the record's first move is a random opening move
    for got, want in zip(from_jsonl.samples, from_sgf.samples, strict=True):
        if want is None:  # an optional target expert games do not have
            assert got is None
            continue
        np.testing.assert_array_equal(got, want[keep])
    assert list(from_jsonl.move) == list(range(1, 8))


def test_load__bad_files_are_skipped_and_counted(tmp_path):
    (tmp_path / "known.sgf").write_bytes(KNOWN)
    (tmp_path / "garbage.sgf").write_bytes(b"this is not an sgf file")
    (tmp_path / "truncated.sgf").write_bytes(KNOWN[:40])
    (tmp_path / "handicap.sgf").write_bytes(b"(;FF[4]GM[1]SZ[5]HA[2]AB[bb][dd];W[cc])")
    (tmp_path / "setup.sgf").write_bytes(b"(;FF[4]GM[1]SZ[5];AB[bb];W[cc])")
    (tmp_path / "nine.sgf").write_bytes(b"(;FF[4]GM[1]SZ[9];B[ee])")
    (tmp_path / "empty.sgf").write_bytes(b"(;FF[4]GM[1]SZ[5])")
    (tmp_path / "illegal.sgf").write_bytes(b"(;FF[4]GM[1]SZ[5]RE[B+1];B[cc];W[cc])")
    dataset = imitation.load(tmp_path, games.make("go_5x5"))
    assert dataset.num_games == 1 and len(dataset.game) == 8
    assert dataset.skipped == {
        "unreadable": 2,
        "handicap game": 1,
        "setup stones": 1,
        "board size 9": 1,
        "no moves": 1,
        "illegal move": 1,
    }
    for name in ("known.sgf", "illegal.sgf"):
        (tmp_path / name).unlink()
    with pytest.raises(ValueError, match="no usable games"):
        imitation.load(tmp_path, games.make("go_5x5"))


def test_load__jsonl_values_alternate_and_openings_are_not_targets(ttt_games):
    dataset = imitation.load(ttt_games, games.make("tic_tac_toe"))
    assert dataset.num_games == 64 and dataset.move.min() == 2  # 2 random opening moves
    first = dataset.move == 2
    # Perfect play after 2 random moves: X can still lose (or win) only if the opening was bad.
    value = dataset.samples.value_target
    same_game = dataset.game[1:] == dataset.game[:-1]
    assert np.all(value[1:][same_game] == -value[:-1][same_game])
    assert first.sum() == 64
    head = imitation.load(ttt_games, games.make("tic_tac_toe"), max_games=5)  # the first 5
    assert head.num_games == 5 and len(head.game) == int(np.sum(dataset.game < 5))
    np.testing.assert_array_equal(head.samples.observation,
                                  dataset.samples.observation[dataset.game < 5])  # fmt: skip


def test_split__by_game_and_batches_cover_every_sample(ttt_games):
    dataset = imitation.load(ttt_games, games.make("tic_tac_toe"))
    train_set, held_out = imitation.split(dataset, 0.25, seed=0)
    assert held_out.num_games == 16 and train_set.num_games == 48
    assert not set(train_set.game) & set(held_out.game)
    n, batch = len(train_set.game), 32
    per_epoch = n // batch
    seen = np.concatenate([imitation.batch_indices(s, n, batch, 7) for s in range(per_epoch)])
    assert len(np.unique(seen)) == len(seen) == per_epoch * batch  # an epoch: no repeats
    again = imitation.batch_indices(per_epoch + 3, n, batch, 7)
    assert np.array_equal(again, imitation.batch_indices(per_epoch + 3, n, batch, 7))
    assert not np.array_equal(again, imitation.batch_indices(3, n, batch, 7))  # a new epoch


def test_split__identical_games_fall_on_the_same_side(ttt_games, tmp_path):
    lines = ttt_games.read_text().splitlines()
    doubled = tmp_path / "doubled.jsonl"
    doubled.write_text("\n".join(lines + lines) + "\n")  # every game twice
    dataset = imitation.load(doubled, games.make("tic_tac_toe"))
    assert (
        dataset.num_games == 128
        and dataset.num_distinct
        == imitation.load(ttt_games, games.make("tic_tac_toe")).num_distinct
    )
    train_set, held_out = imitation.split(dataset, 0.25, seed=0)
    assert not set(train_set.sequence) & set(held_out.sequence)
    assert held_out.num_games == 2 * held_out.num_distinct  # both copies held out together


def test_supervised_loss_falls_on_a_fixed_batch(ttt_games):
    config = tiny_config(imitation=str(ttt_games))
    config = dataclasses.replace(
        config,
        train=dataclasses.replace(config.train, augment=False),  # the same batch every step
        supervised=dataclasses.replace(config.supervised, learning_rate=3e-3, num_steps=100),
    )
    env = games.make("tic_tac_toe")
    dataset = imitation.load(ttt_games, env)
    state = learner.create_train_state(jax.random.PRNGKey(0), env, config, IMITATION)
    update = jax.jit(lambda s, k: imitation._update(s, dataset.samples, jnp.arange(64), k,
                                                    config, env.id))  # fmt: skip
    losses = []
    for step in range(100):
        state, metrics = update(state, jax.random.PRNGKey(step))
        losses.append(float(metrics["loss"]))
    assert losses[-1] < 0.2 * losses[0], losses[::10]  # measured: 3.28 -> 0.35
    report = imitation.evaluate(state.params, dataset.subset(np.arange(len(dataset.game)) < 64))
    assert report["top1"] > 0.6 and report["top5"] >= report["top1"]
    assert report["top1_low"] <= report["top1"] <= report["top1_high"]


def _cli(workdir, data, *flags):
    return [sys.executable, "-m", "alphazero.cli", "train", "--workdir", str(workdir),
            *TINY_FLAGS, "--imitation", str(data), *flags]  # fmt: skip


class _Killed(Exception):
    pass


@pytest.mark.parametrize("kill_in", ["imitation", "rl"])
@pytest.mark.slow
def test_resume_in_the_middle_of_either_phase_is_exact(tmp_path, ttt_games, monkeypatch, kill_in):
    """The run dies right after a checkpoint (everything after it would be lost, as with a kill);
    the resumed run ends with the same parameters as one that never stopped."""
    config = tiny_config(imitation=str(ttt_games))
    config = dataclasses.replace(
        config,
        supervised=dataclasses.replace(config.supervised, num_steps=12, checkpoint_every=3,
                                       eval_every=6),
        train=dataclasses.replace(config.train, num_iterations=3),
    )  # fmt: skip
    save = checkpoint.save
    stop_at = ("imitation", 6) if kill_in == "imitation" else ("checkpoints", 2)

    def dying_save(manager, loop, with_replay=True, step=None):
        save(manager, loop, with_replay, step)
        if manager.directory.name == stop_at[0] and manager.latest_step() == stop_at[1]:
            raise _Killed

    monkeypatch.setattr(checkpoint, "save", dying_save)
    with pytest.raises(_Killed):
        train.run(config, tmp_path / "killed", progress=False)
    monkeypatch.setattr(checkpoint, "save", save)
    rl_step = checkpoint.latest_step(tmp_path / "killed")
    assert rl_step == (None if kill_in == "imitation" else 2)
    train.run(config, tmp_path / "killed", progress=False)
    train.run(config, tmp_path / "straight", progress=False)
    a, b = load_agent(tmp_path / "killed"), load_agent(tmp_path / "straight")
    assert a.iteration == b.iteration == 3
    for x, y in zip(jax.tree.leaves(a.params), jax.tree.leaves(b.params), strict=True):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    template = learner.init_loop_state(games.make("tic_tac_toe"), config, RL)
    manager = checkpoint.manager(tmp_path / "killed")
    restored = checkpoint.restore(manager, template, 3, config.replay.in_checkpoint)
    assert int(restored.phase) == RL and int(restored.imitation_step) == 12
    # RL counts its own optimiser steps from 0 after the hand-over.
    assert int(restored.train_state.step) == 3 * learner.updates_per_iteration(config)


@pytest.mark.slow  # CLI subprocesses (7 s)
def test_cli__missing_or_unusable_imitation_data_is_one_line_error(tmp_path):
    result = subprocess.run(
        _cli(tmp_path / "w", tmp_path / "nothing.jsonl"), capture_output=True, text=True
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.strip().count("\n") == 0 and "does not exist" in result.stderr
    (tmp_path / "bad.jsonl").write_text("not json\n")
    result = subprocess.run(
        _cli(tmp_path / "w", tmp_path / "bad.jsonl"), capture_output=True, text=True
    )
    assert result.returncode == 2 and "no usable games" in result.stderr, result.stderr[-2000:]
    assert result.stderr.strip().count("\n") == 0


def test_old_checkpoints_without_phase_restore_as_rl(tmp_path):
    config = tiny_config()
    env = games.make("tic_tac_toe")
    loop = learner.init_loop_state(env, config)
    old = loop._replace(phase=None, imitation_step=None)  # as saved before the imitation phase
    checkpoint.save(checkpoint.manager(tmp_path), old, with_replay=False)
    restored = checkpoint.restore(checkpoint.manager(tmp_path), loop, with_replay=False)
    assert int(restored.phase) == RL and int(restored.imitation_step) == 0


def test_sgf_read_folder_never_raises(tmp_path):
    (tmp_path / "a.sgf").write_bytes(bytes(range(256)))
    usable, skipped = sgf.read_folder(tmp_path, size=5)
    assert usable == [] and skipped == {"unreadable": 1}


def test_load__connect_four_alphabeta_games(tmp_path):
    path = tmp_path / "c4.jsonl"
    load_script("make_expert_games").reference_games("connect_four", 8, path, 0, 1, 2)
    lines = path.read_text().splitlines()
    dataset = imitation.load(path, games.make("connect_four"))
    assert dataset.num_games == 8 and dataset.move.min() == 2
    first = json.loads(lines[0])["moves"]
    got = dataset.samples.action_weights[dataset.game == 0].argmax(-1)
    assert list(got) == first[2:]  # the alpha-beta moves after the 2 random ones


@pytest.fixture(scope="module")
def imitation_value():
    return load_script("imitation_value")


def test_policy_selfplay_values_are_each_games_outcome_from_the_movers_view(imitation_value):
    """Tic-tac-toe: the mover is known from the stone count, so every kept position of one game
    must carry the same outcome once turned to the first player's view; draws carry 0."""
    env, config = games.make("tic_tac_toe"), tiny_config()
    params = learner.init_loop_state(env, config).train_state.params
    samples = imitation_value.play_chunk(params, jax.random.PRNGKey(3), env, 64, 5)
    stones = np.asarray(samples.observation).reshape(5, 64, -1).sum(-1)  # [P, B]
    first_view = np.asarray(samples.value_target).reshape(5, 64) * np.where(stones % 2, -1, 1)
    np.testing.assert_array_equal(first_view, np.broadcast_to(first_view[0], (5, 64)))
    assert set(np.unique(first_view)) <= {-1.0, 0.0, 1.0} and np.abs(first_view).sum() > 0
    assert np.asarray(samples.mask).all() and not np.asarray(samples.action_weights).any()


@pytest.mark.slow
def test_imitation_value_script_resumes_and_writes_a_playable_run(tmp_path, ttt_games,
                                                                   imitation_value):  # fmt: skip
    config = tiny_config(imitation=str(ttt_games))
    config = dataclasses.replace(
        config, supervised=dataclasses.replace(config.supervised, num_steps=4, eval_every=4),
        train=dataclasses.replace(config.train, num_iterations=0))  # fmt: skip
    train.run(config, tmp_path / "imitation", progress=False)
    args = imitation_value.Args(tmp_path / "imitation", tmp_path / "value", games=32,
                                batch_games=16, steps=6)  # fmt: skip
    imitation_value.main(args)
    chunks = sorted((tmp_path / "value" / "value_games").glob("chunk_*.npz"))
    assert len(chunks) == 2
    report = json.loads((tmp_path / "value" / "report.json").read_text())
    assert report["imitation"]["top1"] >= 0 and report["value"]["selfplay_value_mse"] >= 0
    before = load_agent(tmp_path / "value").params
    stamps = [c.stat().st_mtime_ns for c in chunks]
    imitation_value.main(args)  # everything on disk: nothing is played or trained again
    assert [c.stat().st_mtime_ns for c in chunks] == stamps
    for x, y in zip(jax.tree.leaves(before), jax.tree.leaves(load_agent(tmp_path / "value").params),
                    strict=True):  # fmt: skip
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    with pytest.raises(SystemExit, match="holds no imitation run"):
        imitation_value.main(dataclasses.replace(args, workdir=tmp_path / "nothing"))
    with pytest.raises(SystemExit, match="finished run of 6 steps"):  # never a stale agent
        imitation_value.main(dataclasses.replace(args, steps=8))


@pytest.mark.usefixtures("needs_gnugo")  # fails under CI, skips elsewhere
@pytest.mark.slow
def test_dagger_script_labels_the_agents_positions_and_resumes(tmp_path):
    """scripts/dagger.py on 5x5: GNU Go answers a legal move in every position where the agent
    moved and nowhere else; training writes a run load_agent reads; a rerun labels nothing and
    trains nothing again; bad folders get a one-line error."""
    from alphazero import config as config_lib
    from alphazero import presets
    from alphazero.go import match

    dagger = load_script("dagger")
    played = tmp_path / "games.jsonl"
    match.play(match.random_player("agent-r"), match.random_player(), 5, 24.5, 4, played,
               parallel=4)  # fmt: skip
    base = presets.small_go(5)
    config = dataclasses.replace(
        base, imitation=str(played), network=config_lib.NetworkConfig("resnet", 1, 8),
        supervised=dataclasses.replace(base.supervised, num_steps=2, eval_every=2),
        train=dataclasses.replace(base.train, num_iterations=0, batch_size=16),
        replay=config_lib.ReplayConfig(capacity=64),
        eval=config_lib.EvalConfig(every=0, num_games=2, num_simulations=2, opponents=("random",)),
    )  # fmt: skip
    train.run(config, tmp_path / "imitation", progress=False)
    args = dagger.Args(tmp_path / "imitation", (played,), tmp_path / "labels.jsonl",
                       tmp_path / "dagger", workers=1, steps=3, held_out_fraction=0.25,
                       values=tmp_path / "values.jsonl")  # fmt: skip
    dagger.main(args)
    margins = [json.loads(line) for line in args.values.read_text().splitlines()]
    learner = dagger.learner_dataset(args, games.make("go_5x5"))
    sources = [json.loads(line)["source"] for line in args.labels.read_text().splitlines()]
    first = learner.game == sources.index(margins[0]["source"])  # GNU Go's margins, mover's view
    black = np.asarray(margins[0]["black_margin"])[learner.move[first]]
    sign = np.where(learner.move[first] % 2 == 0, 1.0, -1.0)
    np.testing.assert_allclose(learner.samples.value_target[first], np.tanh(sign * black / 5.0),
                               rtol=1e-6)  # fmt: skip
    assert learner.samples.mask.all() and np.abs(black).max() > 0
    lines = [json.loads(line) for line in args.labels.read_text().splitlines()]
    agent_is_black = {f"{played}#{i}": r["black"] == "agent-r"
                      for i, r in enumerate(read_games(played))}  # fmt: skip
    assert len(lines) == len(dagger.learner_games((played,))) > 0  # each distinct game once
    env = games.make("go_5x5")
    step = jax.jit(env.step)  # eager pgx steps compile every lax.cond again (hundreds of compiles)
    for line in lines:
        black = agent_is_black[line["source"]]
        state = env.init(jax.random.PRNGKey(0))
        for i, (move, target) in enumerate(zip(line["moves"], line["targets"], strict=True)):
            assert len(target) == (1 if (i % 2 == 0) == black else 0), (line["source"], i)
            assert all(bool(state.legal_action_mask[t]) for t in target)
            state = step(state, move)
    report = json.loads((args.out / "report.json").read_text())
    assert report["positions"]["learner_train"] > 0 and 0 <= report["dagger"]["learner_top1"] <= 1
    before, stamp = load_agent(args.out).params, args.labels.stat().st_mtime_ns
    dagger.main(args)  # everything on disk: nothing is labelled or trained again
    assert args.labels.stat().st_mtime_ns == stamp
    for x, y in zip(jax.tree.leaves(before), jax.tree.leaves(load_agent(args.out).params),
                    strict=True):  # fmt: skip
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    with pytest.raises(SystemExit, match="no games file"):
        dagger.main(dataclasses.replace(args, games=(tmp_path / "nowhere.jsonl",)))
    with pytest.raises(SystemExit, match="finished run of 3 steps"):
        dagger.main(dataclasses.replace(args, steps=5))
