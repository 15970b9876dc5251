"""Reference solution of exercise 11 (MCTS-Solver). Not for students' eyes."""

from __future__ import annotations

import math


def exact_status(numbers, target):
    present = sorted((n for n in numbers if n >= 0), reverse=True)
    if len(present) == 1:
        return 1 if present[0] == target else -1
    if len(present) != 2:
        return 0
    a, b = present
    results = {a + b, a * b, a - b} | ({a // b} if b > 0 and a % b == 0 else set())
    return 1 if target in results else -1


def status(exact, children):
    if exact != 0:
        return exact
    if any(c == 1 for c in children):
        return 1
    if all(c == -1 for c in children):
        return -1
    return 0


def backup(parents, children, exact, proven, leaf):
    proven = list(proven)
    proven[leaf] = exact[leaf]
    node = parents[leaf]
    while node >= 0:
        of_children = [None if c is None else proven[c] for c in children[node]]
        proven[node] = status(exact[node], of_children)
        node = parents[node]
    return proven


def solver_q(q, children, proven):
    out = []
    for value, child in zip(q, children, strict=True):
        mark = 0 if child is None else proven[child]
        out.append(math.inf if mark == 1 else -math.inf if mark == -1 else value)
    return out
