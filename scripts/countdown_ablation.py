"""E4, the AlphaGo ablation on Countdown (k = 5): what do imitation, RL and search each add, and
does RL with search beat the demonstrator it imitated?

    python scripts/countdown_ablation.py --full      # data, 4 training runs, evaluation
    python scripts/countdown_ablation.py --smoke     # toy sizes (CI)

Arms, each an `alphazero train` run on `countdown_k5` (resumable; `--minutes` of the run's own wall
time, imitation included): for each demonstrator of games/countdown_solver.py (the exact solver,
an epsilon-noisy solver, the greedy closest-to-target heuristic), imitation of
`--demonstrations` of its episodes then RL; and RL from scratch. Every arm is evaluated on the
same `--instances` held-out k = 5 instances: the network after imitation (SL) and at the end
(SL -> RL), each greedy (argmax of the legal prior) and inside Gumbel search with `--simulations`
simulations; next to the demonstrator's own success rate on those instances and to the same
search with a uniform prior and zero value (no learning). "Episodes to 90%": self-play episodes
until the run's periodic evaluation (`eval/solved/search`) first reached 90% of its last value.

Results: `--out`/ablation.csv (one row per arm and player, resumable), ablation.md (table with 95%
Wilson intervals) and ablation.png (solve rate by arm and stage).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import jax
import numpy as np
from countdown_depth import imitation_params, instance_sets, smoke, solve_cells

ROOT = Path(__file__).resolve().parents[1]
DEMONSTRATORS = ("solver", "noisy", "greedy")
FIELDS = ("arm", "player", "n", "solved", "low", "high", "episodes_to_90")


def train_arm(args, arm: str) -> Path:
    from alphazero import presets, train

    workdir = Path(args.runs) / arm
    config = dataclasses.replace(presets.countdown_text(), game="countdown_k5")
    if arm != "scratch":
        data = Path(args.runs) / f"demos_{arm}.jsonl"
        if not data.exists() or len(data.read_text().splitlines()) < args.demonstrations:
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_expert_games.py"),
                            "--game", "countdown_k5", "--num-games", str(args.demonstrations),
                            "--out", str(data), "--demonstrator", arm], check=True)  # fmt: skip
        config = dataclasses.replace(config, imitation=str(data))
    config = dataclasses.replace(
        config, train=dataclasses.replace(config.train, num_iterations=100_000,
                                          max_minutes=args.minutes))  # fmt: skip
    train.run(smoke(config) if args.smoke else config, workdir, progress=not args.smoke)
    return workdir


def episodes_to_90(workdir: Path) -> int | None:
    """Self-play episodes until eval/solved/search first reached 90% of its final value."""
    from plot_run import read_scalars

    scalars = read_scalars(workdir)
    solved, games = scalars.get("eval/solved/search", {}), scalars.get("selfplay/games", {})
    if not solved:
        return None
    final = solved[max(solved)]
    first = min(i for i, v in solved.items() if v >= 0.9 * final)
    return int(sum(v for i, v in games.items() if i <= first))


def demonstrator_rate(states, demonstrator: str) -> np.ndarray:
    from games import countdown_solver

    rng = np.random.default_rng(0)
    numbers, targets = np.asarray(states.numbers), np.asarray(states.target)
    return np.array([countdown_solver.demonstrate(n, int(t), demonstrator, rng)["outcome"] == 1
                     for n, t in zip(numbers, targets, strict=True)])  # fmt: skip


def evaluate_arm(arm: str, workdir: Path, env, states, simulations: int) -> list[dict]:
    from alphazero import checkpoint, evaluate, networks
    from alphazero.agent import load_agent

    config = checkpoint.read_config(workdir)
    search = evaluate.search_player(env, dataclasses.replace(
        config.search, algorithm="gumbel", num_simulations=simulations))  # fmt: skip
    final = load_agent(workdir).params
    players = {"RL greedy" if arm == "scratch" else "SL -> RL greedy": (final, "policy"),
               f"{'RL' if arm == 'scratch' else 'SL -> RL'} + search@{simulations}": (
                   final, "search")}  # fmt: skip
    if arm != "scratch":
        sl = imitation_params(workdir)
        players = {"SL greedy": (sl, "policy"), f"SL + search@{simulations}": (sl, "search"),
                   **players}  # fmt: skip
    if arm == "scratch":
        players[f"uniform search@{simulations}"] = (networks.uniform(final), "search")
    rows, key = [], jax.random.PRNGKey(0)
    for name, (params, kind) in players.items():
        player = search if kind == "search" else evaluate.policy_player()
        hits = evaluate.solved(key, env, player, params, states, chunk=256)
        rows.append(_row(arm, name, hits, episodes_to_90(workdir) if "RL" in name else None))
    if arm != "scratch":
        rows.append(_row(arm, "demonstrator", demonstrator_rate(states, arm), None))
    return rows


def _row(arm: str, player: str, hits: np.ndarray, episodes) -> dict:
    episodes = "" if episodes is None else episodes
    return dict(arm=arm, player=player, **solve_cells(hits), episodes_to_90=episodes)


def report(out: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(csv.DictReader((out / "ablation.csv").open()))
    lines = ["| arm | player | solved [95% interval] | self-play episodes to 90% of final |",
             "|---|---|---|---|"]  # fmt: skip
    for r in rows:
        lines.append(f"| {r['arm']} | {r['player']} | {float(r['solved']):.3f} "
                     f"[{float(r['low']):.3f}, {float(r['high']):.3f}] | "
                     f"{r['episodes_to_90'] or ''} |")  # fmt: skip
    table = "\n".join(lines)
    (out / "ablation.md").write_text(table + "\n")
    fig, ax = plt.subplots(figsize=(10, 4.5))
    labels = [f"{r['arm']}: {r['player']}" for r in rows]
    y = [float(r["solved"]) for r in rows]
    err = [[v - float(r["low"]) for v, r in zip(y, rows, strict=True)],
           [float(r["high"]) - v for v, r in zip(y, rows, strict=True)]]  # fmt: skip
    ax.barh(range(len(rows)), y, xerr=err, capsize=3)
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("held-out k = 5 instances solved")
    fig.tight_layout()
    fig.savefig(out / "ablation.png", dpi=120)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="runs/countdown_ablation")
    parser.add_argument("--out", default="docs/results/countdown_ablation")
    parser.add_argument("--full", action="store_true", help="the documented full run")
    parser.add_argument("--smoke", action="store_true", help="toy sizes end to end (CI)")
    parser.add_argument("--arms", nargs="+", default=[*DEMONSTRATORS, "scratch"])
    parser.add_argument("--demonstrations", type=int, default=5000)
    parser.add_argument("--minutes", type=float, default=20.0, help="training budget per arm")
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--simulations", type=int, default=64)
    args = parser.parse_args()
    if args.smoke:
        args.demonstrations, args.instances, args.simulations = 32, 16, 4
        if args.arms == parser.get_default("arms"):
            args.arms = ["solver", "scratch"]  # one imitation arm and the scratch arm
    if not set(args.arms) <= {*DEMONSTRATORS, "scratch"}:
        sys.exit(f"error: arms are {', '.join(DEMONSTRATORS)} and scratch")
    if min(args.demonstrations, args.instances, args.simulations, args.minutes) <= 0:
        sys.exit("error: --demonstrations, --instances, --simulations, --minutes must be positive")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "ablation.csv"
    done = {r["arm"] for r in csv.DictReader(path.open())} if path.exists() else set()
    env, states = instance_sets([5], args.instances, limit_24=0)["k=5"]
    for arm in args.arms:
        if arm in done:
            continue
        start = time.perf_counter()
        rows = evaluate_arm(arm, train_arm(args, arm), env, states, args.simulations)
        new = not path.exists()
        with path.open("a", newline="") as f:
            writer = csv.DictWriter(f, FIELDS)
            if new:
                writer.writeheader()
            writer.writerows(rows)
        print(f"{arm}: done in {time.perf_counter() - start:.0f} s", flush=True)
    print(report(out))


if __name__ == "__main__":
    main()
