"""Imitation: supervised learning on expert games, the phase before reinforcement learning.

AlphaGo (Silver et al. 2016) first trained its policy network to predict expert moves, then
improved it with self-play RL and search. Here the same network learns with the same loss
(losses.py) and the same learner step (train.train_step) from expert games:

    pi = one-hot(expert move)            policy target (`action_weights`)
    z  = the game's outcome, mover's view  value target (`mask` 0 where the result is unknown)

    dataset = imitation.load("data/go_9x9_gnugo10", env)  # every position of every game
    train_set, held_out = imitation.split(dataset, 0.1, seed=0)    # by game, never by position
    report = imitation.evaluate(params, held_out)                   # top-1/5, value MSE, by phase
    loop = imitation.run(config, env, loop, workdir, writer)       # the whole phase, resumable

Sources: a folder of SGF files (Go; handicap games, setup stones, other board sizes, unreadable
files and games with an illegal move are skipped and counted), or a JSON-lines file of action
sequences for any game (scripts/make_expert_games.py writes them for tic-tac-toe and connect four).

Optimiser and hand-over (docs/deviations.md): the phase runs AdamW with a cosine step size from
`supervised.learning_rate` to 10% of it over `supervised.num_steps`. RL then starts from the
imitation weights with a fresh optimiser state and its own schedule from step 0 (Adam's moment
estimates belong to the expert data's loss). The replay window starts empty: RL learns only from
its own games, as AlphaGo's RL phase did.
"""

from __future__ import annotations

import functools
import json
import re
import time
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from tqdm.auto import tqdm

from alphazero import checkpoint, metrics, networks, sgf, targets, train
from alphazero.config import Config, ConfigError
from alphazero.types import RL, LoopState, Samples, TrainState

PHASES = ("opening", "middle", "endgame")  # thirds of a game, by move number


class Dataset(NamedTuple):
    samples: Samples  # [N, ...] every position of every usable game
    game: np.ndarray  # [N] int, index of the position's game in the source
    move: np.ndarray  # [N] int, move number in its game (0 = the first move)
    length: np.ndarray  # [N] int, number of moves of its game
    sequence: np.ndarray  # [N] int, index of its game's move sequence (identical games share it)
    skipped: dict  # reason -> number of games skipped

    @property
    def num_games(self) -> int:
        return len(np.unique(self.game))

    @property
    def num_distinct(self) -> int:
        return len(np.unique(self.sequence))

    def subset(self, keep: np.ndarray) -> Dataset:
        cut = lambda x: x[keep]  # noqa: E731
        return Dataset(jax.tree.map(cut, self.samples), *map(cut, self[1:5]), self.skipped)


class _Record(NamedTuple):
    moves: list[int]  # actions, first mover first
    outcome: float | None  # result for the first mover (+1, 0, -1); None if unknown
    opening: int  # first moves that are not targets (random openings)
    instance: dict | None = None  # puzzles: keyword arguments of env.init_instance
    targets: list[list[int]] | None = None  # per move, the expert's equally good actions


def load(path: str | Path, env) -> Dataset:
    """Every position of every usable game in `path` (a folder of .sgf or a .jsonl file); a
    ConfigError (one line) if there is none."""
    path = Path(path)
    if path.is_dir():
        records, skipped = _sgf_records(path, env)
    elif path.suffix == ".jsonl" and path.exists():
        records, skipped = _jsonl_records(path, env)
    else:
        raise ConfigError(f"{path}: expected a folder of .sgf files or a .jsonl file of games")
    if not records:
        raise ConfigError(f"{path}: no usable games (skipped: {dict(skipped) or 'none found'})")
    return _replay_all(records, dict(skipped), env)


