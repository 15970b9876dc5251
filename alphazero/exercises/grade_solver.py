"""Grader of exercise 11: MCTS-Solver's proofs (exercises/ex11_solver.py), checked on known
answers, on random trees against a bottom-up recomputation, and on fully expanded Countdown
trees against the exact solver."""

from __future__ import annotations

import math
import random

import pytest

from alphazero import exercises
from games import countdown_solver


@pytest.fixture(scope="module")
def impl():
    return exercises.submission()


def test_exact_status__one_or_two_numbers_left(impl):
    cases = [([24], 24, 1), ([23], 24, -1), ([6, 4], 24, 1), ([20, 4], 24, 1), ([28, 4], 24, 1),
             ([48, 2], 24, 1), ([7, 5], 24, -1), ([50, 4], 24, -1), ([24, 0], 24, 1),
             ([7, 0], 24, -1), ([6, 4, 1], 24, 0), ([6, 4, 1, 1], 24, 0)]  # fmt: skip
    for numbers, target, want in cases:
        got = impl.exact_status(list(numbers), target)
        assert got == want, f"exact_status({numbers}, {target}) = {got}, expected {want}"
    rng = random.Random(0)
    for _ in range(300):
        a, b = sorted((rng.randint(0, 30), rng.randint(0, 30)), reverse=True)
        target = rng.randint(0, 60)
        want = 1 if countdown_solver.solvable((a, b), target) else -1
        assert impl.exact_status([a, b], target) == want, (a, b, target)


def test_status__exact_first_then_any_won_then_all_lost(impl):
    cases = [(1, [-1, -1], 1), (-1, [1], -1), (0, [None, 1], 1), (0, [-1, 1, 0], 1),
             (0, [-1, -1, -1], -1), (0, [-1, None, -1], 0), (0, [-1, 0], 0), (0, [None], 0)]
    for exact, children, want in cases:
        got = impl.status(exact, list(children))
        assert got == want, f"status({exact}, {children}) = {got}, expected {want}"


def _random_tree(rng: random.Random, size: int):
    """A random tree grown one expansion at a time, as a search grows it; exact statuses on
    about a third of the nodes. Returns (parents, children, exact, order of expansion)."""
    parents, children, exact = [-1], [[None] * rng.randint(1, 4)], [0]
    for node in range(1, size):
        open_slots = [(p, i) for p in range(node) if exact[p] == 0
                      for i, c in enumerate(children[p]) if c is None]  # fmt: skip
        if not open_slots:
            break
        p, i = rng.choice(open_slots)
        children[p][i] = node
        parents.append(p)
        exact.append(rng.choice([1, -1, 0, 0, 0, 0]))
        children.append([None] * (0 if exact[-1] else rng.randint(1, 4)))
    return parents, children, exact


def _reference(parents, children, exact, expanded):
    """Every expanded node's status from scratch, deepest nodes first."""
    proven = [0] * len(parents)
    depth = [0] * len(parents)
    for n in range(1, len(parents)):
        depth[n] = depth[parents[n]] + 1
    for n in sorted(expanded, key=lambda n: -depth[n]):
        if exact[n]:
            proven[n] = exact[n]
            continue
        marks = [None if c is None or c not in expanded else proven[c] for c in children[n]]
        proven[n] = 1 if 1 in marks else -1 if all(m == -1 for m in marks) else 0
    return proven


def test_backup__after_every_expansion_matches_a_recomputation(impl):
    rng = random.Random(1)
    for trial in range(40):
        parents, children, exact = _random_tree(rng, rng.randint(2, 25))
        proven, expanded = [exact[0]] + [0] * (len(parents) - 1), {0}
        for leaf in range(1, len(parents)):
            expanded.add(leaf)
            visible = [[c if c is not None and c in expanded else None for c in kids]
                       for kids in children]  # fmt: skip
            proven = list(impl.backup(parents, visible, exact, list(proven), leaf))
            want = _reference(parents, children, exact, expanded)
            assert [proven[n] for n in sorted(expanded)] == [want[n] for n in sorted(expanded)], (
                f"tree {trial}, after expanding node {leaf}: {proven} != {want}")


def _countdown_tree(numbers, target):
    """The full step-mode tree of a small instance, nodes in breadth-first order."""
    states, parents, children = [tuple(numbers)], [-1], []
    n = 0
    while n < len(states):
        kids = []
        if len(states[n]) > 2:  # two numbers left: settled exactly, not expanded further
            for action in range(countdown_solver.NUM_ACTIONS):
                after = countdown_solver.step(states[n], action)
                if after is not None:
                    kids.append(len(states))
                    states.append(after)
                    parents.append(n)
        children.append(kids)
        n += 1
    return states, parents, children


def test_backup__a_fully_expanded_countdown_tree_proves_the_solver_right(impl):
    rng = random.Random(2)
    for numbers, target in [((7, 5, 2), 24), ((7, 5, 2), 999), ((4, 3, 2), 14), ((9, 8, 3), 1),
                            ((6, 4, 3, 1), 24), ((13, 13, 13, 13), 24)]:  # fmt: skip
        states, parents, children = _countdown_tree(numbers, target)
        exact = [impl.exact_status(list(s), target) for s in states]
        proven = [exact[0]] + [0] * (len(states) - 1)
        order = list(range(1, len(states)))
        rng.shuffle(order)
        order.sort(key=lambda n: len(numbers) - len(states[n]))  # parents before children
        expanded = {0}
        for leaf in order:
            expanded.add(leaf)
            visible = [[c if c in expanded else None for c in kids] for kids in children]
            proven = list(impl.backup(parents, visible, exact, proven, leaf))
        want = 1 if countdown_solver.solvable(numbers, target) else -1
        assert proven[0] == want, f"{numbers} -> {target}: root {proven[0]}, expected {want}"


def test_solver_q__won_to_plus_inf_lost_to_minus_inf(impl):
    q = [0.1, 0.5, -0.2, 0.3]
    children = [1, None, 2, 3]
    proven = [0, 1, -1, 0]
    got = list(impl.solver_q(q, children, proven))
    assert got[0] == math.inf and got[1] == 0.5 and got[2] == -math.inf and got[3] == 0.3, got
