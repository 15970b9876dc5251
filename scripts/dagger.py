"""DAgger after imitation: the expert labels the positions the learner itself reaches.

Behaviour cloning (the imitation phase) learns the expert's moves in the expert's positions. The
agent then plays into positions the expert never reached, and its mistakes compound there. DAgger
(Ross, Gordon and Bagnell 2011, "A reduction of imitation learning and structured prediction to
no-regret online learning") lets the learner play, asks the expert what it would have done in
each position the learner met, adds those answers to the data and trains again. One round here
(docs/deviations.md):

    1. games: the agent's recorded games (the games.jsonl files `alphazero eval` writes, one line
       per game with its moves), each distinct move sequence once;
    2. label: GNU Go at `--level` replays each game over GTP and, in every position where the
       agent was to move, answers `reg_genmove` (the move it would play, not played). One JSON
       line per game in `--labels` (demonstrations.py's format: `targets` lists GNU Go's move at
       the agent's positions and nothing at the opponent's; no outcome, so no value target);
       resumable, a game already labelled is skipped;
    3. values (with `--values FILE`): GNU Go also answers `estimate_score` in every position of
       those games (both sides to move); tanh(margin / `--value-scale`) from the mover's view
       becomes the position's value target, and the expert games' outcomes are no longer used
       as value targets (their value head memorises a thousand results; docs/results.md);
    4. train: from the imitation weights with a fresh optimiser, `--steps` steps on batches of
       half expert positions (policy, and value unless `--values`) and half learner positions;
       the result is an ordinary run in `--out` (`alphazero eval --workdir OUT`), with a report
       (held-out expert and learner-position agreement, value errors) in OUT/report.json.
       Resumable from its checkpoints.

    python scripts/dagger.py --workdir runs/go_9x9_imitation \\
        --games runs/go_9x9_imitation/ladder/games.jsonl \\
        --labels runs/go_9x9_dagger/labels.jsonl --out runs/go_9x9_dagger
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jax
import numpy as np
import tyro
from tqdm.auto import tqdm

from alphazero import checkpoint, imitation
from alphazero.go import sgf
from alphazero.go.gtp_client import EngineError, GtpClient, gnugo_command
from alphazero.go.records import read_games
from games import go
from games import go_coordinates as coords


@dataclasses.dataclass(frozen=True)
class Args:
    workdir: Path
    """The imitation run (its `imitation/` checkpoints and config.json)."""
    games: tuple[Path, ...]
    """Games files of the agent's games (games.jsonl, as `alphazero eval` writes them)."""
    labels: Path
    """JSON-lines file of labelled games (created; appended to, so an interrupted run goes on)."""
    out: Path
    """Where the new run goes (created; an existing run there is resumed, never overwritten)."""
    level: int = 10
    """GNU Go level of the expert (the imitation data's: 10)."""
    workers: int = 2
    """GNU Go processes labelling at once (one per CPU core)."""
    max_games: int = 0
    """Label at most this many distinct games (0: all of them)."""
    steps: int = 1000
    """Gradient steps of the training stage (batch: the run's train.batch_size)."""
    learning_rate: float = 3e-4
    """Peak AdamW step size of the training stage (cosine to 10%)."""
    held_out_fraction: float = 0.1
    """Share of the labelled games kept out of training, to measure agreement with the expert."""
    values: Path | None = None
    """JSON-lines file of GNU Go's score estimates of every position of the labelled games
    (created, resumable); with it the value learns these instead of expert-game outcomes."""
    value_scale: float = 5.0
    """Value target = tanh(estimated area margin / this), mover's view (points)."""


def learner_games(files: tuple[Path, ...]) -> list[dict]:
    """Each distinct (moves, agent colour) among the games of the files, in file order: dicts
    with `source` ("FILE#LINE", the line from 0), `moves` (pgx actions) and `colour` ('b' or 'w',
    the agent's)."""
    seen, out = set(), []
    for path in files:
        for i, record in enumerate(read_games(path)):
            colour = "b" if record["black"].startswith("agent") else "w"
            moves = sgf.record_to_game(record).moves
            if (key := (colour, tuple(moves))) not in seen:
                seen.add(key)
                out.append({"source": f"{path}#{i}", "moves": moves, "colour": colour})
    return out


def _replay_asking(game: dict, level: int, size: int, komi: float, ask) -> list | None:
    """Replays `game` in a fresh GNU Go; `ask(engine, i, colour)` is called before move i and its
    answers are returned (None if the engine refused a move of the game)."""
    answers = []
    try:
        with GtpClient(gnugo_command(level, size, komi, seed=0)) as engine:
            for i, action in enumerate(game["moves"]):
                colour = "b" if i % 2 == 0 else "w"
                answers.append(ask(engine, i, colour))
                engine.send(f"play {colour} {coords.action_to_gtp(action, size)}")
    except (EngineError, coords.CoordinateError):
        return None
    return answers


def label(job: tuple[dict, int, str, int, float]) -> dict | None:
    """GNU Go's move in every position of the game where the agent moved (a JSON-lines record
    for demonstrations.load), or None if the engine refused a move of the game."""
    game, level, game_id, size, komi = job

    def ask(engine, i, colour):
        if colour != game["colour"]:
            return []
        reply = engine.send(f"reg_genmove {colour}").lower()
        return [] if reply == "resign" else [coords.gtp_to_action(reply, size)]

    targets = _replay_asking(game, level, size, komi, ask)
    if targets is None:
        return None
    return {"game": game_id, "moves": game["moves"], "targets": targets, "outcome": None,
            "source": game["source"]}  # fmt: skip


