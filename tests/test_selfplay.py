"""selfplay.py: shapes, legal moves, auto-reset, random openings, and one trace per config."""

from __future__ import annotations

import dataclasses

import jax
import numpy as np
import pytest
from conftest import tiny_config

from alphazero import selfplay


@pytest.fixture(scope="module")
def traced(ttt_env):
    config = tiny_config(
        selfplay=dataclasses.replace(tiny_config().selfplay, num_moves=20, random_opening_moves=3)
    )
    traces = []

    def counted(params, key):
        traces.append(1)
        return selfplay.play(params, key, ttt_env, config)

    return jax.jit(counted), traces, config


@pytest.mark.slow
def test_play__shapes_and_policy_targets(traced, ttt_params):
    play, _, config = traced
    trajectory = play(ttt_params, jax.random.PRNGKey(0))
    t, b = config.selfplay.num_moves, config.selfplay.num_games
    assert trajectory.observation.shape == (t, b, 3, 3, 2)
    assert trajectory.action_weights.shape == (t, b, 9)
    np.testing.assert_allclose(np.asarray(trajectory.action_weights).sum(-1), 1.0, rtol=1e-5)
    # The policy target never puts weight on an occupied cell.
    occupied = np.asarray(trajectory.observation).any(-1).reshape(t, b, 9)
    assert np.all(np.asarray(trajectory.action_weights)[occupied] == 0)


def test_play__auto_reset_and_openings(traced, ttt_params):
    play, _, config = traced
    trajectory = play(ttt_params, jax.random.PRNGKey(1))
    done = np.asarray(trajectory.done)
    # 20 moves per slot: every slot finishes at least one game (tic-tac-toe lasts <= 9 moves).
    assert np.all(done.sum(0) >= 1)
    # A fresh game starts right after a finished one: an empty board.
    t, b = np.nonzero(done[:-1])
    assert not np.asarray(trajectory.observation)[t + 1, b].any()
    # Random opening moves happen only at the start of games, at most 3 per game.
    random_move = np.asarray(trajectory.random_move)
    assert random_move[0].any() and random_move[0].mean() < 1
    assert random_move.sum(0).max() <= 3 * (done.sum(0).max() + 1)
    # Rewards are zero except on game-ending moves.
    assert np.all(np.asarray(trajectory.reward)[~done] == 0)


def test_play__traces_once(traced, ttt_params):
    play, traces, _ = traced
    before = len(traces)
    for seed in range(3):
        jax.block_until_ready(play(ttt_params, jax.random.PRNGKey(seed)))
    assert len(traces) - before <= 1


@pytest.fixture(scope="module")
def katago_run():
    """A tiny go_5x5 self-play call with every KataGo switch on: playout cap randomization
    (p = 0.5, 4 or 1 simulations), ownership/score and reply heads, and the score utility."""
    import games
    from alphazero import networks, targets
    from alphazero.config import Config, NetworkConfig, SearchConfig, SelfPlayConfig

    net = NetworkConfig("resnet", 1, 4, score_heads=True, reply_head=True)
    config = Config(
        game="go_5x5", network=net,
        search=SearchConfig(num_simulations=4, max_num_considered_actions=4, score_utility=0.4),
        selfplay=SelfPlayConfig(num_games=4, num_moves=40, temperature_moves=4,
                                full_search_probability=0.5),
    )  # fmt: skip
    env = games.make(config.game)
    params = networks.init(jax.random.PRNGKey(0), env, net)
    trajectory = jax.jit(lambda k: selfplay.play(params, k, env, config))(jax.random.PRNGKey(3))
    return config, env, trajectory, targets.compute(trajectory, reply=True)


@pytest.mark.slow  # a Go self-play compile (14 s)
def test_playout_cap__policy_targets_only_for_full_searches(katago_run):
    config, env, trajectory, samples = katago_run
    full = np.asarray(trajectory.full_search)  # [T, B]
    assert (full == full[:, :1]).all()  # one choice per move for all slots
    assert 0 < full[:, 0].sum() < len(full)  # both kinds happened
    np.testing.assert_array_equal(np.asarray(samples.policy_mask), full.reshape(-1))
    assert selfplay.cheap_simulations(config) == 1
    counts = {k: int(v) for k, v in selfplay.counts(trajectory, config).items()}
    assert counts["selfplay/policy_targets"] == full.sum()
    assert counts["selfplay/simulations"] == 4 * full.sum() + 1 * (~full).sum()
    assert counts["selfplay/network_evaluations"] == counts["selfplay/simulations"] + full.size
    # A reply target needs the next move's full search in the same game.
    later_full = np.roll(full, -1, axis=0).reshape(-1)
    assert (np.asarray(samples.reply_mask) <= later_full).all()
    assert np.asarray(samples.reply_mask).sum() > 0


@pytest.mark.slow  # a Go self-play compile (14 s)
def test_score_targets__every_scored_position_obeys_area_scoring(katago_run):
    # From the mover's view, margin = sum(ownership) -/+ komi: |margin - sum| is komi exactly.
    config, env, trajectory, samples = katago_run
    scored = np.asarray(samples.score_mask) == 1
    assert scored.sum() > 0 and np.asarray(trajectory.scored).sum() > 0
    gap = np.abs(np.asarray(samples.score_margin) - np.asarray(samples.ownership).sum(-1))
    np.testing.assert_allclose(gap[scored], 24.5)
    assert (np.asarray(samples.score_mask) <= np.asarray(samples.mask) + 1).all()
