"""Plot a run's evaluation curve from its TensorBoard events: score vs training wall time.

    python scripts/plot_run.py --workdir runs/connect_four --out docs/results/connect_four_curve.png

Score against each opponent = win rate + draw rate / 2, read from `eval/win_rate/<opponent>` and
`eval/draw_rate/<opponent>`; the x axis is `perf/wall_time_s` (minutes) at the same iteration.
A Go run evaluated against GNU Go also gets Elo per compute, the product metric of strength per
CPU-hour: `eval/elo` (GNU Go level 10 = 0) with its 95% interval `eval/elo_low` .. `eval/elo_high`
against wall time, and against self-play network evaluations (`selfplay/network_evaluations`
summed over iterations; they count playout cap randomization's cheap searches as what they cost).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from tensorboard.backend.event_processing import event_accumulator  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402


def read_scalars(workdir: Path) -> dict[str, dict[int, float]]:
    """tag -> {iteration: value} for every scalar in the run's event files (last write wins)."""
    acc = event_accumulator.EventAccumulator(str(workdir), size_guidance={"tensors": 0})
    acc.Reload()
    return {
        tag: {e.step: float(tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)}
        for tag in acc.Tags()["tensors"]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    scalars = read_scalars(args.workdir)
    minutes = {step: v / 60 for step, v in scalars["perf/wall_time_s"].items()}
    elo = scalars.get("eval/elo", {})
    panels = 3 if elo else 1
    fig, axes = plt.subplots(1, panels, figsize=(5.5 * panels, 4), squeeze=False)
    ax = axes[0, 0]
    for tag in sorted(t for t in scalars if t.startswith("eval/win_rate/")):
        name = tag.removeprefix("eval/win_rate/")
        draws = scalars.get(f"eval/draw_rate/{name}", {})
        steps = sorted(s for s in scalars[tag] if s in minutes)
        score = [scalars[tag][s] + draws.get(s, 0.0) / 2 for s in steps]
        ax.plot([minutes[s] for s in steps], score, marker="o", label=f"vs {name}")
    ax.set_xlabel("training wall time (minutes)")
    ax.set_ylabel("score (win + draw/2)")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(f"{args.workdir.name}: search agent in the arena")
    if elo:
        plot_elo(axes[0, 1], scalars, minutes, "training wall time (minutes)")
        per_iteration = scalars.get("selfplay/network_evaluations", {})
        total, evaluations = 0.0, {}
        for step in sorted(per_iteration):
            total += per_iteration[step]
            evaluations[step] = total / 1e6
        plot_elo(axes[0, 2], scalars, evaluations, "self-play network evaluations (millions)")
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")


def plot_elo(ax, scalars: dict, axis: dict, label: str) -> None:
    """eval/elo and its interval against `axis` ({iteration: x}), on `ax`."""
    steps = sorted(s for s in scalars["eval/elo"] if s in axis)
    x = [axis[s] for s in steps]
    low, high = scalars["eval/elo_low"], scalars["eval/elo_high"]
    ax.fill_between(x, [low[s] for s in steps], [high[s] for s in steps], alpha=0.25, label="95%")
    ax.plot(x, [scalars["eval/elo"][s] for s in steps], marker="o", label="agent")
    ax.axhline(0, color="k", lw=0.8, ls="--", label="GNU Go level 10")
    ax.set_xlabel(label)
    ax.set_ylabel("Elo (Bradley-Terry)")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Elo against GNU Go")


if __name__ == "__main__":
    main()
