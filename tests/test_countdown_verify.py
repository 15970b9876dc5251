"""The expression verifiers: the strict one agrees with the solver; the buggy ones are buggy."""

from __future__ import annotations

import numpy as np
import pytest

from games import countdown_solver
from games.countdown_verify import parse, verify


def test_solver_expressions_verify_strictly():
    rng = np.random.default_rng(0)
    checked = 0
    while checked < 40:
        k = int(rng.integers(2, 7))
        numbers = sorted(rng.integers(1, 26, k).tolist(), reverse=True)
        target = int(rng.integers(10, 1000))
        actions = countdown_solver.solution(numbers, target)
        if actions is None:
            continue
        text = countdown_solver.to_expression(numbers, actions)
        assert verify(text, numbers, target) == (True, "ok"), text
        assert not verify(text, numbers, target + 1).correct
        checked += 1


@pytest.mark.parametrize(
    "text, strict, set_rule, value_rule",
    [
        ("81*1", False, True, True),  # reuses a duplicate: reasoning-gym issue #478's exploit
        ("81*1*1", True, True, True),
        ("80+1", False, False, True),  # numbers not in the instance
        ("81", False, False, True),  # leaves the ones out: the set differs too
        ("(81+1)-1", True, True, True),
        ("81/1/1", True, True, True),
    ],
)
def test_rules_differ_on_number_use(text, strict, set_rule, value_rule):
    numbers, target = [81, 1, 1], 81
    got = [verify(text, numbers, target, rule).correct for rule in ("strict", "set", "value")]
    assert got == [strict, set_rule, value_rule]


@pytest.mark.parametrize(
    "text, reason",
    [
        ("7/2*2", "inexact division 7/2"),
        ("2-7+12", "negative intermediate 2-7"),
        ("-2+9", "not an expression"),
        ("2**3", "not an expression"),
        ("__import__('os')", "not an expression"),
        ("3.5*2", "not an expression"),
        ("(3+", "not a well-formed expression"),
        ("", "empty"),
    ],
)
def test_malformed_answers_are_rejected_with_a_reason(text, reason):
    for rule in ("strict", "set", "value"):
        verdict = verify(text, [7, 2, 2], 7, rule)
        assert not verdict.correct and reason in verdict.reason


def test_parse_reads_unicode_operators_and_unknown_rules_fail():
    assert parse("(8 − 5) × 8".replace("−", "-")) == (24, [8, 5, 8])
    with pytest.raises(ValueError, match="unknown rule"):
        verify("1+1", [1, 1], 2, rule="lenient")
