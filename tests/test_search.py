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


@pytest.mark.slow
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


def _found_solution_reference(tree, b: int) -> tuple[bool, int]:
    """Slow reference for search.found_solution: the best rewarded expanded edge, by hand."""
    index = np.asarray(tree.children_index[b])
    reward = np.where(index >= 0, np.asarray(tree.children_rewards[b]), -np.inf)
    node, action = np.unravel_index(np.argmax(reward), reward.shape)
    parents, from_parent = np.asarray(tree.parents[b]), np.asarray(tree.action_from_parent[b])
    while node != 0:
        node, action = parents[node], from_parent[node]
    return bool(reward.max() > 0), int(action)


@pytest.mark.slow
def test_keep_solutions__moves_onto_the_path_the_search_verified():
    """Countdown k = 3 with a uniform network: wherever a simulation reached a solution, the kept
    move is the root action above it (slow reference), the position after it is still solvable
    (exact solver), and search.run recommends it; elsewhere the move is the plain search's."""
    from alphazero import networks
    from alphazero.config import NetworkConfig
    from games import countdown, countdown_solver

    env = countdown.Countdown(k=3, split="test")
    states = jax.jit(jax.vmap(env.init))(jax.random.split(jax.random.PRNGKey(3), 32))
    params = networks.init(jax.random.PRNGKey(0), env, NetworkConfig("transformer", 1, 16, 2))
    params = networks.uniform(params)
    plain = SearchConfig(num_simulations=32, max_depth=3)
    kept = dataclasses.replace(plain, keep_solutions=True)
    key = jax.random.PRNGKey(1)
    tree = search.policy_output_jit(params, key, states, env, plain, explore=False).search_tree
    found, first = jax.jit(jax.vmap(search.found_solution))(tree)  # eager pgx/mctx ops each compile
    plain_action = np.asarray(search.run_jit(params, key, states, env, plain).action)
    kept_action = np.asarray(search.run_jit(params, key, states, env, kept).action)
    after = jax.jit(jax.vmap(env.step))(states, first)
    for b in range(32):
        reference_found, reference_first = _found_solution_reference(tree, b)
        assert bool(found[b]) == reference_found
        if found[b]:
            assert int(first[b]) == reference_first
            numbers, target = np.asarray(after.numbers[b]), int(after.target[b])
            assert countdown_solver.solvable(numbers, target), b
        assert kept_action[b] == (first[b] if found[b] else plain_action[b])
    assert 0 < int(found.sum()) < 32  # both cases occur
    assert (kept_action != plain_action).any()  # the rule changes some moves


def test_score_utility__monotone_bounded_and_plain_win_loss_at_factor_0():
    margins = np.linspace(-60, 60, 241)  # 7x7 margins, mover's view
    scale = 0.5 * np.sqrt(49)
    for value in (-1.0, 0.0, 1.0):
        u = np.asarray(search.score_utility(value, margins, 0.0, scale, 0.4))
        assert np.all(np.diff(u) > 0)  # more points is always better
        assert np.all(np.abs(u - value) < 0.4)  # the bonus is bounded by the factor
        plain = search.score_utility(value, margins, 0.0, scale, 0.0)
        np.testing.assert_array_equal(np.asarray(plain), np.full_like(margins, value))
    at_centre = search.score_utility(0.5, 3.0, 3.0, scale, 0.4)
    assert float(at_centre) == 0.5  # as expected: no bonus
    one_scale = float(search.score_utility(0.0, scale, 0.0, scale, 0.4))
    np.testing.assert_allclose(one_scale, 0.4 * (2 / np.pi) * np.arctan(1.0), rtol=1e-6)  # 0.2


