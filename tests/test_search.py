"""search.py: known answers (win now, block now) and properties of the search output."""

from __future__ import annotations

import dataclasses

import jax
import numpy as np
import pytest
from conftest import batch, play_moves

from alphazero import search
from alphazero.config import SearchConfig

ALGORITHMS = ("gumbel", "puct")
SIMS = 128  # one value for all known-answer tests, so each (game, algorithm) compiles once


def _config(algorithm: str, sims: int, depth: int) -> SearchConfig:
    return SearchConfig(algorithm=algorithm, num_simulations=sims, max_depth=depth)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_search__takes_immediate_win_tic_tac_toe(ttt_env, ttt_params, algorithm):
    # X: 0, 1 (top row); O: 3, 4. X to move wins with 2 (O would also win with 5).
    state = play_moves(ttt_env, [0, 3, 1, 4])
    out = search.run_jit(
        ttt_params, jax.random.PRNGKey(0), batch(state), ttt_env, _config(algorithm, SIMS, 9)
    )
    assert int(out.action[0]) == 2, f"search played {int(out.action[0])} instead of winning at 2"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_search__blocks_immediate_loss_tic_tac_toe(ttt_env, ttt_params, algorithm):
    # X: 0, 8; O: 4, 1. O threatens the middle column (1, 4, 7): X must play 7.
    state = play_moves(ttt_env, [0, 4, 8, 1])
    out = search.run_jit(
        ttt_params, jax.random.PRNGKey(0), batch(state), ttt_env, _config(algorithm, SIMS, 9)
    )
    assert int(out.action[0]) == 7, f"search played {int(out.action[0])} instead of blocking 7"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_search__takes_immediate_win_connect_four(c4_env, c4_params, algorithm):
    # Mover has three in column 3 (bottom up); opponent stacked in column 4. Win: column 3.
    state = play_moves(c4_env, [3, 4, 3, 4, 3, 4])
    out = search.run_jit(
        c4_params, jax.random.PRNGKey(0), batch(state), c4_env, _config(algorithm, SIMS, 42)
    )
    assert int(out.action[0]) == 3


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_search__blocks_immediate_loss_connect_four(c4_env, c4_params, algorithm):
    # Opponent has three in a row on the bottom (columns 0, 1, 2); the mover must block column 3.
    state = play_moves(c4_env, [0, 6, 1, 6, 2])
    out = search.run_jit(
        c4_params, jax.random.PRNGKey(0), batch(state), c4_env, _config(algorithm, SIMS, 42)
    )
    assert int(out.action[0]) == 3


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_search__never_expands_illegal_moves(ttt_env, ttt_params, algorithm):
    # Many simulations on a crowded board: every visited child must be legal at its node.
    states = jax.tree.map(
        lambda *x: np.stack(x), *[play_moves(ttt_env, m) for m in ([0, 4], [0, 4, 8], [4])]
    )
    out = jax.jit(
        lambda p, k, s: search.policy_output(p, k, s, ttt_env, _config(algorithm, 128, 9))
    )(ttt_params, jax.random.PRNGKey(1), states)
    tree = out.search_tree
    visited = np.asarray(tree.children_visits) > 0  # [B, N, A]
    legal = np.asarray(tree.embeddings.legal_action_mask)  # [B, N, A]
    expanded = np.asarray(tree.node_visits) > 0  # [B, N]
    assert not np.any(visited & ~legal & expanded[..., None])
    weights = np.asarray(out.action_weights)
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    assert np.all(weights[~np.asarray(states.legal_action_mask)] == 0)


def test_search__puct_root_visits_equal_simulations(ttt_env, ttt_params):
    state = play_moves(ttt_env, [4])
    config = _config("puct", 50, 9)
    out = jax.jit(lambda p, k, s: search.policy_output(p, k, s, ttt_env, config))(
        ttt_params, jax.random.PRNGKey(0), batch(state)
    )
    assert int(np.asarray(out.search_tree.children_visits)[0, 0].sum()) == 50


def test_search__deterministic_without_exploration(ttt_env, ttt_params):
    state = batch(play_moves(ttt_env, [0]))
    config = dataclasses.replace(_config("gumbel", 16, 9))
    a = search.run_jit(ttt_params, jax.random.PRNGKey(0), state, ttt_env, config)
    b = search.run_jit(ttt_params, jax.random.PRNGKey(7), state, ttt_env, config)
    np.testing.assert_array_equal(np.asarray(a.action_weights), np.asarray(b.action_weights))
