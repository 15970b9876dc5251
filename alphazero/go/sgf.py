"""Go game records: one JSON line per game (what the project keeps), SGF files on demand (sgfmill).

    record = {"size": 7, "komi": 8.5, "moves": ["D4", "C3", ..., "pass", "pass"], "num_moves": 29,
              "result": "B+2.5", "black": "gnugo-10", "white": "gnugo-10", "seed": 0,
              "opening_moves": 0, "comment": "ladder 7x7", "date": "2026-11-23", ...}
    game = sgf.record_to_game(record)              # Game: size, komi, moves (pgx actions), result
    data = sgf.to_bytes(game)                      # the same game as SGF (bytes)
    paths = sgf.export(records, "sgf/")            # one .sgf per record, named by its line
    game = sgf.read_game(path)                     # any SGF file back into a Game
    games, skipped = sgf.read_folder("games/", size=9)  # usable games, and skipped files per reason

A record is one line of a games .jsonl file, as the match runner (alphazero/go/match.py) writes
it: moves as GTP vertices ("D4", "pass"; games/go_coordinates.py), engine- and pgx-independent
and readable; the result as SGF's RE ("B+3.5", "W+R" resignation, "B+F" forfeit); what produced
the game in `comment`, `seed` and `opening_moves`. One file per match keeps a thousand games in
one file instead of a thousand files; SGF is written only when a person wants to look at games
(`alphazero sgf export`).

SGF files are FF[4] with GM[1], SZ, KM, RU (Tromp-Taylor: area scoring of the final position, as
pgx and CGOS score), PB, PW, RE, DT and a root comment C[] ("<comment>; seed S; random opening
moves k"). Moves are SGF points (games/go_coordinates.py); pass is written `tt` by sgfmill on
boards up to 19x19, as many programs expect. Reading SGF (`read_folder`) is for game collections
from elsewhere, such as expert games to imitate.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import time
from collections import Counter
from pathlib import Path

import jax
import jax.numpy as jnp
from pgx.go import Go
from sgfmill import sgf

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


def root_comment(record: dict) -> str:
    """The SGF root comment of a record: "<comment>; seed S[; random opening moves k]"."""
    text = f"{record.get('comment', '')}; seed {record['seed']}".strip("; ")
    if record.get("opening_moves"):
        text += f"; random opening moves {record['opening_moves']}"
    return text


def record_to_game(record: dict) -> Game:
    """The Game of one record (moves as pgx actions); a ValueError for a vertex off the board."""
    size = int(record["size"])
    moves = [coords.gtp_to_action(vertex, size) for vertex in record["moves"]]
    return Game(size, float(record["komi"]), moves, record["result"], record["black"],
                record["white"], root_comment(record), record.get("date", ""))  # fmt: skip


def export(records: list[dict], folder: str | Path, lines: list[int] | None = None) -> list[Path]:
    """Writes the records at indices `lines` (default: all) as SGF files
    `folder`/NNNN_<black>_vs_<white>.sgf, NNNN the record's line in its file (from 0)."""
    paths = []
    for i in range(len(records)) if lines is None else lines:
        record = records[i]
        name = re.sub(r"[^\w@.+-]", "_", f"{i:04d}_{record['black']}_vs_{record['white']}")
        paths.append(write_game(Path(folder) / f"{name}.sgf", record_to_game(record)))
    return paths


class UnsupportedGame(ValueError):
    """A readable record this project does not learn from; the message names the reason."""


def from_bytes(data: bytes) -> Game:
    """Parses one game; raises ValueError for a file that is not a usable Go record, and its
    subclass UnsupportedGame for handicap games and setup stones (AB/AW/AE)."""
    record = sgf.Sgf_game.from_bytes(data)
    size = record.get_size()
    root = record.get_root()
    if root.has_property("HA") and str(root.get("HA")).strip() not in ("0", "1"):
        raise UnsupportedGame("handicap game")
    moves, expected = [], "b"
    for node in record.get_main_sequence():
        if any(node.has_property(p) for p in ("AB", "AW", "AE")):
            raise UnsupportedGame("setup stones")
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


def read_folder(folder: str | Path, size: int) -> tuple[list[Game], Counter]:
    """The usable `size` x `size` games among the *.sgf files under `folder` (sorted by path), and
    a count of the files skipped per reason (unreadable, other board size, handicap, setup stones,
    no moves). Never raises for a bad file."""
    usable, skipped = [], Counter()
    for path in sorted(Path(folder).rglob("*.sgf")):
        try:
            game = read_game(path)
        except UnsupportedGame as error:
            skipped[str(error)] += 1
            continue
        except (ValueError, KeyError, IndexError, UnicodeDecodeError, OSError):
            skipped["unreadable"] += 1
            continue
        if game.size != size:
            skipped[f"board size {game.size}"] += 1
        elif not game.moves:
            skipped["no moves"] += 1
        else:
            usable.append(game)
    return usable, skipped


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
