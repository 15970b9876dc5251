"""What each phase of the AlphaGo recipe buys: RL from scratch, imitation only, imitation then RL.

    python scripts/ablate_imitation.py --preset go_7x7_alphazero --data data/go_7x7_gnugo10.jsonl \
        --minutes 15 --points 3 --seeds 0 1 2 --out runs/ablation_7x7

Every arm trains the preset's network for the same wall-clock budget (`--minutes`, counted by the
run itself: imitation steps, self-play, learning; not evaluation or compiles). At `--points`
equally spaced times the arm's checkpoint plays `--games` games against GNU Go level 10 and as many
against the random no-eye-filling player (match runner, 32 simulations, PUCT); one Bradley-Terry
fit over those games and the fixed ladder's games (`--ladder`) gives its Elo (GNU Go level 10 = 0)
with a 95% bootstrap interval, and the table times two rungs: a 50% score against random and a
25% score against GNU Go level 10. Arms:

    scratch       RL self-play from random weights for the whole budget
    imitation     the supervised phase only (`--steps` steps), then nothing: a flat line
    imitation_rl  the same supervised phase, then RL for the rest of the budget

Everything is resumable: each arm is an `alphazero train` workdir under `--out`, continued with a
larger `train.max_minutes` per point, and every evaluated point is a line in `--out`/points.jsonl
that is never recomputed; the point's games are `--out`/<arm>_seed<seed>/points/<tag>.jsonl.
`--report` only reads points.jsonl and writes the table and the plots.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from tqdm import tqdm

from alphazero import config as config_lib
from alphazero import presets
from alphazero.go import match, ratings
from alphazero.go.records import read_games, won

ARMS = ("scratch", "imitation", "imitation_rl")
ROOT = Path(__file__).resolve().parents[1]
SIZES = (7, 9)


def smoke(config: config_lib.Config) -> config_lib.Config:
    """The same run at a size CI compiles and runs in seconds (`--smoke`): the sizes the Go
    tutorial's blocks shrink go_7x7 to (docs/tutorials/go.md), so that its last block, this
    script, loads the imitation, self-play and match compiles of the blocks before it from the
    persistent compilation cache instead of compiling them again. The first 100 expert games
    only: replaying all 2,000 took 9 s of the block's 30."""
    return dataclasses.replace(
        config,
        supervised=dataclasses.replace(config.supervised, max_games=100),
        network=config_lib.NetworkConfig(num_blocks=0, num_channels=8),
        search=dataclasses.replace(config.search, num_simulations=4),
        selfplay=dataclasses.replace(config.selfplay, num_games=4, num_moves=8),
        replay=dataclasses.replace(config.replay, capacity=512),
        train=dataclasses.replace(config.train, batch_size=16),
        eval=dataclasses.replace(config.eval, num_simulations=4, num_games=2),
    )


