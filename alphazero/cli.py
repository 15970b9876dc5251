"""The `alphazero` command: the only module that reads the command line.

    alphazero train [--preset NAME] [--workdir DIR] [--<section>.<field> VALUE ...]
    alphazero play --workdir DIR [--simulations N] [--first human|agent]
    alphazero tree [--moves A,B,...] [--workdir DIR] [--simulations N] [--out tree.png]
    alphazero gtp --workdir DIR [--simulations N] [--resign-threshold V | --no-resign]
    alphazero eval --workdir DIR [--opponents gnugo-10 ...] [--num-games N] [--out DIR]
    alphazero exercise list | check N [--file PATH]

`train` options are generated from the Config dataclasses (alphazero/config.py) with tyro; the
defaults come from the preset, or from the workdir's config.json when continuing a run. Problems the
user can fix (unknown game, bad values, missing or corrupt checkpoint, unwritable workdir) print one
line and exit with status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated

import tyro

from alphazero import checkpoint, presets
from alphazero import config as config_lib


@dataclasses.dataclass(frozen=True)
class TrainCommand:
    """Self-play reinforcement learning; continues the run if WORKDIR already holds one."""

    config: Annotated[config_lib.Config, tyro.conf.arg(name="")]
    workdir: str = "runs/tic_tac_toe"
    """Folder for checkpoints, config.json and TensorBoard logs (created if missing)."""
    preset: str = "tic_tac_toe"
    """Named preset the config starts from: one of presets.PRESETS."""
    progress: bool = True
    """Show a progress bar with ETA."""
    distributed: bool = False
    """Join a multi-host run first (jax.distributed.initialize; start the same command on every
    host); games and samples are then split over all hosts' devices."""


