"""Run by tests/test_distributed.py in a fresh process with 4 fake CPU devices:

    XLA_FLAGS=--xla_force_host_platform_device_count=4 python tests/distributed_worker.py OUT_DIR

Plays and learns with the same keys on a 1-device and a 4-device mesh and writes what the test
compares to OUT_DIR/result.json (+ first trajectory and final params of both as .npz).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jax
import numpy as np
from conftest import tiny_config

import games
from alphazero import distributed, learner, train


def iterations(phases, loop, num: int):
    """`num` loop iterations (self-play, store, learn) as train.run does them; the trajectories."""
    trajectories = []
    for _ in range(num):
        key, play_key, learn_key = jax.random.split(loop.key, 3)
        trajectory = phases.play(loop.train_state.params, play_key)
        replay_state, _ = phases.store(loop.replay_state, trajectory)
        train_state, *_ = train.learn(phases, loop.train_state, replay_state, learn_key, 3)
        loop = loop._replace(train_state=train_state, replay_state=replay_state, key=key)
        trajectories.append(trajectory)
    return loop, trajectories


def main(out: Path) -> None:
    config = tiny_config()
    env = games.make(config.game)
    devices = jax.devices()
    assert len(devices) == 4, devices
    results = {}
    for name, mesh in (
        ("one", distributed.make_mesh(devices[:1])),
        ("four", distributed.make_mesh()),
    ):
        phases = train.make_phases(env, config, mesh)
        loop = distributed.replicate(learner.init_loop_state(env, config), mesh)
        loop, trajectories = iterations(phases, loop, 2)
        first = jax.device_get(trajectories[0])
        recorded = {k: v for k, v in first._asdict().items() if v is not None}
        np.savez(out / f"trajectory_{name}.npz", **recorded)
        np.savez(
            out / f"params_{name}.npz", *jax.tree.leaves(jax.device_get(loop.train_state.params))
        )
        results[name] = dict(
            trajectory_devices=len(trajectories[0].observation.sharding.device_set),
            params_devices=len(
                loop.train_state.params["params"]["stem"]["kernel"].sharding.device_set
            ),
            play_compiles=phases.play._cache_size(),
            update_compiles=phases.update._cache_size(),
            store_compiles=phases.store._cache_size(),
        )
    (out / "result.json").write_text(json.dumps(results))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
