"""Exercise 9 — Countdown: an exact solver, the gold standard for a search agent.

Fill in the three functions, then run

    alphazero exercise check 9

Countdown (games/countdown.py): reach the target from k numbers, every number used exactly once,
with + - * / on non-negative integers. One step takes two numbers a >= b of the multiset and
replaces them by one of

    a + b      a * b      a - b      a / b   (only when b > 0 and b divides a)

(b - a and b / a give nothing new: b - a is negative unless a = b, and b / a is exact only
when b = 0 or a = b). Results above 100,000 are not allowed. After k - 1 steps one number is
left; the instance is solved when it equals the target.

The agent never sees a solver, but everything around it does: the demonstrations it imitates,
the gold value V*(s) = 1 if s is solvable, the tests. Known answers:

- (4, 7, 8, 8), target 24: solvable, (7 - 8 / 8) * 4 = 24.
- (13, 13, 13, 13), target 24: not solvable.
- (8, 8, 3, 3), target 24: not solvable here (8 / (3 - 8/3) needs a fraction).
- Of the 1,820 multisets of four numbers from 1..13, exactly 1,346 can make 24 under these rules.

The tree has prod over m = 2..k of 4 * C(m, 2) leaves (4 operations on each unordered pair of
the m numbers left): 48 for k = 3, 1,152 for k = 4.
"""

from __future__ import annotations

VALUE_CAP = 100_000


def combine(a: int, b: int, op: str) -> int | None:
    """a op b for a >= b and op in "+", "*", "-", "/"; None when the step is not allowed
    (inexact division, division by zero, a result above VALUE_CAP)."""
    raise NotImplementedError("combine")


def solvable(numbers: tuple[int, ...], target: int) -> bool:
    """Whether the numbers (a multiset, any order) can make `target` using each exactly once.

    Hint: recursion on the multiset with memoisation (functools.lru_cache on a sorted tuple)
    makes the 1,820 Game-of-24 sets take well under a second."""
    raise NotImplementedError("solvable")


def tree_size(k: int) -> int:
    """Leaves of the step tree for k numbers: prod over m = 2..k of 4 * C(m, 2)."""
    raise NotImplementedError("tree_size")