def _fail(message: str) -> None:
    print(f"alphazero: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _train(argv: list[str]) -> None:
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--preset", default=None)
    first.add_argument("--workdir", default=None)
    known, _ = first.parse_known_args(argv)
    preset = known.preset or "tic_tac_toe"
    workdir = known.workdir or f"runs/{preset}"
    if preset not in config_lib.PRESETS:
        _fail(f"unknown preset {preset!r}; available: {', '.join(config_lib.PRESETS)}")
    default = checkpoint.read_config(Path(workdir)) if known.preset is None else None
    if default is None:
        default = presets.PRESETS[preset]()
    command = tyro.cli(
        TrainCommand,
        args=argv,
        prog="alphazero train",
        default=TrainCommand(config=default, workdir=workdir, preset=preset),
    )
    if command.distributed:  # before anything starts a JAX backend (importing pgx does)
        from alphazero import distributed

        distributed.initialize()
    from alphazero import train  # imported late: jax start-up is slow and --help needs none

    report = train.run(command.config, command.workdir, progress=command.progress)
    print(f"done: {command.workdir} ({', '.join(f'{k}={v:.3f}' for k, v in report.items())})")


def _play(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="alphazero play", description=_play.__doc__)
    parser.add_argument("--workdir", required=True, help="run folder holding checkpoints")
    parser.add_argument("--simulations", type=int, default=None, help="search simulations/move")
    parser.add_argument(
        "--first", choices=("human", "agent"), default="human", help="who makes the first move"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the initial state (pgx draws which player id starts)",
    )
    args = parser.parse_args(argv)
    from alphazero import play

    play.main(Path(args.workdir), args.simulations, args.first == "human", args.seed)


def _tree(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="alphazero tree", description="Draw one search tree as a PNG (docs/concepts.md)."
    )
    parser.add_argument("--workdir", default=None, help="trained run (default: untrained net)")
    parser.add_argument("--game", default="tic_tac_toe", help="game when no --workdir is given")
    parser.add_argument("--moves", default="", help="comma-separated actions played first")
    parser.add_argument("--simulations", type=int, default=32)
    parser.add_argument("--algorithm", choices=("puct", "gumbel"), default="puct")
    parser.add_argument("--depth", type=int, default=2, help="edges drawn below the root")
    parser.add_argument("--out", default="search_tree.png")
    args = parser.parse_args(argv)
    if args.simulations <= 0 or args.depth <= 0:
        _fail("--simulations and --depth must be positive")
    try:
        moves = [int(m) for m in args.moves.split(",") if m.strip()]
    except ValueError:
        _fail(f"--moves must be comma-separated integers, got {args.moves!r}")
    from alphazero import visualize

    out = visualize.tree_command(
        args.workdir, args.game, moves, args.simulations, args.algorithm, args.depth, args.out
    )
    print(f"wrote {out}")


def _gtp(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="alphazero gtp", description="Serve a trained Go agent over GTP v2 (stdin/stdout)."
    )
    parser.add_argument("--workdir", required=True, help="run folder of a Go run")
    parser.add_argument("--simulations", type=int, default=None, help="search simulations/move")
    parser.add_argument(
        "--resign-threshold",
        type=float,
        default=-0.95,
        help="resign when the root value (own view) stays below this",
    )
    parser.add_argument("--resign-moves", type=int, default=3, help="... for this many moves")
    parser.add_argument("--no-resign", action="store_true", help="never resign")
    parser.add_argument("--step", type=int, default=None, help="checkpoint (default: newest)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.simulations is not None and args.simulations <= 0:
        _fail("--simulations must be positive")
    if args.resign_moves <= 0:
        _fail("--resign-moves must be positive")
    from alphazero.agent import load_agent
    from alphazero.go import gtp

    agent = load_agent(Path(args.workdir), simulations=args.simulations, step=args.step)
    if not agent.config.game.startswith("go_"):
        _fail(f"gtp serves Go agents; {args.workdir} holds a {agent.config.game} run")
    threshold = None if args.no_resign else args.resign_threshold
    engine = gtp.Engine(agent, args.simulations, threshold, args.resign_moves, args.seed)
    gtp.serve(engine)


def _eval(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="alphazero eval",
        description="Play a Go agent against GNU Go (or random) and rate it (SGF, JSONL, Elo).",
    )
    parser.add_argument("--workdir", required=True, help="run folder of a Go run")
    parser.add_argument("--opponents", nargs="+", default=["gnugo-10"], help="gnugo-L or random")
    parser.add_argument("--num-games", type=int, default=20, help="games per opponent")
    parser.add_argument("--simulations", type=int, default=None, help="agent simulations/move")
    parser.add_argument("--parallel", type=int, default=8, help="games played at once")
    parser.add_argument("--out", default=None, help="folder for SGFs, games.jsonl, ratings.md")
    parser.add_argument("--step", type=int, default=None, help="checkpoint (default: newest)")
    parser.add_argument(
        "--inference-dtype",
        choices=("float32", "bfloat16"),
        default=None,
        help="network precision inside the agent's search (default: the run's)",
    )
    parser.add_argument(
        "--algorithm",
        choices=("puct", "gumbel"),
        default=None,
        help="the agent's search (default: the run's eval.algorithm)",
    )
    parser.add_argument(
        "--pass-rule",
        choices=("free", "tromp-taylor"),
        default="free",
        help="tromp-taylor: pass only to end a won game or with no move left but own-eye fills",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if min(args.num_games, args.parallel) <= 0 or (args.simulations or 1) <= 0:
        _fail("--num-games, --parallel and --simulations must be positive")
    from alphazero.agent import load_agent
    from alphazero.go import match, ratings
    from games import go

    try:
        opponents = [match.player(spec) for spec in args.opponents]
    except ValueError as error:
        _fail(str(error))
    agent = load_agent(
        Path(args.workdir), args.simulations, args.step, args.inference_dtype, args.algorithm
    )
    if not agent.config.game.startswith("go_"):
        _fail(f"eval plays Go agents; {args.workdir} holds a {agent.config.game} run")
    size, komi = int(agent.config.game.split("x")[-1]), go.komi(agent.env)
    name = f"agent-{agent.iteration}@{agent.config.search.num_simulations}"
    name += "-bf16" if agent.config.search.inference_dtype == "bfloat16" else ""
    name += f"-{agent.config.search.algorithm}" if args.algorithm else ""
    name += "-ttpass" if args.pass_rule == "tromp-taylor" else ""
    out = Path(args.out or Path(args.workdir) / "ladder")
    for i, opponent in enumerate(opponents):
        comment = f"agent {args.workdir} iteration {agent.iteration}; {opponent.name}"
        player = match.agent_player(agent, name, pass_rule=args.pass_rule)
        records = match.play(
            player, opponent, size, komi, args.num_games, out,
            seed=args.seed + 10_000 * i, parallel=args.parallel, comment=comment, progress=True,
        )  # fmt: skip
        wins = sum(r["winner"] == ("B" if r["black"] == name else "W") for r in records)
        flagged = sum(r["disagreement"] for r in records)
        print(f"{name} vs {opponent.name}: {wins}/{len(records)} wins, {flagged} disagreements")
    records = [json.loads(line) for line in (out / "games.jsonl").read_text().splitlines()]
    anchor = "gnugo-10" if any("gnugo-10" in (r["black"], r["white"]) for r in records) else None
    table = ratings.fit(records, anchor=anchor or records[0]["white"])
    (out / "ratings.md").write_text(ratings.markdown(table) + "\n")
    print(ratings.markdown(table))


def _exercise(argv: list[str]) -> None:
    from alphazero import exercises

    parser = argparse.ArgumentParser(
        prog="alphazero exercise", description="Graded exercises (docs/exercises.md)."
    )
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="list the exercises and their files")
    check = sub.add_parser("check", help="grade your solution of exercise N")
    check.add_argument("number", type=int)
    check.add_argument("--file", default=None, help="your file (default: the exercise's stub)")
    args = parser.parse_args(argv)
    try:
        if args.action == "list":
            for exercise in exercises.EXERCISES:
                print(f"{exercise.number}  {exercise.title:<52} {exercise.stub}")
            return
        code = exercises.check(args.number, args.file)
    except exercises.ExerciseError as error:
        _fail(str(error))
    if code:
        raise SystemExit(1)
    print(f"exercise {args.number}: all checks pass")


COMMANDS = {
    "train": _train,
    "play": _play,
    "tree": _tree,
    "gtp": _gtp,
    "eval": _eval,
    "exercise": _exercise,
}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print(__doc__.split("\n\n")[1])
        if argv and argv[0] not in ("-h", "--help"):
            _fail(f"unknown command {argv[0]!r}; use one of {', '.join(COMMANDS)}")
        return
    try:
        COMMANDS[argv[0]](argv[1:])
    except (config_lib.ConfigError, checkpoint.CheckpointError) as error:
        _fail(str(error))
    except KeyboardInterrupt:
        _fail("interrupted; the last checkpoint is kept")


if __name__ == "__main__":
    main()
