"""One Go run trained in legs, placed on the GNU Go ladder after each: Elo against hours.

    python scripts/go_curve.py --preset go_9x9 --hours 8 --every 30 --out runs/go_9x9_curve
    python scripts/go_curve.py --out runs/go_9x9_curve --report      # table and plot only

Leg k trains the run in `--out`/run until its own wall time reaches k * `--every` minutes
(`train.max_minutes`: self-play, learning and, with `--imitation`, the supervised phase, which
always runs whole, so its leg may run over; not the ratings or compiles; no evaluation inside
the budget), then its checkpoint plays `--games` games against each of `--opponents` (colours
alternating) with the run's evaluation protocol (`eval.num_simulations`,
`eval.pass_rule`, `eval.turn_engine`, `eval.opening_samples`); the last leg's checkpoint plays
`--final-games`. A Bradley-Terry fit over each point's games and the board's fixed ladder
(docs/results/ladder_NxN) places it (GNU Go level 10 = 0 Elo, 95% bootstrap interval).
Everything resumes where it stopped: the run from its checkpoints, a point's match from its
games file, and a rated point is a line of `--out`/points.jsonl that is never recomputed. A leg
does not start while `--out`/HOLD exists.
A run that spans sessions on fresh machines carries only its newest checkpoint: `--pack`
re-saves it without its replay window under `--out`/run/carry (a few MiB, committed with the
points), and a later invocation on a fresh clone resumes from it with an empty window.
Each invocation adds its date, commit and CPU model to `--out`/machines.jsonl.
The run's flags are fixed when it starts (`--preset`, `--imitation`, `--set`); later
invocations need only `--out` (and may change `--hours`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

from ablate_imitation import read_points, train_until
from ablate_katago import override, record_machine

import games
from alphazero import checkpoint, presets, validation
from alphazero.go import ladder, match, ratings
from alphazero.go.records import played, read_games, won
from games import go

ROOT = Path(__file__).resolve().parents[1]
CARRY = "carry"  # `--out`/run/carry: the newest checkpoint without its window, to commit


def run_config(args):
    """The run's config: a preset with `--set section.field=value` changes and the seed."""
    config = dataclasses.replace(presets.PRESETS[args.preset](), seed=args.seed)
    changes = {}
    for item in args.set:
        dotted, _, text = item.partition("=")
        try:
            value = json.loads(text)  # numbers, true/false, lists
        except json.JSONDecodeError:
            value = text  # a plain string, e.g. settle
        changes[dotted] = tuple(value) if isinstance(value, list) else value
    config = override(config, changes)
    if args.imitation:
        config = dataclasses.replace(config, imitation=args.imitation)
    validation.validate(config)
    return config


def pack(config, workdir: Path) -> int:
    """Re-saves the run's newest checkpoint without its replay window under `workdir`/carry (one
    step kept) and returns its iteration: what a run commits to survive the session."""
    import jax

    from alphazero import learner
    from alphazero.types import RL

    env = games.make(config.game)
    template = jax.eval_shape(lambda: learner.init_loop_state(env, config, RL))
    # The whole state: orbax restores a checkpoint only into its own tree structure.
    loop = checkpoint.restore(checkpoint.manager(workdir), template)
    carry = checkpoint.manager(workdir, max_to_keep=1, folder=CARRY)
    checkpoint.save(carry, loop, with_replay=False)
    return int(loop.iteration)


def unpack(workdir: Path) -> int | None:
    """On a fresh clone the carried checkpoint is newer than any kept one: it is copied into
    `checkpoints/`, and training resumes from it with an empty window. Returns its step."""
    if not (workdir / CARRY).is_dir():
        return None
    kept = checkpoint.manager(workdir).latest_step()
    carried = checkpoint.manager(workdir, folder=CARRY).latest_step()
    if carried is None or (kept is not None and kept >= carried):
        return None
    shutil.copytree(workdir / CARRY / str(carried), workdir / "checkpoints" / str(carried))
    return carried


def rate(workdir: Path, tag: str, opponents: list[str], games: int, rungs: list[dict]) -> dict:
    """The newest checkpoint against each opponent, `games` games each (resumable); one fit of
    those games with the fixed ladder's `rungs` (which tie the GNU Go levels together)."""
    from alphazero.agent import load_agent

    agent = load_agent(workdir)
    ev = agent.config.eval
    name, out = f"agent-{tag}", workdir.parent / "points" / f"{tag}.jsonl"
    player = match.agent_player(agent, name, ev.opening_samples, ev.pass_rule)
    size, komi = go.board_size(agent.env), go.komi(agent.env)
    result = {}
    records = []
    for i, opponent in enumerate(opponents):
        rival = match.player(opponent)  # "random" plays as random-no-eyefill
        match.play(player, rival, size, komi, games, out, seed=10_000 * i, parallel=16,
                   comment=f"curve point {tag}", turned=ev.turn_engine)  # fmt: skip
        mine = played(out, name, rival.name)[:games]
        lost = [m for r in mine for m in [_margin(r, name)] if m < 0]
        result[opponent] = dict(
            games=len(mine), won=sum(won(mine, name)),
            won_black=sum(won([r for r in mine if r["black"] == name], name)),
            lost_margin=statistics.median(lost) if lost else None,
        )  # fmt: skip
        records += mine
    anchor = ladder.anchor_of([match.player(o).name for o in opponents])
    me = next(r for r in ratings.fit(records + rungs, anchor=anchor) if r.name == name)
    return dict(result, anchor=anchor, elo=me.elo, elo_low=me.low, elo_high=me.high)


