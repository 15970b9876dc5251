"""Grader of exercise 2: value targets from a trajectory (exercises/ex2_value_targets.py)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from alphazero import exercises, targets
from alphazero.types import Trajectory


@pytest.fixture(scope="module")
def impl():
    return exercises.submission()


def _run(impl, reward, done, truncated=None, random_move=None):
    n = len(reward)
    truncated = np.zeros(n, bool) if truncated is None else np.asarray(truncated, bool)
    random_move = np.zeros(n, bool) if random_move is None else np.asarray(random_move, bool)
    z, mask = impl.value_targets(
        np.asarray(reward, np.float32), np.asarray(done, bool), truncated, random_move
    )
    return np.asarray(z, np.float64), np.asarray(mask, bool)


def test_one_finished_game(impl):
    # five moves, the player who made move 4 won: movers alternate, so z = +1 -1 +1 -1 +1
    z, mask = _run(impl, [0, 0, 0, 0, 1], [0, 0, 0, 0, 1])
    np.testing.assert_allclose(z, [1, -1, 1, -1, 1], err_msg="z_t flips sign each move back")
    assert mask.all(), "every position of a finished game gets a target"


def test_game_still_running_at_the_end_has_no_target(impl):
    # a 3-move game the last mover won, then a new game that is still running (2 moves)
    z, mask = _run(impl, [0, 0, 1, 0, 0], [0, 0, 1, 0, 0])
    np.testing.assert_allclose(z[:3], [1, -1, 1], err_msg="the finished game: z = +1 -1 +1")
    np.testing.assert_array_equal(
        mask, [1, 1, 1, 0, 0], err_msg="moves 3-4 belong to an unfinished game: mask 0"
    )


def test_draw_and_loss(impl):
    # a drawn 2-move game, then a 2-move game whose last mover lost (e.g. an illegal move)
    z, mask = _run(impl, [0, 0, 0, -1], [0, 1, 0, 1])
    np.testing.assert_allclose(z, [0, 0, 1, -1], err_msg="draw -> 0; the loser's opponent +1")
    assert mask.all()


def test_truncated_game_has_no_target(impl):
    z, mask = _run(impl, [0, 0, 0, 1], [0, 1, 0, 1], truncated=[0, 1, 0, 0])
    np.testing.assert_array_equal(mask, [0, 0, 1, 1], err_msg="a truncated game has no outcome")
    np.testing.assert_allclose(z[2:], [-1, 1])


def test_random_opening_moves_have_no_target(impl):
    _, mask = _run(impl, [0, 0, 0, 1], [0, 0, 0, 1], random_move=[1, 1, 0, 0])
    np.testing.assert_array_equal(mask, [0, 0, 1, 1], err_msg="random opening moves: mask 0")


def test_matches_the_library_on_random_trajectories(impl):
    rng = np.random.default_rng(0)
    for _ in range(20):
        t = 12
        done = rng.random(t) < 0.25
        reward = np.where(done, rng.choice([-1.0, 0.0, 1.0], size=t), 0.0)
        truncated = done & (rng.random(t) < 0.2)
        reward = np.where(truncated, 0.0, reward)
        random_move = rng.random(t) < 0.2
        z, mask = _run(impl, reward, done, truncated, random_move)
        trajectory = Trajectory(
            observation=jnp.zeros((t, 1, 1)),
            action_weights=jnp.zeros((t, 1, 1)),
            reward=jnp.asarray(reward, jnp.float32)[:, None],
            done=jnp.asarray(done)[:, None],
            truncated=jnp.asarray(truncated)[:, None],
            random_move=jnp.asarray(random_move)[:, None],
            root_value=jnp.zeros((t, 1)),
        )
        expected = targets.compute(trajectory)
        np.testing.assert_array_equal(mask, np.asarray(expected.mask) > 0, err_msg="mask")
        np.testing.assert_allclose(
            np.where(mask, z, 0), np.where(mask, expected.value_target, 0), err_msg="z"
        )
