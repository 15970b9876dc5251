"""Arena: batched games between two in-process players, colours alternating.

A *player* is a function `(params, key, states [B]) -> actions [B]`; learned and fixed ones mix:

    search_player(env, search_config)   MCTS with the network (no exploration noise)
    policy_player()                     the raw policy: argmax of the legal prior logits
    random_player()                     uniform over legal moves
    reference_player(name)              games' exact/strong players: "minimax", "alphabeta-D"

`arena` plays `num_games` games in one jitted `while_loop`: player A moves first in even games.
Results come back per game, so callers report W/D/L per colour and intervals.
pgx picks the first player id at random in `init`; "first" here always means "moved first".
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

import games
from alphazero import networks, search
from alphazero.config import EvalConfig, SearchConfig
from alphazero.types import take_rows

Player = Callable[..., jax.Array]


class ArenaResult(NamedTuple):
    outcome: np.ndarray  # [G] +1 A won, 0 draw, -1 A lost
    a_first: np.ndarray  # [G] bool, A made the first move

    def summary(self) -> dict[str, float]:
        g = len(self.outcome)
        first, second = self.outcome[self.a_first], self.outcome[~self.a_first]
        return {
            "win_rate": float(np.sum(self.outcome > 0) / g),
            "draw_rate": float(np.sum(self.outcome == 0) / g),
            "loss_rate": float(np.sum(self.outcome < 0) / g),
            "score_first": float(np.mean((first + 1) / 2)) if len(first) else float("nan"),
            "score_second": float(np.mean((second + 1) / 2)) if len(second) else float("nan"),
        }

    def score(self) -> float:
        """A's score: (wins + draws / 2) / games."""
        return float(np.mean((self.outcome + 1) / 2))

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        """95% (for z = 1.96) Wilson score interval of `score()`."""
        return wilson_interval(self.score(), len(self.outcome), z)

    def line(self) -> str:
        def wdl(x):
            return f"{np.sum(x > 0)}/{np.sum(x == 0)}/{np.sum(x < 0)}"

        return (
            f"W/D/L {wdl(self.outcome)} (moving first {wdl(self.outcome[self.a_first])}, "
            f"second {wdl(self.outcome[~self.a_first])})"
        )


