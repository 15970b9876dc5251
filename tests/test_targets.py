"""targets.py: value targets on hand-made trajectories, a slow reference, and symmetries."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import play_moves

import games
from alphazero import targets
from alphazero.types import Samples, Trajectory


def _trajectory(reward, done, truncated=None, random_move=None, num_actions=3) -> Trajectory:
    reward = jnp.asarray(reward, jnp.float32)
    t, b = reward.shape
    zeros = jnp.zeros((t, b), bool)
    return Trajectory(
        observation=jnp.arange(t * b, dtype=jnp.float32).reshape(t, b, 1),
        action_weights=jnp.ones((t, b, num_actions)) / num_actions,
        reward=reward,
        done=jnp.asarray(done, bool),
        truncated=zeros if truncated is None else jnp.asarray(truncated, bool),
        random_move=zeros if random_move is None else jnp.asarray(random_move, bool),
        root_value=jnp.zeros((t, b)),
    )


def test_compute__hand_made_two_player_games():
    # Slot 0: a 3-move game won by the player making move 2, then a new game still running.
    # Slot 1: a 2-move game lost by... its last mover wins (+1); then a 2-move draw.
    reward = [[0, 0], [0, 1], [1, 0], [0, 0]]
    done = [[0, 0], [0, 1], [1, 0], [0, 1]]
    samples = targets.compute(_trajectory(reward, done))
    value = np.asarray(samples.value_target).reshape(4, 2)
    mask = np.asarray(samples.mask).reshape(4, 2)
    # Slot 0: movers at t=0,1,2 alternate; the winner moved at t=2 -> z = +1, -1, +1.
    np.testing.assert_array_equal(value[:3, 0], [1, -1, 1])
    np.testing.assert_array_equal(mask[:, 0], [1, 1, 1, 0])  # t=3: unfinished game
    # Slot 1: winner moved at t=1 -> z = -1, +1; then a drawn game -> 0, 0.
    np.testing.assert_array_equal(value[:, 1], [-1, 1, 0, 0])
    np.testing.assert_array_equal(mask[:, 1], [1, 1, 1, 1])


def test_compute__truncated_and_random_moves_are_masked():
    reward = [[0], [0], [0]]
    done = [[0], [1], [0]]
    truncated = [[0], [1], [0]]
    random_move = [[1], [0], [0]]
    samples = targets.compute(_trajectory(reward, done, truncated, random_move))
    np.testing.assert_array_equal(np.asarray(samples.mask), [0, 0, 0])
    samples = targets.compute(_trajectory([[0], [-1], [0]], [[0], [1], [0]], None, random_move))
    np.testing.assert_array_equal(np.asarray(samples.mask), [0, 1, 0])
    np.testing.assert_array_equal(np.asarray(samples.value_target)[:2], [1, -1])


def _slow_reference(reward, done, truncated, random_move, gamma):
    t_max, b_max = reward.shape
    value = np.zeros((t_max, b_max))
    mask = np.zeros((t_max, b_max))
    for b in range(b_max):
        for t in range(t_max):
            z, s = 0.0, 1.0
            for u in range(t, t_max):
                z += s * reward[u, b]
                if done[u, b]:
                    value[t, b] = z
                    mask[t, b] = (not truncated[u, b]) and not random_move[t, b]
                    break
                s *= gamma
    return value, mask


@pytest.mark.parametrize("num_players", [1, 2])
def test_compute__matches_slow_reference(num_players):
    rng = np.random.default_rng(num_players)
    shape = (12, 5)
    done = rng.random(shape) < 0.3
    reward = np.where(done, rng.choice([-1.0, 0.0, 1.0], shape), 0.0)
    truncated = done & (rng.random(shape) < 0.2)
    random_move = rng.random(shape) < 0.2
    samples = targets.compute(_trajectory(reward, done, truncated, random_move), num_players)
    value, mask = _slow_reference(
        reward, done, truncated, random_move, -1.0 if num_players == 2 else 1.0
    )
    got_mask = np.asarray(samples.mask).reshape(shape)
    np.testing.assert_array_equal(got_mask, mask)
    got = np.asarray(samples.value_target).reshape(shape)
    np.testing.assert_allclose(got[mask > 0], value[mask > 0])


@pytest.mark.parametrize(
    "game, moves",
    [
        ("tic_tac_toe", [0, 4, 5, 2]),
        ("connect_four", [0, 1, 1, 5, 6]),
        ("go_5x5", [0, 7, 13, 24, 3]),
        ("hex", [0, 5, 130 - 14, 60]),
    ],
)
def test_augment__transformed_moves_give_transformed_positions(game, moves):
    """For every symmetry g: playing g(moves) reaches the position g(observation)."""
    env = games.make(game)
    obs = np.asarray(play_moves(env, moves).observation)
    height, width = obs.shape[:2]
    for k, transform in enumerate(targets.board_transforms(game)):
        one_hot = jnp.eye(env.num_actions)[jnp.asarray(moves)]  # [M, A]
        stacked = Samples(jnp.stack([obs] * len(moves)), one_hot, jnp.zeros(len(moves)), None)
        out = targets.apply_symmetries(stacked, jnp.full(len(moves), k), game)
        mapped = np.asarray(out.action_weights).argmax(-1).tolist()
        got = np.asarray(play_moves(env, mapped).observation)
        np.testing.assert_array_equal(got, np.asarray(transform(jnp.asarray(obs))))
        np.testing.assert_array_equal(np.asarray(out.observation[0]), got)  # the gather = the map
    assert height * width > 0


def test_augment__keeps_targets_and_permutes_policy():
    env = games.make("tic_tac_toe")
    obs = jnp.stack([play_moves(env, [0, 4]).observation] * 64)
    policy = jnp.zeros((64, 9)).at[:, 1].set(1.0)
    samples = Samples(obs, policy, jnp.ones(64), jnp.ones(64))
    out = targets.augment(jax.random.PRNGKey(0), samples, "tic_tac_toe")
    np.testing.assert_allclose(np.asarray(out.action_weights).sum(-1), 1.0)
    np.testing.assert_array_equal(np.asarray(out.value_target), 1.0)
    # An edge cell maps onto the 4 edge cells only, and more than one of them appears.
    moved_to = set(np.asarray(out.action_weights).argmax(-1).tolist())
    assert moved_to <= {1, 3, 5, 7} and len(moved_to) > 1
