"""Reference solution of exercise 9 (Countdown solver)."""

from __future__ import annotations

import functools
import itertools
import math

VALUE_CAP = 100_000


def combine(a, b, op):
    if op == "+":
        c = a + b
    elif op == "*":
        c = a * b
    elif op == "-":
        c = a - b
    elif b == 0 or a % b:
        return None
    else:
        c = a // b
    return c if c <= VALUE_CAP else None


@functools.cache
def _solvable(numbers, target):
    if len(numbers) == 1:
        return numbers[0] == target
    for i, j in itertools.combinations(range(len(numbers)), 2):
        a, b = numbers[i], numbers[j]  # sorted descending: a >= b
        rest = [n for s, n in enumerate(numbers) if s not in (i, j)]
        for op in "+*-/":
            c = combine(a, b, op)
            if c is not None and _solvable(tuple(sorted([*rest, c], reverse=True)), target):
                return True
    return False


def solvable(numbers, target):
    return _solvable(tuple(sorted(numbers, reverse=True)), target)


def tree_size(k):
    return math.prod(4 * math.comb(m, 2) for m in range(2, k + 1))
