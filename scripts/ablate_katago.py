"""KataGo's learning-efficiency techniques on go_7x7, one at a time, at equal wall-clock.

    python scripts/ablate_katago.py --minutes 30 --out runs/ablation_katago     # resumable
    python scripts/ablate_katago.py --out runs/ablation_katago --report        # table + plot

Arms (each a set of config switches on top of the go_7x7_alphazero preset, the go_7x7 recipe
before these techniques, `ARMS`):

    today          the preset as it was before these techniques (2 seeds)
    all            every technique on (2 seeds): global pooling, ownership and score heads, the
                   score utility, playout cap randomization, the opponent-reply head
    all-<t>        all on minus technique t (one seed each); minus the score heads also drops
                   the score utility, which needs their predicted margin
    all-n8, all-n32  all on with 8 or 32 training simulations (all itself has 16)

Protocol (issue 23). Every arm gets the same run wall time `--minutes` (self-play and learning
as counted by the run; compiles and ratings are outside it), no in-training evaluation, and the
replay window kept in its checkpoints, so the legs below continue exactly. The arm trains in
three legs to M/3, 2M/3 and M; after each leg its checkpoint plays GNU Go level 10 at 32
simulations with PUCT, half the games with each colour, no resignation by the agent: `--games`
games at the last point, `--curve-games` at the two before it, and as many (at most 100) against
GNU Go level 1, which places the arms that never beat level 10. One Bradley-Terry fit over those
games and the fixed 7x7 ladder's (docs/results/ladder_7x7) places it (GNU Go level 10 = 0, 95%
bootstrap interval). `--rerate` adds the level-1 games to points rated before they were
played. Every point is one line of `--out`/points.jsonl, never recomputed; its games are
`--out`/<arm>_seed<seed>/points/<tag>.jsonl. Arms run one at a time, all arms of seed 0 first.
A training leg does not start while a file `--out`/HOLD exists (another job has the cores).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path

from ablate_imitation import read_points, train_until
from tqdm import tqdm

from alphazero import config as config_lib
from alphazero import presets, validation
from alphazero.go import match, ratings
from alphazero.go.records import distinct, played, read_games, won

ROOT = Path(__file__).resolve().parents[1]
ALL = {
    "network.global_pooling": True,
    "network.score_heads": True,
    "search.score_utility": 0.4,
    "selfplay.full_search_probability": 0.25,
    "network.reply_head": True,
}
ARMS = {
    "today": {},
    "all": ALL,
    "all-pooling": {**ALL, "network.global_pooling": False},
    "all-score": {**ALL, "network.score_heads": False, "search.score_utility": 0.0},
    "all-utility": {**ALL, "search.score_utility": 0.0},
    "all-pcr": {**ALL, "selfplay.full_search_probability": 1.0},
    "all-reply": {**ALL, "network.reply_head": False},
    "all-n8": {**ALL, "search.num_simulations": 8},
    "all-n32": {**ALL, "search.num_simulations": 32},
}
TWO_SEEDS = ("today", "all")
TECHNIQUES = {"all-pooling": "global pooling", "all-score": "score heads and utility",
              "all-utility": "score utility", "all-pcr": "playout cap randomization",
              "all-reply": "opponent-reply head", "all-n8": "16 simulations (not 8)",
              "all-n32": "16 simulations (not 32)"}  # fmt: skip
OPPONENTS = ("gnugo-10", "gnugo-1")


def override(config: config_lib.Config, changes: dict) -> config_lib.Config:
    """`config` with fields replaced: dotted "section.field" (e.g. {"network.score_heads":
    True}) or top-level ("game")."""
    for dotted, value in changes.items():
        if "." not in dotted:
            config = dataclasses.replace(config, **{dotted: value})
            continue
        section, name = dotted.split(".")
        part = dataclasses.replace(getattr(config, section), **{name: value})
        config = dataclasses.replace(config, **{section: part})
    return config


def arm_config(arm: str, seed: int, smoke: bool) -> config_lib.Config:
    config = presets.PRESETS["go_7x7_alphazero"]()  # the recipe before the techniques
    replay = dataclasses.replace(config.replay, in_checkpoint=True)  # the legs continue exactly
    evaluation = dataclasses.replace(config.eval, every=0, opponents=())
    config = dataclasses.replace(config, seed=seed, replay=replay, eval=evaluation,
                                 checkpoint_every=100_000)  # only at the ends of the legs
    config = override(config, ARMS[arm])
    if smoke:
        config = override(config, {"network.num_blocks": 1, "network.num_channels": 8,
                                   "search.num_simulations": 4, "selfplay.num_games": 4,
                                   "selfplay.num_moves": 12, "replay.capacity": 512,
                                   "train.batch_size": 16})  # fmt: skip
    validation.validate(config)
    return config


def rate_point(workdir: Path, games: int, ladder: list[dict], tag: str, simulations: int,
               step: int | None = None) -> dict:  # fmt: skip
    """Checkpoint `step` (default: newest) against GNU Go level 10 and level 1, `games` games
    each (games already in the point's file are kept); its Elo from one fit with the ladder, and
    against level 10 its wins, wins as Black and the median margin (its view) of lost games.
    Level 1 places arms that never beat level 10, which level-10 games alone cannot."""
    from alphazero.agent import load_agent

    name, out = f"agent-{tag}", workdir / "points" / f"{tag}.jsonl"
    player = match.agent_player(load_agent(workdir, simulations=simulations, step=step), name=name)
    counts = {"gnugo-10": games, "gnugo-1": min(games, 100)}
    for i, opponent in enumerate(OPPONENTS):  # level 10 keeps seed 0: older points match
        match.play(player, match.player(opponent), 7, match.registry_komi(7), counts[opponent],
                   out, seed=10_000 * i, parallel=16, comment=f"ablation point {tag}")  # fmt: skip
    records = {o: played(out, name, o)[: counts[o]] for o in OPPONENTS}
    everything = [r for pairing in records.values() for r in pairing]
    me = next(r for r in ratings.fit(everything + ladder, anchor="gnugo-10") if r.name == name)
    top = records["gnugo-10"]
    black = [r for r in top if r["black"] == name]
    lost = [m for r in top for m in [_margin(r, name)] if m < 0]
    return dict(elo=me.elo, elo_low=me.low, elo_high=me.high, games=len(top),
                won=sum(won(top, name)), won_black=sum(won(black, name)), black=len(black),
                lost_margin=statistics.median(lost) if lost else None,
                won_l1=sum(won(records["gnugo-1"], name)),
                games_l1=len(records["gnugo-1"]))  # fmt: skip


def rerate(args, ladder: list[dict]) -> None:
    """Adds the level-1 games (and refits) for points rated before they were played."""
    points = read_points(Path(args.out))
    for p in points:
        if "won_l1" in p:
            continue
        tag = f"{p['arm']}-{p['seed']}-{p['point']}"
        workdir = Path(args.out) / f"{p['arm']}_seed{p['seed']}"
        p.update(rate_point(workdir, p["games"], ladder, tag, 4 if args.smoke else 32,
                            step=p["iteration"]))  # fmt: skip
        print(f"[{tag}] rerated: Elo {p['elo']:+.0f}, {p['won_l1']}/{p['games']} vs level 1")
        text = "".join(json.dumps(q) + "\n" for q in points)
        (Path(args.out) / "points.jsonl").write_text(text)


def _margin(record: dict, name: str) -> float:
    """The final area margin from `name`'s view (komi included): + when it won."""
    sign = 1.0 if record["black"] == name else -1.0
    return sign * record["referee_margin"]


def run_arm(args, arm: str, seed: int, ladder: list[dict], bar) -> None:
    config = arm_config(arm, seed, args.smoke)
    workdir = Path(args.out) / f"{arm}_seed{seed}"
    done = {p["point"] for p in read_points(Path(args.out)) if (p["arm"], p["seed"]) == (arm, seed)}
    if done and len(done) < 3 and not (workdir / "checkpoints").exists():
        # Rated points of an arm whose run is gone (another machine): the arm starts over.
        keep = [p for p in read_points(Path(args.out)) if (p["arm"], p["seed"]) != (arm, seed)]
        (Path(args.out) / "points.jsonl").write_text("".join(json.dumps(p) + "\n" for p in keep))
        bar.write(f"{arm}, seed {seed}: its run is not here; starting the arm over")
        done = set()
    for point in range(1, 4):
        if point in done:
            continue
        bar.set_description(f"{arm}, seed {seed}, point {point}")
        hold = Path(args.out) / "HOLD"
        while hold.exists():  # another job has the cores: training legs wait, ratings need not
            time.sleep(10)
        state = train_until(config, workdir, args.minutes * point / 3)
        tag = f"{arm}-{seed}-{point}"
        games = args.games if point == 3 else args.curve_games
        result = rate_point(workdir, games, ladder, tag, 4 if args.smoke else 32)
        evaluations = _network_evaluations(workdir)
        line = dict(arm=arm, seed=seed, point=point, **state, evaluations=evaluations, **result,
                    machine=args.machine)  # fmt: skip
        with (Path(args.out) / "points.jsonl").open("a") as f:
            f.write(json.dumps(line) + "\n")
        elo = f"{result['elo']:+.0f} [{result['elo_low']:+.0f}, {result['elo_high']:+.0f}]"
        bar.write(f"[{tag}] {state['minutes']:.1f} min: Elo {elo}, {result['won']}/"
                  f"{result['games']} ({result['won_black']} as Black)")  # fmt: skip
        bar.update(1)


def _network_evaluations(workdir: Path) -> int:
    """Network evaluations of self-play so far, summed from the run's logs."""
    from plot_run import read_scalars

    return int(sum(read_scalars(workdir).get("selfplay/network_evaluations", {}).values()))


def record_machine(out: Path, bench: bool = True) -> dict:
    """One line of `out`/machines.jsonl for this invocation: date, commit, CPU model and the
    self-play positions/s of scripts/bench_selfplay.py on go_7x7_alphazero (arms that share a
    table share a CPU model; an arm is rerun rather than mixed across machines); without
    `bench` (smoke runs, other scripts) no positions/s."""
    import subprocess

    def output(*command: str) -> str:
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT).stdout

    cpu = next((line.split(":", 1)[1].strip() for line in output("lscpu").splitlines()
                if line.startswith("Model name")), "unknown")  # fmt: skip
    result = out / f"bench_{time.strftime('%Y%m%d_%H%M')}.json"
    if bench:
        subprocess.run([sys.executable, str(ROOT / "scripts/bench_selfplay.py"), "--presets",
                        "go_7x7_alphazero", "--peak-batches", "256", "--out", str(result)],
                       capture_output=True, cwd=ROOT)  # fmt: skip
    line = dict(date=time.strftime("%Y-%m-%d %H:%M"), commit=output("git", "rev-parse",
                "--short", "HEAD").strip(), cpu=cpu)  # fmt: skip
    if bench:
        rate = json.loads(result.read_text())["results"][0]["positions_per_s"] if (
            result.exists()) else 0  # fmt: skip
        line["positions_per_s"] = round(rate)
    with (out / "machines.jsonl").open("a") as f:
        f.write(json.dumps(line) + "\n")
    return line


