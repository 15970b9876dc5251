"""Exercise 7 — GTP coordinates: pgx action <-> GTP vertex <-> SGF point.

Fill in the three functions, then run

    alphazero exercise check 7

To play against GNU Go or KataGo (GTP, alphazero/go/gtp.py) or to open a game in an SGF viewer
(alphazero/go/sgf.py), the agent's moves must be renamed: the network speaks pgx actions, GTP
engines speak vertices like "D4", SGF files speak points like "dc". Three conventions for the
same N x N board:

- pgx numbers the points row by row from the top-left corner: `action = row * N + col`, with
  row 0 at the TOP; the pass move is the extra action `N * N`.
- GTP names a point by a column letter and a row number. The columns are A, B, C, ... from the
  left, SKIPPING THE LETTER I (too easily confused with J and 1): A B C D E F G H J K ... The
  rows are numbered 1..N from the BOTTOM, so A1 is the bottom-left corner. Pass is "pass".
  Engines may send lower case ("d4", "PASS"): accept any case.
- SGF names a point by two lower-case letters, column then row, both counted from the TOP-left
  and WITHOUT skipping i: "aa" is the top-left corner. Pass is the empty string "" (FF[4]).

On 9x9 (columns A..J without I, rows 9 at the top down to 1):

    action   0  (top-left)      GTP "A9"    SGF "aa"
    action   8  (top-right)     GTP "J9"    SGF "ia"
    action  72  (bottom-left)   GTP "A1"    SGF "ai"
    action  80  (bottom-right)  GTP "J1"    SGF "ii"
    action  81  (pass)          GTP "pass"  SGF ""

Boards go up to 25x25 (25 GTP letters without I, 25 SGF letters a..y).
"""

from __future__ import annotations


def action_to_gtp(action: int, size: int) -> str:
    """GTP vertex of a pgx action on a size x size board; "pass" for action size * size.

    On 9x9: 0 -> "A9", 8 -> "J9", 40 -> "E5", 72 -> "A1", 80 -> "J1", 81 -> "pass".
    On 19x19: 8 -> "J19" (column index 8 is J: there is no I), 360 -> "T1".
    """
    raise NotImplementedError("action_to_gtp")


def gtp_to_action(vertex: str, size: int) -> int:
    """pgx action of a GTP vertex, in any case ("j1" == "J1", "PASS" == "pass").

    On 9x9: "A9" -> 0, "J9" -> 8, "j1" -> 80, "pass" -> 81.
    Raises ValueError for anything that is not a point of this board or "pass": the letter I,
    a column or row beyond the board ("K1" or "A10" on 9x9), row 0, "", "pass1", ...
    """
    raise NotImplementedError("gtp_to_action")


def action_to_sgf(action: int, size: int) -> str:
    """Two-letter SGF point (column, row from the top-left, no letter skipped); "" for pass.

    On 9x9: 0 -> "aa", 1 -> "ba", 9 -> "ab", 80 -> "ii", 81 -> "".
    On 19x19: 8 -> "ia" (SGF keeps the i that GTP skips).
    """
    raise NotImplementedError("action_to_sgf")
