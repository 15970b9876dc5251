"""Game records: one JSON line per Go game, one .jsonl file per match or dataset.

    records = records.read_games("runs/go_7x7/ladder/games.jsonl")
    problems = records.check_games(records)        # per game: None, or what is wrong
    print(records.summary(records))                # games, distinct sequences, Black's wins ...

A line holds the players (`black`, `white`), `result` ("B+2.5", "W+R" resignation, "B+F"
forfeit), `winner`, the move list `moves` as GTP vertices ("D4", "pass"), `num_moves`, `size`,
`komi`, `referee_margin` (Black's area - White's - komi at the end), `engine_winner` and
`disagreement` (GNU Go's own count against the referee's), `seed`, `opening_moves`, `comment`,
`date`, `seconds`, and `engine_turn` when GNU Go saw the board turned (match.play's `turned`).
SGF files are written from lines on demand (sgf.py, `alphazero sgf export`); `check_games`
replays every line with the referee (`alphazero sgf check`).
"""

from __future__ import annotations

import json
from pathlib import Path

import jax
import numpy as np

from alphazero.go.referee import Referee
from games import go_coordinates as coords

DISAGREEMENT = "referee and GNU Go disagree on the winner"  # check_games: replayed, yet flagged


def read_games(path: str | Path) -> list[dict]:
    """The records of a games .jsonl file, in file order ([] if there is no file)."""
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def won(records: list[dict], name: str) -> list[bool]:
    """Per game, whether the player called `name` won it (as Black or as White)."""
    return [r["winner"] == ("B" if r["black"] == name else "W") for r in records]


def margins(records: list[dict], name: str) -> list[float]:
    """Per game, the final area margin from `name`'s view, komi included (+ when it won by
    the count; games decided by resignation or forfeit keep the board's count)."""
    return [r["referee_margin"] * (1.0 if r["black"] == name else -1.0) for r in records]


def match_line(records: list[dict], name: str, opponent: str) -> str:
    """One line about `name`'s games against `opponent`: wins (as Black), the median margin of
    the lost games (a collapse shows as minus the whole board), distinct games, disagreements."""
    wins = won(records, name)
    black = [w for r, w in zip(records, wins, strict=True) if r["black"] == name]
    lost = [m for m, w in zip(margins(records, name), wins, strict=True) if not w]
    median = f"{np.median(lost):+g}" if lost else "none lost"
    return (f"{name} vs {opponent}: {sum(wins)}/{len(records)} wins ({sum(black)}/{len(black)} "
            f"as Black), lost games' median margin {median}, {distinct(records)} distinct games "
            f"({distinct(records, up_to_symmetry=True)} up to symmetry), "
            f"{sum(r['disagreement'] for r in records)} disagreements")  # fmt: skip


def played(path: str | Path | None, a: str, b: str) -> list[dict]:
    """The records in the games file `path` of games between players named `a` and `b`."""
    if path is None:
        return []
    return [r for r in read_games(path) if {r["black"], r["white"]} == {a, b}]


def check_games(records: list[dict], batch: int = 128) -> list[str | None]:
    """Replays every record's moves with the referee; per record None if it checks out, else
    what is wrong: an illegal move (superko included) or a move after the end, a length other
    than `num_moves`, and for games decided by the score a game that had not ended, a final
    area margin other than `referee_margin` or a result other than the margin's; a referee/GNU Go
    `disagreement` is reported too. Batched: `batch` games of one board size at a time."""
    problems: list[str | None] = [None] * len(records)
    groups: dict[tuple, list[int]] = {}
    for i, record in enumerate(records):
        if not {"moves", "size", "komi"} <= record.keys():
            problems[i] = "no move list (moves, size, komi)"
            continue
        groups.setdefault((int(record["size"]), float(record["komi"])), []).append(i)
    for (size, komi), indices in groups.items():
        referee = Referee(size, komi, min(batch, len(indices)))  # 2 games: no batch of 128
        for start in range(0, len(indices), batch):
            part = indices[start : start + batch]
            for i, problem in zip(part, _check_batch(referee, [records[i] for i in part]),
                                  strict=True):  # fmt: skip
                problems[i] = problem
    return problems


