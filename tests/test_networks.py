"""networks.py: the facade reads the architecture back from params; shapes for every torso."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

import games
from alphazero import networks
from alphazero.config import NetworkConfig


@pytest.mark.parametrize(
    "game, torso, blocks, channels",
    [
        ("tic_tac_toe", "mlp", 2, 16),
        ("connect_four", "resnet", 1, 8),
        pytest.param("go_5x5", "resnet", 2, 4, marks=pytest.mark.slow),
    ],
)
def test_apply__shapes_and_architecture_from_params(game, torso, blocks, channels):
    env = games.make(game)
    params = networks.init(jax.random.PRNGKey(0), env, NetworkConfig(torso, blocks, channels))
    module = networks._module_from_params(params)
    assert (module.num_blocks, module.num_channels, module.num_actions) == (
        blocks,
        channels,
        env.num_actions,
    )
    assert module.conv == (torso == "resnet")
    obs = jnp.zeros((5, *env.observation_shape), bool)
    logits, value = jax.jit(networks.apply)(params, obs)
    assert logits.shape == (5, env.num_actions) and value.shape == (5,)
    assert bool(jnp.all(jnp.abs(value) <= 1))


def test_apply__is_pure():
    env = games.make("tic_tac_toe")
    params = networks.init(jax.random.PRNGKey(0), env, NetworkConfig("mlp", 1, 8))
    obs = jax.random.bernoulli(jax.random.PRNGKey(1), 0.5, (3, 3, 3, 2))
    a = networks.apply(params, obs)
    b = networks.apply(params, obs)
    assert all(bool(jnp.array_equal(x, y)) for x, y in zip(a, b, strict=True))


@pytest.mark.slow
def test_transformer__architecture_from_params_and_padding_is_ignored():
    env = games.make("countdown")
    params = networks.init(jax.random.PRNGKey(0), env, NetworkConfig("transformer", 2, 16, 2))
    module = networks._module_from_params(params)
    assert (module.num_blocks, module.num_channels, module.num_heads, module.vocab_size) == (
        2, 16, 2, 22)  # fmt: skip
    states = jax.vmap(env.init)(jax.random.split(jax.random.PRNGKey(1), 4))
    logits, value = jax.jit(networks.apply)(params, states.observation)
    assert logits.shape == (4, 60) and value.shape == (4,)
    # The last position is padding for these texts: its embedding must not reach the outputs.
    assert bool((states.observation[:, -1] == 0).all())
    moved = jax.tree.map(lambda x: x, params)
    torso = moved["params"]["torso"]
    torso["position"] = torso["position"].at[-1].add(5.0)
    again = networks.apply(moved, states.observation)
    assert bool(jnp.allclose(logits, again[0], atol=1e-5)) and bool(jnp.allclose(value, again[1]))
    fast = networks.apply(params, states.observation, jnp.bfloat16)
    assert float(jnp.abs(fast[0] - logits).max()) < 0.1