def _sgf_records(folder: Path, env):
    if not env.id.startswith("go_"):
        raise ConfigError(f"SGF games are Go records; {env.id} needs a .jsonl file of games")
    games, skipped = sgf.read_folder(folder, size=env.observation_shape[0])
    draws = ("0", "draw", "jigo")

    def outcome(game: sgf.Game) -> float | None:
        if game.winner is not None:
            return 1.0 if game.winner == "b" else -1.0
        return 0.0 if game.result.lower() in draws else None

    def opening(game: sgf.Game) -> int:  # written by the match runner (alphazero/match.py)
        found = re.search(r"random opening moves (\d+)", game.comment)
        return int(found.group(1)) if found else 0

    return [_Record(g.moves, outcome(g), opening(g)) for g in games], skipped


def _jsonl_records(path: Path, env):
    records, skipped, unreadable = [], {}, "unreadable line or other game"
    for line in path.read_text().splitlines():
        try:
            game = json.loads(line)
            if game.get("game", env.id) != env.id:
                raise KeyError
            moves = [int(a) for a in game["moves"]]
            targets = game.get("targets")
            if targets is not None and [len(t) > 0 for t in targets] != [True] * len(moves):
                raise ValueError
            record = _Record(moves, game.get("outcome"), int(game.get("opening_moves", 0)),
                             game.get("instance"), targets)  # fmt: skip
        except (ValueError, KeyError, TypeError, AttributeError):
            skipped[unreadable] = skipped.get(unreadable, 0) + 1
            continue
        records.append(record)
    return records, skipped


def _replay_game(env, start, moves: jax.Array):
    """One game's moves [L] (-1 = padding) from state `start` -> observations [L, ...] before
    each move, and whether every move was legal."""

    def step(state, action):
        play = action >= 0
        done = state.terminated | state.truncated
        legal = ~play | (state.legal_action_mask[jnp.maximum(action, 0)] & ~done)
        after = env.step(state, jnp.maximum(action, 0))
        new = jax.tree.map(lambda old, new: jnp.where(play, new, old), state, after)
        return new, (state.observation, legal)

    _, (observations, legal) = jax.lax.scan(step, start, moves)
    return observations, legal.all()


def _replay_all(records: list[_Record], skipped: dict, env, chunk: int = 256) -> Dataset:
    length = max(len(r.moves) for r in records)
    moves = np.full((len(records), length), -1, np.int32)
    for i, r in enumerate(records):
        moves[i, : len(r.moves)] = r.moves
    replay = jax.jit(jax.vmap(functools.partial(_replay_game, env)))
    starts = _start_states(records, env)
    observations, legal = [], []
    for start in range(0, len(records), chunk):
        part = moves[start : start + chunk]
        padded = np.pad(part, ((0, chunk - len(part)), (0, 0)), constant_values=-1)
        first = jax.tree.map(functools.partial(_pad_rows, start=start, rows=chunk), starts)
        obs, ok = jax.device_get(replay(first, jnp.asarray(padded)))
        observations.append(obs[: len(part)])
        legal.append(ok[: len(part)])
    legal = np.concatenate(legal)
    if (~legal).any():
        skipped["illegal move"] = skipped.get("illegal move", 0) + int((~legal).sum())
    observations = np.concatenate(observations)
    t = np.arange(length)[None, :]
    lengths = np.array([len(r.moves) for r in records])[:, None]
    opening = np.array([r.opening for r in records])[:, None]
    keep = (t < lengths) & (t >= opening) & legal[:, None]  # [G, L]
    known = np.array([r.outcome is not None for r in records])[:, None]
    first = np.array([r.outcome or 0.0 for r in records], np.float32)[:, None]
    sign = np.where(t % 2 == 0, 1.0, -1.0) if env.num_players == 2 else np.ones_like(t)
    value = (first * sign).astype(np.float32)
    _, sequence = np.unique(moves, axis=0, return_inverse=True)
    game, move = np.nonzero(keep)
    samples = Samples(
        observation=observations[game, move],
        action_weights=_action_weights(records, game, move, moves, env.num_actions),
        value_target=value[game, move],
        mask=np.broadcast_to(known, keep.shape)[game, move].astype(np.float32),
    )
    return Dataset(samples, game, move, lengths[game, 0], sequence.ravel()[game], skipped)


