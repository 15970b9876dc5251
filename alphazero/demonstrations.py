"""Demonstrations: expert games as training samples, for the imitation phase (imitation.py).

    dataset = demonstrations.load("data/go_9x9_gnugo10.jsonl", env)  # every position of every game
    train_set, held_out = demonstrations.split(dataset, 0.1, seed=0)  # by game, never by position

Each position becomes a `Samples` row like self-play's (targets.py), so the learner cannot tell
where it came from:

    pi = one-hot(expert move)              policy target (`action_weights`); with `targets` in a
                                           record, uniform over the expert's equally good moves
    z  = the game's outcome, mover's view  value target (`mask` 0 where the result is unknown);
                                           with `values` in a record, the expert's own value

Sources: a JSON-lines file, one game a line: Go match records (alphazero/go/match.py writes
them, moves as GTP vertices, the result as SGF's RE; the shipped data/go_*_gnugo10.jsonl) or action
sequences for any game (scripts/make_expert_games.py writes them for tic-tac-toe, connect four and
Countdown; a puzzle's record also holds its `instance`, the arguments of `env.init_instance`); or a
folder of SGF files from elsewhere (Go; handicap games, setup stones and unreadable files are
skipped). Games on another board size, without moves or with an illegal move are skipped and
counted.
Positions are replayed through the game itself (pgx, batched: vmap over games, scan over moves),
so an illegal move is caught, not learned.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from alphazero.config import ConfigError
from alphazero.types import Samples, take_rows
from games import go, go_coordinates

if TYPE_CHECKING:
    from alphazero.go import sgf


class Dataset(NamedTuple):
    samples: Samples  # [N, ...] every position of every usable game
    game: np.ndarray  # [N] int, index of the position's game in the source
    move: np.ndarray  # [N] int, move number in its game (0 = the first move)
    length: np.ndarray  # [N] int, number of moves of its game
    sequence: np.ndarray  # [N] int, its distinct game (same moves; a puzzle: same instance)
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


class Record(NamedTuple):
    """One expert game as actions, before it is replayed into samples (`to_dataset`)."""

    moves: list[int]  # actions, first mover first
    outcome: float | None  # result for the first mover (+1, 0, -1); None if unknown
    opening: int  # first moves that are not targets (random openings)
    instance: dict | None = None  # puzzles: keyword arguments of env.init_instance
    targets: list[list[int]] | None = None  # per move, the expert's equally good actions
    values: list[float | None] | None = None  # per move, the expert's value (mover's view)


def load(path: str | Path, env, max_games: int = 0) -> Dataset:
    """Every position of every usable game in `path` (a .jsonl file or a folder of .sgf), or of
    its first `max_games` usable games (0: all); a ConfigError (one line) if there is none."""
    path = Path(path)
    if path.is_dir():
        records, skipped = _sgf_records(path, env)
    elif path.suffix == ".jsonl" and path.exists():
        records, skipped = _jsonl_records(path, env)
    else:
        raise ConfigError(f"{path}: expected a .jsonl file of games or a folder of .sgf files")
    if not records:
        raise ConfigError(f"{path}: no usable games (skipped: {dict(skipped) or 'none found'})")
    return to_dataset(records[: max_games or None], dict(skipped), env)


def _sgf_records(folder: Path, env):
    if not env.id.startswith("go_"):
        raise ConfigError(f"SGF games are Go records; {env.id} needs a .jsonl file of games")
    from alphazero.go import sgf  # Go records only: the core loop imports no Go tooling

    games, skipped = sgf.read_folder(folder, size=env.observation_shape[0])
    return [_go_record(g) for g in games], skipped


def _go_record(game: sgf.Game) -> Record:
    """An SGF game's moves, Black's outcome (from RE) and random opening (from the root comment
    the match runner writes, "random opening moves k")."""
    found = re.search(r"random opening moves (\d+)", game.comment)
    return Record(game.moves, _black_outcome(game.result), int(found.group(1)) if found else 0)


def _black_outcome(result: str) -> float | None:
    """Black's outcome from an SGF-style result ("B+3.5", "W+R", "0"): +1, -1, 0, or None."""
    if "+" in result and result[:1].upper() in "BW":
        return 1.0 if result[:1].upper() == "B" else -1.0
    return 0.0 if result.lower() in ("0", "draw", "jigo") else None


