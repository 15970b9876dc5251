"""Known-answer tests for the reference players: tic-tac-toe minimax and connect-four search."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pgx

import games
from games.random_player import random_player
from games.testing import play_match


@functools.cache
def _jitted(env_name: str) -> tuple:
    env = games.make(env_name)
    return jax.jit(env.init), jax.jit(env.step)


def _play(env_name: str, moves: list[int]) -> pgx.State:
    """Unbatched pgx state reached by playing `moves` from the initial position."""
    init, step = _jitted(env_name)
    state = init(jax.random.PRNGKey(0))
    for action in moves:
        state = step(state, jnp.int32(action))
    assert not state.terminated
    return state


def _actions(player: games.Player, state: pgx.State, num: int = 16) -> np.ndarray:
    """Actions [num] of `player` on `state` under `num` different tie-break keys."""
    keys = jax.random.split(jax.random.PRNGKey(1), num)
    return np.asarray(jax.jit(jax.vmap(player, in_axes=(0, None)))(keys, state))


def test_all_positions_count_and_labels() -> None:
    positions = games.all_positions()
    assert positions.value.shape == (4520,)
    assert positions.optimal_action_mask.shape == (4520, 9)
    assert positions.states.observation.shape == (4520, 3, 3, 2)
    assert not np.asarray(positions.states.terminated).any()
    optimal, legal = map(
        np.asarray, (positions.optimal_action_mask, positions.states.legal_action_mask)
    )
    assert optimal.any(axis=-1).all() and not (optimal & ~legal).any()
    assert games.all_positions() is positions  # cached


def test_empty_board_is_a_draw() -> None:
    positions = games.all_positions()
    empty = np.asarray(positions.states._x.board == -1).all(axis=-1)  # [P]
    assert empty.sum() == 1
    assert float(positions.value[np.argmax(empty)]) == 0.0
    values = jax.jit(games.action_values)(_play("tic_tac_toe", []))
    assert (np.asarray(values) == 0.0).all()  # every first move draws


def test_minimax_takes_immediate_win() -> None:
    # X: 0, 1 (threatens 2); O: 3, 4 (threatens 5). X to move must win at 2, not block at 5.
    state = _play("tic_tac_toe", [0, 3, 1, 4])
    values = np.asarray(jax.jit(games.action_values)(state))
    assert values[2] == 1.0 and np.isneginf(values[[0, 1, 3, 4]]).all()
    assert (_actions(games.minimax_player, state) == 2).all()


def test_minimax_never_loses_to_random() -> None:
    env = games.make("tic_tac_toe")
    returns = play_match(env, games.minimax_player, random_player, jax.random.PRNGKey(0), 64, 9)
    returns = np.asarray(returns)  # minimax moves first in even games, second in odd ones
    assert (returns >= 0).all(), returns
    assert returns[0::2].mean() > 0.8  # and wins almost always as X


def test_alphabeta_takes_immediate_win() -> None:
    # X stacks column 0 three times, O plays column 1 twice and 6: X to move wins in column 0.
    state = _play("connect_four", [0, 1, 0, 1, 0, 6])
    for depth in (1, 2):
        assert (_actions(games.alphabeta_player(depth), state) == 0).all()


def test_alphabeta_blocks_immediate_loss() -> None:
    # X has three in column 0; O to move must block it.
    state = _play("connect_four", [0, 1, 0, 1, 0])
    assert (_actions(games.alphabeta_player(2), state) == 0).all()


def test_alphabeta_never_plays_full_column() -> None:
    state = _play("connect_four", [3, 3, 3, 3, 3, 3])  # column 3 is full
    values = np.asarray(jax.jit(games.move_values, static_argnums=1)(state, 2))
    assert np.isneginf(values[3]) and np.isfinite(np.delete(values, 3)).all()
    assert (_actions(games.alphabeta_player(2), state) != 3).all()


def test_alphabeta_beats_random() -> None:
    env = games.make("connect_four")
    player = games.alphabeta_player(2)
    returns = np.asarray(play_match(env, player, random_player, jax.random.PRNGKey(0), 64, 42))
    assert (returns == 1.0).mean() >= 0.95, returns