def _check_batch(referee: Referee, records: list[dict]) -> list[str | None]:
    size, batch = referee.size, referee.batch
    games, problems = [], []
    for r in records:
        try:
            games.append([coords.gtp_to_action(v, size) for v in r["moves"]])
            problems.append(None)
        except coords.CoordinateError as error:
            games.append([])
            problems.append(f"unreadable move: {error}")
    length = max([len(g) for g in games] + [1])
    actions = np.full((batch, length), coords.pass_action(size))
    lengths = np.zeros(batch, int)
    for i, game in enumerate(games):
        actions[i, : len(game)], lengths[i] = game, len(game)
    states = referee.init(jax.random.PRNGKey(0))
    for ply in range(length):
        running = ply < lengths
        legal = referee.legal(states)[np.arange(batch), actions[:, ply]]
        ended = np.asarray(states.terminated)
        for i in np.flatnonzero(running & (~legal | ended))[: len(records)]:
            vertex = records[i]["moves"][ply]
            problems[i] = problems[i] or f"move {ply + 1} ({vertex}) is illegal or after the end"
        states = referee.step_where(states, actions[:, ply], running)
    margins, ended = referee.black_margin(states), np.asarray(states.terminated)
    return [problems[i] or _final_problem(r, float(margins[i]), bool(ended[i]))
            for i, r in enumerate(records)]  # fmt: skip


def _final_problem(record: dict, margin: float, ended: bool) -> str | None:
    """What is wrong with a record whose moves all replayed, given the replay's final margin."""
    if len(record["moves"]) != record["num_moves"]:
        return f"{len(record['moves'])} moves, not num_moves {record['num_moves']}"
    if record["result"][2:] not in ("R", "F"):  # decided by the score
        if not ended:
            return "the game had not ended"
        if margin != record["referee_margin"]:
            return f"replayed margin {margin:g}, not referee_margin {record['referee_margin']:g}"
        if record["result"] != (f"B+{margin:g}" if margin > 0 else f"W+{-margin:g}"):
            return f"result {record['result']} but margin {margin:g}"
    if record["disagreement"]:
        return DISAGREEMENT
    return None


def distinct(records: list[dict], up_to_symmetry: bool = False) -> int:
    """How many different games `records` hold: distinct move sequences, or with
    `up_to_symmetry` distinct up to the board's 8 rotations and reflections (a game and its
    mirror image are one game: each is the other with the board turned)."""
    if not up_to_symmetry:
        return len({tuple(r["moves"]) for r in records})
    return len({_canonical(r["moves"], r["size"]) for r in records})


def _canonical(moves: list[str], size: int) -> tuple:
    """The least of a game's 8 symmetric images, each a tuple of pgx actions."""
    actions = [coords.gtp_to_action(m, size) for m in moves]
    return min(tuple(coords.transform(a, size, k) for a in actions) for k in range(8))


def summary(records: list[dict]) -> str:
    """One line about a set of games: how many, distinct move sequences (and distinct up to
    symmetry), Black's wins, median length, referee/engine disagreements."""
    black = sum(r["winner"] == "B" for r in records)
    median = np.median([r["num_moves"] for r in records]) if records else 0
    flagged = sum(r["disagreement"] for r in records)
    return (f"{len(records)} games ({distinct(records)} distinct move sequences, "
            f"{distinct(records, up_to_symmetry=True)} up to symmetry), Black won {black}, "
            f"median {median:.0f} moves, {flagged} referee/GNU Go disagreements")  # fmt: skip


def check_report(path: str | Path, records: list[dict]) -> tuple[list[str], bool]:
    """`alphazero sgf check` on one file: a summary line and one line per problem; and whether
    any game has a problem."""
    bad = [(i, p) for i, p in enumerate(check_games(records)) if p]
    replayed = len(records) - sum(p != DISAGREEMENT for _, p in bad)
    cross = sum(r.get("engine_winner") is not None for r in records)
    flagged = sum(bool(r.get("disagreement")) for r in records)
    lines = [f"{path}: {len(records)} games ({distinct(records)} distinct, "
             f"{distinct(records, up_to_symmetry=True)} up to symmetry), {replayed} replay to "
             f"their recorded result, {cross} cross-checked with GNU Go's score, {flagged} "
             f"disagreements"]  # fmt: skip
    return lines + [f"  line {i + 1}: {problem}" for i, problem in bad], bool(bad)  # 1-based
