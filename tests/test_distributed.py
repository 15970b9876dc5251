"""alphazero/distributed.py: data parallelism over simulated CPU devices and hosts.

The number of CPU devices is fixed when jax starts (XLA_FLAGS=...device_count=N),
so the multi-device halves run in fresh processes: tests/distributed_worker.py compares 1 and 4
devices phase by phase, and `alphazero train --distributed` runs as 2 processes ("hosts") of 2
devices each, coordinated by jax.distributed over localhost, whose checkpoint a 1-device process
(this one) then restores.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import jax
import numpy as np
import pytest
from conftest import TINY_FLAGS

import games
from alphazero import checkpoint, learner

HERE = Path(__file__).resolve().parent
TIMEOUT_FLAG = "--xla_cpu_collective_call_terminate_timeout_seconds=600"


def _devices_env(count: int, **extra) -> dict:
    # A slow simulated device must not trip XLA's 40 s all-reduce timeout on a busy machine.
    flags = f"--xla_force_host_platform_device_count={count} {TIMEOUT_FLAG} "
    flags += os.environ.get("XLA_FLAGS", "")  # conftest's optimisation level
    env = dict(os.environ, XLA_FLAGS=flags, **extra)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def multihost(tmp_path_factory):
    """Starts `alphazero train --distributed` as 2 hosts x 2 devices (runs while `worker` runs)."""
    workdir = tmp_path_factory.mktemp("multihost") / "run"
    address = f"localhost:{_free_port()}"
    hosts = [
        subprocess.Popen(
            [
                *("alphazero", "train", "--distributed", "--workdir", str(workdir)),
                *("--train.num-iterations", "2", *TINY_FLAGS),
            ],
            env=_devices_env(
                2, JAX_COORDINATOR_ADDRESS=address, JAX_NUM_PROCESSES="2", JAX_PROCESS_ID=str(i)
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    yield workdir, hosts
    for host in hosts:
        host.kill()


@pytest.fixture(scope="module")
def worker(tmp_path_factory, multihost):
    out = tmp_path_factory.mktemp("distributed")
    done = subprocess.run(
        [sys.executable, str(HERE / "distributed_worker.py"), str(out)],
        env=_devices_env(4),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out, json.loads((out / "result.json").read_text())


@pytest.fixture(scope="module")
def multihost_run(multihost, worker):
    workdir, hosts = multihost
    for host in hosts:
        _, stderr = host.communicate(timeout=600)
        assert host.returncode == 0, stderr[-3000:]
    return workdir


@pytest.mark.slow
def test_selfplay__sharded_over_4_devices_is_bit_identical(worker):
    out, results = worker
    assert results["four"]["trajectory_devices"] == 4 and results["one"]["trajectory_devices"] == 1
    one, four = np.load(out / "trajectory_one.npz"), np.load(out / "trajectory_four.npz")
    assert sorted(one.files) == sorted(four.files)
    for name in one.files:
        np.testing.assert_array_equal(one[name], four[name], err_msg=name)


@pytest.mark.slow
def test_learner__params_agree_after_2_iterations(worker):
    out, results = worker
    assert results["four"]["params_devices"] == 4  # replicated on every device
    one, four = np.load(out / "params_one.npz"), np.load(out / "params_four.npz")
    for name in one.files:
        np.testing.assert_allclose(four[name], one[name], rtol=1e-5, atol=1e-6, err_msg=name)
    assert not all(np.array_equal(one[n], np.zeros_like(one[n])) for n in one.files)


@pytest.mark.slow
def test_sharded_phases__compile_once(worker):
    _, results = worker
    for mesh in ("one", "four"):
        counts = {k: v for k, v in results[mesh].items() if k.endswith("_compiles")}
        assert counts == {"play_compiles": 1, "update_compiles": 1, "store_compiles": 1}, mesh


@pytest.mark.slow
def test_multihost_run__host_0_alone_writes_logs(multihost_run):
    assert len(list(multihost_run.glob("events.out.tfevents*"))) == 1
    assert json.loads((multihost_run / "report.json").read_text())["iteration"] == 2


@pytest.mark.slow
def test_checkpoint__from_2_hosts_x_2_devices_restores_on_one_cpu(multihost_run):
    run = multihost_run
    assert checkpoint.latest_step(run) == 2 and len(jax.devices()) == 1
    config = checkpoint.read_config(run)
    assert config.train.num_iterations == 2 and config.selfplay.num_games == 16
    template = learner.init_loop_state(games.make(config.game), config)
    loop = checkpoint.restore(checkpoint.manager(run), template)
    params = loop.train_state.params["params"]["stem"]["kernel"]
    assert params.sharding.device_set == {jax.devices()[0]}
    assert int(loop.iteration) == 2 and int(loop.replay_state.size) > 0
    fresh = template.train_state.params["params"]["stem"]["kernel"]
    assert not np.array_equal(np.asarray(params), np.asarray(fresh))  # trained, not the init


def test_cli__games_not_divisible_by_devices_is_one_line_error(tmp_path):
    done = subprocess.run(
        ["alphazero", "train", "--workdir", str(tmp_path / "run"), *TINY_FLAGS]
        + ["--selfplay.num-games", "6"],
        env=_devices_env(4),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "alphazero: error: selfplay.num_games (6) must be a multiple of the device count (4)"
    )
    assert not (tmp_path / "run" / "checkpoints").exists()
