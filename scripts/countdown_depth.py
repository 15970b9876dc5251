"""E1, the depth curve: how far does a narrow search agent go as Countdown gets deeper?

    python scripts/countdown_depth.py --full            # data, 30 min of training, evaluation
    python scripts/countdown_depth.py --workdir runs/countdown   # evaluate an existing run
    python scripts/countdown_depth.py --smoke           # the same at toy size (CI)
    python scripts/countdown_depth.py --report-only     # redraw, with the LLM arm's rows

`--full` makes the solver's demonstrations (scripts/make_expert_games.py, resumable), trains
`alphazero train --preset PRESET --imitation DATA` (`--preset`: countdown, or countdown_text for
the recipe before issue 24) for `--minutes` of the run's own wall time
(imitation included; resumable), then evaluates. The evaluation plays held-out instances (the
test split of `Countdown(k)`, `--instances` per k, the same for every arm) and the 1,346 solvable
Game-of-24 sets (never drawn in training) with each arm:

    imitation greedy    the network after the supervised phase, argmax of its legal prior
    RL greedy           the final network, the same way
    RL + search@S       the final network inside Gumbel search with S simulations
    ..., kept solutions the same search, but a move onto a solution a simulation verified comes
                        first (SearchConfig.keep_solutions; single-player MCTS, Schadd 2008)
    uniform search@S    the same search with the network's heads zeroed: a uniform prior and
                        value 0, so only the verifier's reward at the leaves guides it
    random              uniformly random legal steps
    solver              the exact solver (every held-out instance is solvable: 1 by design)

Results: one CSV row per (arm, instance set) in `--out`/depth.csv (resumable: rows present are
not recomputed), a markdown table (`--out`/depth.md, 95% Wilson intervals) and a plot
(`--out`/depth.png: solve rate against k, log10 of the step-mode tree size on the top axis).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import math
import subprocess
import sys
import time
from pathlib import Path

import jax
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("arm", "instances", "n", "solved", "low", "high", "seconds")


def solve_cells(hits) -> dict:
    """Share solved of a [N] bool array and its 95% Wilson interval, as CSV cells."""
    from alphazero.evaluate import wilson_interval

    rate = float(hits.mean())
    low, high = wilson_interval(rate, len(hits))
    return dict(n=len(hits), solved=f"{rate:.4f}", low=f"{low:.4f}", high=f"{high:.4f}")


def tree_size(k: int) -> int:
    """Leaves of the step-mode tree: prod over m = 2..k of 4 * C(m, 2) ordered step choices."""
    return math.prod(4 * math.comb(m, 2) for m in range(2, k + 1))


def instance_sets(ks, count: int, seed: int = 12345, limit_24: int | None = None,
                  split: str = "test", observation: str = "text") -> dict:  # fmt: skip
    """name -> (env, start states): held-out instances per k (the `split`: test, or validation
    for choosing settings without touching the test set), and the Game-of-24 sets (the first
    `limit_24` of them when given; none for 0), with the run's `observation` kind (the
    instances do not depend on it)."""
    import games
    from games.countdown import Countdown

    sets = {}
    for k in ks:
        env = Countdown(k=k, split=split, observation=observation)
        keys = jax.vmap(lambda i: jax.random.fold_in(jax.random.PRNGKey(seed), i))(np.arange(count))
        sets[f"k={k}"] = (env, jax.jit(jax.vmap(env.init))(keys))
    if limit_24 == 0:
        return sets
    env = Countdown(instances=games.game_of_24_instances(), observation=observation)
    numbers, targets = (x[:limit_24] for x in games.game_of_24_instances())
    sets["24"] = (env, jax.jit(jax.vmap(env.init_instance))(numbers, targets))
    return sets


def observation_of(workdir: Path) -> str:
    """The observation kind of the run's game: "text" or "numbers"."""
    import games
    from alphazero import checkpoint

    return getattr(games.make(checkpoint.read_config(workdir).game), "observation", "text")


def imitation_params(workdir: Path):
    """The parameters at the end of the supervised phase (workdir/imitation's newest)."""
    import games
    from alphazero import checkpoint
    from alphazero.learner import init_loop_state
    from alphazero.types import IMITATION

    config = checkpoint.read_config(workdir)
    template = jax.eval_shape(lambda: init_loop_state(games.make(config.game), config, IMITATION))
    manager = checkpoint.manager(workdir, folder="imitation")
    return checkpoint.restore(manager, template, with_replay=False).train_state.evaluation_params


