"""Self-play: B games in parallel, T moves each, one jitted call (AlphaZero's data generation).

    trajectory = selfplay.play(params, key, env, config)   # Trajectory [T, B, ...]

Each game slot runs `lax.scan` over T moves; at every move one batched search serves all B slots.
A slot whose game ends starts a new game at once (auto-reset), so no compute is spent on finished
games; positions of a game still running after move T get no value target (targets.py masks them).

Move choice in one game (`_act`, written for a single game and vmapped once in `play`):
  1. the first `opening` moves are uniformly random legal moves, `opening` drawn per game from
     0..random_opening_moves, so training sees positions good play avoids (docs/deviations.md);
  2. until move `temperature_moves` the move is sampled from the search policy pi (temperature 1);
  3. afterwards the search's recommended move (greedy).

Playout cap randomization (KataGo, Wu 2019 section 3.1; `selfplay.full_search_probability` < 1):
each move is, with that probability, a full search of `search.num_simulations` whose policy is
recorded as a target; otherwise a cheap search of `cheap_simulations(config)` without root noise,
whose position trains the value only. Both searches are compiled once and `lax.cond` picks one
per move for all B slots together (KataGo draws per game; one batched search serves all slots
here, docs/deviations.md).

With `selfplay.hindsight` every move also records its state, the move and the goal reached
after it, for hindsight relabelling (alphazero/hindsight.py).

With `network.score_heads` the move that ends a game also records the final position's
ownership map and margin from its mover's view (alphazero/ownership.py); targets.py carries them
back over the game.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp

from alphazero import distributed, ownership, search
from alphazero.config import Config, SelfPlayConfig
from alphazero.types import Trajectory


class Actor(NamedTuple):
    """One game slot: the game in progress and where it stands."""

    state: object  # pgx State of the game in progress
    move: jax.Array  # [] int32, moves played in this game so far
    opening: jax.Array  # [] int32, random opening moves this game starts with


def _new_game(env, config: SelfPlayConfig, key: jax.Array) -> Actor:
    init_key, opening_key = jax.random.split(key)
    opening = jax.random.randint(opening_key, (), 0, config.random_opening_moves + 1)
    return Actor(state=env.init(init_key), move=jnp.int32(0), opening=opening)


def cheap_simulations(config: Config) -> int:
    """Simulations of playout cap randomization's cheap search (0 in the config: N / 4)."""
    return config.selfplay.cheap_simulations or max(1, config.search.num_simulations // 4)


def counts(trajectory, config: Config) -> dict[str, jax.Array]:
    """This iteration's policy targets, simulations and network evaluations (one per simulation
    and one at each root): with playout cap randomization they no longer follow from positions."""
    full = trajectory.full_search
    full = jnp.ones(trajectory.done.shape, bool) if full is None else full  # [T, B]
    cheap = cheap_simulations(config)
    simulations = jnp.sum(jnp.where(full, config.search.num_simulations, cheap))
    return {
        "selfplay/policy_targets": jnp.sum(full),
        "selfplay/simulations": simulations,
        "selfplay/network_evaluations": simulations + full.size,
    }


def _act(
    env,
    config: SelfPlayConfig,
    scoring: bool,
    hindsight: bool,
    actor: Actor,
    out: search.SearchOutput,
    key: jax.Array,
):
    """Plays one move in one game; returns the next actor and the move's record (with the
    final position's ownership and margin when `scoring`)."""
    random_key, sample_key, reset_key = jax.random.split(key, 3)
    state = actor.state
    legal = state.legal_action_mask
    random_action = jax.random.choice(random_key, legal.shape[0], p=legal / legal.sum())
    sampled_action = jax.random.choice(sample_key, legal.shape[0], p=out.action_weights)
    is_random = actor.move < actor.opening
    action = jnp.where(
        is_random,
        random_action,
        jnp.where(actor.move < config.temperature_moves, sampled_action, out.action),
    )
    next_state = env.step(state, action)
    done = next_state.terminated | next_state.truncated
    record = dict(
        observation=state.observation,
        action_weights=out.action_weights,
        reward=next_state.rewards[state.current_player],
        done=done,
        truncated=next_state.truncated & ~next_state.terminated,
        random_move=is_random,
        root_value=out.root_value,
    )
    if hindsight:  # what hindsight.relabel needs to replay the game with another goal
        record.update(state=state, action=action.astype(jnp.int32),
                      achieved=env.achieved_goal(next_state))  # fmt: skip
    if scoring:  # recorded on the game's last move only; zeros elsewhere (targets.py sums)
        owner, margin, scored = ownership.final_targets(
            env, next_state, ownership.colour_to_move(state)
        )
        ended = next_state.terminated
        record.update(
            ownership=jnp.where(ended, owner, 0.0),
            score_margin=jnp.where(ended, margin, 0.0),
            scored=ended & scored,
        )
    next_actor = Actor(next_state, actor.move + 1, actor.opening)
    fresh = _new_game(env, config, reset_key)
    next_actor = jax.tree.map(lambda a, b: jnp.where(done, a, b), fresh, next_actor)
    return next_actor, record


def play(params, key: jax.Array, env, config: Config, games_sharding=None) -> Trajectory:
    """Plays `num_games` slots for `num_moves` moves each; returns Trajectory [T, B, ...].

    `games_sharding` (distributed.batch_sharding) splits the B game slots over devices.
    """
    sp = config.selfplay
    init_key, scan_key = jax.random.split(key)
    actors = jax.vmap(functools.partial(_new_game, env, sp))(
        jax.random.split(init_key, sp.num_games)
    )
    scoring = config.network.score_heads
    # The one place games are vectorised:
    act = jax.vmap(functools.partial(_act, env, sp, scoring, sp.hindsight))
    capped = sp.full_search_probability < 1

    def one_move(actors: Actor, key: jax.Array):
        actors = distributed.constrain(actors, games_sharding)
        search_key, act_key = jax.random.split(key)

        def searched(search_config, explore: bool):
            return lambda k: search.run(params, k, actors.state, env, search_config,
                                        explore=explore)  # fmt: skip

        if capped:  # playout cap randomization: a full or a cheap search for this move
            full = jax.random.uniform(jax.random.fold_in(key, 1)) < sp.full_search_probability
            cheap = dataclasses.replace(config.search, num_simulations=cheap_simulations(config))
            out = jax.lax.cond(full, searched(config.search, True), searched(cheap, False),
                               search_key)  # fmt: skip
        else:
            out = search.run(params, search_key, actors.state, env, config.search, explore=True)
        actors, record = act(actors, out, jax.random.split(act_key, sp.num_games))
        if capped:
            record["full_search"] = jnp.broadcast_to(full, (sp.num_games,))
        return actors, Trajectory(**record)

    _, trajectory = jax.lax.scan(one_move, actors, jax.random.split(scan_key, sp.num_moves))
    return trajectory
