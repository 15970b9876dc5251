"""Grader of exercise 9: a Countdown solver (exercises/ex9_countdown.py), against known answers and
games/countdown_solver.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

from alphazero import exercises
from games import countdown_solver as reference

OPS = "+*-/"


@pytest.fixture(scope="module")
def impl():
    return exercises.submission()


def test_combine_known_answers(impl):
    cases = [(7, 5, "+", 12), (7, 5, "*", 35), (7, 5, "-", 2), (8, 4, "/", 2), (7, 5, "/", None),
             (5, 0, "/", None), (0, 0, "-", 0), (50_000, 3, "*", None),
             (100_000, 0, "+", 100_000)]  # fmt: skip
    for a, b, op, want in cases:
        got = impl.combine(a, b, op)
        assert got == want, f"combine({a}, {b}, {op!r}) = {got!r}, expected {want!r}"


def test_solvable_known_answers(impl):
    cases = [((4, 7, 8, 8), 24, True), ((13, 13, 13, 13), 24, False), ((8, 8, 3, 3), 24, False),
             ((1, 1, 1, 8), 24, True), ((6, 4), 24, True), ((7, 5), 24, False), ((24,), 24, True),
             ((25, 19, 13, 7, 3), 480, True), ((25, 19, 13, 7, 3), 500, False)]  # fmt: skip
    for numbers, target, want in cases:
        got = impl.solvable(numbers, target)
        assert bool(got) == want, f"solvable({numbers}, {target}) = {got}, expected {want}" + (
            " (every number must be used exactly once)" if not want else ""
        )


def test_game_of_24_count_is_1346(impl):
    sets = reference.game_of_24_sets()
    count = sum(bool(impl.solvable(s, 24)) for s in sets)
    assert count == 1346, (
        f"{count} of the 1,820 sets solvable, expected 1,346 (1,362 means fractions were allowed; "
        "more than 1,362 usually means not every number was used)"
    )


def test_solvable_matches_the_library_on_random_instances(impl):
    rng = np.random.default_rng(0)
    for _ in range(200):
        k = int(rng.integers(2, 6))
        numbers = tuple(int(x) for x in rng.integers(1, 26, k))
        target = int(rng.integers(10, 300))
        want = reference.solvable(numbers, target)
        assert bool(impl.solvable(numbers, target)) == want, (
            f"solvable({numbers}, {target}): expected {want}"
        )


def test_tree_size(impl):
    for k in range(2, 7):
        want = math.prod(4 * math.comb(m, 2) for m in range(2, k + 1))
        assert impl.tree_size(k) == want, f"tree_size({k}) = {impl.tree_size(k)}, expected {want}"
    assert impl.tree_size(3) == 48 and impl.tree_size(4) == 1152