def arms(workdir: Path, simulations: list[int], uniform_simulations: int) -> dict:
    """name -> (params, player factory env -> player); None params: no network."""
    from alphazero import checkpoint, evaluate, networks
    from alphazero.agent import load_agent

    agent = load_agent(workdir)
    config = checkpoint.read_config(workdir)

    def search(n, keep_solutions=False):
        cfg = dataclasses.replace(config.search, algorithm="gumbel", num_simulations=n,
                                  keep_solutions=keep_solutions)  # fmt: skip
        return lambda env: evaluate.search_player(env, cfg)

    out = {
        "imitation greedy": (imitation_params(workdir), lambda env: evaluate.policy_player()),
        "RL greedy": (agent.params, lambda env: evaluate.policy_player()),
    }
    for n in simulations:
        out[f"RL + search@{n}"] = (agent.params, search(n))
        out[f"RL + search@{n}, kept solutions"] = (agent.params, search(n, keep_solutions=True))
    out[f"uniform search@{uniform_simulations}"] = (
        networks.uniform(agent.params),
        search(uniform_simulations),
    )
    out["random"] = (agent.params, lambda env: evaluate.random_player())
    return out


def evaluate_all(workdir: Path, out: Path, ks, count: int, simulations, uniform_simulations,
                 limit_24: int | None = None, split: str = "test"):  # fmt: skip
    from tqdm import tqdm

    from alphazero import evaluate
    from games import countdown_solver

    path = out / "depth.csv"
    done = set()
    if path.exists():
        done = {(r["arm"], r["instances"]) for r in csv.DictReader(path.open())}
    sets = instance_sets(ks, count, limit_24=limit_24, split=split,
                         observation=observation_of(workdir))  # fmt: skip
    players = arms(workdir, simulations, uniform_simulations)
    todo = [(a, s) for s in sets for a in [*players, "solver"] if (a, s) not in done]
    new = not path.exists()
    with path.open("a", newline="") as f, tqdm(total=len(todo), unit="cell") as bar:
        writer = csv.DictWriter(f, FIELDS)
        if new:
            writer.writeheader()
        for arm, name in todo:
            bar.set_description(f"{arm} on {name}")
            env, states = sets[name]
            start = time.perf_counter()
            if arm == "solver":
                numbers, targets = np.asarray(states.numbers), np.asarray(states.target)
                hits = np.array([countdown_solver.solvable(n, t) for n, t in zip(numbers, targets,
                                 strict=True)])  # fmt: skip
            else:
                params, player = players[arm]
                key = jax.random.PRNGKey(0)
                hits = evaluate.solved(key, env, player(env), params, states, chunk=256)
            row = dict(arm=arm, instances=name, **solve_cells(hits),
                       seconds=f"{time.perf_counter() - start:.1f}")  # fmt: skip
            writer.writerow(row)
            f.flush()
            bar.update(1)


def report(out: Path, llm_csv: Path | None = None) -> str:
    """depth.md and depth.png from depth.csv, with the LLM arm's rows (scripts/llm_countdown.py,
    fewer instances per set: their n is in the arm's name) when `llm_csv` exists."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(csv.DictReader((out / "depth.csv").open()))
    names = list(dict.fromkeys(r["instances"] for r in rows))
    if llm_csv is not None and llm_csv.exists():
        for r in csv.DictReader(llm_csv.open()):
            if r["instances"] in names:
                rows.append(dict(r, arm=f"{r['arm']}, n={r['n']}"))
    arm_names = list(dict.fromkeys(r["arm"] for r in rows))
    cell = {(r["arm"], r["instances"]): r for r in rows}
    lines = ["| arm | " + " | ".join(f"{n} (n={cell[(arm_names[0], n)]['n']})" for n in names)
             + " |", "|---|" + "---|" * len(names)]  # fmt: skip
    for arm in arm_names:
        values = []
        for n in names:
            r = cell.get((arm, n))
            values.append(f"{float(r['solved']):.3f} [{float(r['low']):.3f}, "
                          f"{float(r['high']):.3f}]" if r else "")  # fmt: skip
        lines.append(f"| {arm} | " + " | ".join(values) + " |")
    table = "\n".join(lines)
    (out / "depth.md").write_text(table + "\n")
    ks = [int(n[2:]) for n in names if n.startswith("k=")]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    for i, arm in enumerate(arm_names):
        y = [float(cell[(arm, f"k={k}")]["solved"]) for k in ks]
        lo = [y[i] - float(cell[(arm, f"k={k}")]["low"]) for i, k in enumerate(ks)]
        hi = [float(cell[(arm, f"k={k}")]["high"]) - y[i] for i, k in enumerate(ks)]
        style = "--" if arm.startswith("SmolLM2") else "-"
        ax.errorbar(ks, y, yerr=[lo, hi], marker="o", capsize=3, label=arm, linestyle=style,
                    color=plt.cm.tab20(i % 20))  # fmt: skip
    ax.set_xlabel("k (numbers; k - 1 steps)")
    ax.set_ylabel("held-out instances solved")
    ax.set_xticks(ks)
    top = ax.secondary_xaxis("top")
    top.set_xticks(ks, [f"{math.log10(tree_size(k)):.1f}" for k in ks])
    top.set_xlabel("log10 leaves of the step tree")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(out / "depth.png", dpi=120)
    return table


def train_full(args) -> None:
    """The solver's demonstrations and the training run, both resumable."""
    from alphazero import presets, train

    data = Path(args.data)  # resumable: returns at once when the file is complete
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_expert_games.py"), "--game",
                    "countdown", "--num-games", str(args.demonstrations), "--out", str(data),
                    "--off-path"], check=True)  # fmt: skip
    config = presets.PRESETS[args.preset]()
    config = dataclasses.replace(
        config, imitation=str(data),
        train=dataclasses.replace(config.train, num_iterations=100_000, max_minutes=args.minutes),
    )  # fmt: skip
    if args.smoke:
        config = smoke(config)
    train.run(config, args.workdir)


