"""losses.py: known values and a loss that goes down on a fixed batch."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import tiny_config

from alphazero import learner, losses
from alphazero.types import Samples


def test_loss__uniform_network_known_value(ttt_env, ttt_params):
    zero = jax.tree.map(jnp.zeros_like, ttt_params)  # logits 0 (uniform), value tanh(0) = 0
    obs = jnp.zeros((4, 3, 3, 2), bool)
    pi = jnp.eye(9)[:4]
    z = jnp.array([1.0, -1.0, 0.0, 1.0])
    mask = jnp.array([1.0, 1.0, 1.0, 0.0])
    total, metrics = losses.loss(zero, Samples(obs, pi, z, mask))
    np.testing.assert_allclose(float(metrics["policy_loss"]), np.log(9), rtol=1e-6)
    np.testing.assert_allclose(float(metrics["value_loss"]), 2 / 3, rtol=1e-6)  # masked mean
    np.testing.assert_allclose(float(total), np.log(9) + 2 / 3, rtol=1e-6)


def test_train_step__loss_decreases_on_fixed_batch(ttt_env):
    config = tiny_config()
    state = learner.create_train_state(jax.random.PRNGKey(0), ttt_env, config)
    keys = jax.random.split(jax.random.PRNGKey(1), 3)
    obs = jax.random.bernoulli(keys[0], 0.3, (32, 3, 3, 2))
    pi = jax.nn.softmax(3 * jax.random.normal(keys[1], (32, 9)))
    z = jax.random.choice(keys[2], jnp.array([-1.0, 0.0, 1.0]), (32,))
    batch = Samples(obs, pi, z, jnp.ones(32))
    step = jax.jit(lambda s: learner.train_step(s, batch, config))
    first = None
    for _ in range(60):
        state, metrics = step(state)
        first = float(metrics["loss"]) if first is None else first
    assert float(metrics["loss"]) < 0.7 * first, (first, float(metrics["loss"]))


@pytest.mark.slow
def test_train_step__ema_params_are_the_moving_average(ttt_env):
    base = tiny_config()
    config = dataclasses.replace(base, train=dataclasses.replace(base.train, ema_decay=0.9))
    state = learner.create_train_state(jax.random.PRNGKey(0), ttt_env, config)
    assert state.evaluation_params is state.ema_params
    batch = Samples(jnp.zeros((8, 3, 3, 2)), jnp.full((8, 9), 1 / 9), jnp.ones(8), jnp.ones(8))
    after, _ = learner.train_step(state, batch, config)
    expected = jax.tree.map(lambda old, new: 0.9 * old + 0.1 * new, state.params, after.params)
    for got, want in zip(jax.tree.leaves(after.ema_params), jax.tree.leaves(expected), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    off = learner.create_train_state(jax.random.PRNGKey(0), ttt_env, base)
    assert off.ema_params is None and off.evaluation_params is off.params
