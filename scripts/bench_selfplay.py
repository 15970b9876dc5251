"""Self-play and learner throughput with a roofline, per preset (docs/benchmarks.md).

    python scripts/bench_selfplay.py --presets go_9x9 connect_four tic_tac_toe --repeats 3 \
        --out docs/results/bench_cpu.json

Each preset runs in a fresh Python process (so "compile" is a first call, not a warm cache) and
reports: compile time of the first self-play call, positions/s, simulations/s, network
evaluations/s, peak memory, learner samples/s, and the roofline fraction (alphazero/bench.py has
the definitions). `--profile` adds where self-play time goes: the network and the environment step
timed alone at the self-play batch size, the rest (tree bookkeeping, move selection) by
subtraction, and the host transfer of the trajectory. go_9x9 is the reference config R: ResNet
6 x 64, Gumbel search with 32 simulations, 128 games x 64 moves.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench_one(args) -> dict:
    import jax

    import games
    from alphazero import bench, learner, networks, presets

    config = presets.PRESETS[args.one]()
    sp = config.selfplay
    sp = dataclasses.replace(
        sp, num_games=args.num_games or sp.num_games, num_moves=args.num_moves or sp.num_moves
    )
    search = dataclasses.replace(config.search, inference_dtype=args.dtype)
    config = dataclasses.replace(config, selfplay=sp, search=search)
    env = games.make(config.game)
    key = jax.random.PRNGKey(0)
    params = networks.init(key, env, config.network)

    play = bench.measure_selfplay(
        config, env, params, key, args.repeats
    )  # first: the compile is cold
    loop = learner.init_loop_state(env, config)
    step_s = bench.measure_learner(config, env, loop, play.pop("trajectory"), key, 5 * args.repeats)
    per_batch, flops_per_eval = bench.network_roofline(
        params,
        env,
        key,
        batches=args.peak_batches,
        repeats=args.repeats,
        dtype=None if args.dtype == "float32" else args.dtype,
    )  # the peak in the precision self-play uses

    net = config.network
    result = dict(
        preset=args.one,
        game=config.game,
        network=f"{net.torso} {net.num_blocks} x {net.num_channels}",
        search=f"{config.search.algorithm} {config.search.num_simulations}",
        inference_dtype=args.dtype,
        games_x_moves=f"{sp.num_games} x {sp.num_moves}",
        compile_s=play["compile_s"],
        selfplay_call_s=play["call_s"],
        **bench.rates(config, play["call_s"], step_s, per_batch, flops_per_eval),
        selfplay_temp_bytes=play["temp_bytes"],
        trajectory_bytes=play["output_bytes"],
        peak_rss_bytes=bench.peak_rss_bytes(),
        device_peak_bytes=bench.device_peak_bytes(),
        train_step_s=step_s,
        trajectory_transfer_s=play["transfer_s"],
    )
    if args.profile:
        call_s = statistics.median(play["call_s"])
        result["profile"] = bench.profile(config, env, params, key, call_s, args.repeats)
    return result


def environment() -> dict:
    import jax
    import mctx
    import pgx

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    device = jax.devices()[0]
    return dict(
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        commit=commit,
        device=f"{device.platform}: {getattr(device, 'device_kind', '')}",
        device_count=jax.device_count(),
        cpu_count=os.cpu_count(),
        machine=platform.processor() or platform.machine(),
        xla_flags=os.environ.get("XLA_FLAGS", ""),
        versions=dict(jax=jax.__version__, mctx=mctx.__version__, pgx=pgx.__version__),
    )


def table(results: list[dict]) -> str:
    rows = [
        "| preset | net | search | B x T | dtype | compile s | positions/s | simulations/s "
        "| net evals/s | roofline | peak net GFLOP/s | RSS GiB | learner samples/s (needed) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r['preset']} | {r['network']} | {r['search']} | {r['games_x_moves']} "
            f"| {r['inference_dtype']} | {r['compile_s']:.1f} | {r['positions_per_s']:,.0f} "
            f"| {r['simulations_per_s']:,.0f} | {r['evaluations_per_s']:,.0f} "
            f"| {r['roofline_fraction']:.0%} | {r['peak_flops_per_s'] / 1e9:.0f} "
            f"| {r['peak_rss_bytes'] / 2**30:.1f} "
            f"| {r['train_samples_per_s']:,.0f} ({r['train_samples_needed_per_s']:,.0f}) |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", nargs="+", default=["go_9x9", "connect_four", "tic_tac_toe"])
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per measurement")
    parser.add_argument("--num-games", type=int, default=0, help="override B (0 = preset)")
    parser.add_argument("--num-moves", type=int, default=0, help="override T (0 = preset)")
    parser.add_argument("--dtype", choices=("float32", "bfloat16"), default="float32")
    parser.add_argument("--peak-batches", type=int, nargs="+", default=[256, 1024, 4096])
    parser.add_argument("--profile", action="store_true", help="time network/env alone too")
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()

    if args.one:  # child: one preset, JSON on stdout's last line
        print(json.dumps(bench_one(args)))
        return
    from alphazero import presets

    problem = check_args(args, presets.PRESETS)
    if problem:
        print(f"bench_selfplay: error: {problem}", file=sys.stderr)
        raise SystemExit(2)
    env = dict(os.environ)
    env.pop("JAX_COMPILATION_CACHE_DIR", None)  # a warm cache would hide the compile time
    results = []
    for preset in args.presets:
        print(f"[{preset}] running ...", file=sys.stderr, flush=True)
        argv = [a for a in sys.argv[1:]]
        child = subprocess.run(
            [sys.executable, __file__, *argv, "--one", preset],
            capture_output=True,
            text=True,
            env=env,
        )
        if child.returncode:
            print(child.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"bench_selfplay: error: preset {preset} failed")
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(table(results[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    report = dict(environment=environment(), argv=sys.argv[1:], results=results)
    print(table(results))
    print(json.dumps(report["environment"]))
    if args.out:
        try:
            Path(args.out).write_text(json.dumps(report, indent=2))
        except OSError as error:  # the table above is printed: say why the file is not there
            message = f"bench_selfplay: error: cannot write {args.out}: {error.strerror}"
            raise SystemExit(message) from None


def check_args(args, known_presets) -> str | None:
    """The first problem with the command line, as one line; None when it can run."""
    unknown = [p for p in args.presets if p not in known_presets]
    if unknown:
        return f"unknown preset {unknown[0]!r}"
    if args.repeats < 1 or min(args.num_games, args.num_moves) < 0:
        return "--repeats must be >= 1, --num-games and --num-moves >= 0"
    if min(args.peak_batches) < 1:
        return "--peak-batches must be positive"
    if args.out:  # its folder is made now, so a long benchmark never ends unable to save
        from alphazero import checkpoint

        try:
            checkpoint.check_writable(Path(args.out).absolute().parent, what="folder")
        except checkpoint.CheckpointError as error:
            return f"cannot write {args.out}: {error}"
    return None


if __name__ == "__main__":
    main()