def _start_states(records: list[_Record], env):
    """[G] start states: env.init_instance(**instance) for puzzles, else the initial position."""
    if records[0].instance is None:
        start = env.init(jax.random.PRNGKey(0))
        return jax.tree.map(lambda x: jnp.broadcast_to(x, (len(records), *x.shape)), start)
    fields = {name: np.array([r.instance[name] for r in records]) for name in records[0].instance}
    return jax.jit(jax.vmap(env.init_instance))(**fields)


def _pad_rows(x: jax.Array, start: int, rows: int) -> jax.Array:
    """Rows start..start + rows of x, the last one repeated where x ends."""
    x = x[start : start + rows]
    return jnp.concatenate([x, jnp.repeat(x[-1:], rows - len(x), axis=0)]) if len(x) < rows else x


def _action_weights(records, game, move, moves, num_actions: int) -> np.ndarray:
    """[N, A]: the expert's move one-hot, or uniform over its equally good moves (`targets`)."""
    weights = np.eye(num_actions, dtype=np.float32)[moves[game, move]]
    for i, (g, t) in enumerate(zip(game, move, strict=True)):
        if records[g].targets is not None:
            weights[i] = 0.0
            weights[i, records[g].targets[t]] = 1.0 / len(records[g].targets[t])
    return weights


