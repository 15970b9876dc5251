"""The `alphazero` command: the only module that reads the command line.

    alphazero train [--preset NAME] [--workdir DIR] [--<section>.<field> VALUE ...]
    alphazero play --workdir DIR [--simulations N] [--first human|agent]
    alphazero tree [--moves A,B,...] [--workdir DIR] [--simulations N] [--out tree.png]
    alphazero gtp --workdir DIR [--simulations N] [--resign-threshold V | --no-resign]
    alphazero eval --workdir DIR [--opponents gnugo-10 ...] [--num-games N] [--out DIR]
    alphazero sgf export GAMES.jsonl --out DIR [--games 0 5 7] | check GAMES.jsonl ...
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
import time
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


def _prepare_output(path: Path) -> None:
    """Creates `path`'s folder if needed, before any work; one line and exit 2 if it cannot be
    created or written."""
    try:
        checkpoint.check_writable(path.absolute().parent, what="folder")
    except checkpoint.CheckpointError as error:
        _fail(f"cannot write {path}: {error}")


def _train(argv: list[str]) -> None:
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--preset", default=None)
    first.add_argument("--workdir", default=None)
    known, _ = first.parse_known_args(argv)
    preset = known.preset or "tic_tac_toe"
    workdir = known.workdir or f"runs/{preset}"
    if preset not in presets.PRESETS:
        _fail(f"unknown preset {preset!r}; available: {', '.join(presets.PRESETS)}")
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
    parser.add_argument("--step", type=_step, default=None, help=STEP_HELP)
    args = parser.parse_args(argv)
    from alphazero import play

    play.main(Path(args.workdir), args.simulations, args.first == "human", args.seed,
              step=args.step)  # fmt: skip


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
    _prepare_output(Path(args.out))  # before the search, not after it
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
    parser.add_argument("--step", type=_step, default=None, help=STEP_HELP)
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


STEP_HELP = "checkpoint: an iteration, or best (Go: best in-training Elo); default: newest"


def _step(text: str) -> int | str:
    """--step: an iteration number or "best"."""
    if text == "best":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an iteration or 'best': {text!r}") from None


def _eval(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="alphazero eval",
        description="Play a trained agent against fixed opponents: Go through the match runner "
        "(GNU Go, random; JSONL and Elo), other games in the arena (W/D/L, 95% intervals).",
    )
    parser.add_argument("--workdir", required=True, help="run folder")
    parser.add_argument("--opponents", nargs="+", default=None,
                        help="Go: gnugo-L or random (default gnugo-10); others: random, policy, "
                        "minimax, alphabeta-D (default random)")  # fmt: skip
    parser.add_argument("--num-games", type=int, default=20, help="games per opponent")
    parser.add_argument("--simulations", type=int, default=None, help="agent simulations/move")
    parser.add_argument("--step", type=_step, default=None, help=STEP_HELP)
    parser.add_argument("--inference-dtype", choices=("float32", "bfloat16"), default=None,
                        help="network precision inside the agent's search (default: the run's)")
    parser.add_argument("--algorithm", choices=("puct", "gumbel"), default=None,
                        help="the agent's search (default: the run's eval.algorithm)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="Go: folder for games.jsonl and ratings.md "
                        "(default WORKDIR/ladder); others: a .json file for the results")
    parser.add_argument("--parallel", type=int, default=8, help="Go: games played at once")
    parser.add_argument("--pass-rule", choices=("free", "settle", "tromp-taylor"), default=None,
                        help="Go: root moves the agent may not choose (see eval.pass_rule; "
                        "default: the run's)")  # fmt: skip
    parser.add_argument("--random-symmetry", action=argparse.BooleanOptionalAction, default=None,
                        help="the agent's search sees each position under a random board "
                        "symmetry (default: the run's eval.random_symmetry)")  # fmt: skip
    parser.add_argument("--turn-engine", action=argparse.BooleanOptionalAction, default=None,
                        help="Go: GNU Go sees each game's board turned by one of the 8 "
                        "symmetries (default: the run's eval.turn_engine)")  # fmt: skip
    parser.add_argument("--opening-samples", type=int, default=None,
                        help="Go: the agent's first N moves are sampled from pi (default: the "
                        "run's eval.opening_samples)")  # fmt: skip
    args = parser.parse_args(argv)
    if min(args.num_games, args.parallel) <= 0 or (args.simulations or 1) <= 0:
        _fail("--num-games, --parallel and --simulations must be positive")
    if (args.opening_samples or 0) < 0:
        _fail("--opening-samples must be >= 0")
    from alphazero.agent import load_agent

    agent = load_agent(Path(args.workdir), args.simulations, args.step, args.inference_dtype,
                       args.algorithm, args.random_symmetry)  # fmt: skip
    go = agent.config.game.startswith("go_")
    if args.out:  # before the games, not after them
        _prepare_output(Path(args.out) / "games.jsonl" if go else Path(args.out))
    try:
        if go:
            from alphazero.go import ladder, ratings

            pass_rule = args.pass_rule or agent.config.eval.pass_rule
            opening = agent.config.eval.opening_samples if args.opening_samples is None else (
                args.opening_samples)  # fmt: skip
            name = ladder.agent_name(agent, bool(args.algorithm), pass_rule, opening)
            out = args.out or Path(args.workdir) / "ladder"
            table = ladder.rate(
                agent, args.opponents or ["gnugo-10"], args.num_games, out, seed=args.seed,
                parallel=args.parallel, pass_rule=pass_rule, opening_samples=opening,
                turned=args.turn_engine, name=name, source=args.workdir,
            )  # fmt: skip
            print(ratings.markdown(table))
        else:
            _eval_arena(agent, args)
    except ValueError as error:  # an unknown opponent, an unwritable --out
        _fail(str(error))


def _eval_arena(agent, args) -> None:
    from alphazero import evaluate

    opponents = args.opponents or ["random"]
    for name in opponents:
        evaluate.opponent(name)  # ValueError before any game for an unknown name
    results = evaluate.against(agent, opponents, args.num_games, args.seed)
    search = agent.config.search
    for name, result in results.items():
        low, high = result["score_95ci"]
        print(f"{search.algorithm}@{search.num_simulations} vs {name}: {result['line']}; "
              f"score {result['score']:.3f} [{low:.3f}, {high:.3f}]")  # fmt: skip
    if args.out:
        out = {"workdir": args.workdir, "iteration": agent.iteration,
               "simulations": search.num_simulations, "algorithm": search.algorithm,
               "inference_dtype": search.inference_dtype, "num_games": args.num_games,
               "date": time.strftime("%Y-%m-%d"), "results": results}  # fmt: skip
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(out, indent=2) + "\n")


def _sgf(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="alphazero sgf",
        description="Go games kept as JSON lines: SGF files on demand, and a replay check.",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    export = sub.add_parser("export", help="write games of a .jsonl file as SGF files")
    export.add_argument("file", metavar="GAMES.jsonl", help="games as alphazero eval writes them")
    export.add_argument("--out", required=True, help="folder for the .sgf files (created)")
    export.add_argument("--games", type=int, nargs="+", default=None,
                        help="line numbers of the games, from 0 (default: every game)")  # fmt: skip
    check = sub.add_parser("check", help="replay each game with the pgx referee; 1 if one fails")
    check.add_argument("files", metavar="GAMES.jsonl", nargs="+")
    args = parser.parse_args(argv)
    from alphazero.go import sgf

    if args.action == "check":
        failed = [_check_games(Path(path)) for path in args.files]
        raise SystemExit(1 if any(failed) else 0)
    records = _read_games(Path(args.file))
    lines = list(range(len(records)) if args.games is None else args.games)
    if not records or any(not 0 <= i < len(records) for i in lines):
        _fail(f"{args.file} has {len(records)} games; --games takes line numbers from 0")
    try:
        written = sgf.export(records, args.out, lines)
    except (KeyError, TypeError, ValueError) as error:
        _fail(f"{args.file}: a game without a readable move list ({error})")
    print(f"{len(written)} SGF files in {args.out}")


def _read_games(path: Path) -> list[dict]:
    from alphazero.go import records

    if not path.is_file():
        _fail(f"{path}: no such file")
    try:
        return records.read_games(path)
    except (json.JSONDecodeError, UnicodeDecodeError):
        _fail(f"{path}: not a .jsonl file of game records")


def _check_games(path: Path) -> bool:
    from alphazero.go import records

    lines, failed = records.check_report(path, _read_games(path))
    print("\n".join(lines))
    return failed


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
    "sgf": _sgf,
    "exercise": _exercise,
}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if hasattr(sys.stdin, "reconfigure"):  # play and gtp: undecodable bytes are bad input, not
        sys.stdin.reconfigure(errors="replace")  # a UnicodeDecodeError (strict under UTF-8 locales)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print(__doc__.split("\n\n")[1])
        if argv and argv[0] not in ("-h", "--help"):
            _fail(f"unknown command {argv[0]!r}; use one of {', '.join(COMMANDS)}")
        return
    try:
        COMMANDS[argv[0]](argv[1:])
    except (config_lib.ConfigError, checkpoint.CheckpointError) as error:  # learner.Diverged too
        _fail(str(error))
    except OSError as error:  # a missing or unwritable path, a full disk: what is saved stays
        where = f": {error.filename}" if error.filename else ""
        _fail(f"{error.strerror or error}{where}; nothing saved before was changed")
    except KeyboardInterrupt:
        _fail("interrupted; the last checkpoint is kept")


if __name__ == "__main__":
    main()
