"""alphazero/bench.py and scripts/bench_selfplay.py: FLOP counts with known answers, a smoke run."""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys

import jax
import jax.numpy as jnp
import pytest
from conftest import load_script

from alphazero import bench, networks, presets
from alphazero.config import NetworkConfig


def test_cost_flops__matmul_known_answer():
    x, w = jnp.ones((8, 16)), jnp.ones((16, 4))
    compiled = jax.jit(jnp.matmul).lower(x, w).compile()
    assert bench.cost_flops(compiled) == 2 * 8 * 16 * 4


@pytest.mark.slow
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
        peak_batches=[64],
        profile=True,
    )
    return script, script.bench_one(args)


def test_rates__known_answers_from_fixed_timings():
    """The rates and the roofline from injected timings (measured ones vary with the machine's
    load: a roofline of 2.5 was once measured under `pytest -n 2`)."""
    config = presets.tic_tac_toe()  # 512 games x 9 moves, 32 simulations, batch 512, reuse 4
    out = bench.rates(
        config,
        call_s=[0.8, 0.2, 0.4],  # median 0.4 s for 4,608 positions
        step_s=[0.1, 0.05, 0.2],  # median 0.1 s for 512 samples
        peak_by_batch={64: 2e9, 256: 5e9},
        flops_per_eval=1e4,
    )
    assert out["positions_per_s"] == pytest.approx(11_520)
    assert out["simulations_per_s"] == pytest.approx(32 * 11_520)
    assert out["evaluations_per_s"] == pytest.approx(33 * 11_520)
    assert out["network_flops_per_s"] == pytest.approx(33 * 11_520 * 1e4)
    assert out["peak_flops_per_s"] == 5e9 and out["peak_flops_per_s_by_batch"] == {
        "64": 2e9,
        "256": 5e9,
    }
    assert out["roofline_fraction"] == pytest.approx(33 * 11_520 * 1e4 / 5e9)  # 0.76
    assert out["train_samples_per_s"] == pytest.approx(5_120)
    assert out["train_samples_needed_per_s"] == pytest.approx(4 * 11_520)
    assert out["learner_keeps_up"] == pytest.approx(5_120 / (4 * 11_520))


def test_time_shares__rest_by_subtraction():
    shares = bench.time_shares({"network": 2.0, "environment": 1.0}, call_s=4.0)
    assert shares["seconds"] == {"network": 2.0, "environment": 1.0, "tree_and_rest": 1.0}
    assert shares["fractions"] == {"network": 0.5, "environment": 0.25, "tree_and_rest": 0.25}


@pytest.mark.slow
def test_bench_one__reports_every_field_from_its_measurements(tiny_bench):
    """The script end to end at a tiny size: the reported rates are bench.rates of the reported
    timings (no bound on the timings themselves: they depend on the machine's load)."""
    _, result = tiny_bench
    assert result["games_x_moves"] == "8 x 9" and result["compile_s"] > 0
    config = presets.tic_tac_toe()
    config = dataclasses.replace(
        config, selfplay=dataclasses.replace(config.selfplay, num_games=8, num_moves=9)
    )
    peak_by_batch = {int(b): f for b, f in result["peak_flops_per_s_by_batch"].items()}
    assert list(peak_by_batch) == [64]
    expected = bench.rates(
        config,
        result["selfplay_call_s"],
        result["train_step_s"],
        peak_by_batch,
        result["flops_per_evaluation"],
    )
    assert {k: result[k] for k in expected} == expected
    assert result["peak_rss_bytes"] > 0 and result["selfplay_temp_bytes"] > 0
    profile = result["profile"]
    assert set(profile["seconds"]) == {"network", "environment", "tree_and_rest"}
    assert sum(profile["fractions"].values()) == pytest.approx(1.0)


@pytest.mark.slow
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
