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
    # Jitted: run eagerly, pgx's init and flax's forward pass compile every small op on its own.
    states = jax.jit(jax.vmap(env.init))(jax.random.split(jax.random.PRNGKey(1), 4))
    apply = jax.jit(networks.apply, static_argnames="dtype")
    logits, value = apply(params, states.observation)
    assert logits.shape == (4, 60) and value.shape == (4,)
    # The last position is padding for these texts: its embedding must not reach the outputs.
    assert bool((states.observation[:, -1] == 0).all())
    moved = jax.tree.map(lambda x: x, params)
    torso = moved["params"]["torso"]
    torso["position"] = torso["position"].at[-1].add(5.0)
    again = apply(moved, states.observation)
    assert bool(jnp.allclose(logits, again[0], atol=1e-5)) and bool(jnp.allclose(value, again[1]))
    fast = apply(params, states.observation, dtype=jnp.bfloat16)
    assert float(jnp.abs(fast[0] - logits).max()) < 0.1


def _leaf_paths(params) -> set[str]:
    return {jax.tree_util.keystr(path) for path, _ in jax.tree_util.tree_leaves_with_path(params)}


def _torso_output(params, obs):
    """The torso's features [B, H, W, C] (after its final norm), before the heads."""
    module = networks._module_from_params(params)
    _, state = module.apply(params, obs, capture_intermediates=lambda m, _: m.name == "torso_norm")
    return state["intermediates"]["torso_norm"]["__call__"][0]


def test_global_pooling__same_output_shapes_and_pooling_layers_only_when_on():
    env = games.make("go_7x7")
    obs = jax.random.bernoulli(jax.random.PRNGKey(1), 0.3, (4, *env.observation_shape))
    outputs, paths = {}, {}
    for on in (False, True):
        params = networks.init(jax.random.PRNGKey(0), env, NetworkConfig("resnet", 4, 12, 4, on))
        assert networks._module_from_params(params).global_pooling == on
        outputs[on] = jax.jit(networks.apply)(params, obs)
        paths[on] = _leaf_paths(params)
    assert [x.shape for x in outputs[True]] == [x.shape for x in outputs[False]]
    assert outputs[True][0].shape == (4, env.num_actions) and outputs[True][1].shape == (4,)
    # Of 4 blocks only block_2 pools: 4 of 12 channels -> mean and max [B, 8] -> bias [B, 8].
    assert paths[True] - paths[False] == {"['params']['block_2']['global_pool']['kernel']"}
    assert paths[False] <= paths[True]
    block = networks.init(jax.random.PRNGKey(0), env, NetworkConfig("resnet", 4, 12, 4, True))
    block = block["params"]["block_2"]
    assert block["global_pool"]["kernel"].shape == (8, 8)
    assert block["layer_1"]["kernel"].shape == (3, 3, 8, 12)


def test_global_pooling__a_distant_stone_reaches_a_point_beyond_the_receptive_field():
    # One block (so it pools) on 9x9: the stem and the block's two 3x3 convs see 3 points around
    # p = (8, 8); the changed point (0, 0) is 8 away. The policy head's dense layer mixes all
    # points anyway, so the test reads the torso's output at p, not the logits.
    env = games.make("go_9x9")
    obs = jax.random.bernoulli(jax.random.PRNGKey(1), 0.3, (1, *env.observation_shape))
    moved = obs.at[0, 0, 0, 0].set(~obs[0, 0, 0, 0])
    for on in (False, True):
        params = networks.init(jax.random.PRNGKey(0), env, NetworkConfig("resnet", 1, 8, 4, on))
        assert networks._module_from_params(params).global_pooling == on
        change = _torso_output(params, moved)[0, 8, 8] - _torso_output(params, obs)[0, 8, 8]
        change = float(jnp.abs(change).max())
        assert (change > 1e-4) if on else (change == 0.0), (on, change)


def test_global_pooling__off_by_default_and_the_default_net_is_unchanged():
    assert NetworkConfig().global_pooling is False
    params = networks.init(jax.random.PRNGKey(0), games.make("go_7x7"), NetworkConfig())
    assert not any("global_pool" in path for path in _leaf_paths(params))
    assert not networks._module_from_params(params).global_pooling
    # The tree the default net had before the option existed, module by module.
    p = params["params"]
    blocks = [f"block_{i}" for i in range(NetworkConfig().num_blocks)]
    heads = ["policy_conv", "value_conv", "policy_out", "value_hidden", "value_out"]
    assert set(p) == {"stem", *blocks, "torso_norm", *heads}
    for name in blocks:
        assert set(p[name]) == {"norm_0", "layer_0", "norm_1", "layer_1"}
        assert p[name]["layer_1"]["kernel"].shape == (3, 3, 64, 64)


def test_katago_heads__shapes_names_and_read_back_from_params():
    env = games.make("go_5x5")
    obs = jax.random.bernoulli(jax.random.PRNGKey(1), 0.3, (3, *env.observation_shape))
    plain = networks.init(jax.random.PRNGKey(0), env, NetworkConfig("resnet", 1, 4))
    config = NetworkConfig("resnet", 1, 4, score_heads=True, reply_head=True)
    params = networks.init(jax.random.PRNGKey(0), env, config)
    module = networks._module_from_params(params)
    assert module.score_heads and module.reply_head
    heads = jax.jit(networks.apply_heads)(params, obs)
    assert heads.prior_logits.shape == heads.reply_logits.shape == (3, env.num_actions)
    assert heads.value.shape == heads.score.shape == (3,)
    assert heads.ownership.shape == (3, 25)  # one per point, no pass
    new = _leaf_paths(params) - _leaf_paths(plain)
    assert {p.split("']")[1].strip("['") for p in new} == {
        "ownership_conv", "score_out", "reply_conv", "reply_out"
    }
    # The two-output facade is the same function of the shared parameters.
    logits, value = jax.jit(networks.apply)(params, obs)
    assert jnp.array_equal(logits, heads.prior_logits) and jnp.array_equal(value, heads.value)
    bare = jax.jit(networks.apply_heads)(plain, obs)
    assert bare.ownership is None and bare.score is None and bare.reply_logits is None
