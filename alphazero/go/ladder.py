"""The GNU Go ladder: a Go agent's games against fixed rungs (GNU Go levels, random), and its Elo.

    metrics, lines = ladder.in_training(params, env, eval_config, search_config, ["gnugo-10"])
    table = ladder.rate(agent, ["gnugo-1", "gnugo-10"], num_games=200, out="runs/go_7x7/ladder")

Games go through the match runner (match.py: pgx referee, area scoring, GNU Go with the flags of
alphazero/go/__init__.py, seed per game), one JSON line each. The ratings are a Bradley-Terry fit
(ratings.py) over every game in the folder, anchored at GNU Go level 10 = 0 Elo when it played,
else at the strongest level played.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alphazero.go import match, ratings
from alphazero.go.records import match_line, read_games, won
from games import go


def anchor_of(names: list[str]) -> str:
    """GNU Go level 10 if it played, else the strongest GNU Go level, else the first name."""
    levels = [n for n in names if n.startswith("gnugo-") and n[6:].isdigit()]
    if "gnugo-10" in levels:
        return "gnugo-10"
    return max(levels, key=lambda n: int(n[6:])) if levels else names[0]


def in_training(params, env, config, search_config, engines: list[str], out_dir=None):
    """(metrics, lines) of the in-training evaluation: the search with `params` against each of
    `engines`, `config.num_games` games each (eval/win_rate, eval/disagreements, eval/elo)."""
    size, komi = go.board_size(env), go.komi(env)
    agent = match.search_player(params, env, search_config, "agent", config.opening_samples,
                                config.pass_rule)  # fmt: skip
    out = Path(out_dir) / "games.jsonl" if out_dir is not None else None
    records, metrics, lines = [], {}, []
    for name in engines:
        games = match.play(
            agent, match.player(name), size, komi, config.num_games, out, seed=len(records),
            parallel=16, comment=f"evaluation, search@{search_config.num_simulations}",
            turned=config.turn_engine,
        )  # fmt: skip
        wins = np.array(won(games, "agent"))
        metrics[f"eval/win_rate/{name}"] = float(wins.mean())
        metrics[f"eval/disagreements/{name}"] = float(sum(r["disagreement"] for r in games))
        lines.append(f"search@{search_config.num_simulations} vs {name}: {wins.sum()}/{len(games)}")
        records += games
    anchor = anchor_of(engines)
    rating = next(r for r in ratings.fit(records, anchor=anchor) if r.name == "agent")
    metrics.update({"eval/elo": rating.elo, "eval/elo_low": rating.low,
                    "eval/elo_high": rating.high})  # fmt: skip
    lines.append(f"Elo vs {anchor} = 0: {rating.elo:+.0f} [{rating.low:+.0f}, {rating.high:+.0f}]")
    return metrics, lines


def agent_name(agent, algorithm_named: bool = False, pass_rule: str = "free",
               opening_samples: int = 2) -> str:  # fmt: skip
    """The agent's name on the ladder: iteration, simulations, and what changes its play
    (a different player in the ratings): bf16, random symmetries, the search named, the
    opening, the pass rule."""
    search = agent.config.search
    name = f"agent-{agent.iteration}@{search.num_simulations}"
    name += "-bf16" if search.inference_dtype == "bfloat16" else ""
    name += "-sym" if search.random_symmetry else ""
    name += f"-{search.algorithm}" if algorithm_named else ""
    name += f"-open{opening_samples}" if opening_samples != 2 else ""
    return name + {"free": "", "settle": "-settle", "tromp-taylor": "-ttpass"}[pass_rule]


def rate(agent, opponents: list[str], num_games: int, out: str | Path, *, seed: int = 0,
         parallel: int = 8, pass_rule: str | None = None, opening_samples: int | None = None,
         turned: bool | None = None, name: str | None = None,
         source: str = "") -> list[ratings.Rating]:  # fmt: skip
    """`alphazero eval` for a Go agent: `num_games` games against each opponent (colours
    alternate), appended to `out`/games.jsonl (an interrupted match continues), then the ratings
    of every game in that file, written to `out`/ratings.md and returned. The pass rule, the
    sampled opening moves and the turned engine boards default to the run's (`eval.pass_rule`,
    `eval.opening_samples`, `eval.turn_engine`)."""
    players = [match.player(spec) for spec in opponents]  # ValueError: an unknown opponent
    pass_rule = pass_rule or agent.config.eval.pass_rule
    opening_samples = agent.config.eval.opening_samples if opening_samples is None else (
        opening_samples)  # fmt: skip
    turned = agent.config.eval.turn_engine if turned is None else turned
    name = name or agent_name(agent, pass_rule=pass_rule, opening_samples=opening_samples)
    games_file = Path(out) / "games.jsonl"
    size, komi = go.board_size(agent.env), go.komi(agent.env)
    for i, opponent in enumerate(players):
        comment = f"agent {source} iteration {agent.iteration}; {opponent.name}"
        player = match.agent_player(agent, name, opening_samples, pass_rule)
        records = match.play(
            player, opponent, size, komi, num_games, games_file,
            seed=seed + 10_000 * i, parallel=parallel, comment=comment, progress=True,
            turned=turned,
        )  # fmt: skip
        print(match_line(records, name, opponent.name))
    records = read_games(games_file)
    table = ratings.fit(records, anchor=anchor_of([r["white"] for r in records]
                                                 + [r["black"] for r in records]))  # fmt: skip
    (Path(out) / "ratings.md").write_text(ratings.markdown(table) + "\n")
    return table
