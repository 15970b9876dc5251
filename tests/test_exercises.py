"""Both sides of every graded exercise: each stub fails every check of its grader, each reference
solution (tests/exercise_solutions/) passes all of them; plus the `alphazero exercise` command."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from alphazero import exercises

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "tests" / "exercise_solutions"


def _checks(exercise):
    grader = importlib.import_module(f"alphazero.exercises.grade_{exercise.name}")
    found = [
        fn
        for name, fn in inspect.getmembers(grader, inspect.isfunction)
        if name.startswith("test_")
    ]
    assert len(found) >= 4, f"grader of exercise {exercise.number} has too few checks"
    return found


def _solution(exercise) -> Path:
    return SOLUTIONS / Path(exercise.stub).name


@pytest.mark.parametrize("exercise", exercises.EXERCISES, ids=lambda e: e.name)
def test_exercise__stub_fails_every_check(exercise):
    stub = exercises.load(ROOT / exercise.stub)
    passed = []
    for check in _checks(exercise):
        try:
            check(stub)
        except (NotImplementedError, AssertionError):
            continue
        passed.append(check.__name__)
    assert not passed, f"exercise {exercise.number}: the untouched stub passes {passed}"


# Reference solutions that train or compile for over 10 s run in the slow tier.
SLOW_SOLUTIONS = ("nim", "flops", "ownership")


@pytest.mark.parametrize(
    "exercise",
    [
        pytest.param(e, marks=pytest.mark.slow) if e.name in SLOW_SOLUTIONS else e
        for e in exercises.EXERCISES
    ],
    ids=lambda e: e.name,
)
def test_exercise__reference_solution_passes_every_check(exercise):
    solution = exercises.load(_solution(exercise))
    for check in _checks(exercise):
        check(solution)


def test_exercise__stubs_hold_no_solution_code():
    for exercise in exercises.EXERCISES:
        text = (ROOT / exercise.stub).read_text()
        assert "raise NotImplementedError" in text, exercise.stub
        assert not (ROOT / "exercises" / "solutions").exists()


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "alphazero.cli", "exercise", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_cli__exercise_list_and_check_both_sides():
    listing = _cli("list")
    lines = listing.stdout.strip().splitlines()
    assert listing.returncode == 0 and len(lines) == len(exercises.EXERCISES)
    assert all(
        exercise.stub in line for exercise, line in zip(exercises.EXERCISES, lines, strict=True)
    )
    stub = _cli("check", "1")
    assert stub.returncode == 1, stub.stdout
    assert "check the sign of Q" not in stub.stdout  # stub fails before reaching that assertion
    assert "NotImplementedError" in stub.stdout
    solved = _cli("check", "1", "--file", str(_solution(exercises.get(1))))
    assert solved.returncode == 0, solved.stdout
    assert "all checks pass" in solved.stdout


@pytest.mark.parametrize(
    "args, message",
    [(("check", "99"), "unknown exercise 99"), (("check", "2", "--file", "nope.py"), "nope.py")],
)
def test_cli__exercise_bad_input_is_one_line(args, message):
    result = _cli(*args)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and message in result.stderr
    assert "Traceback" not in result.stderr
