"""alphazero/bench.py and scripts/bench_selfplay.py: FLOP counts with known answers, a smoke run."""

from __future__ import annotations

import argparse
import subprocess
import sys

import jax
import jax.numpy as jnp
import pytest
from conftest import load_script

from alphazero import bench, networks
from alphazero.config import NetworkConfig


def test_cost_flops__matmul_known_answer():
    x, w = jnp.ones((8, 16)), jnp.ones((16, 4))
    compiled = jax.jit(jnp.matmul).lower(x, w).compile()
    assert bench.cost_flops(compiled) == 2 * 8 * 16 * 4


def test_forward_flops__close_to_the_convolution_count(c4_env):
    """FLOPs per position are dominated by the 3x3 convolutions: 2 * Cin * Cout per kernel tap
    that lands on the board (XLA does not count taps on the zero padding)."""
    blocks, channels = 2, 16
    params = networks.init(jax.random.PRNGKey(0), c4_env, NetworkConfig("resnet", blocks, channels))
    states = bench.positions(c4_env, 32, jax.random.PRNGKey(1))
    per_position = bench.Forward(params, states.observation).flops / 32
    height, width, planes = c4_env.observation_shape
    taps = (3 * height - 2) * (3 * width - 2)  # rows: 3 per output, minus 1 at each edge
    convs = 2 * taps * channels * (planes + 2 * blocks * channels)
    assert convs <= per_position <= 1.1 * convs


def test_positions__are_real_legal_states(ttt_env):
    states = bench.positions(ttt_env, 8, jax.random.PRNGKey(0), moves=3)
    assert states.observation.shape == (8, *ttt_env.observation_shape)
    assert (states.legal_action_mask.sum(-1) == 6).all()  # 3 stones on the board, game running


@pytest.fixture(scope="module")
def tiny_bench():
    script = load_script("bench_selfplay")
    args = argparse.Namespace(
        one="tic_tac_toe",
        num_games=8,
        num_moves=0,
        dtype="float32",
        repeats=1,
        peak_batches=[64, 256],
        profile=True,
    )
    return script, script.bench_one(args)


def test_bench_one__reports_consistent_rates(tiny_bench):
    _, result = tiny_bench
    assert result["games_x_moves"] == "8 x 9" and result["compile_s"] > 0
    pps = result["positions_per_s"]
    assert result["simulations_per_s"] == pytest.approx(32 * pps)
    assert result["evaluations_per_s"] == pytest.approx(33 * pps)
    assert result["network_flops_per_s"] == pytest.approx(
        result["evaluations_per_s"] * result["flops_per_evaluation"]
    )
    assert result["peak_flops_per_s"] == max(result["peak_flops_per_s_by_batch"].values())
    assert 0 < result["roofline_fraction"] < 1.5
    assert result["learner_keeps_up"] == pytest.approx(result["train_samples_per_s"] / (4.0 * pps))
    assert result["peak_rss_bytes"] > 0 and result["selfplay_temp_bytes"] > 0
    profile = result["profile"]
    assert sum(profile["fractions"].values()) == pytest.approx(1.0)
    assert profile["seconds"]["network"] > 0 and profile["seconds"]["environment"] > 0


def test_table__one_row_per_result(tiny_bench):
    script, result = tiny_bench
    lines = script.table([result, result]).splitlines()
    assert len(lines) == 4 and lines[2].startswith(
        "| tic_tac_toe | mlp 2 x 128 | gumbel 32 | 8 x 9"
    )


def test_bench_script__bad_preset_is_one_line_error():
    done = subprocess.run(
        [sys.executable, "scripts/bench_selfplay.py", "--presets", "chess"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "bench_selfplay: error: unknown preset 'chess'"