def black_margin(reply: str) -> float:
    """GNU Go's `estimate_score` reply ("B+6.8 (upper bound: ...)", "W+2.5 ...", "0") as
    Black's margin in points."""
    score = reply.split()[0].upper()
    return 0.0 if "+" not in score else float(score[2:]) * (1 if score[0] == "B" else -1)


def estimate(job: tuple[dict, int, str, int, float]) -> dict | None:
    """GNU Go's estimate of Black's area margin before every move of the game."""
    game, level, _, size, komi = job

    def ask(engine, i, colour):
        return black_margin(engine.send("estimate_score"))

    margins = _replay_asking(game, level, size, komi, ask)
    return None if margins is None else {"source": game["source"], "black_margin": margins}


def label_all(args: Args, todo: list[dict], path: Path, fn, desc: str, *where):
    """Runs `fn` (label or estimate) on the games of `todo` not yet in `path`, appending one line
    per game as it finishes (a killed run keeps every finished game). `where`: the game's id,
    board size and komi."""
    done = set()
    if path.exists():
        done = {json.loads(line)["source"] for line in path.read_text().splitlines()}
    todo = [g for g in todo if g["source"] not in done]
    if args.max_games:
        todo = todo[: max(0, args.max_games - len(done))]
    path.parent.mkdir(parents=True, exist_ok=True)
    refused = 0
    jobs = [(g, args.level, *where) for g in todo]
    # Threads suffice: each waits on its own GNU Go process, which does the thinking.
    with ThreadPoolExecutor(args.workers) as pool, path.open("a") as lines:
        for record in tqdm(pool.map(fn, jobs), total=len(jobs), desc=desc):
            if record is None:
                refused += 1
                continue
            lines.write(json.dumps(record) + "\n")
            lines.flush()
    if refused:
        print(f"{refused} games skipped: GNU Go refused one of their moves")


def learner_dataset(args: Args, env) -> imitation.Dataset:
    """The labelled learner positions (with GNU Go's values where `args.values`): rows with a
    policy or a value target."""
    records = [json.loads(line) for line in args.labels.read_text().splitlines()]
    path = args.labels
    if args.values is not None:
        margins = {}
        for line in args.values.read_text().splitlines():
            margins[json.loads(line)["source"]] = json.loads(line)["black_margin"]
        for record in records:
            black = margins.get(record["source"])
            if black is not None:  # the mover's view: Black moves first
                signs = np.where(np.arange(len(black)) % 2 == 0, 1.0, -1.0)
                record["values"] = np.tanh(signs * np.asarray(black) / args.value_scale).tolist()
        path = args.out / "learner.jsonl"
        path.write_text("".join(json.dumps(record) + "\n" for record in records))
    learner = imitation.load(path, env)
    useful = (learner.samples.action_weights.sum(1) > 0) | (learner.samples.mask > 0)
    return learner.subset(useful)


def main(args: Args) -> None:
    missing = [str(f) for f in args.games if not f.is_file()]
    if missing:
        sys.exit(f"error: no games file {', '.join(missing)}")
    try:
        config, env, start = imitation.fine_tune_start(
            args.workdir, args.out, "dagger", args.steps, args.learning_rate
        )
    except ValueError as error:
        sys.exit(f"error: {error}")
    if not config.game.startswith("go_"):
        sys.exit(f"error: DAgger here asks GNU Go; {args.workdir} holds a {config.game} run")
    size = env.observation_shape[0]
    where, todo = (config.game, size, go.komi(env)), learner_games(args.games)
    label_all(args, todo, args.labels, label, "labelling moves", *where)
    if args.values is not None:
        label_all(args, todo, args.values, estimate, "estimating scores", *where)
    args.out.mkdir(parents=True, exist_ok=True)
    shutil.copy(args.workdir / "config.json", args.out / "config.json")
    expert, held_expert = imitation.split(
        imitation.load(config.imitation, env), config.supervised.validation_fraction, config.seed
    )
    learner, held_learner = imitation.split(learner_dataset(args, env), args.held_out_fraction,
                                            config.seed)  # fmt: skip
    expert_samples = expert.samples
    if args.values is not None:  # the value learns GNU Go's estimates, not expert outcomes
        expert_samples = expert_samples._replace(mask=np.zeros_like(expert_samples.mask))
    print(f"{len(learner.game)} learner positions labelled by GNU Go level {args.level} "
          f"({learner.num_games} games), {len(held_learner.game)} held out; "
          f"{len(expert.game)} expert positions")  # fmt: skip
    manager = checkpoint.manager(args.out, folder="dagger")
    key = jax.random.PRNGKey(config.seed + 1)
    loop = imitation.fine_tune(start, [expert_samples, learner.samples], config, manager,
                               args.steps, key, desc="DAgger training")  # fmt: skip
    report = {}
    for name, state in (("imitation", start), ("dagger", loop)):
        params = state.train_state.evaluation_params
        on_expert = imitation.evaluate(params, held_expert)
        on_learner = imitation.evaluate(params, held_learner)
        report[name] = {"expert_top1": on_expert["top1"], "expert_value_mse":
                        on_expert["value_mse"], "learner_top1": on_learner["top1"],
                        "learner_top1_low": on_learner["top1_low"],
                        "learner_top1_high": on_learner["top1_high"],
                        "learner_value_mse": on_learner["value_mse"]}  # fmt: skip
    report["positions"] = {"learner_train": int(len(learner.game)),
                           "learner_held_out": int(len(held_learner.game)),
                           "expert_train": int(len(expert.game))}  # fmt: skip
    print(json.dumps(report, indent=1))
    (args.out / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    checkpoint.save(checkpoint.manager(args.out), imitation.hand_over(loop, config),
                    with_replay=config.replay.in_checkpoint, step=0)  # fmt: skip


if __name__ == "__main__":
    main(tyro.cli(Args))
