"""Go coordinates: pgx action <-> GTP vertex <-> SGF point, for any board size N <= 25.

pgx numbers the points row by row from the top-left corner, `action = row * N + col`, and pass is
`N * N`. GTP names a point by a column letter (A..Z without I) and a row number counted from the
bottom (A1 is the bottom-left corner). SGF names it by two letters, column then row, both from
the top-left and without skipping i (so `aa` is pgx action 0). Resignation is a GTP reply, not an
action.

    >>> action_to_gtp(0, 9), action_to_gtp(80, 9), action_to_gtp(81, 9)
    ('A9', 'J1', 'pass')
    >>> gtp_to_action("j1", 9), action_to_sgf(1, 9), sgf_to_action("ba", 9)
    (80, 'ba', 1)
"""

from __future__ import annotations

GTP_COLUMNS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"  # GTP skips the letter I
SGF_LETTERS = "abcdefghijklmnopqrstuvwxy"
MAX_SIZE = 25


class CoordinateError(ValueError):
    """A vertex or point that does not name a point of this board (the message is one line)."""


def pass_action(size: int) -> int:
    return size * size


def action_to_gtp(action: int, size: int) -> str:
    """'A9'-style GTP vertex of a pgx action on an N x N board ('pass' for N * N)."""
    _check_action(action, size)
    if action == pass_action(size):
        return "pass"
    row, col = divmod(action, size)
    return f"{GTP_COLUMNS[col]}{size - row}"


def gtp_to_action(vertex: str, size: int) -> int:
    """pgx action of a GTP vertex (case-insensitive, 'pass' allowed); CoordinateError if invalid."""
    text = vertex.strip().upper()
    if text == "PASS":
        return pass_action(size)
    if len(text) < 2 or text[0] not in GTP_COLUMNS[:size] or not text[1:].isdigit():
        raise CoordinateError(f"invalid vertex {vertex!r} on a {size}x{size} board")
    number = int(text[1:])
    if not 1 <= number <= size:
        raise CoordinateError(f"invalid vertex {vertex!r} on a {size}x{size} board")
    return (size - number) * size + GTP_COLUMNS.index(text[0])


def action_to_sgf(action: int, size: int) -> str:
    """Two-letter SGF point of a pgx action ('' for pass, as FF[4] writes it)."""
    _check_action(action, size)
    if action == pass_action(size):
        return ""
    row, col = divmod(action, size)
    return SGF_LETTERS[col] + SGF_LETTERS[row]


def sgf_to_action(point: str, size: int) -> int:
    """pgx action of an SGF point; '' (and 'tt' on boards up to 19x19, the FF[3] pass) is pass."""
    if point == "" or (point == "tt" and size <= 19):
        return pass_action(size)
    if len(point) != 2 or any(c not in SGF_LETTERS[:size] for c in point):
        raise CoordinateError(f"invalid SGF point {point!r} on a {size}x{size} board")
    col, row = SGF_LETTERS.index(point[0]), SGF_LETTERS.index(point[1])
    return row * size + col


def action_to_rowcol(action: int, size: int) -> tuple[int, int] | None:
    """(row from the bottom, column from the left), sgfmill's convention; None for pass."""
    _check_action(action, size)
    if action == pass_action(size):
        return None
    row, col = divmod(action, size)
    return size - 1 - row, col


def rowcol_to_action(point: tuple[int, int] | None, size: int) -> int:
    """Inverse of `action_to_rowcol` (None is pass)."""
    if point is None:
        return pass_action(size)
    row, col = point
    if not (0 <= row < size and 0 <= col < size):
        raise CoordinateError(f"invalid point {point!r} on a {size}x{size} board")
    return (size - 1 - row) * size + col


def transform(action: int, size: int, k: int) -> int:
    """The action under board symmetry k of 8: k % 4 quarter turns, then a mirror when k >= 4
    (pass is fixed). `transform(transform(a, n, k), n, inverse(k)) == a`."""
    _check_action(action, size)
    if action == pass_action(size):
        return action
    row, col = divmod(action, size)
    for _ in range(k % 4):
        row, col = col, size - 1 - row
    return row * size + (size - 1 - col if k >= 4 else col)


def inverse(k: int) -> int:
    """The symmetry that undoes symmetry k: quarter turns back; a mirror undoes itself."""
    return (4 - k) % 4 if k < 4 else k


def _check_action(action: int, size: int) -> None:
    if not 2 <= size <= MAX_SIZE:
        raise CoordinateError(f"board size {size} is outside 2..{MAX_SIZE}")
    if not 0 <= action <= pass_action(size):
        raise CoordinateError(f"action {action} is outside 0..{pass_action(size)}")