def smoke(config):
    """Toy sizes: the Countdown tutorial's (docs/tutorials/countdown.md, its ci directives), so
    that CI compiles the training and evaluation of this smoke once, and the tutorial (and
    countdown_scaling.py --smoke at width 16) load them from the persistent compilation cache."""
    from alphazero import config as config_lib

    torso = "mlp" if config.game.endswith("numbers") else "transformer"
    return dataclasses.replace(
        config,
        network=config_lib.NetworkConfig(torso, 1, 16, 2),
        search=dataclasses.replace(config.search, num_simulations=4),
        selfplay=dataclasses.replace(config.selfplay, num_games=16, num_moves=5),
        train=dataclasses.replace(config.train, batch_size=32, num_iterations=2, max_minutes=0),
        supervised=dataclasses.replace(config.supervised, num_steps=4, eval_every=2),
        eval=dataclasses.replace(config.eval, num_games=16, num_simulations=4),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default="runs/countdown")
    parser.add_argument("--out", default="docs/results/countdown_depth")
    parser.add_argument("--full", action="store_true", help="make data and train first")
    parser.add_argument("--smoke", action="store_true", help="toy sizes end to end (CI)")
    parser.add_argument("--preset", default="countdown", choices=["countdown", "countdown_text"],
                        help="the recipe --full trains (countdown_text: E1 before issue 24)")
    parser.add_argument("--data", default="data/countdown_solver.jsonl")
    parser.add_argument("--demonstrations", type=int, default=20_000)
    parser.add_argument("--minutes", type=float, default=30.0, help="training budget (--full)")
    parser.add_argument("--instances", type=int, default=500, help="held-out instances per k")
    parser.add_argument("--ks", type=int, nargs="+", default=[2, 3, 4, 5, 6])
    parser.add_argument("--simulations", type=int, nargs="+", default=[16, 64, 256])
    parser.add_argument("--uniform-simulations", type=int, default=64)
    parser.add_argument("--limit-24", type=int, help="only the first N Game-of-24 sets")
    parser.add_argument(
        "--llm",
        default="docs/results/llm/countdown.csv",
        help="the LLM arm's rows (scripts/llm_countdown.py), drawn when present",
    )
    parser.add_argument("--report-only", action="store_true", help="redraw table and plot")
    parser.add_argument(
        "--split",
        choices=["test", "validation"],
        default="test",
        help="held-out instances: validation to choose settings, test to report",
    )
    args = parser.parse_args()
    if args.smoke:  # the Countdown tutorial's sizes (see `smoke`), and --limit-24 32 below
        args.full, args.demonstrations, args.instances = True, 64, 8
        args.ks, args.simulations, args.uniform_simulations = [3], [4], 4
    if min(args.instances, args.demonstrations, *args.simulations) <= 0 or not set(args.ks) <= set(
        range(2, 7)
    ):
        sys.exit("error: --instances, --demonstrations, --simulations positive; --ks in 2..6")
    args.workdir, out = Path(args.workdir), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    llm_csv = None if args.smoke else ROOT / args.llm
    if args.report_only:
        if not (out / "depth.csv").exists():
            sys.exit(f"error: no {out / 'depth.csv'} to report; run an evaluation first")
        print(report(out, llm_csv))
        return
    if args.full:
        train_full(args)
    elif not (args.workdir / "config.json").exists():
        sys.exit(f"error: {args.workdir} holds no run; train it first or pass --full")
    evaluate_all(args.workdir, out, args.ks, args.instances, args.simulations,
                 args.uniform_simulations, 32 if args.smoke else args.limit_24,
                 args.split)  # fmt: skip
    print(report(out, llm_csv))


if __name__ == "__main__":
    main()
