"""A/B timings of the network forward pass alone (docs/benchmarks.md, "Optimisations").

    python scripts/bench_forward.py --preset go_9x9 --batches 128 1024 --dtypes float32 bfloat16
    XLA_FLAGS=--xla_cpu_use_onednn=true python scripts/bench_forward.py --batches 128
    python scripts/bench_forward.py --convs          # lax.conv vs im2col vs shifted slices

Variants are compiled first and then timed in alternation (`--rounds` rounds of 3 calls each), so
slow drifts of a noisy machine hit all of them alike; medians are printed. `--convs` times 12
chained 3x3 convolutions (64 channels, 9x9, batch 128) written three ways.
"""

from __future__ import annotations

import argparse
import statistics

import jax
import jax.numpy as jnp

import games
from alphazero import bench, networks, presets


def alternate(variants: dict, rounds: int) -> dict[str, float]:
    """Median seconds per call of each (fn, args) variant, timed in alternation."""
    times = {name: [] for name in variants}
    for _ in range(rounds):
        for name, (fn, args) in variants.items():
            times[name] += bench.timed(fn, *args, repeats=3)
    return {name: statistics.median(t) for name, t in times.items()}


def forward(args) -> None:
    config = presets.PRESETS[args.preset]()
    env = games.make(config.game)
    params = networks.init(jax.random.PRNGKey(0), env, config.network)
    for batch in args.batches:
        obs = bench.positions(env, batch, jax.random.PRNGKey(1)).observation
        compiled = {
            d: bench.Forward(params, obs, None if d == "float32" else jnp.dtype(d))
            for d in args.dtypes
        }
        medians = alternate(
            {d: (f.compiled, (params, obs)) for d, f in compiled.items()}, args.rounds
        )
        for d, seconds in medians.items():
            gflops = compiled[d].flops / seconds / 1e9
            print(f"batch {batch} {d}: {1e3 * seconds:.1f} ms, {gflops:.1f} GFLOP/s")


def convs(args) -> None:
    x = jax.random.normal(jax.random.PRNGKey(0), (128, 9, 9, 64))
    w = jax.random.normal(jax.random.PRNGKey(1), (3, 3, 64, 64)) / 24
    numbers = ("NHWC", "HWIO", "NHWC")

    def conv(x, w):
        return jax.lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=numbers)

    def im2col(x, w):  # patches are ordered (channel, row, column)
        p = jax.lax.conv_general_dilated_patches(
            x, (3, 3), (1, 1), "SAME", dimension_numbers=numbers
        )
        return p @ w.transpose(2, 0, 1, 3).reshape(-1, w.shape[-1])

    def shifted(x, w):
        xp = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
        cols = [xp[:, i : i + 9, j : j + 9, :] for i in range(3) for j in range(3)]
        return jnp.concatenate(cols, -1) @ w.reshape(-1, w.shape[-1])

    def chain(f):
        def run(x, w):
            for _ in range(12):
                x = jnp.tanh(f(x, w))  # bounded activations: no denormals
            return x

        return jax.jit(run)

    variants = {
        name: (chain(f), (x, w))
        for name, f in [("lax.conv", conv), ("im2col", im2col), ("shifted", shifted)]
    }
    for name, seconds in alternate(variants, args.rounds).items():
        print(f"12 convs, batch 128, {name}: {1e3 * seconds:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="go_9x9")
    parser.add_argument("--batches", type=int, nargs="+", default=[128])
    parser.add_argument("--dtypes", nargs="+", default=["float32", "bfloat16"])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--convs", action="store_true")
    args = parser.parse_args()
    convs(args) if args.convs else forward(args)


if __name__ == "__main__":
    main()