def split(dataset: Dataset, validation_fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """(train, validation): a random `validation_fraction` of the distinct games (at least one)
    held out. Identical games (the same move sequence, common in engine self-play) fall on the
    same side, so no held-out game is also a training game."""
    sequences = np.unique(dataset.sequence)
    held = max(1, round(validation_fraction * len(sequences))) if validation_fraction > 0 else 0
    held_out = np.random.default_rng(seed).permutation(sequences)[:held]
    is_held = np.isin(dataset.sequence, held_out)
    return dataset.subset(~is_held), dataset.subset(is_held)


def phase_of(move: np.ndarray, length: np.ndarray) -> np.ndarray:
    """0, 1, 2 = opening, middle, endgame: the third of its game a move falls in."""
    return np.minimum(2, 3 * move // np.maximum(length, 1))


@jax.jit
def _predict(params, observation: jax.Array):
    logits, value = networks.apply(params, observation)
    return jax.lax.top_k(logits, 5)[1], value


def evaluate(params, dataset: Dataset, batch: int = 1024, bootstrap: int = 1000) -> dict:
    """Move-prediction accuracy (top-1, top-5) and value MSE, overall and per game phase; the
    top-1 accuracy's 95% interval from a bootstrap over games (moves of one game are not
    independent). The prediction is the network's raw argmax (illegal moves not masked); it is a
    hit if the expert played it, or (with `targets`) counted it among its equally good moves."""
    top, value = [], []
    for start in range(0, len(dataset.game), batch):
        obs = dataset.samples.observation[start : start + batch]
        t, v = _predict(params, jnp.asarray(obs))
        top.append(np.asarray(t))
        value.append(np.asarray(v))
    top, value = np.concatenate(top), np.concatenate(value)
    good = dataset.samples.action_weights > 0  # the expert's move, or its equally good moves
    hit1 = np.take_along_axis(good, top[:, :1], axis=1)[:, 0]
    hit5 = np.take_along_axis(good, top, axis=1).any(1)
    mask = dataset.samples.mask > 0
    error = (value - dataset.samples.value_target) ** 2
    out = {"top1": hit1.mean(), "top5": hit5.mean(), "value_mse": _masked_mean(error, mask)}
    phase = phase_of(dataset.move, dataset.length)
    for i, name in enumerate(PHASES):
        out[f"top1_{name}"] = hit1[phase == i].mean() if (phase == i).any() else np.nan
        out[f"value_mse_{name}"] = _masked_mean(error, mask & (phase == i))
    out["top1_low"], out["top1_high"] = _game_bootstrap(hit1, dataset.game, bootstrap)
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


def make_optimizer(config: Config) -> tuple[optax.GradientTransformation, optax.Schedule]:
    sup = config.supervised
    schedule = optax.cosine_decay_schedule(sup.learning_rate, sup.num_steps, 0.1)
    return optax.adamw(schedule, weight_decay=config.train.weight_decay), schedule


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
    return train.train_step(train_state, batch, config, *make_optimizer(config))


def hand_over(loop: LoopState, config: Config) -> LoopState:
    """The loop that RL starts from: the imitation weights, a fresh RL optimiser state."""
    params = loop.train_state.params
    opt_state = train.make_optimizer(config).init(params)
    train_state = TrainState(params, opt_state, jnp.int32(0), loop.train_state.ema_params)
    return loop._replace(train_state=train_state, phase=jnp.int32(RL))


def run(config: Config, env, loop: LoopState, workdir: Path, writer: metrics.Writer,
        progress: bool = True) -> LoopState:  # fmt: skip
    """The supervised phase from `loop` (or from workdir/imitation's newest checkpoint) to
    `supervised.num_steps` steps; returns the loop handed over to RL (`hand_over`)."""
    sup = config.supervised
    train_set, held_out = split(load(config.imitation, env), sup.validation_fraction, config.seed)
    manager = checkpoint.manager(workdir, folder="imitation")
    if manager.latest_step() is not None:
        loop = checkpoint.restore(manager, loop, with_replay=False)
    update = jax.jit(functools.partial(_update, config=config, game=env.id))
    data = jax.device_put(train_set.samples)
    skipped = ", ".join(f"{n} {why}" for why, n in train_set.skipped.items()) or "none"
    print(f"imitation: {train_set.num_games} games ({len(train_set.game)} positions) to learn "
          f"from, {held_out.num_games} held out ({held_out.num_distinct} distinct move "
          f"sequences); skipped: {skipped}")  # fmt: skip
    bar = tqdm(total=sup.num_steps, initial=int(loop.imitation_step), desc="imitation",
               disable=not progress)  # fmt: skip
    while (step := int(loop.imitation_step)) < sup.num_steps:
        start = time.perf_counter()
        indices = batch_indices(step, len(train_set.game), config.train.batch_size, config.seed)
        key = jax.random.fold_in(jax.random.PRNGKey(config.seed), step)
        train_state, step_metrics = update(loop.train_state, data, indices, key)
        jax.block_until_ready(train_state)
        logged = {f"imitation/{k}": float(v) for k, v in step_metrics.items()}
        if train._due(step + 1, sup.eval_every, sup.num_steps) and held_out.num_games:
            report = evaluate(train_state.evaluation_params, held_out)
            logged.update({f"imitation/val_{k}": v for k, v in report.items()})
            bar.write(f"[imitation step {step + 1}] held-out top-1 {report['top1']:.3f} "
                      f"[{report['top1_low']:.3f}, {report['top1_high']:.3f}], top-5 "
                      f"{report['top5']:.3f}, value MSE {report['value_mse']:.3f}")  # fmt: skip
        wall_time = loop.counters.wall_time + (time.perf_counter() - start)
        loop = loop._replace(train_state=train_state, imitation_step=jnp.int32(step + 1),
                             counters=loop.counters._replace(wall_time=wall_time))  # fmt: skip
        writer.scalars({**logged, "imitation/wall_time_s": wall_time}, step + 1)
        if train._due(step + 1, sup.checkpoint_every, sup.num_steps):
            checkpoint.save(manager, loop, with_replay=False, step=step + 1)
        bar.update(1)
    bar.close()
    return hand_over(loop, config)
