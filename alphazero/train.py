"""The learner and the outer loop: self-play -> targets -> replay -> learning -> evaluation.

    alphazero.train.run(config, workdir)

`run` is plain Python a student can step through; each phase inside it is one jitted function
(`Phases`). All state that changes lives in one `LoopState`, checkpointed every
`checkpoint_every` iterations, so `run` on an existing workdir continues exactly where it stopped.
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
import optax
from jax.sharding import Mesh
from tqdm.auto import tqdm

import games
from alphazero import (
    checkpoint,
    distributed,
    evaluate,
    losses,
    metrics,
    networks,
    replay,
    selfplay,
    targets,
)
from alphazero import config as config_lib
from alphazero.config import Config
from alphazero.types import IMITATION, RL, Counters, LoopState, Samples, TrainState


def learning_rate_schedule(config: Config) -> optax.Schedule:
    """Step size as a function of the update count, over the run's planned updates.

    Raising `train.num_iterations` on resume stretches a cosine schedule to the new length.
    """
    tc = config.train
    if tc.learning_rate_schedule == "constant":
        return optax.constant_schedule(tc.learning_rate)
    total = max(1, config.train.num_iterations * updates_per_iteration(config))
    return optax.cosine_decay_schedule(tc.learning_rate, total, tc.final_learning_rate_fraction)


def make_optimizer(config: Config) -> optax.GradientTransformation:
    tc = config.train
    if tc.learning_rate_schedule == "constant":  # a float: no schedule counter in the state
        return optax.adamw(tc.learning_rate, weight_decay=tc.weight_decay)
    return optax.adamw(learning_rate_schedule(config), weight_decay=tc.weight_decay)


def create_train_state(key: jax.Array, env, config: Config, phase: int = RL) -> TrainState:
    """Fresh parameters and the optimiser state of `phase` (IMITATION or RL)."""
    params = networks.init(key, env, config.network)
    optimizer = make_optimizer(config)
    if phase == IMITATION:
        from alphazero import imitation  # it builds on this module's learner

        optimizer, _ = imitation.make_optimizer(config)
    opt_state = jax.jit(optimizer.init)(params)  # one compile, not one per parameter shape
    ema_params = params if config.train.ema_decay > 0 else None
    return TrainState(params, opt_state, jnp.int32(0), ema_params)


def train_step(
    train_state: TrainState,
    batch: Samples,
    config: Config,
    optimizer: optax.GradientTransformation | None = None,
    schedule: optax.Schedule | None = None,
):
    """One gradient step on `batch` [N]: (train_state, metrics). The RL optimiser unless another
    one (and its schedule, for the log) is given, as the imitation phase does."""
    optimizer = optimizer or make_optimizer(config)
    schedule = schedule or learning_rate_schedule(config)
    grad_fn = jax.grad(losses.loss, has_aux=True)
    grads, step_metrics = grad_fn(train_state.params, batch, config.train.value_loss_weight)
    updates, opt_state = optimizer.update(grads, train_state.opt_state, train_state.params)
    params = optax.apply_updates(train_state.params, updates)
    step_metrics["learning_rate"] = schedule(train_state.step)
    ema_params = train_state.ema_params
    if ema_params is not None:  # Polyak averaging: ema <- decay * ema + (1 - decay) * params
        ema_params = optax.incremental_update(params, ema_params, 1 - config.train.ema_decay)
    return TrainState(params, opt_state, train_state.step + 1, ema_params), step_metrics


def updates_per_iteration(config: Config) -> int:
    """Gradient steps per iteration so each new position is sampled `reuse` times on average."""
    new_positions = config.selfplay.num_games * config.selfplay.num_moves
    return max(1, round(config.replay.reuse * new_positions / config.train.batch_size))


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
        samples = targets.compute(trajectory, env.num_players)
        finished = jnp.sum(trajectory.done)
        stats = {
            "selfplay/games": finished,
            "selfplay/game_length": trajectory.done.size / jnp.maximum(finished, 1),
            "selfplay/root_value": trajectory.root_value.mean(),
        }
        return replay.add(replay_state, samples), stats

    def update(train_state, replay_state, key):
        sample_key, augment_key = jax.random.split(key)
        batch = replay.sample(replay_state, sample_key, config.train.batch_size)
        batch = distributed.constrain(batch, games)
        if config.train.augment:
            batch = targets.augment(augment_key, batch, env.id)
        return train_step(train_state, batch, config)

    play = functools.partial(selfplay.play, env=env, config=config, games_sharding=games)
    return Phases(
        play=jax.jit(play, out_shardings=distributed.batch_sharding(mesh, axis=1)),
        store=jax.jit(store, donate_argnums=0, out_shardings=replicated),
        update=jax.jit(update, out_shardings=replicated),
    )


def learn(phases: Phases, train_state, replay_state, key, num_updates: int):
    """`num_updates` gradient steps on batches from the replay window; metrics averaged.

    A Python loop over one jitted step rather than a `lax.scan`: XLA:CPU runs convolution
    gradients inside a loop body several times slower (docs/benchmarks.md).
    """
    history = []
    for step_key in jax.random.split(key, num_updates):
        train_state, step_metrics = phases.update(train_state, replay_state, step_key)
        history.append(step_metrics)
    averaged = jax.tree.map(lambda *x: jnp.mean(jnp.stack(x)), *history)
    return train_state, {f"train/{k}": v for k, v in averaged.items()}


def init_loop_state(env, config: Config, phase: int | None = None) -> LoopState:
    """The state a run starts from, in `phase` (default: the run's first phase); with
    `phase=RL` also the template to restore an RL checkpoint into."""
    phase = (IMITATION if config.imitation else RL) if phase is None else phase
    key, net_key, example_key = jax.random.split(jax.random.PRNGKey(config.seed), 3)
    train_state = create_train_state(net_key, env, config, phase)
    example = jax.eval_shape(
        lambda: targets.compute(selfplay.play(train_state.params, example_key, env, config))
    )
    example = jax.jit(lambda: jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), example))()
    return LoopState(
        train_state=train_state,
        replay_state=replay.init(example, config.replay.capacity),
        key=key,
        iteration=jnp.int32(0),
        counters=Counters(jnp.int32(0), jnp.int32(0), jnp.float32(0.0)),
        phase=jnp.int32(phase),
        imitation_step=jnp.int32(0),
    )


def prepare_workdir(workdir: Path, config: Config) -> None:
    """Checks the workdir can take this run; refuses config changes that break a resume.

    Writes nothing but a probe file: config.json is (re)written by `run` only after the newest
    checkpoint restored cleanly, so a failed start leaves the workdir exactly as it was.
    """
    checkpoint.check_writable(workdir)
    stored = checkpoint.read_config(workdir)
    if stored is not None:
        changed = [
            f for f in config_lib.diff(stored, config) if f not in config_lib.RESUMABLE_FIELDS
        ]
        if changed:
            raise config_lib.ConfigError(
                f"{workdir} holds a run with a different config ({', '.join(changed)}); "
                "use a new workdir, or change only " + ", ".join(config_lib.RESUMABLE_FIELDS)
            )


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


def _due(iteration: int, every: int, last: int) -> bool:
    return iteration == last or (every > 0 and iteration % every == 0)


def run(config: Config, workdir: str | Path, *, progress: bool = True) -> dict[str, float]:
    """Trains (or continues training) in `workdir`; returns the last evaluation's metrics."""
    config_lib.validate(config)
    workdir = Path(workdir)
    prepare_workdir(workdir, config)
    env = games.make(config.game)
    mesh = distributed.make_mesh()  # every device of every host; one device on a plain CPU run
    distributed.check_divisible(config.selfplay.num_games, mesh, "selfplay.num_games")
    distributed.check_divisible(config.train.batch_size, mesh, "train.batch_size")
    phases = make_phases(env, config, mesh)
    manager = checkpoint.manager(workdir)
    loop = init_loop_state(env, config)
    if manager.latest_step() is not None:  # RL has begun (after imitation, if any)
        rl = init_loop_state(env, config, RL)
        loop = checkpoint.restore(manager, rl, with_replay=config.replay.in_checkpoint)
    loop = distributed.replicate(loop, mesh)
    main = distributed.is_main_process()  # one host writes logs, config and reports
    if main:
        checkpoint.write_config(workdir, config)
    writer = metrics.Writer(workdir, enabled=main)
    last = config.train.num_iterations

    # Imitation (with --imitation): supervised on expert games, then RL from those weights.
    if int(loop.phase) == IMITATION:
        from alphazero import imitation  # it builds on this module's learner

        loop = imitation.run(config, env, loop, workdir, writer, progress=progress and main)
        loop = distributed.replicate(loop, mesh)
        checkpoint.save(manager, loop, with_replay=config.replay.in_checkpoint)  # RL iteration 0

    # Compile self-play ahead of time, so its compile time is measured on its own.
    start = time.perf_counter()
    play = phases.play.lower(loop.train_state.params, loop.key).compile()
    compile_s = time.perf_counter() - start
    writer.scalars({"perf/compile_s": compile_s}, int(loop.iteration))

    updates = updates_per_iteration(config)
    bar = tqdm(
        total=last, initial=int(loop.iteration), disable=not (progress and main), desc=config.game
    )
    report: dict[str, float] = {}
    budget_s = 60 * config.train.max_minutes or float("inf")
    while int(loop.iteration) < last and float(loop.counters.wall_time) < budget_s:
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
        train_state, train_metrics = learn(
            phases, loop.train_state, replay_state, learn_key, updates
        )
        jax.block_until_ready(train_state)
        learn_s = time.perf_counter() - learn_start

        positions = trajectory.done.size
        finished = selfplay_metrics["selfplay/games"].astype(jnp.int32)
        logged = {**selfplay_metrics, **train_metrics}

        # Evaluation.
        lines = []
        if _due(iteration, config.eval.every, last):
            eval_key = jax.random.fold_in(jax.random.PRNGKey(config.seed + 1), iteration)
            eval_metrics, lines = evaluate.evaluate(
                train_state.evaluation_params, eval_key, env, config.eval, config.search,
                out_dir=workdir / "eval" / f"{iteration:05d}" if main else None,
            )  # fmt: skip
            logged.update(eval_metrics)
            report = {k: float(v) for k, v in eval_metrics.items()}
            if main:
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
        bar.set_postfix(loss=f"{float(train_metrics['train/loss']):.3f}", refresh=False)
        bar.update(1)

        # Checkpoint (also when the time budget stops the run here).
        out_of_time = float(counters.wall_time) >= budget_s
        if _due(iteration, config.checkpoint_every, last) or out_of_time:
            checkpoint.save(manager, loop, with_replay=config.replay.in_checkpoint)
    bar.close()
    writer.close()
    return report
