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