def _jsonl_records(path: Path, env):
    records, skipped, unreadable = [], {}, "unreadable line or other game"
    # Not pgx's observation_shape: it runs init and observe eagerly, and once per line it took
    # 49 s of a 58 s load of data/go_7x7_gnugo10.jsonl.
    size = go.board_size(env) if env.id.startswith("go_") else None
    for line in path.read_text().splitlines():
        try:
            game = json.loads(line)
            if "result" in game:  # a Go match record: skipped or kept as an SGF game would be
                record, reason = _match_record(game, env, size)
                if reason:
                    skipped[reason] = skipped.get(reason, 0) + 1
                    continue
            else:
                record = _action_record(game, env)
        except (ValueError, KeyError, TypeError, AttributeError):
            skipped[unreadable] = skipped.get(unreadable, 0) + 1
            continue
        records.append(record)
    return records, skipped


def _match_record(line: dict, env, size: int | None) -> tuple[Record | None, str | None]:
    """A line of the match runner as a record for `env` (Go on a `size` board), or the reason
    it is skipped."""
    if not env.id.startswith("go_"):
        raise KeyError("a Go match record")
    if int(line["size"]) != size:
        return None, f"board size {line['size']}"
    if not line["moves"]:
        return None, "no moves"
    moves = [go_coordinates.gtp_to_action(vertex, size) for vertex in line["moves"]]
    return Record(moves, _black_outcome(line["result"]), int(line.get("opening_moves", 0))), None


def _action_record(game: dict, env) -> Record:
    """A line of action sequences (scripts/make_expert_games.py), checked for its game."""
    if game.get("game", env.id) != env.id:
        raise KeyError("another game")
    moves = [int(a) for a in game["moves"]]
    targets, values = game.get("targets"), game.get("values")
    if any(x is not None and len(x) != len(moves) for x in (targets, values)):
        raise ValueError("targets or values of another length")
    return Record(moves, game.get("outcome"), int(game.get("opening_moves", 0)),
                   game.get("instance"), targets, values)  # fmt: skip


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


def to_dataset(records: list[Record], skipped: dict, env, chunk: int = 256) -> Dataset:
    """Replays `records` in `env` (jitted, `chunk` games at a time) into one Dataset; `skipped`
    counts the games left out on the way, by reason."""
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
        # Rows past the end repeat the last one: every chunk has one shape, so one compile.
        first = take_rows(starts, np.minimum(np.arange(start, start + chunk), len(records) - 1))
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
    known = np.broadcast_to(known, keep.shape).copy()
    for g, r in enumerate(records):  # an expert's own value of a position overrides the outcome
        for m, v in enumerate(r.values or []):
            if v is not None:
                value[g, m], known[g, m] = v, True
    # Identical games share an index: the same moves; for puzzles, every record of one instance.
    identity = [json.dumps(r.instance or r.moves, sort_keys=True) for r in records]
    _, sequence = np.unique(np.array(identity), return_inverse=True)
    game, move = np.nonzero(keep)
    samples = Samples(
        observation=observations[game, move],
        action_weights=_action_weights(records, game, move, moves, env.num_actions),
        value_target=value[game, move],
        mask=known[game, move].astype(np.float32),
    )
    return Dataset(samples, game, move, lengths[game, 0], sequence.ravel()[game], skipped)


def _start_states(records: list[Record], env):
    """[G] start states: env.init_instance(**instance) for puzzles, else the initial position."""
    if records[0].instance is None:
        start = env.init(jax.random.PRNGKey(0))
        return jax.tree.map(lambda x: jnp.broadcast_to(x, (len(records), *x.shape)), start)
    fields = {name: np.array([r.instance[name] for r in records]) for name in records[0].instance}
    return jax.jit(jax.vmap(env.init_instance))(**fields)


def _action_weights(records, game, move, moves, num_actions: int) -> np.ndarray:
    """[N, A]: the expert's move one-hot, or uniform over its equally good moves (`targets`);
    all zeros (no policy loss, the value alone is learned) where `targets` lists none."""
    weights = np.eye(num_actions, dtype=np.float32)[moves[game, move]]
    for i, (g, t) in enumerate(zip(game, move, strict=True)):
        if records[g].targets is not None:
            weights[i] = 0.0
            good = records[g].targets[t]
            weights[i, good] = 1.0 / max(len(good), 1)
    return weights


def split(dataset: Dataset, validation_fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """(train, validation): a random `validation_fraction` of the distinct games (at least one)
    held out. Identical games (the same moves, common in engine self-play; for puzzles every record
    of one instance) fall on the same side, so no held-out game is also a training game."""
    sequences = np.unique(dataset.sequence)
    held = max(1, round(validation_fraction * len(sequences))) if validation_fraction > 0 else 0
    held_out = np.random.default_rng(seed).permutation(sequences)[:held]
    is_held = np.isin(dataset.sequence, held_out)
    return dataset.subset(~is_held), dataset.subset(is_held)