def arm_config(args, arm: str, seed: int) -> config_lib.Config:
    base = presets.PRESETS[args.preset]()
    base = smoke(base) if args.smoke else base
    config = dataclasses.replace(base, seed=seed)
    data, steps = args.data, args.steps
    if arm == "scratch":
        return config
    supervised = dataclasses.replace(base.supervised, num_steps=steps, eval_every=steps // 4,
                                     checkpoint_every=max(1, steps // 8))  # fmt: skip
    config = dataclasses.replace(config, imitation=data, supervised=supervised)
    if arm == "imitation":  # no RL iterations: the checkpoint at iteration 0 is the result
        config = dataclasses.replace(
            config, train=dataclasses.replace(config.train, num_iterations=0)
        )
    return config


def train_until(config: config_lib.Config, workdir: Path, minutes: float) -> dict:
    """Continues the arm's run until its own wall time reaches `minutes` (the imitation-only arm:
    to the end of its supervised phase); returns its iteration, positions and wall time."""
    import games
    from alphazero import checkpoint, learner, train
    from alphazero.types import RL

    iterations = 0 if config.train.num_iterations == 0 else 100_000
    config = dataclasses.replace(config, train=dataclasses.replace(
        config.train, max_minutes=minutes, num_iterations=iterations))  # fmt: skip
    train.run(config, workdir, progress=False)
    template = learner.init_loop_state(games.make(config.game), config, RL)
    loop = checkpoint.restore(checkpoint.manager(workdir), template,
                              with_replay=config.replay.in_checkpoint)  # fmt: skip
    return dict(iteration=int(loop.iteration), positions=int(loop.counters.positions),
                minutes=float(loop.counters.wall_time) / 60)  # fmt: skip


def evaluate_point(workdir: Path, size: int, games: int, ladder: list[dict], tag: str,
                   simulations: int = 32) -> dict:  # fmt: skip
    """The newest checkpoint against GNU Go level 10 and random, `games` each; its Elo."""
    from alphazero.agent import load_agent

    name = f"agent-{tag}"
    player = match.agent_player(load_agent(workdir, simulations=simulations), name=name)
    out = workdir / "points" / f"{tag}.jsonl"
    records = []
    komi = match.registry_komi(size)
    for opponent in ("gnugo-10", "random"):
        records += match.play(player, match.player(opponent), size, komi, games, out,
                              parallel=16, comment=f"ablation point {tag}")  # fmt: skip
    me = next(r for r in ratings.fit(records + ladder, anchor="gnugo-10") if r.name == name)
    wins = lambda o: sum(won([r for r in records if o in (r["black"], r["white"])], name))  # noqa: E731
    return dict(elo=me.elo, elo_low=me.low, elo_high=me.high, games=games,
                won_gnugo=wins("gnugo-10"), won_random=wins("random-no-eyefill"))  # fmt: skip


def read_points(out: Path) -> list[dict]:
    path = out / "points.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def run_arm(args, arm: str, seed: int, ladder: list[dict], bar) -> None:
    size = int(args.preset.split("_")[1].split("x")[0])
    config = arm_config(args, arm, seed)
    workdir = Path(args.out) / f"{arm}_seed{seed}"
    done = {p["point"] for p in read_points(Path(args.out)) if (p["arm"], p["seed"]) == (arm, seed)}
    points = [1] if arm == "imitation" else range(1, args.points + 1)
    for point in points:
        if point in done:
            continue
        bar.set_description(f"{arm}, seed {seed}, point {point}")
        state = train_until(config, workdir, args.minutes * point / args.points)
        tag = f"{arm}-{seed}-{point}"
        result = evaluate_point(workdir, size, args.games, ladder, tag, 4 if args.smoke else 32)
        line = dict(arm=arm, seed=seed, point=point, **state, **result)
        with (Path(args.out) / "points.jsonl").open("a") as f:
            f.write(json.dumps(line) + "\n")
        bar.write(
            f"[{tag}] {state['minutes']:.1f} min, {state['positions']} positions: Elo "
            f"{result['elo']:+.0f} [{result['elo_low']:+.0f}, {result['elo_high']:+.0f}]"
        )
        bar.update(1)


RUNGS = (("won_random", 0.5, ">= 50% vs random"), ("won_gnugo", 0.25, ">= 25% vs GNU Go L10"))


def report(out: Path, minutes: float) -> str:
    """Markdown table per arm (final Elo and scores per seed, minutes to each rung) and PNG plots.

    The rungs are scores against the two opponents rather than Elo thresholds: with only random
    (about -1,480) and GNU Go (0) on the 7x7 ladder, an agent that beats one and loses to the
    other every time is not placed between them by the fit, only by its prior."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = read_points(out)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    rungs = " | ".join(f"minutes to {name} per seed" for *_, name in RUNGS)
    rows = [f"| arm | seeds | final Elo per seed [95% interval] | final wins vs random, vs GNU Go "
            f"per seed | {rungs} |", "|---|---|---|---|" + "---|" * len(RUNGS)]  # fmt: skip
    colours = dict(zip(ARMS, ("tab:blue", "tab:orange", "tab:green"), strict=True))
    for arm in ARMS:
        mine = sorted((p for p in points if p["arm"] == arm), key=lambda p: (p["seed"], p["point"]))
        seeds = sorted({p["seed"] for p in mine})
        if not seeds:
            continue
        finals, scores, reached = [], [], [[] for _ in RUNGS]
        for seed in seeds:
            curve = [p for p in mine if p["seed"] == seed]
            x = [p["minutes"] for p in curve]
            if arm == "imitation":  # no RL: the same agent until the end of the budget
                x, curve = x + [minutes], curve + curve
            y = [p["elo"] for p in curve]
            err = [
                [p["elo"] - p["elo_low"] for p in curve],
                [p["elo_high"] - p["elo"] for p in curve],
            ]
            label = arm if seed == seeds[0] else None
            axes[0].errorbar(x, y, yerr=err, color=colours[arm], marker="o", label=label, alpha=0.7)
            axes[1].plot([p["positions"] for p in curve], y, color=colours[arm], marker="o",
                         label=label, alpha=0.7)  # fmt: skip
            last = curve[-1]
            finals.append(f"{last['elo']:+.0f} [{last['elo_low']:+.0f}, {last['elo_high']:+.0f}]")
            scores.append(
                f"{last['won_random']}/{last['games']}, {last['won_gnugo']}/{last['games']}"
            )
            for column, (key, share, _) in zip(reached, RUNGS, strict=True):
                hit = [p["minutes"] for p in curve if p[key] >= share * p["games"]]
                column.append(f"{hit[0]:.1f}" if hit else "not reached")
        times = " | ".join(", ".join(column) for column in reached)
        rows.append(f"| {arm} | {len(seeds)} | {'; '.join(finals)} | {'; '.join(scores)} | "
                    f"{times} |")  # fmt: skip
    for ax, xlabel in zip(axes, ("run wall time (minutes)", "self-play positions"), strict=True):
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Elo (GNU Go level 10 = 0)")
        ax.legend()
    axes[0].set_title("Ladder Elo against training time")
    axes[1].set_title("against self-play positions (imitation: 0 + expert games)")
    fig.tight_layout()
    fig.savefig(out / "ablation.png", dpi=120)
    table = "\n".join(rows)
    (out / "ablation.md").write_text(table + "\n")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="go_7x7_alphazero",
                        choices=["go_7x7_alphazero", *(f"go_{n}x{n}" for n in SIZES)])  # fmt: skip
    parser.add_argument("--data", default="data/go_7x7_gnugo10.jsonl", help="expert games")
    parser.add_argument("--minutes", type=float, default=15.0, help="wall-clock budget per arm")
    parser.add_argument("--points", type=int, default=3, help="evaluations per RL arm")
    parser.add_argument("--steps", type=int, default=1500, help="supervised steps (both arms)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--arms", nargs="+", default=list(ARMS), choices=ARMS)
    parser.add_argument("--games", type=int, default=64, help="games per opponent per point")
    parser.add_argument("--ladder", help="rung games (default: docs/results/ladder_NxN)")
    parser.add_argument("--out", default="runs/ablation_7x7")
    parser.add_argument("--report", action="store_true", help="only write the table and plots")
    parser.add_argument("--smoke", action="store_true", help="tiny network and search (CI)")
    args = parser.parse_args()
    out = Path(args.out)
    size = args.preset.split("_")[1]
    args.ladder = args.ladder or str(ROOT / "docs" / "results" / f"ladder_{size}" / "games.jsonl")
    if not args.report:
        if not Path(args.data).exists() or not Path(args.ladder).exists():
            sys.exit(f"error: {args.data} or {args.ladder} does not exist")
        if min(args.minutes, args.points, args.steps, args.games) <= 0 or args.games % 2:
            sys.exit("error: --minutes, --points, --steps must be positive, --games even")
        out.mkdir(parents=True, exist_ok=True)
        ladder = read_games(args.ladder)
        per_seed = sum(1 if arm == "imitation" else args.points for arm in args.arms)
        done = len([p for p in read_points(out) if p["seed"] in args.seeds])
        with tqdm(total=per_seed * len(args.seeds), initial=done, unit="point") as bar:
            for seed in args.seeds:  # all arms of one seed first: partial results comparable
                for arm in args.arms:
                    run_arm(args, arm, seed, ladder, bar)
    print(report(out, args.minutes))


if __name__ == "__main__":
    main()
