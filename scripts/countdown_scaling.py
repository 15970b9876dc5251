"""E3, compute scaling on Countdown: success against training compute for three network widths,
against test-time simulations, and PUCT against Gumbel as the simulations grow.

    python scripts/countdown_scaling.py --full     # 3 widths x 20 minutes of RL, evaluated
    python scripts/countdown_scaling.py --smoke    # toy sizes (CI)

Each width trains `alphazero train --preset countdown_text` (k = 2..6 mixed, a natural
curriculum) by RL from scratch, with `network.num_channels` = width, resumable. At `--points`
equally spaced times of its own wall clock the run stops, and its network plays the same
`--instances` held-out k = 5 instances greedily and inside Gumbel and PUCT search at every
`--sims` budget.
One CSV row per (width, point, algorithm, simulations) in `--out`/scaling.csv (rows present are
not recomputed), and three plots in `--out`: scaling_train.png (solved against self-play positions
and against training minutes, log axes; per width, greedy and Gumbel search at the largest budget),
scaling_test.png (solved against simulations, log axis, one line per point of the widest net)
and scaling_puct.png (PUCT against Gumbel at the last point of each width).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
import time
from pathlib import Path

import jax
from countdown_depth import instance_sets, solve_cells

FIELDS = ("width", "point", "minutes", "positions", "algorithm", "simulations", "n", "solved",
          "low", "high")  # fmt: skip


def config_for(width: int, smoke: bool):
    from alphazero import presets

    config = presets.countdown_text()
    network = dataclasses.replace(config.network, num_channels=width)
    train = dataclasses.replace(config.train, num_iterations=100_000)
    config = dataclasses.replace(config, network=network, train=train)
    if smoke:  # countdown_depth.smoke's sizes: at width 16 its RL compiles are this run's
        config = dataclasses.replace(
            config,
            network=dataclasses.replace(network, num_blocks=1, num_heads=2),
            search=dataclasses.replace(config.search, num_simulations=4),
            selfplay=dataclasses.replace(config.selfplay, num_games=16, num_moves=5),
            train=dataclasses.replace(train, batch_size=32),
            eval=dataclasses.replace(config.eval, num_games=16, num_simulations=4),
        )
    return config


def train_until(config, workdir: Path, minutes: float) -> dict:
    import games
    from alphazero import checkpoint, train
    from alphazero.learner import init_loop_state
    from alphazero.types import RL

    budget = dataclasses.replace(config.train, max_minutes=minutes)
    config = dataclasses.replace(config, train=budget)
    train.run(config, workdir, progress=False)
    template = init_loop_state(games.make(config.game), config, RL)
    loop = checkpoint.restore(checkpoint.manager(workdir), template, with_replay=False)
    return dict(minutes=float(loop.counters.wall_time) / 60, positions=int(loop.counters.positions))


def evaluate_point(workdir: Path, env, states, sims: list[int]) -> list[dict]:
    from alphazero import checkpoint, evaluate
    from alphazero.agent import load_agent

    params = load_agent(workdir).params
    base = checkpoint.read_config(workdir).search
    rows, key = [], jax.random.PRNGKey(0)
    hits = evaluate.solved(key, env, evaluate.policy_player(), params, states, chunk=256)
    rows.append(_cells("greedy", 0, hits))
    for algorithm in ("gumbel", "puct"):
        for n in sims:
            cfg = dataclasses.replace(base, algorithm=algorithm, num_simulations=n,
                                      max_num_considered_actions=min(16, max(n, 2)))  # fmt: skip
            player = evaluate.search_player(env, cfg)
            rows.append(_cells(algorithm, n, evaluate.solved(key, env, player, params, states,
                                                              chunk=256)))  # fmt: skip
    return rows


def _cells(algorithm: str, sims: int, hits) -> dict:
    return dict(algorithm=algorithm, simulations=sims, **solve_cells(hits))


def report(out: Path, sims: list[int]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(csv.DictReader((out / "scaling.csv").open()))
    widths = sorted({int(r["width"]) for r in rows})
    top = sims[-1]
    pick = lambda w, a, s: [r for r in rows if int(r["width"]) == w and r["algorithm"] == a  # noqa: E731
                            and int(r["simulations"]) == s]  # fmt: skip
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    for ax, axis, label in ((axes[0], "positions", "self-play positions"),
                            (axes[1], "minutes", "training minutes (2 CPU cores)")):  # fmt: skip
        for w in widths:
            for algorithm, sim, style in (("greedy", 0, "--"), ("gumbel", top, "-")):
                cells = pick(w, algorithm, sim)
                name = f"width {w}, " + ("greedy" if sim == 0 else f"Gumbel search@{sim}")
                ax.plot([float(r[axis]) for r in cells], [float(r["solved"]) for r in cells],
                        style, marker="o", label=name)  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlabel(f"{label} (training compute, log axis)")
    axes[0].set_ylabel("held-out k = 5 solved")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "scaling_train.png", dpi=120)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    widest = widths[-1]
    for point in sorted({int(r["point"]) for r in rows if int(r["width"]) == widest}):
        cells = [r for r in rows if int(r["width"]) == widest and int(r["point"]) == point
                 and r["algorithm"] == "gumbel"]  # fmt: skip
        minutes = float(cells[0]["minutes"])
        ax.plot([int(r["simulations"]) for r in cells], [float(r["solved"]) for r in cells],
                marker="o", label=f"after {minutes:.0f} min")  # fmt: skip
    ax.set_xscale("log", base=2)
    ax.set_xlabel("simulations per move (test-time compute)")
    ax.set_ylabel("held-out k = 5 solved")
    ax.set_title(f"width {widest}, Gumbel search")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "scaling_test.png", dpi=120)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    header = " | ".join(f"Gumbel@{s} / PUCT@{s}" for s in sims)
    lines = [f"| width | minutes | positions | greedy | {header} |",
             "|---|---|---|---|" + "---|" * len(sims)]  # fmt: skip
    for w in widths:
        last = max(int(r["point"]) for r in rows if int(r["width"]) == w)
        for point in sorted({int(r["point"]) for r in rows if int(r["width"]) == w}):
            cells = {(r["algorithm"], int(r["simulations"])): r for r in rows
                     if int(r["width"]) == w and int(r["point"]) == point}  # fmt: skip
            first = cells[("greedy", 0)]
            values = [f"{float(cells[('gumbel', s)]['solved']):.3f} / "
                      f"{float(cells[('puct', s)]['solved']):.3f}" for s in sims]  # fmt: skip
            lines.append(f"| {w} | {float(first['minutes']):.1f} | {first['positions']} | "
                         f"{float(first['solved']):.3f} | {' | '.join(values)} |")  # fmt: skip
            if point == last:
                for algorithm, style in (("gumbel", "-"), ("puct", ":")):
                    ax.plot(sims, [float(cells[(algorithm, s)]["solved"]) for s in sims], style,
                            marker="o", label=f"width {w}, {algorithm}")  # fmt: skip
    ax.set_xscale("log", base=2)
    ax.set_xlabel("simulations per move")
    ax.set_ylabel("held-out k = 5 solved")
    ax.set_title("PUCT against Gumbel, last point of each width")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "scaling_puct.png", dpi=120)
    table = "\n".join(lines)
    (out / "scaling.md").write_text(table + "\n")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="runs/countdown_scaling")
    parser.add_argument("--out", default="docs/results/countdown_scaling")
    parser.add_argument("--full", action="store_true", help="the documented full run")
    parser.add_argument("--smoke", action="store_true", help="toy sizes end to end (CI)")
    parser.add_argument("--widths", type=int, nargs="+", default=[32, 64, 128])
    parser.add_argument("--minutes", type=float, default=20.0, help="training budget per width")
    parser.add_argument("--points", type=int, default=2)
    parser.add_argument("--sims", type=int, nargs="+", default=[2, 4, 8, 16, 32, 64, 128, 256])
    parser.add_argument("--instances", type=int, default=200)
    args = parser.parse_args()
    if args.smoke:  # toy sizes, unless given on the command line
        default = parser.get_default
        args.widths = [8, 16] if args.widths == default("widths") else args.widths
        args.points = 2 if args.points == default("points") else args.points
        # 16 instances: the greedy player's compile is countdown_ablation.py --smoke's (k = 5)
        args.minutes, args.sims, args.instances = 0.1, [2, 4], 16
    if min(args.minutes, args.points, args.instances, *args.sims, *args.widths) <= 0:
        sys.exit("error: --widths, --minutes, --points, --sims and --instances must be positive")
    if any(w % 4 for w in args.widths) and not args.smoke:
        sys.exit("error: --widths must be multiples of 4 (attention heads)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "scaling.csv"
    done = {(int(r["width"]), int(r["point"])) for r in csv.DictReader(path.open())} if (
        path.exists()) else set()  # fmt: skip
    env, states = instance_sets([5], args.instances, limit_24=0)["k=5"]
    for width in args.widths:
        config = config_for(width, args.smoke)
        for point in range(1, args.points + 1):
            if (width, point) in done:
                continue
            start = time.perf_counter()
            workdir = Path(args.runs) / f"width{width}"
            state = train_until(config, workdir, args.minutes * point / args.points)
            rows = [dict(width=width, point=point, **state, **cells)
                    for cells in evaluate_point(workdir, env, states, args.sims)]  # fmt: skip
            new = not path.exists()
            with path.open("a", newline="") as f:
                writer = csv.DictWriter(f, FIELDS)
                if new:
                    writer.writeheader()
                writer.writerows(rows)
            print(f"width {width}, point {point}: {state['minutes']:.1f} min, "
                  f"{time.perf_counter() - start:.0f} s with evaluation", flush=True)  # fmt: skip
    print(report(out, args.sims))


if __name__ == "__main__":
    main()