def plan(seeds: list[int]) -> list[tuple[str, int]]:
    """(arm, seed) in run order: every arm on the first seed, then the second seed's two."""
    first = [(arm, seeds[0]) for arm in ARMS]
    return first + [(arm, seed) for seed in seeds[1:] for arm in TWO_SEEDS]


def report(out: Path) -> str:
    """Markdown table (final Elo per arm and seed, wins as Black, lost-game margins) and a plot
    of Elo against run minutes per arm, to `out`/ablation.md and ablation.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = read_points(out)
    fig, ax = plt.subplots(figsize=(8, 5))
    rows = ["| arm | seed | minutes | positions | Elo (GNU Go L10 = 0) [95%] | won vs L10 | won as "
            "Black vs L10 | median margin of lost L10 games | distinct L10 games | won vs L1 |",
            "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for i, arm in enumerate(ARMS):
        for seed in sorted({p["seed"] for p in points if p["arm"] == arm}):
            curve = sorted((p for p in points if (p["arm"], p["seed"]) == (arm, seed)),
                           key=lambda p: p["point"])  # fmt: skip
            err = [[p["elo"] - p["elo_low"] for p in curve],
                   [p["elo_high"] - p["elo"] for p in curve]]  # fmt: skip
            ax.errorbar([p["minutes"] for p in curve], [p["elo"] for p in curve], yerr=err,
                        marker="o", color=plt.cm.tab10(i), alpha=0.8, capsize=2,
                        label=f"{arm} (seed {seed})")  # fmt: skip
            last = curve[-1]
            lost = "-" if last["lost_margin"] is None else f"{last['lost_margin']:+.1f}"
            rows.append(f"| {arm} | {seed} | {last['minutes']:.1f} | {last['positions']:,} | "
                        f"{last['elo']:+.0f} [{last['elo_low']:+.0f}, {last['elo_high']:+.0f}] | "
                        f"{last['won']}/{last['games']} | {last['won_black']}/{last['black']} | "
                        f"{lost} | {_distinct(out, last)} | {last.get('won_l1', '-')}/"
                        f"{last.get('games_l1', '-')} |")  # fmt: skip
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_xlabel("run wall time (minutes, 2 CPU cores)")
    ax.set_ylabel("Elo (GNU Go level 10 = 0)")
    ax.set_title("go_7x7: KataGo's techniques at equal wall-clock")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(out / "ablation.png", dpi=120)
    table = "\n".join(rows) + "\n\n" + verdicts(points)
    (out / "ablation.md").write_text(table + "\n")
    return table


def verdicts(points: list[dict]) -> str:
    """The rule of issue 23 at the final points: a technique stays on where all on's Elo
    exceeds the arm without it. It is "on" when every seed of all on lies above every seed of
    the arm with the 95% intervals apart, "off" when every one lies below with the intervals
    apart, and "unresolved" when any two intervals overlap."""
    final = {}
    for p in points:
        if p["point"] == 3:
            final.setdefault(p["arm"], []).append(p)
    rows = ["| technique | all on, per seed | without it (or the other N), per seed | verdict |",
            "|---|---|---|---|"]  # fmt: skip
    for arm, technique in TECHNIQUES.items():
        if arm not in final or "all" not in final:
            continue
        above = all(a["elo_low"] > b["elo_high"] for a in final["all"] for b in final[arm])
        below = all(a["elo_high"] < b["elo_low"] for a in final["all"] for b in final[arm])
        verdict = "on" if above else "off" if below else "unresolved"
        rows.append(f"| {technique} | {_elos(final['all'])} | {_elos(final[arm])} | {verdict} |")
    return "\n".join(rows)


def _elos(points: list[dict]) -> str:
    return ", ".join(f"{p['elo']:+.0f} [{p['elo_low']:+.0f}, {p['elo_high']:+.0f}]"
                     for p in sorted(points, key=lambda p: p["seed"]))  # fmt: skip


def _distinct(out: Path, point: dict) -> str:
    """How many of a point's level-10 games are different move sequences. Games against a
    deterministic engine repeat: the interval is right for this protocol's games, but few
    distinct games say little about other openings."""
    tag = f"{point['arm']}-{point['seed']}-{point['point']}"
    path = out / f"{point['arm']}_seed{point['seed']}" / "points" / f"{tag}.jsonl"
    if not path.exists():
        return "-"
    return str(distinct(played(path, f"agent-{tag}", "gnugo-10")[: point["games"]]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="run wall time per arm")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--arms", nargs="+", default=list(ARMS), choices=list(ARMS))
    parser.add_argument("--games", type=int, default=200, help="games vs GNU Go L10 at the end")
    parser.add_argument("--curve-games", type=int, default=40, help="... at M/3 and 2M/3")
    parser.add_argument("--ladder", default=str(ROOT / "docs/results/ladder_7x7/games.jsonl"))
    parser.add_argument("--out", default="runs/ablation_katago")
    parser.add_argument("--report", action="store_true", help="only write the table and plot")
    parser.add_argument("--rerate", action="store_true",
                        help="add level-1 games to points rated without them, then report")
    parser.add_argument("--smoke", action="store_true", help="tiny network and search (CI)")
    args = parser.parse_args()
    out = Path(args.out)
    if args.rerate:
        rerate(args, read_games(args.ladder))
    elif not args.report:
        games = (args.games, args.curve_games)
        if min(args.minutes, *games) <= 0 or any(n % 2 for n in games):
            sys.exit("error: --minutes must be positive, --games and --curve-games even")
        if not Path(args.ladder).exists():
            sys.exit(f"error: {args.ladder} does not exist")
        out.mkdir(parents=True, exist_ok=True)
        ladder = read_games(args.ladder)
        args.machine = record_machine(out, bench=not args.smoke)
        print(f"machine: {args.machine}", flush=True)
        todo = [(a, s) for a, s in plan(args.seeds) if a in args.arms]
        done = len([p for p in read_points(out) if (p["arm"], p["seed"]) in todo])
        with tqdm(total=3 * len(todo), initial=done, unit="point") as bar:
            for arm, seed in todo:
                run_arm(args, arm, seed, ladder, bar)
    print(report(out))


if __name__ == "__main__":
    main()
