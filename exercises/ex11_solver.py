"""Exercise 11 — MCTS-Solver: proofs in a one-player search tree (Countdown).

Fill in the four functions, then run

    alphazero exercise check 11

A Monte Carlo search averages values: a move that leads to a verified solution is still mixed
with its siblings' failures, and a dead end keeps taking simulations. MCTS-Solver (Winands,
Björnsson & Saito 2008) backs up *proven* values instead (alphazero/solver.py). For one player:

    won(n)  = n's value is settled exactly at 1,  or  SOME child of n is won;
    lost(n) = n's value is settled exactly at 0,  or  EVERY legal child of n is expanded and lost.

Statuses are +1 (won), -1 (lost) and 0 (not proven yet). In Countdown the rules settle a node's
value exactly in two places only: when one number is left (it is the target or not) and when two
numbers a >= b are left (one of a + b, a * b, a - b and a / b, if exact, is the target or none
is). Everywhere else the search must find out.

A tree here is plain Python: nodes 0..N-1, node 0 the root, `parents[n]` the parent of n (-1 for
the root), `children[n]` one entry per legal move of n, the child's node index or None where that
move was not expanded yet. The search expands one node per simulation; after each expansion
the statuses of the new node's ancestors may change, from the parent up to the root.
"""

from __future__ import annotations


def exact_status(numbers: list[int], target: int) -> int:
    """+1 / -1 where Countdown's rules settle the value of `numbers` (one or two numbers left),
    else 0. Two numbers a >= b: won if a + b, a * b, a - b or a / b (only when b > 0 and b
    divides a) equals the target."""
    raise NotImplementedError("exact_status")


def status(exact: int, children: list[int | None]) -> int:
    """A node's status from its exact status (+1, -1 or 0) and its legal moves' children's
    statuses (None: not expanded). An exactly settled node keeps its exact status."""
    raise NotImplementedError("status")


def backup(parents: list[int], children: list[list[int | None]], exact: list[int],
           proven: list[int], leaf: int) -> list[int]:
    """`proven` (one status per node) after node `leaf` was expanded: the leaf's status is its
    exact one, then each ancestor's is recomputed with `status`, up to the root. Returns a new
    list; nodes off the leaf's path keep theirs."""
    raise NotImplementedError("backup")


def solver_q(q: list[float], children: list[int | None], proven: list[int]) -> list[float]:
    """The Q values a selection rule sees at a node: one per legal move, a won child's replaced
    by +inf (always chosen), a lost child's by -inf (never chosen), the others unchanged."""
    raise NotImplementedError("solver_q")
