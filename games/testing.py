"""Checks that a pgx game behaves as the AlphaZero code assumes, and a match runner for players.

`check_game` runs pgx's own API test plus jit/vmap/reward/legal-mask checks; `play_match` pits
two `player(key, state) -> action` functions against each other over a batch of games.
"""

import contextlib
from typing import Literal, get_args
from unittest import mock

import jax
import jax.numpy as jnp
import numpy as np
import pgx
from pgx._src import api_test

from games.random_player import Player, random_player


def _act_randomly(key: jax.Array, legal_action_mask: jax.Array) -> jax.Array:
    """Random legal action for masks [..., A] (pgx's `act_randomly` uses axis=1: fails on [A])."""
    logits = jnp.log(legal_action_mask.astype(jnp.float32))  # [..., A]
    return jax.random.categorical(key, logits=logits, axis=-1)


def run_pgx_api_test(
    env: pgx.Env, num: int = 1, batched: bool = True, render_svg: bool = False
) -> None:
    """Runs pgx's own API test `pgx._src.api_test.api_test(env, num)`, patched to work here.

    Patches, undone on exit: pgx 2.6's unbatched `act_randomly` calls `categorical(axis=1)` on a
    [A] mask, which current JAX rejects; ids that `pgx.make` does not know (Go smaller than 9x9)
    fail its env-id check, so the id list is extended for them. Unless `render_svg`, the final
    SVG rendering is skipped: it runs op by op (dozens of tiny compiles, about half the test's
    time) and checks only the visualiser, which cannot draw the small Go boards anyway.

    Args:
        env: pgx environment.
        num: games played by each of pgx's single-state and batched tests.
        batched: also run pgx's batched part (random vmapped games; it asserts nothing, only
            that they run, so `check_game` skips it in favour of its own batched rollout).
        render_svg: also render the last states to SVG, as pgx does.
    """
    with contextlib.ExitStack() as patches:
        patches.enter_context(mock.patch.object(api_test, "act_randomly", jax.jit(_act_randomly)))
        if env.id not in get_args(pgx.EnvId):
            known = Literal[(*get_args(pgx.EnvId), env.id)]  # type: ignore[valid-type]
            patches.enter_context(mock.patch.object(api_test, "EnvId", known))
        if not render_svg or env.id not in get_args(pgx.EnvId):
            patches.enter_context(mock.patch.object(pgx.State, "save_svg", lambda *_, **__: None))
        if batched:
            api_test.api_test(env, num=num)
        else:
            api_test.api_test_single(env, num=num)


def _check_transition(env: pgx.Env, prev: pgx.State, state: pgx.State, illegal: jax.Array) -> None:
    """Per-step checks on a batch: legal masks, rewards, terminal absorption."""
    prev_done, done = np.asarray(prev.terminated), np.asarray(state.terminated)  # [B], [B]
    assert not np.asarray(illegal).any(), "a random legal action was illegal per the mask"
    assert np.asarray(state.legal_action_mask)[~done].any(axis=-1).all(), "no legal action"
    assert np.asarray(state.legal_action_mask)[done].all(), "terminal mask must be all True"
    assert done[prev_done].all(), "a terminated game restarted"
    rewards = np.asarray(state.rewards)  # [B, num_players]
    assert ((rewards >= -1.0) & (rewards <= 1.0)).all(), rewards
    assert (rewards[prev_done] == 0.0).all(), "reward after termination"
    if env.num_players == 2:
        assert np.allclose(rewards.sum(axis=-1), 0.0), f"not zero-sum: {rewards}"


def check_game(env: pgx.Env, num_steps: int = 200, batch_size: int = 8, api_games: int = 1) -> None:
    """Checks a pgx game; raises AssertionError on the first failure.

    Runs pgx's single-state API test (`api_games` games), then plays `batch_size` random games with
    `jit(vmap(init))` and `jit(vmap(step))` until all terminate or `num_steps` steps pass,
    checking that: each jitted function is traced exactly once over repeated calls; state
    shapes and dtypes never change; the sampled (legal) action never trips pgx's illegal-action
    penalty, which pgx applies exactly when `legal_action_mask[action]` is False; non-terminal
    states have a legal action; rewards lie in [-1, 1], are zero-sum for two players and are
    zero after termination.

    Args:
        env: pgx environment.
        num_steps: cap on random steps (keep it small for slow games such as Go 19x19).
        batch_size: games played in parallel.
        api_games: games played by pgx's single-state API test.
    """
    run_pgx_api_test(env, num=api_games, batched=False)  # the rollout below supersedes it
    traces = {"init": 0, "step": 0}

    def init(key: jax.Array) -> pgx.State:
        traces["init"] += 1  # Python side effect: runs once per trace, not per call
        return env.init(key)

    def step(state: pgx.State, key: jax.Array) -> tuple[pgx.State, jax.Array]:
        traces["step"] += 1
        action = random_player(key, state)
        illegal = ~state.legal_action_mask[action] & ~state.terminated
        return env.step(state, action), illegal

    init, step = jax.jit(jax.vmap(init)), jax.jit(jax.vmap(step))
    keys = jax.random.split(jax.random.PRNGKey(0), 3)
    for key in keys:  # several calls, same shapes: one trace
        state = init(jax.random.split(key, batch_size))
    shapes = jax.tree.map(lambda x: (x.shape, x.dtype), state)
    assert not np.asarray(state.terminated).any()
    key = keys[0]
    for _ in range(num_steps):
        if np.asarray(state.terminated).all():
            break
        key, subkey = jax.random.split(key)
        prev = state
        state, illegal = step(prev, jax.random.split(subkey, batch_size))
        _check_transition(env, prev, state, illegal)
        assert jax.tree.map(lambda x: (x.shape, x.dtype), state) == shapes, "shapes changed"
    assert traces == {"init": 1, "step": 1}, f"retraced: {traces}"


def play_match(
    env: pgx.Env, player_a: Player, player_b: Player, key: jax.Array, num_games: int, max_steps: int
) -> jax.Array:
    """Plays `num_games` games of A against B; A moves first in even games, second in odd ones.

    Args:
        env: two-player pgx environment.
        player_a: `player(key, state) -> action` for one unbatched state.
        player_b: same, for the opponent.
        key: PRNG key.
        num_games: games played in parallel.
        max_steps: steps played (games that end earlier stay terminal).

    Returns:
        [num_games] float32 return of A in each game (+1 win, 0 draw/unfinished, -1 loss).
    """

    @jax.jit
    def run(key: jax.Array) -> jax.Array:
        init_key, play_key = jax.random.split(key)
        state = jax.vmap(env.init)(jax.random.split(init_key, num_games))
        a_first = jnp.arange(num_games) % 2 == 0  # [G]
        a_id = jnp.where(a_first, state.current_player, 1 - state.current_player)  # [G]

        def body(carry: tuple[pgx.State, jax.Array], key: jax.Array) -> tuple:
            state, ret = carry
            keys = jax.random.split(key, num_games)
            action = jnp.where(
                state.current_player == a_id,
                jax.vmap(player_a)(keys, state),
                jax.vmap(player_b)(keys, state),
            )  # [G]
            state = jax.vmap(env.step)(state, action)
            ret = ret + jnp.take_along_axis(state.rewards, a_id[:, None], axis=-1)[:, 0]
            return (state, ret), None

        carry = (state, jnp.zeros(num_games, jnp.float32))
        (_, ret), _ = jax.lax.scan(body, carry, jax.random.split(play_key, max_steps))
        return ret

    return run(key)
