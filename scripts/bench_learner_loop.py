"""Why the learner is a Python loop: K train steps inside `lax.scan` vs K calls of one jitted step.

    python scripts/bench_learner_loop.py --repeats 5

Times 10 AlphaZero train steps (connect-four preset network, batch 512) both ways and prints the
median over `--repeats` runs. On XLA:CPU the scanned version was several times slower (convolution
gradients inside a loop body), so `train.learn` calls one jitted step in a Python loop.
"""

from __future__ import annotations

import argparse
import statistics
import time

import jax
import jax.numpy as jnp

import games
from alphazero import learner, presets
from alphazero.types import Samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=512)
    args = parser.parse_args()
    config = presets.connect_four()
    env = games.make(config.game)
    state = learner.create_train_state(jax.random.PRNGKey(0), env, config)
    n = args.batch
    batch = Samples(jnp.zeros((n, 6, 7, 2), bool), jnp.ones((n, 7)) / 7, jnp.zeros(n), jnp.ones(n))

    def step(s):
        return learner.train_step(s, batch, config)

    scanned = jax.jit(lambda s: jax.lax.scan(lambda c, _: step(c), s, None, length=args.steps))
    single = jax.jit(step)
    jax.block_until_ready(scanned(state))
    jax.block_until_ready(single(state))

    def time_scan():
        start = time.perf_counter()
        jax.block_until_ready(scanned(state))
        return time.perf_counter() - start

    def time_loop():
        start = time.perf_counter()
        s = state
        for _ in range(args.steps):
            s, _ = single(s)
        jax.block_until_ready(s)
        return time.perf_counter() - start

    scan_s = statistics.median(time_scan() for _ in range(args.repeats))
    loop_s = statistics.median(time_loop() for _ in range(args.repeats))
    print(
        f"{args.steps} steps, batch {n}: lax.scan {scan_s:.2f} s, python loop {loop_s:.2f} s "
        f"(median of {args.repeats}); ratio {scan_s / loop_s:.1f}x"
    )


if __name__ == "__main__":
    main()
