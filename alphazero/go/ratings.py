"""Elo ratings from game results: a Bradley-Terry fit over every game played.

    table = ratings.fit(records, anchor="gnugo-10")        # records: match.play's dicts
    print(ratings.markdown(table))

Bradley-Terry: P(i beats j) = 1 / (1 + exp(s_j - s_i)); Elo = s * 400 / ln 10, so a 100-Elo gap is
a 64% expected score. The fit uses all pairings at once (as BayesElo does), with a small Gaussian
prior so a player who won or lost every game still gets a finite rating. The anchor player is fixed
at 0 (GNU Go level 10 on every board size). 95% intervals come from refitting on bootstrap
resamples of the games. A draw (none in Go with half-point komi) counts as a win each way.

The fit is choix's `opt_pairwise` (the MAP estimate: minimise sum over games of
log(1 + exp(s_loser - s_winner)) + alpha * |s|^2 with scipy's Newton-CG at `xtol` 1e-5) on a
[P, P] matrix of win counts instead of one Python term per game: games between the same two
players are interchangeable, so the objective, gradient and Hessian are sums over the matrix.
Same optimum (tests/test_match.py checks it against choix), about 40x faster: the 400 games of
docs/results/ladder_7x7 with 200 bootstrap refits take 0.27 s against choix's 12 s (CPU-2).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.optimize import minimize

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


def _wins(records: list[dict], index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """[R, 2] (winner, loser) indices and [R] the game of each row: a row per decided game, a row
    each way for a draw (as choix's pair list had it)."""
    rows, game = [], []
    for g, r in enumerate(records):
        black, white = index[r["black"]], index[r["white"]]
        if r["winner"] != "W":  # Black won, or a draw
            rows.append((black, white))
            game.append(g)
        if r["winner"] != "B":  # White won, or a draw
            rows.append((white, black))
            game.append(g)
    return np.asarray(rows, np.int64).reshape(-1, 2), np.asarray(game, np.int64)


def _counts(n: int, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """[P, P] wins[i, j]: how often i beat j (each row counted `weights` times)."""
    return np.bincount(rows[:, 0] * n + rows[:, 1], weights, n * n).reshape(n, n)


def _strengths(wins: np.ndarray, anchor: int, alpha: float, start=None) -> np.ndarray:
    """Elo relative to `anchor`: the penalised Bradley-Terry MAP estimate from win counts."""
    n = len(wins)

    def objective(s):
        gap = s[None, :] - s[:, None]  # [P, P] s_j - s_i: i beat j with weight wins[i, j]
        return np.sum(wins * np.logaddexp(0.0, gap)) + alpha * np.sum(s**2)

    def gradient(s):
        z = wins / (1.0 + np.exp(np.clip(s[:, None] - s[None, :], -500, 500)))  # P(loss) weight
        return 2 * alpha * s - z.sum(axis=1) + z.sum(axis=0)

    def hessian(s):
        p = 1.0 / (1.0 + np.exp(np.clip(s[:, None] - s[None, :], -500, 500)))
        v = (wins + wins.T) * p * (1.0 - p)  # symmetric: one term per pair of players
        return 2 * alpha * np.identity(n) + np.diag(v.sum(axis=1)) - v

    x0 = np.zeros(n) if start is None else start
    params = minimize(objective, x0, method="Newton-CG", jac=gradient, hess=hessian,
                      options={"xtol": 1e-5}).x  # fmt: skip
    return (params - params[anchor]) * ELO


def fit(records: list[dict], anchor: str, alpha: float = 0.01, resamples: int = 200, seed=0):
    """One `Rating` per player, best first; the anchor is 0 Elo."""
    names = sorted({r["black"] for r in records} | {r["white"] for r in records})
    if anchor not in names:
        raise ValueError(f"anchor {anchor!r} played no game; players: {', '.join(names)}")
    index = {name: i for i, name in enumerate(names)}
    n, fixed = len(names), index[anchor]
    rows, game = _wins(records, index)
    elo = _strengths(_counts(n, rows, np.ones(len(rows))), fixed, alpha)
    rng = np.random.default_rng(seed)
    boot = []
    for sample in rng.integers(0, len(records), (resamples, len(records))):
        times = np.bincount(sample, minlength=len(records))[game]  # how often each row's game
        # Each resample starts from the full fit (a convex problem: same optimum, fewer steps).
        boot.append(_strengths(_counts(n, rows, times), fixed, alpha, elo / ELO))
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
