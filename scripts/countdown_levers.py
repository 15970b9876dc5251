"""Countdown's levers at equal wall-clock (issue 24): MCTS-Solver, hindsight relabelling and
numeric observations, each switched off in turn.

    python scripts/countdown_levers.py --minutes 30 --out runs/countdown_levers   # resumable
    python scripts/countdown_levers.py --out runs/countdown_levers --report       # table, plot
    python scripts/countdown_levers.py --smoke --out /tmp/levers                  # toy (CI)

Every arm is a preset with `--imitation data/countdown_solver.jsonl` and its changes (`ARMS`:
today's recipe is `countdown_text`; `countdown` has every lever on), trained for `--minutes` of
the run's own wall time (imitation included; resumable), then its final network plays
`--instances` instances of k = 5 from the validation split (the test split and the Game-of-24
sets are for the end, once: scripts/countdown_depth.py): greedy (argmax of the legal prior)
and inside Gumbel search at each of `--simulations`, with the arm's own search levers. The
control, per arm with the solver: the same search with a uniform prior and zero value
(networks.uniform). Rows go to `--out`/levers.csv (resumable: rows
present are not recomputed), a table with 95% Wilson intervals to levers.md, a plot to
levers.png; `--out`/machines.jsonl records the date, commit and CPU model of each invocation.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
from pathlib import Path

import jax
from ablate_katago import override, record_machine
from countdown_depth import instance_sets, smoke, solve_cells

ROOT = Path(__file__).resolve().parents[1]
ARMS = {  # arm -> (preset, changes): the countdown preset has every lever on
    "today": ("countdown_text", {}),
    "all": ("countdown", {}),
    "all-solver": ("countdown", {"search.solver": False}),
    "all-hindsight": ("countdown", {"selfplay.hindsight": False}),
    "all-numbers": ("countdown_text", {"search.solver": True, "selfplay.hindsight": True}),
}
FIELDS = ("arm", "seed", "player", "n", "solved", "low", "high", "minutes", "iterations")


def arm_config(args, arm: str, seed: int):
    from alphazero import presets, validation

    preset, changes = ARMS[arm]
    config = dataclasses.replace(presets.PRESETS[preset](), seed=seed, imitation=args.data)
    config = override(config, changes)
    if args.smoke:
        config = smoke(config)  # a 1 x 16 transformer, or MLP for the numbers
        # The first 40 demonstrations of --data: the shipped file serves the smoke too.
        config = override(config, {"supervised.max_games": 40})
    config = dataclasses.replace(config, train=dataclasses.replace(
        config.train, num_iterations=100_000 if not args.smoke else 2,
        max_minutes=args.minutes if not args.smoke else 0.0))  # fmt: skip
    validation.validate(config)
    return config


def train_arm(args, arm: str, seed: int) -> dict:
    """Trains (or resumes) the arm; returns its minutes and iterations."""
    import games
    from alphazero import checkpoint, learner, train
    from alphazero.types import RL

    workdir = Path(args.out) / f"{arm}_seed{seed}"
    config = arm_config(args, arm, seed)
    train.run(config, workdir, progress=not args.smoke)
    template = learner.init_loop_state(games.make(config.game), config, RL)
    loop = checkpoint.restore(checkpoint.manager(workdir), template,
                              with_replay=config.replay.in_checkpoint)  # fmt: skip
    return dict(minutes=float(loop.counters.wall_time) / 60, iterations=int(loop.iteration))


def players(workdir: Path, simulations: list[int]) -> dict:
    """name -> (params, env -> player) for an arm's final network."""
    from alphazero import evaluate, networks
    from alphazero.agent import load_agent

    agent = load_agent(workdir)
    search = dataclasses.replace(agent.config.search, algorithm="gumbel")
    out = {"greedy": (agent.params, lambda env: evaluate.policy_player())}
    for n in simulations:
        cfg = dataclasses.replace(search, num_simulations=n)
        out[f"search@{n}"] = (agent.params, lambda env, cfg=cfg: evaluate.search_player(env, cfg))
    if search.solver:  # the control: the same levers, no learning
        cfg = dataclasses.replace(search, num_simulations=max(simulations))
        out[f"uniform search@{max(simulations)}"] = (
            networks.uniform(agent.params), lambda env: evaluate.search_player(env, cfg))
    return out


