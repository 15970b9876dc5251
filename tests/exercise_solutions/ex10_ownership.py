"""Reference solution of exercise 10 (ownership and score targets). Not for students' eyes."""

from __future__ import annotations

import numpy as np


def ownership_map(board):
    board = np.asarray(board)
    rows, cols = board.shape
    owner = np.sign(board).astype(np.int32)
    seen = board != 0
    for start in zip(*np.nonzero(~seen), strict=True):
        if seen[start]:
            continue
        region, touched, frontier = [], set(), [start]
        seen[start] = True
        while frontier:  # flood fill one empty region, noting the colours it touches
            r, c = frontier.pop()
            region.append((r, c))
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if 0 <= nr < rows and 0 <= nc < cols:
                    if board[nr, nc] != 0:
                        touched.add(int(np.sign(board[nr, nc])))
                    elif not seen[nr, nc]:
                        seen[nr, nc] = True
                        frontier.append((nr, nc))
        colour = touched.pop() if len(touched) == 1 else 0
        for point in region:
            owner[point] = colour
    return owner


def score_margin(board, komi):
    owner = ownership_map(board)
    return float(np.sum(owner == 1) - np.sum(owner == -1) - komi)


def targets_for_game(final_owner_black, margin_black, black_to_move):
    sign = np.where(np.asarray(black_to_move, bool), 1.0, -1.0)
    owner = np.asarray(final_owner_black, np.float64)
    return sign[:, None] * owner[None, :], sign * float(margin_black)
