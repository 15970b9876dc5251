"""Grader of exercise 6: FLOPs of the network and the roofline (exercises/ex6_flops.py)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

from alphazero import bench, exercises, networks
from alphazero.config import NetworkConfig


@pytest.fixture(scope="module")
def impl():
    return exercises.submission()


def _xla_conv_flops(height, width, cin, cout, kernel):
    x = jnp.ones((1, height, width, cin))
    w = jnp.ones((kernel, kernel, cin, cout))
    conv = jax.jit(
        lambda x, w: jax.lax.conv_general_dilated(
            x, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")
        )
    )
    return bench.cost_flops(conv.lower(x, w).compile())


def test_conv_known_answer(impl):
    # 3x3 board, 3x3 kernel, one channel: taps per axis 3 * 3 - 2 = 7, so 7 * 7 multiply-adds.
    assert impl.conv_flops(3, 3, 1, 1, 3) == 98, "count only the kernel taps that land on the board"
    assert impl.conv_flops(5, 4, 2, 3, 1) == 2 * 20 * 2 * 3, "a 1x1 conv: 2 * H * W * Cin * Cout"


def test_conv_matches_xla(impl):
    for shape in [(9, 9, 17, 64, 3), (6, 7, 2, 32, 3), (19, 19, 8, 16, 3), (5, 5, 4, 4, 5)]:
        mine, xla = impl.conv_flops(*shape), _xla_conv_flops(*shape)
        assert mine == pytest.approx(xla, rel=1e-6), f"conv {shape}: you count {mine}, XLA {xla}"


def test_dense(impl):
    assert impl.dense_flops(128, 82) == 2 * 128 * 82, "a multiply-add is 2 FLOPs"


def test_network_matches_xla(impl):
    import games

    for game, blocks, channels in [("connect_four", 2, 16), ("go_9x9", 1, 16)]:
        env = games.make(game)
        height, width, planes = env.observation_shape
        mine = impl.network_flops(height, width, planes, env.num_actions, blocks, channels)
        config = NetworkConfig("resnet", blocks, channels)
        params = networks.init(jax.random.PRNGKey(0), env, config)
        observation = jnp.zeros((8, height, width, planes), bool)
        xla = bench.Forward(params, observation).flops / 8
        assert 0.88 * xla <= mine <= xla, f"{game}: you count {mine} FLOPs per position, XLA {xla}"


def test_roofline_fraction(impl):
    # 60 positions/s x 33 evaluations x 75 MFLOP = 148.5 GFLOP/s of a 200 GFLOP/s peak
    fraction = impl.roofline_fraction(60.0, 32, 75e6, 200e9)
    assert fraction == pytest.approx(0.7425), "evaluations per position = simulations + 1"
