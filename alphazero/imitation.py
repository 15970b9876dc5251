"""Imitation: supervised learning on expert games, the phase before reinforcement learning.

AlphaGo (Silver et al. 2016) first trained its policy network to predict expert moves, then
improved it with self-play RL and search. Here the same network learns with the same loss
(losses.py) and the same learner step (learner.train_step) from expert games:

    pi = one-hot(expert move)            policy target (`action_weights`)
    z  = the game's outcome, mover's view  value target (`mask` 0 where the result is unknown)

    dataset = imitation.load("data/go_9x9_gnugo10.jsonl", env)  # demonstrations.py: samples
    train_set, held_out = imitation.split(dataset, 0.1, seed=0)    # by game, never by position
    report = imitation.evaluate(params, held_out)                   # top-1/5, value MSE, by phase
    loop = imitation.run(config, env, loop, workdir, writer)       # the whole phase, resumable

Optimiser and hand-over (docs/deviations.md): the phase runs AdamW with a cosine step size from
`supervised.learning_rate` to 10% of it over `supervised.num_steps`. RL then starts from the
imitation weights with a fresh optimiser state and its own schedule from step 0 (Adam's moment
estimates belong to the expert data's loss). The replay window starts empty: RL learns only from
its own games, as AlphaGo's RL phase did.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from tqdm.auto import tqdm

from alphazero import checkpoint, learner, metrics, networks, targets
from alphazero.config import Config
from alphazero.demonstrations import Dataset, load, split  # noqa: F401 (imitation.load, .split)
from alphazero.types import IMITATION, RL, LoopState, Samples, TrainState

PHASES = ("opening", "middle", "endgame")  # thirds of a game, by move number


def phase_of(move: np.ndarray, length: np.ndarray) -> np.ndarray:
    """0, 1, 2 = opening, middle, endgame: the third of its game a move falls in."""
    return np.minimum(2, 3 * move // np.maximum(length, 1))


@jax.jit
def _predict(params, observation: jax.Array):
    logits, value = networks.apply(params, observation)
    return jax.lax.top_k(logits, 5)[1], value


def predict(params, observation, batch: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """The network's 5 top-scored actions [N, 5] and value [N] for observations [N, ...], in
    batches of `batch` (host arrays in, host arrays out)."""
    top, value = [], []
    for start in range(0, len(observation), batch):
        t, v = _predict(params, jnp.asarray(observation[start : start + batch]))
        top.append(np.asarray(t))
        value.append(np.asarray(v))
    return np.concatenate(top), np.concatenate(value)


def evaluate(params, dataset: Dataset, batch: int = 1024, bootstrap: int = 1000) -> dict:
    """Move-prediction accuracy (top-1, top-5) and value MSE, overall and per game phase; the
    top-1 accuracy's 95% interval from a bootstrap over games (moves of one game are not
    independent). The prediction is the network's raw argmax (illegal moves not masked); it is a
    hit if the expert played it, or (with `targets`) counted it among its equally good moves."""
    top, value = predict(params, dataset.samples.observation, batch)
    good = dataset.samples.action_weights > 0  # the expert's move, or its equally good moves
    policy = good.any(1)  # positions with a move to predict (value-only ones have none)
    hit1 = np.take_along_axis(good, top[:, :1], axis=1)[:, 0]
    hit5 = np.take_along_axis(good, top, axis=1).any(1)
    mask = dataset.samples.mask > 0
    error = (value - dataset.samples.value_target) ** 2
    out = {"top1": hit1[policy].mean(), "top5": hit5[policy].mean(),
           "value_mse": _masked_mean(error, mask)}  # fmt: skip
    phase = phase_of(dataset.move, dataset.length)
    for i, name in enumerate(PHASES):
        rows = policy & (phase == i)
        out[f"top1_{name}"] = hit1[rows].mean() if rows.any() else np.nan
        out[f"value_mse_{name}"] = _masked_mean(error, mask & (phase == i))
    low_high = _game_bootstrap(hit1[policy], dataset.game[policy], bootstrap)
    out["top1_low"], out["top1_high"] = low_high
    return {k: float(v) for k, v in out.items()}


def _masked_mean(x: np.ndarray, mask: np.ndarray) -> float:
    return float(x[mask].mean()) if mask.any() else float("nan")


def _game_bootstrap(hits: np.ndarray, game: np.ndarray, rounds: int, seed: int = 0):
    _, index = np.unique(game, return_inverse=True)
    per_game_hits = np.bincount(index, weights=hits)
    per_game_moves = np.bincount(index)
    count = len(per_game_moves)
    draws = np.random.default_rng(seed).integers(0, count, (rounds, count))
    rates = per_game_hits[draws].sum(1) / per_game_moves[draws].sum(1)
    return np.percentile(rates, 2.5), np.percentile(rates, 97.5)


# The phase ----------------------------------------------------------------------------------------


def batch_indices(step: int, num_samples: int, batch_size: int, seed: int) -> np.ndarray:
    """The samples of supervised step `step`: epoch e = step // steps_per_epoch reads a
    permutation drawn from (seed, e) in order, so a resumed phase reads the same batches."""
    per_epoch = max(1, num_samples // batch_size)
    epoch, position = divmod(step, per_epoch)
    order = np.random.default_rng([seed, epoch]).permutation(num_samples)
    return np.resize(order[position * batch_size :], batch_size)


def _update(train_state: TrainState, data: Samples, indices, key, config: Config, game: str):
    batch = jax.tree.map(lambda x: jnp.asarray(x)[indices], data)
    if config.train.augment:
        batch = targets.augment(key, batch, game)
    return learner.train_step(train_state, batch, config, *learner.imitation_optimizer(config))


def fine_tune_start(workdir: Path, out: Path, folder: str, steps: int, learning_rate: float):
    """(config, env, loop) to fine-tune the imitation run in `workdir` into `out`/`folder` for
    `steps` steps from `learning_rate`; a ValueError (one line) if `workdir` holds no imitation
    run or `out` holds a finished run of other steps (its agent would not be the one asked for)."""
    import games  # the environment registry; imitation.py itself is game-agnostic

    config = checkpoint.read_config(workdir)
    if config is None or checkpoint.manager(workdir, folder="imitation").latest_step() is None:
        raise ValueError(f"{workdir} holds no imitation run (config.json, imitation/)")
    trained = checkpoint.manager(out, folder=folder).latest_step()
    if checkpoint.manager(out).latest_step() is not None and trained != steps:
        raise ValueError(f"{out} holds a finished run of {trained} steps; choose a new --out")
    sup = dataclasses.replace(config.supervised, num_steps=steps, learning_rate=learning_rate)
    config = dataclasses.replace(config, supervised=sup)
    env = games.make(config.game)
    template = learner.init_loop_state(env, config, IMITATION)
    loop = checkpoint.restore(checkpoint.manager(workdir, folder="imitation"), template,
                              with_replay=False)  # fmt: skip
    return config, env, loop


def fine_tune(loop: LoopState, tables: list[Samples], config: Config, manager, steps: int,
              key: jax.Array, desc: str = "fine-tuning") -> LoopState:  # fmt: skip
    """`steps` supervised steps from `loop` (config.supervised's schedule over `steps`), each
    batch an equal share of every table (table i read in epochs drawn from config.seed + i);
    checkpointed to `manager` every 250 steps and resumed from it. Used after the imitation phase
    by scripts/imitation_value.py and scripts/dagger.py."""
    if manager.latest_step() is not None:
        loop = checkpoint.restore(manager, loop, with_replay=False, fallback=True)
    else:  # a fresh optimiser: the old one's step count would put its schedule past the end
        params = loop.train_state.params
        opt_state = learner.imitation_optimizer(config)[0].init(params)
        fresh = TrainState(params, opt_state, jnp.int32(0), loop.train_state.ema_params)
        loop = loop._replace(train_state=fresh, imitation_step=jnp.int32(0))
    sizes = [len(table.mask) for table in tables]
    offsets = np.cumsum([0, *sizes[:-1]])
    share = config.train.batch_size // len(tables)
    # One device-resident table; each step passes only the indices of its rows.
    data = jax.device_put(jax.tree.map(lambda *rows: np.concatenate(rows), *tables))
    update = jax.jit(functools.partial(_update, config=config, game=config.game))
    bar = tqdm(total=steps, initial=int(loop.imitation_step), desc=desc)
    while (step := int(loop.imitation_step)) < steps:
        rows = [offset + batch_indices(step, size, share, config.seed + i)
                for i, (offset, size) in enumerate(zip(offsets, sizes, strict=True))]  # fmt: skip
        step_key = jax.random.fold_in(key, step)
        train_state, logged = update(loop.train_state, data, np.concatenate(rows), step_key)
        loop = loop._replace(train_state=train_state, imitation_step=jnp.int32(step + 1))
        if (step + 1) % 250 == 0 or step + 1 == steps:
            checkpoint.save(manager, loop, with_replay=False, step=step + 1)
            bar.set_postfix(policy_loss=f"{float(logged['policy_loss']):.3f}",
                            value_loss=f"{float(logged['value_loss']):.3f}")  # fmt: skip
        bar.update(1)
    bar.close()
    return loop


def hand_over(loop: LoopState, config: Config) -> LoopState:
    """The loop that RL starts from: the imitation weights, a fresh RL optimiser state."""
    params = loop.train_state.params
    opt_state = learner.make_optimizer(config).init(params)
    train_state = TrainState(params, opt_state, jnp.int32(0), loop.train_state.ema_params)
    return loop._replace(train_state=train_state, phase=jnp.int32(RL))


def run(config: Config, env, loop: LoopState, workdir: Path, writer: metrics.Writer,
        progress: bool = True) -> LoopState:  # fmt: skip
    """The supervised phase from `loop` (or from workdir/imitation's newest checkpoint) to
    `supervised.num_steps` steps; returns the loop handed over to RL (`hand_over`)."""
    sup = config.supervised
    dataset = load(config.imitation, env, sup.max_games)
    train_set, held_out = split(dataset, sup.validation_fraction, config.seed)
    manager = checkpoint.manager(workdir, folder="imitation")
    if manager.latest_step() is not None:
        loop = checkpoint.restore(manager, loop, with_replay=False, fallback=True)
    update = jax.jit(functools.partial(_update, config=config, game=env.id))
    streak = 0  # consecutive steps skipped by the non-finite guard (learner.train_step)
    data = jax.device_put(train_set.samples)
    skipped = ", ".join(f"{n} {why}" for why, n in train_set.skipped.items()) or "none"
    print(f"imitation: {train_set.num_games} games ({len(train_set.game)} positions) to learn "
          f"from, {held_out.num_games} held out ({held_out.num_distinct} distinct); "
          f"skipped: {skipped}")  # fmt: skip
    bar = tqdm(total=sup.num_steps, initial=int(loop.imitation_step), desc="imitation",
               disable=not progress)  # fmt: skip
    while (step := int(loop.imitation_step)) < sup.num_steps:
        start = time.perf_counter()
        indices = batch_indices(step, len(train_set.game), config.train.batch_size, config.seed)
        key = jax.random.fold_in(jax.random.PRNGKey(config.seed), step)
        train_state, step_metrics = update(loop.train_state, data, indices, key)
        jax.block_until_ready(train_state)
        logged = {f"imitation/{k}": float(v) for k, v in step_metrics.items()}
        limit = config.train.max_skipped_updates
        streak = learner.skip_streak(streak, [logged["imitation/skipped"]], limit,
                                     f"imitation step {step + 1}")  # fmt: skip
        if learner.due(step + 1, sup.eval_every, sup.num_steps) and held_out.num_games:
            report = evaluate(train_state.evaluation_params, held_out)
            logged.update({f"imitation/val_{k}": v for k, v in report.items()})
            bar.write(f"[imitation step {step + 1}] held-out top-1 {report['top1']:.3f} "
                      f"[{report['top1_low']:.3f}, {report['top1_high']:.3f}], top-5 "
                      f"{report['top5']:.3f}, value MSE {report['value_mse']:.3f}")  # fmt: skip
        wall_time = loop.counters.wall_time + (time.perf_counter() - start)
        loop = loop._replace(train_state=train_state, imitation_step=jnp.int32(step + 1),
                             counters=loop.counters._replace(wall_time=wall_time))  # fmt: skip
        writer.scalars({**logged, "imitation/wall_time_s": wall_time}, step + 1)
        if learner.due(step + 1, sup.checkpoint_every, sup.num_steps):
            checkpoint.save(manager, loop, with_replay=False, step=step + 1)
        bar.update(1)
    bar.close()
    return hand_over(loop, config)
