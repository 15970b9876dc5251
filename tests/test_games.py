"""Tests for the game registry: every registered game passes `games.testing.check_game`."""

import pytest

import games
from games.testing import check_game

# Random Go games only end at the move cap (2 * size**2), so cap our random steps for big boards.
_NUM_STEPS = {"go_9x9": 60, "go_19x19": 30}


# countdown_k2 ... countdown_k6 are `countdown` with k fixed: one of them stands for the five.
_CONFORMANCE = [n for n in games.available() if n not in {f"countdown_k{k}" for k in (2, 3, 4, 6)}]


_SLOW = {"countdown", "countdown_token", "countdown_k5", "countdown_numbers", "go_7x7", "go_9x9",
         "go_19x19"}  # fmt: skip


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in _SLOW else n for n in _CONFORMANCE]
)
def test_check_game(name: str) -> None:
    check_game(games.make(name), num_steps=_NUM_STEPS.get(name, 200))


def test_make_unknown_name_raises_one_line_error() -> None:
    with pytest.raises(ValueError) as excinfo:
        games.make("xyz")
    message = str(excinfo.value)
    assert message == "unknown game 'xyz'; available: " + ", ".join(games.available())
    assert "\n" not in message


def test_available_names() -> None:
    assert games.available() == (
        "tic_tac_toe",
        "connect_four",
        "othello",
        "hex",
        "go_5x5",
        "go_7x7",
        "go_9x9",
        "go_19x19",
        "countdown",
        "countdown_k2",
        "countdown_k3",
        "countdown_k4",
        "countdown_k5",
        "countdown_k6",
        "countdown_24",
        "countdown_token",
        "countdown_numbers",
    )


@pytest.mark.parametrize(
    ("name", "size", "komi"),
    [("go_5x5", 5, 24.5), ("go_7x7", 7, 8.5), ("go_9x9", 9, 7.5), ("go_19x19", 19, 7.5)],
)
def test_go_size_and_komi(name: str, size: int, komi: float) -> None:
    env = games.make(name)
    assert env.id == f"go_{size}x{size}"
    assert env._game.size == size
    assert env._game.komi == komi
