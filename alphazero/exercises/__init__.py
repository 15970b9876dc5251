"""Graded classroom exercises: the registry, and the autograder runner behind the CLI.

    alphazero exercise list
    alphazero exercise check N [--file PATH]

Each exercise is a student-facing stub in the repository's `exercises/` folder and a pytest grader
in this package (`grade_<name>.py`). A grader's tests take one fixture, `impl`: the student's
module, loaded from the file named by the environment variable `ALPHAZERO_EXERCISE_FILE`.
Reference solutions live in `tests/exercise_solutions/`, away from the stubs; CI checks that every
stub fails its grader and every solution passes it (tests/test_exercises.py).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

FILE_VARIABLE = "ALPHAZERO_EXERCISE_FILE"


@dataclasses.dataclass(frozen=True)
class Exercise:
    number: int
    name: str  # grader module is alphazero/exercises/grade_<name>.py
    title: str
    stub: str  # path of the student file, relative to the repository root

    @property
    def grader(self) -> Path:
        return Path(__file__).parent / f"grade_{self.name}.py"


EXERCISES = (
    Exercise(1, "puct", "PUCT selection on a fixed search tree", "exercises/ex1_puct.py"),
    Exercise(
        2, "value_targets", "Value targets from a trajectory", "exercises/ex2_value_targets.py"
    ),
    Exercise(3, "loss", "The AlphaZero loss", "exercises/ex3_loss.py"),
    Exercise(4, "replay", "A replay window (FIFO)", "exercises/ex4_replay.py"),
    Exercise(5, "nim", "A new game in the pgx contract (Nim), trained on", "exercises/ex5_nim.py"),
    Exercise(6, "flops", "Count the network's FLOPs: the roofline", "exercises/ex6_flops.py"),
    Exercise(
        7,
        "coordinates",
        "GTP and SGF coordinates of pgx actions",
        "exercises/ex7_coordinates.py",
    ),
    Exercise(
        8,
        "imitation",
        "Learning from an expert: targets, accuracy, a split by game",
        "exercises/ex8_imitation.py",
    ),
    Exercise(
        9,
        "countdown",
        "Countdown: an exact solver (1,346 Game-of-24 sets)",
        "exercises/ex9_countdown.py",
    ),
    Exercise(
        10,
        "ownership",
        "KataGo's ownership and score targets",
        "exercises/ex10_ownership.py",
    ),
    Exercise(11, "solver", "MCTS-Solver: proofs in a search tree", "exercises/ex11_solver.py"),
)


class ExerciseError(Exception):
    """A problem the student can fix (unknown number, missing file); one line."""


def get(number: int) -> Exercise:
    for exercise in EXERCISES:
        if exercise.number == number:
            return exercise
    raise ExerciseError(f"unknown exercise {number}; available: 1-{len(EXERCISES)}")


def load(path: str | Path) -> ModuleType:
    """Imports a Python file as a fresh module (a new name each time, so edits are picked up)."""
    path = Path(path)
    if not path.is_file():
        raise ExerciseError(f"no exercise file at {path}")
    name = f"_exercise_{path.stem}_{len(sys.modules)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def submission() -> ModuleType:
    """The module under test: the file named by $ALPHAZERO_EXERCISE_FILE (set by `check`)."""
    return load(os.environ[FILE_VARIABLE])


def check(number: int, path: str | Path | None = None) -> int:
    """Runs exercise `number`'s grader on `path` (default: its stub); pytest's exit code."""
    import pytest  # the grader is a pytest file

    exercise = get(number)
    path = Path(path or exercise.stub)
    if not path.is_file():
        raise ExerciseError(
            f"no exercise file at {path}; run from the repository root or pass --file"
        )
    os.environ[FILE_VARIABLE] = str(path.resolve())
    print(f"exercise {exercise.number}: {exercise.title} — grading {path}")
    args = [str(exercise.grader), "-q", "--tb=line", "-p", "no:cacheprovider", "--no-header"]
    return int(pytest.main(args))
