"""The outer loop: self-play -> targets -> replay -> learning -> evaluation -> checkpoint.

    alphazero.train.run(config, workdir)

`run` is plain Python a student can step through; each phase inside it is one jitted function
(`Phases`); the gradient step and both phases' optimisers are in learner.py. All state that
changes lives in one `LoopState`, checkpointed every `checkpoint_every` iterations, so `run` on
an existing workdir continues exactly where it stopped.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh
from tqdm.auto import tqdm

import games
from alphazero import (
    checkpoint,
    distributed,
    evaluate,
    hindsight,
    imitation,
    learner,
    metrics,
    replay,
    selfplay,
    targets,
    validation,
)
from alphazero.config import Config
from alphazero.types import IMITATION, RL, Counters, LoopState


class Phases(NamedTuple):
    """The jitted loop phases of one run."""

    play: Callable  # (params, key) -> Trajectory [T, B]
    store: Callable  # (replay_state, trajectory) -> (replay_state, selfplay metrics)
    update: Callable  # (train_state, replay_state, key) -> (train_state, metrics): one step


def make_phases(env, config: Config, mesh: Mesh | None = None) -> Phases:
    """The loop phases, jitted; with a `mesh`, games and samples are split over its devices
    (alphazero/distributed.py) and the state that comes out is replicated on all of them."""
    mesh = mesh or distributed.make_mesh(jax.devices()[:1])
    games = distributed.batch_sharding(mesh)  # B game slots / N samples over the devices
    replicated = distributed.replicated(mesh)

    def store(replay_state, trajectory):
        samples = targets.compute(trajectory, env.num_players, reply=config.network.reply_head)
        finished = jnp.sum(trajectory.done)
        stats = {
            "selfplay/games": finished,
            "selfplay/game_length": trajectory.done.size / jnp.maximum(finished, 1),
            "selfplay/root_value": trajectory.root_value.mean(),
            **selfplay.counts(trajectory, config),
        }
        replay_state = replay.add(replay_state, samples)
        if config.selfplay.hindsight:  # failed episodes, once more with the goal they reached
            relabelled, keep = hindsight.relabel(env, trajectory)
            replay_state = replay.add(replay_state, relabelled, keep)
            stats["selfplay/relabelled"] = keep.sum()
        return replay_state, stats

    def update(train_state, replay_state, key):
        sample_key, augment_key = jax.random.split(key)
        batch = replay.sample(replay_state, sample_key, config.train.batch_size)
        batch = distributed.constrain(batch, games)
        if config.train.augment:
            batch = targets.augment(augment_key, batch, env.id)
        return learner.train_step(train_state, batch, config)

    play = functools.partial(selfplay.play, env=env, config=config, games_sharding=games)
    return Phases(
        play=jax.jit(play, out_shardings=distributed.batch_sharding(mesh, axis=1)),
        store=jax.jit(store, donate_argnums=0, out_shardings=replicated),
        update=jax.jit(update, out_shardings=replicated),
    )


def learn(phases: Phases, train_state, replay_state, key, num_updates: int):
    """`num_updates` gradient steps on batches from the replay window: (train_state, metrics
    averaged, which steps the non-finite guard skipped [U] 0/1).

    A Python loop over one jitted step rather than a `lax.scan`: XLA:CPU runs convolution
    gradients inside a loop body several times slower (docs/benchmarks.md).
    """
    history = []
    for step_key in jax.random.split(key, num_updates):
        train_state, step_metrics = phases.update(train_state, replay_state, step_key)
        history.append(step_metrics)
    stacked = jax.tree.map(lambda *x: jnp.stack(x), *history)
    skipped = np.asarray(stacked.pop("skipped"))
    averaged = {f"train/{k}": jnp.mean(v) for k, v in stacked.items()}
    return train_state, {**averaged, "train/skipped_updates": skipped.sum()}, skipped


def _write_report(workdir: Path, loop: LoopState, metrics: dict, lines: list[str]) -> None:
    """workdir/report.json: the newest evaluation, for scripts and people."""
    report = {
        "iteration": int(loop.iteration),
        "positions": int(loop.counters.positions),
        "games": int(loop.counters.games),
        "wall_time_s": float(loop.counters.wall_time),
        "metrics": metrics,
        "lines": lines,
    }
    (workdir / "report.json").write_text(json.dumps(report, indent=2))


_TIMED_BAR = ("{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:g} min "
              "[{elapsed}<{remaining}{postfix}]")  # a time budget's bar counts minutes


def _keep_best(workdir: Path, params, iteration: int, elo: float) -> None:
    """workdir/best holds the network with the highest in-training Elo against GNU Go so far
    (`alphazero eval --step best`): a curve that falls later does not lose it."""
    best = checkpoint.read_best(workdir)
    if best is None or elo > best["elo"]:
        checkpoint.save_best(workdir, params, iteration, elo)


def run(config: Config, workdir: str | Path, *, progress: bool = True) -> dict[str, float]:
    """Trains (or continues training) in `workdir`; returns the last evaluation's metrics."""
    validation.validate(config)
    workdir = Path(workdir)
    checkpoint.prepare_workdir(workdir, config)
    env = games.make(config.game)
    mesh = distributed.make_mesh()  # every device of every host; one device on a plain CPU run
    distributed.check_divisible(config.selfplay.num_games, mesh, "selfplay.num_games")
    distributed.check_divisible(config.train.batch_size, mesh, "train.batch_size")
    phases = make_phases(env, config, mesh)
    manager = checkpoint.manager(workdir)
    if manager.latest_step() is not None:  # RL has begun (after imitation, if any)
        rl = learner.init_loop_state(env, config, RL)
        loop = checkpoint.restore(manager, rl, with_replay=config.replay.in_checkpoint,
                                  fallback=True)  # fmt: skip
    else:
        loop = learner.init_loop_state(env, config)
    loop = distributed.replicate(loop, mesh)
    main = distributed.is_main_process()  # one host writes logs, config and reports
    if main:
        checkpoint.write_config(workdir, config)
    writer = metrics.Writer(workdir, enabled=main)
    last = config.train.num_iterations

    # Imitation (with --imitation): supervised on expert games, then RL from those weights.
    if int(loop.phase) == IMITATION:
        loop = imitation.run(config, env, loop, workdir, writer, progress=progress and main)
        loop = distributed.replicate(loop, mesh)
        checkpoint.save(manager, loop, with_replay=config.replay.in_checkpoint)  # RL iteration 0

    budget_s = 60 * config.train.max_minutes or float("inf")

    def remaining(loop: LoopState) -> bool:
        return int(loop.iteration) < last and float(loop.counters.wall_time) < budget_s

    if not remaining(loop):  # a finished run resumed: nothing to compile or do
        writer.close()
        return {}

    # Compile self-play ahead of time, so its compile time is measured on its own.
    start = time.perf_counter()
    play = phases.play.lower(loop.train_state.params, loop.key).compile()
    compile_s = time.perf_counter() - start
    writer.scalars({"perf/compile_s": compile_s}, int(loop.iteration))

    updates = learner.updates_per_iteration(config)
    # The bar counts iterations, or minutes of the run's wall time under a time budget.
    timed = bool(config.train.max_minutes)
    done = float(loop.counters.wall_time) / 60 if timed else int(loop.iteration)
    bar = tqdm(total=config.train.max_minutes if timed else last, initial=done,
               unit="min" if timed else "it", disable=not (progress and main),
               desc=config.game, bar_format=_TIMED_BAR if timed else None)  # fmt: skip
    report: dict[str, float] = {}
    streak = 0  # consecutive updates skipped by the non-finite guard
    while remaining(loop):
        start = time.perf_counter()
        key, play_key, learn_key = jax.random.split(loop.key, 3)
        iteration = int(loop.iteration) + 1

        # Self-play.
        trajectory = play(loop.train_state.params, play_key)
        jax.block_until_ready(trajectory)
        selfplay_s = time.perf_counter() - start

        # Targets and replay.
        replay_state, selfplay_metrics = phases.store(loop.replay_state, trajectory)

        # Learning.
        learn_start = time.perf_counter()
        train_state, train_metrics, skipped = learn(
            phases, loop.train_state, replay_state, learn_key, updates
        )
        learn_s = time.perf_counter() - learn_start
        streak = learner.skip_streak(streak, skipped, config.train.max_skipped_updates,
                                     f"iteration {iteration}")  # fmt: skip

        positions = trajectory.done.size
        finished = selfplay_metrics["selfplay/games"].astype(jnp.int32)
        logged = {**selfplay_metrics, **train_metrics}

        # Evaluation: on schedule, and at the iteration that ends a time budget.
        lines = []
        spent = float(loop.counters.wall_time) + time.perf_counter() - start
        if learner.due(iteration, config.eval.every, last) or spent >= budget_s:
            eval_key = jax.random.fold_in(jax.random.PRNGKey(config.seed + 1), iteration)
            eval_metrics, lines = evaluate.evaluate(
                train_state.evaluation_params, eval_key, env, config.eval, config.search,
                out_dir=workdir / "eval" / f"{iteration:05d}" if main else None,
            )  # fmt: skip
            logged.update(eval_metrics)
            report = {k: float(v) for k, v in eval_metrics.items()}
            if main and "eval/elo" in report:  # Go against GNU Go: keep the best network
                _keep_best(workdir, train_state.evaluation_params, iteration, report["eval/elo"])
            if main and lines:
                bar.write(f"[iteration {iteration}] " + "; ".join(lines))

        # Logging. Wall time counts everything in the iteration (evaluation included).
        counters = Counters(
            positions=loop.counters.positions + positions,
            games=loop.counters.games + finished,
            wall_time=loop.counters.wall_time + (time.perf_counter() - start),
        )
        loop = loop._replace(train_state=train_state, replay_state=replay_state, key=key,
                             iteration=jnp.int32(iteration), counters=counters)  # fmt: skip
        loop = distributed.replicate(loop, mesh)  # new scalars too: every host saves the same
        if lines and main:
            _write_report(workdir, loop, report, lines)
        logged.update(
            {
                "selfplay/positions": counters.positions,
                "train/updates": train_state.step,
                "train/replay_size": replay_state.size,
                "perf/selfplay_s": selfplay_s,
                "perf/learn_s": learn_s,
                "perf/positions_per_s": positions / selfplay_s,
                "perf/samples_per_s": updates * config.train.batch_size / learn_s,
                "perf/iteration_s": time.perf_counter() - start,
                "perf/wall_time_s": counters.wall_time,
            }
        )
        writer.scalars(logged, iteration)
        bar.set_postfix(it=iteration, loss=f"{float(train_metrics['train/loss']):.3f}",
                        refresh=False)  # fmt: skip
        bar.update(min(float(counters.wall_time) / 60, bar.total) - bar.n if timed else 1)

        # Checkpoint (also when the time budget stops the run here).
        out_of_time = float(counters.wall_time) >= budget_s
        if learner.due(iteration, config.checkpoint_every, last) or out_of_time:
            checkpoint.save(manager, loop, with_replay=config.replay.in_checkpoint)
    bar.close()
    writer.close()
    return report