def test_score_utility__wired_into_the_search_values_and_final_rewards():
    """recurrent_fn with score_utility: a child's value is the net's value plus the bonus for
    its predicted margin against the root's (sign flipped for the other player); a game that
    ends gets the bonus for its real margin on top of its reward."""
    import jax.numpy as jnp

    import games
    from alphazero import networks, ownership
    from alphazero.config import NetworkConfig
    from games import go

    env = games.make("go_5x5")
    step = jax.jit(env.step)
    state = env.init(jax.random.PRNGKey(0))
    for move in [m for r in range(5) for m in (r * 5 + 1, r * 5 + 3)] + [25]:  # Black passed
        state = step(state, jnp.int32(move))
    assert int(go.colour_to_move(state)) == go.WHITE
    net = NetworkConfig("resnet", 1, 4, score_heads=True)
    params = networks.init(jax.random.PRNGKey(0), env, net)
    config = SearchConfig(num_simulations=4, score_utility=0.4)
    centre = search.Centre(jnp.array([20.0, 20.0]), jnp.stack([state.current_player] * 2))
    fn = jax.jit(search.make_recurrent_fn(env, config))  # one compile, not one per op
    states = jax.tree.map(lambda x: jnp.stack([x, x]), state)
    out, children = fn((params, centre), None, jnp.array([25, 2]), states)  # pass ends; c1
    scale = ownership.margin_scale(env)
    # White passes: White wins by 24.5 (reward +1); bonus for 24.5 against its centre 20.
    bonus = 0.4 * (2 / np.pi) * np.arctan((24.5 - 20.0) / scale)
    np.testing.assert_allclose(out.reward[0], 1.0 + bonus, rtol=1e-6)
    assert out.value[0] == 0 and out.discount[0] == 0
    # White plays: Black to move, whose centre is -20; its value gains the bonus of its margin.
    heads = jax.jit(networks.apply_heads)(params, children.observation[1:])
    expected = heads.value[0] + 0.4 * (2 / np.pi) * np.arctan((heads.score[0] + 20.0) / scale)
    np.testing.assert_allclose(out.value[1], expected, rtol=1e-5)
    assert out.reward[1] == 0
    # Factor 0: the plain recurrent function, params alone.
    plain_fn = jax.jit(search.make_recurrent_fn(env, SearchConfig()))
    plain, _ = plain_fn(params, None, jnp.array([25, 2]), states)
    np.testing.assert_allclose(plain.value[1], heads.value[0], rtol=1e-5)
    assert plain.reward[0] == 1.0


def test_random_symmetry__each_position_through_its_symmetry_and_turned_back():
    """evaluate_network with random_symmetry: position b goes through symmetry k_b; its value is
    the turned board's, and its policy and ownership, turned by k_b, are the turned board's."""
    import jax.numpy as jnp

    import games
    from alphazero import networks, targets
    from alphazero.config import NetworkConfig

    env = games.make("go_5x5")
    step = jax.jit(env.step)
    state = env.init(jax.random.PRNGKey(0))
    boards = []
    for move in (6, 12, 3, 25, 19, 0, 23, 9):  # an asymmetric position after each move
        state = step(state, jnp.int32(move))
        boards.append(state.observation)
    observation = jnp.stack(boards)  # [8, 5, 5, C]
    net = NetworkConfig("resnet", 1, 4, score_heads=True, reply_head=True)
    params = networks.init(jax.random.PRNGKey(0), env, net)
    key = jax.random.PRNGKey(3)
    config = SearchConfig(random_symmetry=True)
    heads = search.evaluate_network(params, observation, config, key)
    ks = np.asarray(jax.random.randint(key, (8,), 0, 8))
    assert len(set(ks.tolist())) > 2  # several symmetries drawn
    maps = targets.board_transforms("go_5x5")
    turned = jnp.stack([maps[k](o) for k, o in zip(ks, observation, strict=True)])
    direct = networks.apply_heads(params, turned)
    np.testing.assert_allclose(heads.value, direct.value, rtol=1e-5)
    for b, k in enumerate(ks):
        for name in ("prior_logits", "ownership", "reply_logits"):
            mine, theirs = getattr(heads, name)[b], getattr(direct, name)[b]
            turned_back = maps[k](mine[:25].reshape(5, 5)).reshape(-1)
            np.testing.assert_allclose(turned_back, theirs[:25], rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(mine[25:], theirs[25:], rtol=1e-5)  # pass stays
    plain = search.evaluate_network(params, observation, SearchConfig(), key)  # off: as before
    np.testing.assert_allclose(plain.value, networks.apply_heads(params, observation).value)
