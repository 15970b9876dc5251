"""Grader of exercise 8: imitation targets, top-k accuracy, a split by game
(exercises/ex8_imitation.py), checked against known answers and alphazero/demonstrations.py."""

from __future__ import annotations

import numpy as np
import pytest

from alphazero import exercises


@pytest.fixture(scope="module")
def impl():
    return exercises.submission()


def test_one_hot_targets(impl):
    got = np.asarray(impl.one_hot_targets(np.array([2, 0, 4]), 5))
    want = np.array([[0, 0, 1, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 1]], np.float32)
    assert got.shape == (3, 5), f"3 moves over 5 actions make a [3, 5] array, got {got.shape}"
    np.testing.assert_array_equal(got, want, err_msg="one 1 per row, at the expert's move")


def test_value_targets_known_answers(impl):
    cases = [
        (4, 1.0, 2, [1, -1, 1, -1]),
        (5, -1.0, 2, [-1, 1, -1, 1, -1]),
        (3, 0.0, 2, [0, 0, 0]),
        (3, 1.0, 1, [1, 1, 1]),
    ]
    for num_moves, outcome, players, want in cases:
        got = np.asarray(impl.value_targets(num_moves, outcome, players), np.float64)
        hint = "two players: the sign flips every move" if players == 2 else "one player: no flip"
        message = f"{num_moves} moves, outcome {outcome} for the first mover; {hint}"
        np.testing.assert_array_equal(got, want, err_msg=message)


def test_value_targets_match_the_library(impl):
    """The same numbers as alphazero.demonstrations gives a real game (tic-tac-toe, X wins)."""
    import games
    from alphazero import demonstrations

    env = games.make("tic_tac_toe")
    record = demonstrations.Record([0, 3, 1, 4, 2], 1.0, 0)
    dataset = demonstrations.to_dataset([record], {}, env)
    want = np.asarray(dataset.samples.value_target)
    np.testing.assert_array_equal(np.asarray(impl.value_targets(5, 1.0, 2)), want)
    np.testing.assert_array_equal(
        np.asarray(impl.one_hot_targets(np.array(record.moves), 9)),
        np.asarray(dataset.samples.action_weights),
    )


def test_top_k_accuracy(impl):
    logits = np.array([[0.1, 0.9, 0.0], [2.0, 1.0, 3.0], [0.0, 0.0, 5.0]])
    moves = np.array([1, 0, 1])
    assert impl.top_k_accuracy(logits, moves, 1) == pytest.approx(1 / 3), "top-1: only row 0"
    assert impl.top_k_accuracy(logits, moves, 2) == pytest.approx(2 / 3), "top-2: rows 0 and 1"
    assert impl.top_k_accuracy(logits, moves, 3) == pytest.approx(1.0), "top-3 of 3: all rows"
    rng = np.random.default_rng(0)
    logits, moves = rng.normal(size=(200, 10)), rng.integers(0, 10, 200)
    want = np.mean(np.argsort(-logits, 1)[:, :5] == moves[:, None]) * 5
    assert impl.top_k_accuracy(logits, moves, 5) == pytest.approx(want), "random logits, k = 5"


def test_split_by_game(impl):
    game = np.repeat(np.arange(40), 7)  # 40 games of 7 positions
    train, validation = (np.asarray(m, bool) for m in impl.split_by_game(game, 0.25, 3))
    assert train.shape == validation.shape == game.shape, "one mask entry per position"
    assert not (train & validation).any() and (train | validation).all(), "each position once"
    held = np.unique(game[validation])
    assert len(held) == 10, f"25% of 40 games is 10 held-out games, got {len(held)}"
    assert not set(game[train]) & set(held), "a game is either held out whole or not at all"
    assert validation.sum() == 70, "every position of a held-out game is in validation"
    other = np.asarray(impl.split_by_game(game, 0.25, 4)[1], bool)
    assert not np.array_equal(other, validation), "another seed holds out other games"
    again = np.asarray(impl.split_by_game(game, 0.25, 3)[1], bool)
    assert np.array_equal(again, validation), "the same seed gives the same split"
    _, one = impl.split_by_game(np.repeat(np.arange(3), 2), 0.01, 0)
    assert np.asarray(one, bool).sum() == 2, "a positive fraction holds out at least one game"
