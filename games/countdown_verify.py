"""Countdown answers written as one arithmetic expression (the `expr` mode), and their verifiers.

    verify("(8-5)*(10-2)", numbers=[10, 8, 5, 2], target=24)        # Verdict(True, "ok")
    verify("81*1", numbers=[81, 1, 1], target=81, rule="set")       # accepted by a buggy rule

`strict` is the environment's own rules: the leaves are exactly the instance's numbers (a
multiset: each used once, none left out), operators + - * / with parentheses, every intermediate
result a non-negative integer no larger than VALUE_CAP (division exact, divisor not 0), and the
value equals the target. Two deliberately buggy verifiers reproduce real bugs of a published
Countdown grader (reasoning-gym's, 2025: value-only until PR #265, then set equality until PR
#479, which let `81*1` pass for the numbers 1, 81, 1, 1): `value` checks only the value, `set`
compares the *sets* of numbers (a duplicate may be reused or left out). An answer that is not a
well-formed expression of non-negative integer literals is rejected by all three.
"""

from __future__ import annotations

import ast
import collections
from typing import NamedTuple

from games.countdown_solver import VALUE_CAP

RULES = ("strict", "set", "value")
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class Verdict(NamedTuple):
    correct: bool
    reason: str  # "ok", or why the answer was rejected


class _Rejected(Exception):
    pass


def _evaluate(node: ast.AST, leaves: list[int]) -> int:
    """Value of an expression tree under the integer rules; collects the literals in `leaves`."""
    if isinstance(node, ast.Constant) and type(node.value) is int and node.value >= 0:
        leaves.append(node.value)
        return node.value
    if not (isinstance(node, ast.BinOp) and type(node.op) in _OPS):
        raise _Rejected("not an expression of numbers and + - * /")
    a, b = _evaluate(node.left, leaves), _evaluate(node.right, leaves)
    op = _OPS[type(node.op)]
    if op == "/":
        if b == 0 or a % b:
            raise _Rejected(f"inexact division {a}/{b}")
        value = a // b
    else:
        value = {"+": a + b, "-": a - b, "*": a * b}[op]
    if value < 0:
        raise _Rejected(f"negative intermediate {a}{op}{b}")
    if value > VALUE_CAP:
        raise _Rejected(f"intermediate above {VALUE_CAP}")
    return value


def parse(text: str) -> tuple[int, list[int]]:
    """(value, literals) of an expression under the integer rules; raises ValueError if invalid."""
    text = text.strip().replace("×", "*").replace("÷", "/")
    if not text or len(text) > 200:
        raise ValueError("empty or overlong answer")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ValueError("not a well-formed expression") from None
    leaves: list[int] = []
    try:
        value = _evaluate(tree.body, leaves)
    except _Rejected as error:
        raise ValueError(str(error)) from None
    return value, leaves


def verify(text: str, numbers, target: int, rule: str = "strict") -> Verdict:
    """Whether `text` solves the instance (numbers, target) under `rule` (strict, set, value)."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; use one of {RULES}")
    try:
        value, leaves = parse(text)
    except ValueError as error:
        return Verdict(False, str(error))
    numbers = [int(n) for n in numbers if int(n) >= 0]
    if value != int(target):
        return Verdict(False, f"value {value}, not {int(target)}")
    if rule == "strict" and collections.Counter(leaves) != collections.Counter(numbers):
        return Verdict(False, f"numbers {sorted(leaves)} are not {sorted(numbers)}")
    if rule == "set" and set(leaves) != set(numbers):
        return Verdict(False, f"set of numbers {sorted(set(leaves))} is not {sorted(set(numbers))}")
    return Verdict(True, "ok")
