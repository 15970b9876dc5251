"""Grader of exercise 1: PUCT selection on a fixed search tree (exercises/ex1_puct.py)."""

from __future__ import annotations

import numpy as np
import pytest

from alphazero import exercises

C_PUCT = 1.25


@pytest.fixture(scope="module")
def impl():
    return exercises.submission()


def _tree(impl):
    """Root (node 0, 10 visits) with children 1 (after action 0) and 2 (after action 1).

    Node 1: 6 visits, value_sum +3.0 for ITS mover, so Q(root, 0) = -0.5.
    Node 2: 3 visits, value_sum -1.5 for its mover, so Q(root, 1) = +0.5; its action 1 is illegal.
    """
    return impl.Tree(
        prior=np.array([[0.5, 0.3, 0.2], [1 / 3] * 3, [0.1, 0.6, 0.3]]),
        children=np.array([[1, 2, -1], [-1, -1, -1], [-1, -1, -1]]),
        visit_count=np.array([10, 6, 3]),
        value_sum=np.array([2.0, 3.0, -1.5]),
        legal=np.array([[True, True, True], [True, True, True], [True, False, True]]),
    )


def test_child_stats_known_answer(impl):
    visits, q = impl.child_stats(_tree(impl), 0)
    np.testing.assert_allclose(
        visits, [6, 3, 0], err_msg="N(s, a) at the root: child visit counts, 0 if unexpanded"
    )
    np.testing.assert_allclose(
        q,
        [-0.5, 0.5, 0.0],
        err_msg="Q(s, a) at the root: minus the child's mean value (the child's mover is the "
        "opponent), 0 for an unexpanded child",
    )


def test_puct_scores_known_answer(impl):
    scores = impl.puct_scores(
        np.array([0.5, 0.3, 0.2]), 10, np.array([6, 3, 0]), np.array([-0.5, 0.5, 0.0]), C_PUCT
    )
    expected = [
        -0.5 + 1.25 * 0.5 * 10**0.5 / 7,
        0.5 + 1.25 * 0.3 * 10**0.5 / 4,
        1.25 * 0.2 * 10**0.5,
    ]
    np.testing.assert_allclose(
        scores, expected, rtol=1e-6, err_msg="score = Q + c_puct * P * sqrt(N(s)) / (1 + N(s, a))"
    )


def test_puct_scores_random_inputs(impl):
    rng = np.random.default_rng(0)
    for _ in range(20):
        prior = rng.dirichlet(np.ones(7))
        child_visits = rng.integers(0, 20, size=7)
        q = rng.uniform(-1, 1, size=7)
        node_visits = int(child_visits.sum()) + 1
        expected = q + C_PUCT * prior * np.sqrt(node_visits) / (1 + child_visits)
        np.testing.assert_allclose(
            impl.puct_scores(prior, node_visits, child_visits, q, C_PUCT), expected, rtol=1e-6
        )


def test_select_action_prefers_the_good_move_for_the_mover(impl):
    assert impl.select_action(_tree(impl), 0, C_PUCT) == 1, (
        "at the root, action 1 scores 0.796 and action 2 scores 0.791: pick the highest score "
        "(if you picked 2, check the sign of Q)"
    )


def test_select_action_never_picks_an_illegal_action(impl):
    assert impl.select_action(_tree(impl), 2, C_PUCT) == 2, (
        "at node 2 the highest prior (action 1) is illegal: only legal actions may be selected"
    )


def test_select_action_breaks_ties_to_the_lowest_index(impl):
    tree = impl.Tree(
        prior=np.full((1, 4), 0.25),
        children=np.full((1, 4), -1),
        visit_count=np.array([0]),
        value_sum=np.array([0.0]),
        legal=np.array([[False, True, True, True]]),
    )
    assert impl.select_action(tree, 0, C_PUCT) == 1, "equal scores: pick the lowest legal index"


def test_descend_known_path(impl):
    assert list(impl.descend(_tree(impl), C_PUCT)) == [1, 2], (
        "root -> action 1 (node 2) -> action 2 reaches an unexpanded child: path [1, 2]"
    )


def test_descend_stops_at_the_first_unexpanded_child(impl):
    tree = _tree(impl)._replace(prior=np.array([[0.1, 0.1, 0.8], [1 / 3] * 3, [0.1, 0.6, 0.3]]))
    assert list(impl.descend(tree, C_PUCT)) == [2], (
        "with a strong prior on the unexpanded action 2, the walk stops after one step"
    )
