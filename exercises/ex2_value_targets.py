"""Exercise 2 — value targets from a self-play trajectory.

Fill in `value_targets`, then run

    alphazero exercise check 2

AlphaZero trains its value head on z_t: the final outcome of the game, seen from the player who
was to move at position t. Self-play records one game slot as a sequence of moves t = 0..T-1;
when a game ends the slot starts a new game at once (auto-reset), so one slot can hold the end of
one game and the start of the next. For each move t you get

- reward[t]: the reward move t earned for the player who made it (+1 win, -1 loss, 0 otherwise;
  non-zero only on a game's last move);
- done[t]: the game ended with move t (the next entry, if any, is the first move of a new game);
- truncated[t]: the game was cut off at move t (a move cap, not a real ending; no outcome);
- random_move[t]: move t was a random opening move, not chosen by the agent.

Two players alternate, so going one move back in time flips the point of view:

    z_t = reward[t]                 if done[t]
    z_t = reward[t] - z_{t+1}       otherwise

Not every position gets a target: mask[t] = 1 only if the game containing move t really finished
inside the trajectory (not truncated, not still running at the end) and move t was not a random
opening move. Where mask[t] = 0 the value of z_t does not matter.
"""

from __future__ import annotations

import numpy as np


def value_targets(
    reward: np.ndarray, done: np.ndarray, truncated: np.ndarray, random_move: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One game slot [T] -> (z [T] float, mask [T] bool)."""
    raise NotImplementedError("value_targets")