def _margin(record: dict, name: str) -> float:
    return record["referee_margin"] * (1.0 if record["black"] == name else -1.0)


def report(out: Path) -> str:
    """Markdown table and a plot of Elo against run hours (`out`/curve.md, curve.png)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = sorted(read_points(out), key=lambda p: p["point"])
    opponents = [k for k in points[0] if k.startswith("gnugo-") or k == "random"] if points else []
    head = " | ".join(f"won vs {o} (as Black)" for o in opponents)
    rows = [f"| point | hours | iteration | positions | Elo [95%] | {head} |",
            "|---" * (5 + len(opponents)) + "|"]  # fmt: skip
    for p in points:
        cells = " | ".join(f"{p[o]['won']}/{p[o]['games']} ({p[o]['won_black']})"
                           for o in opponents)  # fmt: skip
        rows.append(f"| {p['point']} | {p['minutes'] / 60:.2f} | {p['iteration']} | "
                    f"{p['positions']:,} | {p['elo']:+.0f} [{p['elo_low']:+.0f}, "
                    f"{p['elo_high']:+.0f}] | {cells} |")  # fmt: skip
    fig, ax = plt.subplots(figsize=(7, 4.5))
    if points:
        hours = [p["minutes"] / 60 for p in points]
        err = [[p["elo"] - p["elo_low"] for p in points],
               [p["elo_high"] - p["elo"] for p in points]]  # fmt: skip
        ax.errorbar(hours, [p["elo"] for p in points], yerr=err, marker="o", capsize=2)
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set_ylabel(f"Elo ({points[0]['anchor']} = 0)")
    ax.set_xlabel("run wall time (hours, 2 CPU cores)")
    ax.set_title(f"{out.name}: Elo against training time")
    fig.tight_layout()
    fig.savefig(out / "curve.png", dpi=120)
    table = "\n".join(rows)
    (out / "curve.md").write_text(table + "\n")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default=None, choices=sorted(presets.PRESETS),
                        help="the run's preset (first invocation)")  # fmt: skip
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="config changes, e.g. network.num_blocks=6 (first invocation)")
    parser.add_argument("--imitation", default="", help="expert games: imitation, then RL")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hours", type=float, default=8.0, help="the run's wall-time budget")
    parser.add_argument("--every", type=float, default=30.0, help="minutes between points")
    parser.add_argument("--games", type=int, default=64, help="games per opponent per point")
    parser.add_argument("--final-games", type=int, default=200, help="... at the last point")
    parser.add_argument("--opponents", nargs="+", default=["gnugo-1", "gnugo-10"])
    parser.add_argument("--ladder", default=None, help="fixed ladder games for the fit "
                        "(default: docs/results/ladder_NxN/games.jsonl for the run's board)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--report", action="store_true", help="only write the table and plot")
    parser.add_argument("--pack", action="store_true", help="only re-save the newest checkpoint "
                        "without its replay window under OUT/run/carry, to commit")  # fmt: skip
    args = parser.parse_args()
    out, workdir = Path(args.out), Path(args.out) / "run"
    if args.pack:
        config = checkpoint.read_config(workdir)
        if config is None or checkpoint.manager(workdir).latest_step() is None:
            sys.exit(f"error: {workdir} holds no checkpoint to pack")
        print(f"packed iteration {pack(config, workdir)} into {workdir / CARRY}")
        return
    if not args.report:
        if min(args.hours, args.every) <= 0 or any(n <= 0 or n % 2 for n in
                                                   (args.games, args.final_games)):  # fmt: skip
            sys.exit("error: --hours and --every must be positive, --games and --final-games even")
        config = checkpoint.read_config(workdir)
        if config is None:
            if args.preset is None:
                sys.exit(f"error: {workdir} holds no run yet; name its --preset")
            try:
                config = run_config(args)
            except (ValueError, KeyError) as error:
                sys.exit(f"error: {error}")
        out.mkdir(parents=True, exist_ok=True)
        record_machine(out, bench=False)  # a run that spans sessions may change machines
        if (step := unpack(workdir)) is not None:
            print(f"resuming from the carried checkpoint {step} (empty replay window)")
        size = go.board_size(games.make(config.game))
        default = ROOT / f"docs/results/ladder_{size}x{size}/games.jsonl"
        rungs = read_games(args.ladder or default)
        legs = round(60 * args.hours / args.every)
        done = {p["point"] for p in read_points(out)}
        for point in range(1, legs + 1):
            if point in done:
                continue
            while (out / "HOLD").exists():  # another job has the cores
                time.sleep(10)
            # No evaluation inside a leg's budget (train.run plays one at the budget's end):
            # the points are this script's ratings.
            state = train_until(override(config, {"eval.opponents": ()}), workdir,
                                args.every * point)  # fmt: skip
            count = args.final_games if point == legs else args.games
            rated = rate(workdir, f"{point:03d}", args.opponents, count, rungs)
            line = dict(point=point, **state, **rated)
            with (out / "points.jsonl").open("a") as f:
                f.write(json.dumps(line) + "\n")
            print(f"[point {point}/{legs}] {state['minutes']:.0f} min, iteration "
                  f"{state['iteration']}: Elo {line['elo']:+.0f} [{line['elo_low']:+.0f}, "
                  f"{line['elo_high']:+.0f}]", flush=True)  # fmt: skip
    print(report(out))


if __name__ == "__main__":
    main()
