"""Tests for alphazero/solver.py (MCTS-Solver): every proof in the tree agrees with the exact
solver, a found solution is never lost, and dead ends are marked."""

import jax
import numpy as np
import pytest

from alphazero import networks, search, solver
from alphazero.config import NetworkConfig, SearchConfig
from games import countdown, countdown_solver


@pytest.fixture(scope="module")
def searched():
    """64 k = 4 test instances searched by the solver with a uniform network; the compiled search
    and its inputs, which the k = 3 test reuses (same shapes, same compile)."""
    env = countdown.Countdown(k=4, split="test", observation="numbers")
    states = jax.jit(jax.vmap(env.init))(jax.random.split(jax.random.PRNGKey(5), 64))
    params = networks.init(jax.random.PRNGKey(0), env, NetworkConfig("mlp", 1, 16))
    params = networks.uniform(params)
    config = SearchConfig(num_simulations=48, solver=True)
    key = jax.random.PRNGKey(1)
    tree = search.policy_output_jit(params, key, states, env, config, explore=False).search_tree
    out = search.run_jit(params, key, states, env, config)
    return env, states, jax.device_get(tree), out, (params, config)


def _node(tree, b: int, n: int) -> tuple[np.ndarray, int, bool, float]:
    state = jax.tree.map(lambda x: x[b, n], tree.embeddings)
    return np.asarray(state.numbers), int(state.target), bool(state.terminated), float(
        state.rewards[0])


@pytest.mark.slow  # the search compile (13 s)
def test_every_proof_agrees_with_the_exact_solver(searched):
    """+1: the edge into the node reaches the target (the node's numbers are solvable, or its
    episode ended solved); -1: it cannot. Both occur, and proofs climb above the exact checks."""
    _, _, tree, _, _ = searched
    proven = np.asarray(tree.extra_data.proven)  # [B, N]
    visits = np.asarray(tree.node_visits)
    counts = {1: 0, -1: 0}
    climbed = 0
    for b, n in zip(*np.nonzero((proven != 0) & (visits > 0)), strict=True):
        numbers, target, terminated, reward = _node(tree, b, n)
        if terminated:
            truth = reward > 0
        else:
            truth = countdown_solver.solvable(numbers, target)
            climbed += int((numbers >= 0).sum() > 2)  # a proof from the children, not a check
        assert truth == (proven[b, n] == 1), (b, n, numbers, target)
        counts[int(proven[b, n])] += 1
    assert counts[1] > 0 and counts[-1] > 0 and climbed > 0


@pytest.mark.slow  # the search compile (13 s)
def test_a_found_solution_is_never_lost(searched):
    """Wherever a simulation reached a solution, the root is proven won, the move goes to a
    winning child (exact solver) and the search value is 1."""
    env, states, tree, out, _ = searched
    reward = np.where(np.asarray(tree.children_index) >= 0, np.asarray(tree.children_rewards), 0)
    found = reward.max(axis=(1, 2)) > 0  # [B]
    assert 0 < found.sum() < len(found)
    root = np.asarray(tree.extra_data.proven)[:, 0]
    for b in np.nonzero(found)[0]:
        assert root[b] == 1
        numbers, target = np.asarray(states.numbers[b]), int(states.target[b])
        assert int(out.action[b]) in countdown_solver.winning_actions(numbers, target)
        assert float(out.root_value[b]) == 1.0


@pytest.mark.slow  # the search compile (13 s)
def test_dead_ends_take_no_more_simulations(searched):
    """Below the root, a node proven lost by its exact check is never selected again while its
    parent has another option (the parent is not proven lost)."""
    _, _, tree, _, _ = searched
    proven = np.asarray(tree.extra_data.proven)
    visits, parents = np.asarray(tree.node_visits), np.asarray(tree.parents)
    checked = 0
    for b, n in zip(*np.nonzero((proven == -1) & (visits > 0)), strict=True):
        numbers, _, terminated, _ = _node(tree, b, n)
        parent = parents[b, n]
        if terminated or (numbers >= 0).sum() != 2 or parent == 0 or proven[b, parent] == -1:
            continue
        assert visits[b, n] == 1, (b, n)
        checked += 1
    assert checked > 10


@pytest.mark.slow  # the search compile (13 s)
def test_unsolvable_roots_are_proven_lost_and_solvable_ones_won(searched):
    """Three numbers, every root child an exact check: with a uniform network the search proves
    the unsolvable instance lost (all 9 legal children dead, value 0) and the solvable one won.
    32 copies of each fill the fixture's batch, so its compiled search is reused."""
    env, _, _, _, (params, config) = searched
    numbers = np.array([[7, 5, 2, -1, -1, -1]] * 64)
    targets = np.array([999] * 32 + [24] * 32)  # 999 cannot be made from 7, 5, 2; 24 = (7 + 5) * 2
    states = jax.jit(jax.vmap(env.init_instance))(numbers, targets)
    key = jax.random.PRNGKey(0)
    tree = search.policy_output_jit(params, key, states, env, config, explore=False).search_tree
    out = search.run_jit(params, key, states, env, config)
    proven = np.asarray(tree.extra_data.proven)  # [B, N]
    assert proven[:, 0].tolist() == [-1] * 32 + [1] * 32
    assert np.all(np.asarray(out.root_value[:32]) == 0.0)
    assert np.all(np.asarray(out.root_value[32:]) == 1.0)
    winning = countdown_solver.winning_actions(numbers[32], 24)
    assert all(int(a) in winning for a in np.asarray(out.action[32:]))
    children = np.asarray(tree.children_index)[0, 0]
    legal = np.asarray(states.legal_action_mask)[0]
    assert legal.sum() == 9 and all(children[a] >= 0 and proven[0, children[a]] == -1
                                    for a in np.nonzero(legal)[0])  # fmt: skip


def test_exact_value__only_at_two_numbers_left_or_the_end():
    env = countdown.Countdown(k=4, observation="numbers")
    init = jax.jit(env.init_instance)
    cases = [([6, 4, 3, 1], 24, False), ([6, 4, -1, -1], 24, True), ([6, 4, -1, -1], 25, True)]
    for numbers, target, known in cases:
        state = init(np.array(numbers + [-1, -1]), target)
        k, value = env.exact_value(state)
        assert bool(k) == known
        if known:
            assert float(value) == float(countdown_solver.solvable(np.array(numbers), target))
    assert solver.LOST_Q < search._ILLEGAL_Q + 1  # a lost child scores as low as an illegal one