def wilson_interval(score: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion `score` out of `n` trials (draws count 1/2)."""
    if n == 0:
        return (0.0, 1.0)
    centre = (score + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(score * (1 - score) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


# Players --------------------------------------------------------------------------------------


@functools.cache
@functools.cache  # one player per (env, config): jitted callers compile once for it
def search_player(env, config: SearchConfig) -> Player:
    def play(params, key, states):
        return search.run(params, key, states, env, config, explore=False).action

    return play


@functools.cache
def policy_player() -> Player:
    def play(params, key, states):
        logits, _ = networks.apply(params, states.observation)
        return jnp.argmax(search.mask_logits(logits, states.legal_action_mask), axis=-1)

    return play


@functools.cache
def random_player() -> Player:
    return reference_player("random")


@functools.cache
def reference_player(name: str) -> Player:
    """games' players: 'random', 'minimax' (tic-tac-toe, exact), 'alphabeta-D' (connect four)."""
    if name == "random":
        single = games.random_player
    elif name == "minimax":
        single = games.minimax_player
    elif name.startswith("alphabeta-"):
        single = games.alphabeta_player(int(name.split("-", 1)[1]))
    else:
        raise ValueError(f"unknown player {name!r}")

    def play(params, key, states):
        keys = jax.random.split(key, states.legal_action_mask.shape[0])
        return jax.vmap(single)(keys, states)

    return play


def opponent(name: str) -> Player:
    """Player for an `EvalConfig.opponents` entry (the raw 'policy' uses the evaluated params)."""
    if name == "random":
        return random_player()
    if name == "policy":
        return policy_player()
    if name == "minimax" or name.startswith("alphabeta-"):
        return reference_player(name)
    raise ValueError(f"unknown opponent {name!r}; use random, policy, minimax or alphabeta-D")


# Arena ----------------------------------------------------------------------------------------


@functools.partial(jax.jit, static_argnames=("env", "player_a", "player_b", "num_games", "cap"))
def _play_games(key, params_a, params_b, env, player_a, player_b, num_games: int, cap: int):
    init_key, loop_key = jax.random.split(key)
    states = jax.vmap(env.init)(jax.random.split(init_key, num_games))
    a_first = jnp.arange(num_games) % 2 == 0
    a_id = jnp.where(a_first, states.current_player, 1 - states.current_player)

    def running(carry):
        states, _, _, t = carry
        return jnp.any(~(states.terminated | states.truncated)) & (t < cap)

    def move(carry):
        states, total, key, t = carry
        key, key_a, key_b = jax.random.split(key, 3)
        action_a = player_a(params_a, key_a, states)
        action_b = player_b(params_b, key_b, states)
        action = jnp.where(states.current_player == a_id, action_a, action_b)
        states = jax.vmap(env.step)(states, action)
        return states, total + states.rewards, key, t + 1

    total = jnp.zeros(states.rewards.shape)
    _, total, _, _ = jax.lax.while_loop(running, move, (states, total, loop_key, 0))
    outcome = jnp.sign(jnp.take_along_axis(total, a_id[:, None], axis=1)[:, 0])
    return outcome, a_first


def arena(
    key,
    env,
    player_a: Player,
    player_b: Player,
    params_a=None,
    params_b=None,
    num_games: int = 64,
    cap: int = 2_000,
) -> ArenaResult:
    """Plays `num_games` games of A against B (A first in even games)."""
    outcome, a_first = _play_games(key, params_a, params_b, env, player_a, player_b, num_games, cap)
    return ArenaResult(np.asarray(outcome), np.asarray(a_first))


# Exhaustive check (tic-tac-toe) ---------------------------------------------------------------


def exhaustive_check(params, env, config: SearchConfig) -> dict[str, int]:
    """Counts positions (of all 4,520) where search / raw policy pick a value-optimal move."""
    positions = games.tic_tac_toe_solver.all_positions()
    key = jax.random.PRNGKey(0)
    search_action = search.run_jit(params, key, positions.states, env, config).action
    policy_action = policy_player()(params, key, positions.states)
    optimal = np.asarray(positions.optimal_action_mask)
    idx = np.arange(len(optimal))
    return {
        "positions": len(optimal),
        "optimal_search": int(optimal[idx, np.asarray(search_action)].sum()),
        "optimal_policy": int(optimal[idx, np.asarray(policy_action)].sum()),
    }


@functools.partial(jax.jit, static_argnames=("env", "player", "cap"))
def _solve(key, params, env, player, states, cap: int) -> jax.Array:
    def running(carry):
        states, _, _, t = carry
        return jnp.any(~(states.terminated | states.truncated)) & (t < cap)

    def move(carry):
        states, total, key, t = carry
        key, sub = jax.random.split(key)
        states = jax.vmap(env.step)(states, player(params, sub, states))
        return states, total + states.rewards[:, 0], key, t + 1

    total = jnp.zeros(states.rewards.shape[0])
    return jax.lax.while_loop(running, move, (states, total, key, 0))[1]


def solved(key, env, player: Player, params, states, chunk: int = 512, cap: int = 1000):
    """One-player games (puzzles): [N] bool, whether `player` solves (return 1) each of the start
    `states` [N], played `chunk` at a time (the last chunk padded, so one compile)."""
    n = states.rewards.shape[0]
    chunk = min(chunk, n)
    out = []
    for start in range(0, n, chunk):
        rows = np.minimum(np.arange(start, start + chunk), n - 1)
        part = take_rows(states, rows)
        total = _solve(jax.random.fold_in(key, start), params, env, player, part, cap)
        out.append(np.asarray(total)[: min(chunk, n - start)] >= 1)
    return np.concatenate(out)


@functools.partial(jax.jit, static_argnames=("env", "num_games"))
def _init_states(key, env, num_games: int):
    return jax.vmap(env.init)(jax.random.split(key, num_games))


def solve_rate(key, env, player: Player, params, num_games: int, cap: int = 1000) -> dict:
    """One-player games: `player` on `num_games` instances drawn by `env.init`; the share solved
    and its 95% Wilson interval."""
    init_key, play_key = jax.random.split(key)
    states = _init_states(init_key, env, num_games)
    rate = float(solved(play_key, env, player, params, states, num_games, cap).mean())
    low, high = wilson_interval(rate, num_games)
    return {"solved": rate, "solved_low": low, "solved_high": high}


def _evaluate_puzzle(params, key, env, config: EvalConfig, agent: Player):
    """One-player games: solve rates on held-out instances (`env.held_out()` when it has one)."""
    held_out = env.held_out() if hasattr(env, "held_out") else env
    metrics, lines = {}, []
    players = {f"search@{config.num_simulations}": agent, "policy": policy_player()}
    for i, (name, player) in enumerate(players.items()):
        result = solve_rate(jax.random.fold_in(key, i), held_out, player, params, config.num_games)
        metrics.update({f"eval/{k}/{name.split('@')[0]}": v for k, v in result.items()})
        lines.append(f"{name} solves {result['solved']:.3f} [{result['solved_low']:.3f}, "
                     f"{result['solved_high']:.3f}] of {config.num_games} held-out")  # fmt: skip
    return metrics, lines


def evaluate(params, key, env, config: EvalConfig, search_config: SearchConfig, out_dir=None):
    """The periodic evaluation of a training run: metrics dict and printable lines. Games against
    GNU Go (Go only, alphazero/go/ladder.py) are saved as JSON lines under `out_dir` when given.
    One-player games report solve rates on held-out instances instead of games against opponents."""
    search_config = dataclasses.replace(
        search_config, num_simulations=config.num_simulations, algorithm=config.algorithm,
        random_symmetry=config.random_symmetry,
    )  # fmt: skip
    agent = search_player(env, search_config)
    if env.num_players == 1:
        return _evaluate_puzzle(params, key, env, config, agent) if config.num_games else ({}, [])
    metrics, lines = {}, []
    engines = [name for name in config.opponents if name.startswith("gnugo-")]
    for i, name in enumerate(config.opponents):
        if config.num_games == 0 or name in engines:
            continue
        result = arena(
            jax.random.fold_in(key, i),
            env,
            agent,
            opponent(name),
            params,
            params,
            config.num_games,
        )
        for stat, value in result.summary().items():
            metrics[f"eval/{stat}/{name}"] = value
        lines.append(f"search@{config.num_simulations} vs {name}: {result.line()}")
    if engines and config.num_games:
        from alphazero.go import ladder  # Go only: GNU Go subprocesses, scipy.optimize

        gnugo_metrics, gnugo_lines = ladder.in_training(
            params, env, config, search_config, engines, out_dir
        )
        metrics.update(gnugo_metrics)
        lines += gnugo_lines
    if config.exhaustive:
        counts = exhaustive_check(params, env, search_config)
        metrics["eval/optimal_search"] = counts["optimal_search"] / counts["positions"]
        metrics["eval/optimal_policy"] = counts["optimal_policy"] / counts["positions"]
        lines.append(
            f"optimal moves over all {counts['positions']} positions: search@"
            f"{search_config.num_simulations} {counts['optimal_search']}, "
            f"raw policy {counts['optimal_policy']}"
        )
    return metrics, lines


def against(agent, opponents: list[str], num_games: int, seed: int = 0) -> dict[str, dict]:
    """`alphazero eval` for a board game other than Go: the agent's search (`agent.config.search`)
    against each opponent in the arena, `num_games` games (half moving first); per opponent the
    W/D/L summary, the score (win 1, draw 1/2) and its 95% Wilson interval."""
    player = search_player(agent.env, agent.config.search)
    results = {}
    for i, name in enumerate(opponents):
        result = arena(jax.random.PRNGKey(seed + i), agent.env, player, opponent(name),
                       agent.params, agent.params, num_games=num_games)  # fmt: skip
        summary = result.summary()
        score = summary["win_rate"] + summary["draw_rate"] / 2
        results[name] = {**summary, "score": score,
                         "score_95ci": list(wilson_interval(score, num_games)),
                         "line": result.line()}  # fmt: skip
    return results
