"""Elo ratings from game results: a Bradley-Terry fit over every game played (choix).

    table = ratings.fit(records, anchor="gnugo-10")        # records: match.play's dicts
    print(ratings.markdown(table))

Bradley-Terry: P(i beats j) = 1 / (1 + exp(s_j - s_i)); Elo = s * 400 / ln 10, so a 100-Elo gap is
a 64% expected score. The fit uses all pairings at once (as BayesElo does), with a small Gaussian
prior (choix `alpha`) so a player who won or lost every game still gets a finite rating. The anchor
player is fixed at 0 (GNU Go level 10 on every board size). 95% intervals come from refitting on
bootstrap resamples of the games. Draws (none in Go with half-point komi) count half a win each way.
"""

from __future__ import annotations

import dataclasses
import math

import choix
import numpy as np

ELO = 400 / math.log(10)


@dataclasses.dataclass(frozen=True)
class Rating:
    name: str
    elo: float
    low: float  # 95% interval
    high: float
    games: int
    score: float  # points / games (win 1, draw 1/2)
    as_black: str  # "W/L" as Black
    as_white: str


def _pairs(records: list[dict], index: dict[str, int]) -> list[tuple[int, int]]:
    pairs = []
    for r in records:
        black, white = index[r["black"]], index[r["white"]]
        if r["winner"] == "B":
            pairs.append((black, white))
        elif r["winner"] == "W":
            pairs.append((white, black))
        else:  # a draw: half a win each way
            pairs += [(black, white), (white, black)]
    return pairs


def _strengths(n: int, pairs, anchor: int, alpha: float, start=None) -> np.ndarray:
    params = choix.opt_pairwise(n, pairs, alpha=alpha, initial_params=start)
    return (params - params[anchor]) * ELO


def fit(records: list[dict], anchor: str, alpha: float = 0.01, resamples: int = 200, seed=0):
    """One `Rating` per player, best first; the anchor is 0 Elo."""
    names = sorted({r["black"] for r in records} | {r["white"] for r in records})
    if anchor not in names:
        raise ValueError(f"anchor {anchor!r} played no game; players: {', '.join(names)}")
    index = {name: i for i, name in enumerate(names)}
    n, pairs, fixed = len(names), _pairs(records, index), index[anchor]
    elo = _strengths(n, pairs, fixed, alpha)
    rng = np.random.default_rng(seed)
    # Each resample starts from the full fit (a convex problem: same optimum, ~10x fewer steps).
    boot = [
        _strengths(n, _pairs([records[i] for i in sample], index), fixed, alpha, elo / ELO)
        for sample in rng.integers(0, len(records), (resamples, len(records)))
    ]
    low, high = np.percentile(np.asarray(boot), [2.5, 97.5], axis=0)
    # Resamples equal to the data stop within the optimiser's tolerance (~1e-7 Elo) of the fit.
    low, high = np.minimum(low, elo), np.maximum(high, elo)
    table = [_rating(name, elo[i], low[i], high[i], records) for name, i in index.items()]
    return sorted(table, key=lambda r: -r.elo)


def _rating(name: str, elo: float, low: float, high: float, records: list[dict]) -> Rating:
    def record(colour: str) -> tuple[int, int]:
        mine = [r for r in records if r[colour] == name]
        wins = sum(r["winner"] == colour[0].upper() for r in mine)
        return wins, len(mine) - wins

    (bw, bl), (ww, wl) = record("black"), record("white")
    games = bw + bl + ww + wl
    return Rating(
        name, elo, low, high, games, (bw + ww) / max(games, 1), f"{bw}/{bl}", f"{ww}/{wl}"
    )


def markdown(table: list[Rating]) -> str:
    rows = [
        "| player | Elo | 95% interval | games | score | W/L as Black | W/L as White |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in table:
        rows.append(
            f"| {r.name} | {r.elo:+.0f} | [{r.low:+.0f}, {r.high:+.0f}] | {r.games} "
            f"| {r.score:.3f} | {r.as_black} | {r.as_white} |"
        )
    return "\n".join(rows)
