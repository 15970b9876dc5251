"""Exercise 1 — PUCT selection on a fixed search tree.

Fill in the four functions below (replace each `raise NotImplementedError`), then run

    alphazero exercise check 1

AlphaZero walks down its search tree by picking, at every node s, the legal action a that
maximises the PUCT score

    score(s, a) = Q(s, a) + c_puct * P(s, a) * sqrt(N(s)) / (1 + N(s, a))

- P(s, a): the network's prior probability of a at s (`tree.prior[s, a]`);
- N(s): visits of node s (`tree.visit_count[s]`); N(s, a): visits of the child reached by a
  (0 if that child has not been expanded yet);
- Q(s, a): the mean value of that child **from the view of the player to move at s**, 0 for an
  unexpanded child.

The sign is the classic trap. `tree.value_sum[c]` is stored from the view of the player to move
at node c, and in a two-player game that is the *opponent* of the player at its parent. So
Q(s, a) = -value_sum[c] / visit_count[c] for the child c = tree.children[s, a].

(mctx, which the library uses, computes the same score in `muzero_action_selection` with
sqrt(N(s)) of the parent node; its c_puct grows slowly with N(s), here it is a constant.)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Tree(NamedTuple):
    """A search tree stored as arrays, the way mctx stores one (node 0 is the root)."""

    prior: np.ndarray  # [num_nodes, A] float, P(s, a)
    children: np.ndarray  # [num_nodes, A] int, child node index, -1 if not expanded
    visit_count: np.ndarray  # [num_nodes] int, N(s)
    value_sum: np.ndarray  # [num_nodes] float, sum of values backed up into s, s's mover's view
    legal: np.ndarray  # [num_nodes, A] bool, legal actions at s


def child_stats(tree: Tree, node: int) -> tuple[np.ndarray, np.ndarray]:
    """N(s, a) [A] and Q(s, a) [A] of every action at `node` (0 and 0 where not expanded)."""
    raise NotImplementedError("child_stats")


def puct_scores(
    prior: np.ndarray, node_visits: int, child_visits: np.ndarray, q: np.ndarray, c_puct: float
) -> np.ndarray:
    """score [A] = q + c_puct * prior * sqrt(node_visits) / (1 + child_visits)."""
    raise NotImplementedError("puct_scores")


def select_action(tree: Tree, node: int, c_puct: float) -> int:
    """The legal action with the highest PUCT score at `node`; ties go to the lowest index."""
    raise NotImplementedError("select_action")


def descend(tree: Tree, c_puct: float) -> list[int]:
    """Actions chosen from the root down to (and including) the first unexpanded child."""
    raise NotImplementedError("descend")
