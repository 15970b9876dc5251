"""SGF files of Go games (sgfmill): write evaluation games, read folders of games back as samples.

    sgf.write_game(path, Game(size=9, komi=7.5, moves=[40, 81, ...], result="B+3.5", ...))
    game = sgf.read_game(path)                     # Game: size, komi, moves (pgx actions), result
    samples = sgf.samples_from_folder("games/")    # Samples: observation, one-hot move, outcome

Files are FF[4] with GM[1], SZ, KM, RU (Tromp-Taylor: area scoring of the final position, as pgx
and CGOS score), PB, PW, RE, DT and a root comment C[] with whatever produced the game (engine
flags, seeds, checkpoint, simulations). Moves are stored as SGF points (games/go_coordinates.py);
pass is written `tt` by sgfmill on boards up to 19x19, as many programs expect.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from pgx.go import Go
from sgfmill import sgf

from alphazero.types import Samples
from games import go_coordinates as coords

RULES = "Tromp-Taylor"


@dataclasses.dataclass(frozen=True)
class Game:
    size: int
    komi: float
    moves: list[int]  # pgx actions, black first, alternating
    result: str = "?"  # SGF RE: "B+3.5", "W+R", "0" (draw), "?" (unknown)
    black: str = "Black"
    white: str = "White"
    comment: str = ""
    date: str = ""

    @property
    def winner(self) -> str | None:
        """'b', 'w' or None (draw or unknown)."""
        return {"B": "b", "W": "w"}.get(self.result[:1].upper()) if "+" in self.result else None


def to_bytes(game: Game) -> bytes:
    record = sgf.Sgf_game(size=game.size)
    root = record.get_root()
    root.set("KM", game.komi)
    root.set("RU", RULES)
    root.set("PB", game.black)
    root.set("PW", game.white)
    root.set("RE", game.result)
    root.set("DT", game.date or time.strftime("%Y-%m-%d"))
    if game.comment:
        root.set("C", game.comment)
    for i, action in enumerate(game.moves):
        node = record.extend_main_sequence()
        node.set_move("bw"[i % 2], coords.action_to_rowcol(action, game.size))
    return record.serialise()


def write_game(path: str | Path, game: Game) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_bytes(game))
    return path


def from_bytes(data: bytes) -> Game:
    """Parses one game; raises ValueError for a file that is not a usable Go record."""
    record = sgf.Sgf_game.from_bytes(data)
    size = record.get_size()
    root = record.get_root()
    moves, expected = [], "b"
    for node in record.get_main_sequence()[1:]:
        colour, point = node.get_move()
        if colour is None:
            continue
        if colour != expected:  # out-of-turn moves: the other side passed
            moves.append(coords.pass_action(size))
        moves.append(coords.rowcol_to_action(point, size))
        expected = "w" if colour == "b" else "b"
    text = lambda name, default: root.get(name) if root.has_property(name) else default  # noqa: E731
    return Game(
        size=size,
        komi=float(record.get_komi()),
        moves=moves,
        result=text("RE", "?"),
        black=text("PB", "Black"),
        white=text("PW", "White"),
        comment=text("C", ""),
        date=text("DT", ""),
    )


def read_game(path: str | Path) -> Game:
    return from_bytes(Path(path).read_bytes())


@functools.cache
def _rules(size: int, komi: float):
    """Jitted (init, step) of pgx Go, compiled once per board size and komi."""
    env = Go(size=size, komi=komi)
    return jax.jit(env.init), jax.jit(env.step)


def replay(game: Game):
    """The pgx states of `game`, from the empty board to the final position (a list)."""
    init, step = _rules(game.size, game.komi)
    states = [init(jax.random.PRNGKey(0))]
    for action in game.moves:
        if not bool(states[-1].legal_action_mask[action]):
            raise ValueError(
                f"illegal move {coords.action_to_gtp(action, game.size)} in the record"
            )
        states.append(step(states[-1], jnp.int32(action)))
    return states


def samples(game: Game) -> Samples:
    """(observation, one-hot move, outcome from the mover's view) for every move of `game`."""
    states = replay(game)[:-1]
    num_actions = game.size * game.size + 1
    winner = game.winner
    movers = ["bw"[i % 2] for i in range(len(game.moves))]
    outcome = [0.0 if winner is None else (1.0 if m == winner else -1.0) for m in movers]
    return Samples(
        observation=np.stack([np.asarray(s.observation) for s in states]),
        action_weights=np.eye(num_actions, dtype=np.float32)[game.moves],
        value_target=np.asarray(outcome, np.float32),
        mask=np.full(len(game.moves), float(winner is not None), np.float32),
    )


def samples_from_folder(folder: str | Path, size: int | None = None) -> Samples:
    """All moves of all *.sgf games in `folder` and its subfolders (only `size` x `size` ones if
    given)."""
    parts = []
    for path in sorted(Path(folder).rglob("*.sgf")):
        game = read_game(path)
        if (size is None or game.size == size) and game.moves:
            parts.append(samples(game))
    if not parts:
        raise ValueError(f"no usable SGF games in {folder}")
    return Samples(*(np.concatenate(xs) for xs in zip(*parts, strict=True)))
