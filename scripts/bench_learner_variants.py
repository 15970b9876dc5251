"""Learner speed of the go_9x9 preset under variants: batch size, augmentation on or off.

    python scripts/bench_learner_variants.py

Each variant times the jitted `update` of `alphazero train` (sample from the replay window,
augment, AdamW step) on one small self-play trajectory, median of 8 steps after compiling
(alphazero.bench.measure_learner). Used for docs/benchmarks.md ("Optimisations").
"""

from __future__ import annotations

import dataclasses
import statistics

import jax

import games
from alphazero import bench, learner, presets, selfplay


def main() -> None:
    env = games.make("go_9x9")
    base = presets.go_9x9()
    small = dataclasses.replace(base, selfplay=dataclasses.replace(base.selfplay, num_moves=8))
    key = jax.random.PRNGKey(0)
    params = learner.init_loop_state(env, small).train_state.params
    trajectory = jax.jit(lambda p, k: selfplay.play(p, k, env, small))(params, key)
    for batch, augment in [(256, True), (256, False), (512, True)]:
        config = dataclasses.replace(
            small, train=dataclasses.replace(small.train, batch_size=batch, augment=augment)
        )
        loop = learner.init_loop_state(env, config)  # `store` donates the window: a fresh one
        seconds = statistics.median(bench.measure_learner(config, env, loop, trajectory, key, 8))
        print(f"batch {batch}, augment {augment}: {1000 * seconds:.0f} ms per update, "
              f"{batch / seconds:.0f} samples/s", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
