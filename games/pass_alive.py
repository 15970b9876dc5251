"""Pass-alive chains and territory: Benson's algorithm (D. B. Benson, "Life in the game of Go",
Information Sciences 10, 1976), on one board as a numpy array.

    safe = pass_alive.territory(board, colour)   # board [N, N]: +1 black, -1 white, 0 empty

A chain is pass-alive (unconditionally alive) when the opponent cannot capture it even if its
owner passes every move. Benson's test: take X = the colour's chains and R = its enclosed regions
(maximal connected sets of points that are not its stones). A region is vital to a chain it
borders when every empty point of the region is a liberty of that chain. Repeat until nothing
changes: drop from X every chain with fewer than two vital regions in R, and drop from R every
region that borders a chain no longer in X. The chains left in X are pass-alive.

Pass-alive territory here is every region left in R that is vital to a pass-alive chain: each of
its empty points is a liberty of a chain that cannot be captured, so the opponent can make no eye
there and nothing it plays there can live. (KataGo prunes moves into either side's pass-alive
area at the root once the opponent has passed, `rootPruneUselessMoves`.)
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def territory(board: np.ndarray, colour: int) -> np.ndarray:
    """[N, N] bool: the points of `colour`'s (+1 black, -1 white) pass-alive territory on
    `board` ([N, N]: +1 black, -1 white, 0 empty), empty or held by dead opponent stones."""
    mine = board == colour
    chains, num_chains = ndimage.label(mine)  # 4-connected, 1..num_chains
    regions, num_regions = ndimage.label(~mine)
    if num_chains == 0 or num_regions == 0:
        return np.zeros(board.shape, bool)
    # adjacent[p, c]: point p touches chain c (c = 0: no chain).
    padded = np.pad(chains, 1)
    near = np.stack([padded[:-2, 1:-1], padded[2:, 1:-1], padded[1:-1, :-2], padded[1:-1, 2:]])
    adjacent = np.zeros((board.size, num_chains + 1), bool)
    adjacent[np.arange(board.size)[:, None], near.reshape(4, -1).T] = True
    adjacent[:, 0] = False
    region = regions.reshape(-1)
    borders = np.zeros((num_regions + 1, num_chains + 1), bool)  # region r touches chain c
    np.logical_or.at(borders, region, adjacent)
    empty = (board.reshape(-1) == 0) & (region > 0)
    empties = np.bincount(region[empty], minlength=num_regions + 1)  # [R+1]
    liberty_counts = np.zeros((num_regions + 1, num_chains + 1), int)
    np.add.at(liberty_counts, region[empty], adjacent[empty].astype(int))
    vital = borders & (liberty_counts == empties[:, None])  # [R+1, C+1]
    alive = np.arange(num_chains + 1) > 0
    live = np.arange(num_regions + 1) > 0
    while True:
        still_alive = alive & ((vital & live[:, None]).sum(0) >= 2)
        still_live = live & ~(borders & ~still_alive[None, :]).any(1)
        if (still_alive == alive).all() and (still_live == live).all():
            break
        alive, live = still_alive, still_live
    safe = live & (vital & alive[None, :]).any(1)  # [R+1]
    return safe[regions] & (regions > 0)