def rate_arm(args, arm: str, seed: int, trained: dict, rows: set) -> None:
    from alphazero import evaluate
    from alphazero.checkpoint import read_config

    workdir = Path(args.out) / f"{arm}_seed{seed}"
    observation = "numbers" if read_config(workdir).game.endswith("numbers") else "text"
    env, states = instance_sets([5], args.instances, split="validation", limit_24=0,
                                observation=observation)["k=5"]  # fmt: skip
    with (Path(args.out) / "levers.csv").open("a", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        for name, (params, player) in players(workdir, args.simulations).items():
            if (arm, str(seed), name) in rows:
                continue
            hits = evaluate.solved(jax.random.PRNGKey(0), env, player(env), params, states,
                                   chunk=256)  # fmt: skip
            writer.writerow(dict(arm=arm, seed=seed, player=name, **solve_cells(hits),
                                 minutes=f"{trained['minutes']:.1f}",
                                 iterations=trained["iterations"]))  # fmt: skip
            f.flush()


def report(out: Path) -> str:
    """levers.md (solve rate [95%] per arm, seed and player) and levers.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(csv.DictReader((out / "levers.csv").open()))
    names = list(dict.fromkeys(r["player"] for r in rows if not r["player"].startswith("uni")))
    names += list(dict.fromkeys(r["player"] for r in rows if r["player"].startswith("uni")))
    runs = list(dict.fromkeys((r["arm"], r["seed"]) for r in rows))
    cell = {(r["arm"], r["seed"], r["player"]): r for r in rows}
    lines = ["| arm | seed | minutes | iterations | " + " | ".join(names) + " |",
             "|---|---|---|---|" + "---|" * len(names)]  # fmt: skip
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / max(len(names), 1)
    for i, (arm, seed) in enumerate(runs):
        some = next(cell[(arm, seed, n)] for n in names if (arm, seed, n) in cell)
        values = []
        for j, n in enumerate(names):
            r = cell.get((arm, seed, n))
            values.append(f"{float(r['solved']):.3f} [{float(r['low']):.3f}, "
                          f"{float(r['high']):.3f}]" if r else "")  # fmt: skip
            if r:
                y = float(r["solved"])
                ax.bar(i + j * width, y, width, color=plt.cm.tab10(j),
                       yerr=[[y - float(r["low"])], [float(r["high"]) - y]], capsize=2,
                       label=n if i == 0 else None)  # fmt: skip
        lines.append(f"| {arm} | {seed} | {some['minutes']} | {some['iterations']} | "
                     + " | ".join(values) + " |")  # fmt: skip
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(runs))],
                  [f"{a}\n(seed {s})" for a, s in runs], fontsize=8)  # fmt: skip
    ax.set_ylabel("validation k = 5 instances solved")
    ax.set_ylim(0, 1)
    ax.set_title("Countdown: the levers at equal wall-clock")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "levers.png", dpi=120)
    table = "\n".join(lines)
    (out / "levers.md").write_text(table + "\n")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="run wall time per arm")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--arms", nargs="+", default=list(ARMS), choices=list(ARMS))
    parser.add_argument("--data", default="data/countdown_solver.jsonl")
    parser.add_argument("--instances", type=int, default=500, help="validation k = 5 instances")
    parser.add_argument("--simulations", type=int, nargs="+", default=[64])
    parser.add_argument("--out", default="runs/countdown_levers")
    parser.add_argument("--report", action="store_true", help="only write the table and plot")
    parser.add_argument("--smoke", action="store_true", help="toy sizes (CI)")
    args = parser.parse_args()
    out = Path(args.out)
    if not args.report:
        if args.minutes <= 0 or args.instances <= 0 or not Path(args.data).exists():
            sys.exit("error: --minutes and --instances must be positive and --data must exist")
        out.mkdir(parents=True, exist_ok=True)
        print(f"machine: {record_machine(out, bench=False)}", flush=True)
        path = out / "levers.csv"
        if not path.exists():
            with path.open("w", newline="") as f:
                csv.DictWriter(f, FIELDS).writeheader()
        for seed in args.seeds:
            for arm in args.arms:
                rows = {(r["arm"], r["seed"], r["player"]) for r in csv.DictReader(path.open())}
                trained = train_arm(args, arm, seed)
                rate_arm(args, arm, seed, trained, rows)
    print(report(out))


if __name__ == "__main__":
    main()
