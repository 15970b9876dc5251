"""Exact Countdown solver: solvability, winning actions, solution counts (plain Python, memoised).

A position is a multiset of non-negative integers (sorted descending, as the environment keeps
its slots) and a target. One step takes two numbers a >= b and replaces them by a + b, a * b,
a - b or a / b (division exact, b != 0); results above `VALUE_CAP` are illegal. The position is
won when one number is left and it equals the target (every number used exactly once).

The action numbering is the environment's (`games/countdown.py`, step mode): action = 4 * pair +
op, with pair p the p-th slot pair (i, j), i < j, of `PAIRS` and op the index in `OPS`. Used to
make demonstrations, gold values and tests; never inside an agent.
"""

from __future__ import annotations

import functools
import itertools

MAX_NUMBERS = 6  # slots of the environment
VALUE_CAP = 100_000  # largest legal intermediate result (6 digits)
OPS = "+*-/"  # applied to (a, b) with a >= b
PAIRS = tuple(itertools.combinations(range(MAX_NUMBERS), 2))  # 15 slot pairs, i < j
NUM_ACTIONS = len(PAIRS) * len(OPS)  # 60


def combine(a: int, b: int, op: int) -> int | None:
    """a OP b for a >= b, or None if the step is illegal (inexact, division by 0, over the cap)."""
    if op == 0:
        c = a + b
    elif op == 1:
        c = a * b
    elif op == 2:
        c = a - b
    else:
        if b == 0 or a % b:
            return None
        c = a // b
    return c if c <= VALUE_CAP else None


