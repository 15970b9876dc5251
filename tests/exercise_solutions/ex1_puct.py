"""Reference solution of exercise 1 (PUCT selection). Not for students' eyes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alphazero import exercises

# The scaffolding the stub gives the student (data types, constants) is reused, not copied.
_STUB = exercises.load(Path(__file__).resolve().parents[2] / "exercises" / "ex1_puct.py")
Tree = _STUB.Tree


def child_stats(tree, node):
    children = tree.children[node]
    expanded = children >= 0
    index = np.where(expanded, children, 0)
    visits = np.where(expanded, tree.visit_count[index], 0)
    mean = tree.value_sum[index] / np.maximum(tree.visit_count[index], 1)
    q = np.where(expanded & (visits > 0), -mean, 0.0)  # the child's mover is the opponent
    return visits, q


def puct_scores(prior, node_visits, child_visits, q, c_puct):
    return q + c_puct * prior * np.sqrt(node_visits) / (1 + child_visits)


def select_action(tree, node, c_puct):
    visits, q = child_stats(tree, node)
    scores = puct_scores(tree.prior[node], tree.visit_count[node], visits, q, c_puct)
    return int(np.argmax(np.where(tree.legal[node], scores, -np.inf)))


def descend(tree, c_puct):
    node, path = 0, []
    while True:
        action = select_action(tree, node, c_puct)
        path.append(action)
        node = int(tree.children[node, action])
        if node < 0:
            return path
