"""ownership.py and its targets: KataGo's ownership and score on a known 5x5 final position,
carried back over the game by targets.compute; the losses they feed."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import games
from alphazero import losses, networks, ownership, targets
from alphazero.config import NetworkConfig, TrainConfig
from alphazero.types import Samples, Trajectory
from games import go

PASS = 25
# Black walls column b, White column d (5x5, komi 24.5): column a is Black's, e White's, c
# touches both and is nobody's. Black 10, White 10: Black's margin 10 - 10 - 24.5 = -24.5.
MOVES = [m for r in range(5) for m in (r * 5 + 1, r * 5 + 3)] + [PASS, PASS]
EXPECTED_BLACK_VIEW = np.array([[1, 1, 0, -1, -1]] * 5).reshape(-1)


@pytest.fixture(scope="module")
def game():
    env = games.make("go_5x5")
    step = jax.jit(env.step)
    states = [env.init(jax.random.PRNGKey(0))]
    for move in MOVES:
        states.append(step(states[-1], jnp.int32(move)))
    return env, states


def test_final_targets__known_5x5_position_from_each_side(game):
    env, states = game
    final = states[-1]
    assert bool(final.terminated)
    for colour, sign in ((go.BLACK, 1), (go.WHITE, -1)):
        owner, margin, scored = ownership.final_targets(env, final, jnp.int32(colour))
        np.testing.assert_array_equal(np.asarray(owner), sign * EXPECTED_BLACK_VIEW)
        assert float(margin) == sign * -24.5 and bool(scored)
    # Area scoring: Black's margin is the sum of the ownership map minus komi.
    assert float(jnp.sum(go.ownership(final))) - go.komi(env) == -24.5
    assert ownership.margin_scale(env) == 2.5


def test_final_targets__a_game_not_ended_by_two_passes_is_not_scored(game):
    env, states = game
    assert not bool(ownership.final_targets(env, states[-2], jnp.int32(go.BLACK))[2])


def test_compute__carries_the_final_position_back_with_the_sign_of_each_mover(game):
    env, states = game
    t, last = len(MOVES), len(MOVES) - 1
    movers = [int(go.colour_to_move(s)) for s in states[:-1]]
    owner = np.zeros((t, 1, 25), np.float32)
    margin = np.zeros((t, 1), np.float32)
    o, m, scored = ownership.final_targets(env, states[-1], jnp.int32(movers[last]))
    owner[last, 0], margin[last, 0] = o, m
    done = np.zeros((t, 1), bool)
    done[last] = True
    trajectory = Trajectory(
        observation=jnp.zeros((t, 1, 1)), action_weights=jnp.full((t, 1, 26), 1 / 26),
        reward=jnp.zeros((t, 1)), done=jnp.asarray(done), truncated=jnp.zeros((t, 1), bool),
        random_move=jnp.zeros((t, 1), bool), root_value=jnp.zeros((t, 1)),
        ownership=jnp.asarray(owner), score_margin=jnp.asarray(margin),
        scored=jnp.asarray(done & bool(scored)),
    )  # fmt: skip
    samples = targets.compute(trajectory)
    signs = np.array([1 if c == go.BLACK else -1 for c in movers])
    np.testing.assert_array_equal(np.asarray(samples.score_margin), signs * -24.5)
    expected = signs[:, None] * EXPECTED_BLACK_VIEW
    np.testing.assert_array_equal(np.asarray(samples.ownership), expected)
    np.testing.assert_array_equal(np.asarray(samples.score_mask), np.ones(t))
    unscored = targets.compute(trajectory._replace(scored=jnp.zeros((t, 1), bool)))
    np.testing.assert_array_equal(np.asarray(unscored.score_mask), np.zeros(t))


def test_augment__moves_ownership_with_the_board():
    env = games.make("go_5x5")
    n = 8
    obs = jnp.zeros((n, 5, 5, env.observation_shape[-1])).at[:, 0, 1, 0].set(1)
    owner = jnp.zeros((n, 25)).at[:, 1].set(1)  # the same point as the stone
    policy = jnp.full((n, 26), 1 / 26)
    samples = Samples(obs, policy, jnp.zeros(n), jnp.ones(n), ownership=owner)
    moved = targets.apply_symmetries(samples, jnp.arange(n), "go_5x5")
    stone = np.asarray(moved.observation[..., 0]).reshape(n, 25)
    np.testing.assert_array_equal(stone, np.asarray(moved.ownership))
    assert len({int(np.argmax(row)) for row in stone}) == 8  # (0, 1) has 8 distinct images


def test_loss__auxiliary_terms_known_values_and_masks():
    env = games.make("go_5x5")
    config = NetworkConfig("resnet", 1, 4, score_heads=True, reply_head=True)
    params = networks.init(jax.random.PRNGKey(0), env, config)
    params = {"params": {**params["params"]}}
    p = params["params"]
    for head in ("ownership_conv", "score_out", "reply_out", "policy_out", "value_out"):
        p[head] = jax.tree.map(jnp.zeros_like, p[head])  # outputs 0, uniform policies
    n = 4
    batch = Samples(
        observation=jnp.zeros((n, *env.observation_shape)),
        action_weights=jnp.full((n, 26), 1 / 26), value_target=jnp.zeros(n), mask=jnp.ones(n),
        ownership=jnp.ones((n, 25)), score_margin=jnp.array([0.0, 4.0, 30.0, 1e4]),
        score_mask=jnp.array([1.0, 1.0, 1.0, 0.0]),
        reply_weights=jnp.full((n, 26), 1 / 26), reply_mask=jnp.array([1.0, 0, 0, 0]),
    )  # fmt: skip
    weights = TrainConfig()
    total, metrics = losses.loss(params, batch, weights)
    np.testing.assert_allclose(metrics["ownership_loss"], np.log(2), rtol=1e-6)
    # Huber(delta 10): 0, 4^2 / 2 = 8, 10 * (30 - 5) = 250; the unscored 1e4 is masked out.
    np.testing.assert_allclose(metrics["score_loss"], (0 + 8 + 250) / 3, rtol=1e-6)
    np.testing.assert_allclose(metrics["reply_loss"], np.log(26), rtol=1e-6)
    expected = (np.log(26) + 0 + 1.5 * np.log(2) + 0.02 * 258 / 3 + 0.15 * np.log(26))
    np.testing.assert_allclose(total, expected, rtol=1e-5)
    # Playout cap randomization: the policy term averages over full searches only.
    peaked = batch.action_weights.at[1:].set(jnp.eye(26)[0])
    capped = batch._replace(action_weights=peaked, policy_mask=jnp.array([1.0, 0, 0, 0]))
    np.testing.assert_allclose(losses.loss(params, capped, weights)[1]["policy_loss"],
                               np.log(26), rtol=1e-6)  # fmt: skip