def step(numbers: tuple[int, ...], action: int) -> tuple[int, ...] | None:
    """The numbers after `action` (sorted descending), or None if it is illegal there."""
    (i, j), op = PAIRS[action // len(OPS)], action % len(OPS)
    if j >= len(numbers):
        return None
    c = combine(numbers[i], numbers[j], op)
    if c is None:
        return None
    rest = [n for s, n in enumerate(numbers) if s not in (i, j)]
    return tuple(sorted([*rest, c], reverse=True))


def _children(numbers: tuple[int, ...]) -> dict[tuple[int, ...], list[int]]:
    """Distinct positions one step away -> the actions that reach them."""
    out: dict[tuple[int, ...], list[int]] = {}
    for action in range(NUM_ACTIONS):
        child = step(numbers, action)
        if child is not None:
            out.setdefault(child, []).append(action)
    return out


def _key(numbers) -> tuple[int, ...]:
    return tuple(sorted((int(n) for n in numbers if n >= 0), reverse=True))


def _last_step(a: int, b: int) -> set[int]:
    """Every number two numbers a >= b can make (the leaves of the tree, inlined for speed)."""
    return {c for op in range(len(OPS)) if (c := combine(a, b, op)) is not None}


@functools.lru_cache(maxsize=2_000_000)
def _solvable(numbers: tuple[int, ...], target: int) -> bool:
    if len(numbers) <= 2:
        return target in (_last_step(*numbers) if len(numbers) == 2 else set(numbers))
    return any(_solvable(child, target) for child in _children(numbers))


@functools.lru_cache(maxsize=2_000_000)
def _count(numbers: tuple[int, ...], target: int) -> int:
    if len(numbers) <= 2:
        return int(target in (_last_step(*numbers) if len(numbers) == 2 else set(numbers)))
    return sum(_count(child, target) for child in _children(numbers))


def solvable(numbers, target: int) -> bool:
    """Whether the numbers (any order; negative entries = empty slots) can make `target`."""
    return _solvable(_key(numbers), int(target))


def winning_actions(numbers, target: int) -> list[int]:
    """Every action (environment numbering) after which the position is still solvable."""
    key = _key(numbers)
    if len(key) == 1:
        return []
    return [a for a in range(NUM_ACTIONS) if (c := step(key, a)) and _solvable(c, int(target))]


def count_solutions(numbers, target: int) -> int:
    """Solutions as distinct sequences of positions (steps that give the same multiset, such as
    swapping equal numbers, count once): a difficulty measure, 0 if unsolvable."""
    return _count(_key(numbers), int(target))


def solution(numbers, target: int) -> list[int] | None:
    """One winning action sequence (the first in action order), or None if unsolvable."""
    key, path = _key(numbers), []
    if not _solvable(key, int(target)):
        return None
    while len(key) > 1:
        action = winning_actions(key, target)[0]
        path.append(action)
        key = step(key, action)
    return path


def to_expression(numbers, actions: list[int]) -> str:
    """The arithmetic expression an action sequence computes, e.g. '(8-5)*(10-6)'."""
    items = sorted(((int(n), str(int(n))) for n in numbers if n >= 0), reverse=True)
    for action in actions:
        (i, j), op = PAIRS[action // len(OPS)], action % len(OPS)
        (a, ea), (b, eb) = items[i], items[j]
        c = combine(a, b, op)
        rest = [x for s, x in enumerate(items) if s not in (i, j)]
        items = sorted([*rest, (c, f"({ea}{OPS[op]}{eb})")], key=lambda x: x[0], reverse=True)
    text = items[0][1]
    return text[1:-1] if text.startswith("(") and len(actions) else text


def game_of_24_sets() -> list[tuple[int, int, int, int]]:
    """The 1,820 multisets of four numbers from 1..13, sorted descending."""
    return [tuple(sorted(s, reverse=True)) for s in itertools.combinations_with_replacement(
        range(1, 14), 4)]  # fmt: skip


# Demonstrators (imitation data of graded quality) ---------------------------------------------

DEMONSTRATORS = ("solver", "noisy", "greedy")


def legal_actions(numbers) -> list[int]:
    key = _key(numbers)
    return [a for a in range(NUM_ACTIONS) if step(key, a) is not None]


def demonstrate(numbers, target: int, demonstrator: str, rng, epsilon: float = 0.25) -> dict:
    """One episode of a demonstrator: its moves, the targets to imitate and the outcome (1/0).

    solver: a uniformly random winning action at every step; the targets are the whole set of
        winning actions (its policy, written out: a uniform distribution over them). On an
        unsolvable instance (the environment never draws one) it plays random legal moves.
    noisy: with probability `epsilon` a uniformly random legal action, else a winning one if
        there is any; the target is the move it made.
    greedy: the legal action whose result is closest to the target (first in action order on
        ties); the target is the move it made. It solves only some instances.
    """
    key, moves, targets = _key(numbers), [], []
    while len(key) > 1:
        legal, winning = legal_actions(key), winning_actions(key, target)
        if demonstrator == "solver" and winning:
            move, target_set = int(rng.choice(winning)), winning
        elif demonstrator == "solver":  # an unsolvable instance: any move, nothing to learn
            move = int(rng.choice(legal))
            target_set = [move]
        elif demonstrator == "noisy":
            explore = rng.random() < epsilon or not winning
            move = int(rng.choice(legal if explore else winning))
            target_set = [move]
        elif demonstrator == "greedy":
            move = min(legal, key=lambda a: abs(_made(key, a) - target))
            target_set = [move]
        else:
            raise ValueError(f"unknown demonstrator {demonstrator!r}; use {DEMONSTRATORS}")
        moves.append(move)
        targets.append(target_set)
        key = step(key, move)
    return dict(moves=moves, targets=targets, outcome=float(key[0] == target))


def off_path(numbers, target: int, moves: list[int], rng) -> dict | None:
    """A gold-value probe beside a solver path: follow `moves` for t steps (t drawn uniformly
    while at least two steps remain), take a random losing legal action, then random legal
    actions to the end. Every position after the slip is unsolvable, V*(s) = 0: the record keeps
    only those (`opening_moves` = t + 1) with no policy target (empty `targets`) and outcome 0,
    so imitation teaches the value head what a dead end looks like, not only the solver's path
    (whose positions all have V* = 1). None when there is no room or no losing action."""
    key = _key(numbers)
    if len(key) < 3:
        return None
    t = int(rng.integers(0, len(key) - 2))
    for move in moves[:t]:
        key = step(key, move)
    losing = sorted(set(legal_actions(key)) - set(winning_actions(key, target)))
    if not losing:
        return None
    path = [*moves[:t], int(rng.choice(losing))]
    key = step(key, path[-1])
    while len(key) > 1:
        path.append(int(rng.choice(legal_actions(key))))
        key = step(key, path[-1])
    targets = [[] for _ in path]
    return dict(moves=path, targets=targets, outcome=0.0, opening_moves=t + 1)


def _made(numbers: tuple[int, ...], action: int) -> int:
    (i, j), op = PAIRS[action // len(OPS)], action % len(OPS)
    return combine(numbers[i], numbers[j], op)
