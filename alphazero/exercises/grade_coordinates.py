"""Grader of exercise 7: GTP coordinates, pgx action <-> GTP vertex <-> SGF point
(exercises/ex7_coordinates.py)."""

from __future__ import annotations

import pytest

from alphazero import exercises
from games import go_coordinates as reference

SIZES = (5, 7, 9, 19)


@pytest.fixture(scope="module")
def impl():
    return exercises.submission()


def _action(impl, vertex: str, size: int) -> int:
    """impl.gtp_to_action on a vertex that IS valid: a ValueError there is a failed check."""
    try:
        return impl.gtp_to_action(vertex, size)
    except ValueError as error:
        raise AssertionError(
            f"gtp_to_action({vertex!r}, {size}) raised ValueError ({error}), but {vertex!r} is a "
            f"valid vertex on {size}x{size} (columns {reference.GTP_COLUMNS[:size]}, any case)"
        ) from None


def test_gtp_known_answers_9x9(impl):
    assert impl.action_to_gtp(0, 9) == "A9", "action 0 is the top-left corner: column A, row 9"
    assert impl.action_to_gtp(72, 9) == "A1", "GTP rows count from the bottom: action 72 is A1"
    assert impl.action_to_gtp(40, 9) == "E5", "action 40 = row 4 * 9 + col 4 is the centre, E5"
    assert impl.action_to_gtp(8, 9) == "J9", "column index 8 is J: GTP columns skip the letter I"
    assert impl.action_to_gtp(80, 9) == "J1", "the bottom-right corner of 9x9 is J1"
    assert impl.action_to_gtp(81, 9) == "pass", "action N * N = 81 is the pass move: 'pass'"
    assert _action(impl, "A9", 9) == 0, "A9 is the top-left corner, pgx action 0"
    assert _action(impl, "A1", 9) == 72, "A1 is the bottom-left corner, row 8: 8 * 9 + 0"
    assert _action(impl, "J1", 9) == 80, "J is column index 8 (no I): J1 is action 80"
    assert _action(impl, "pass", 9) == 81, "'pass' is action N * N = 81"


def test_gtp_known_answers_19x19_skip_i(impl):
    assert impl.action_to_gtp(8, 19) == "J19", "column index 8 is J, not I: GTP skips the letter I"
    assert impl.action_to_gtp(0, 19) == "A19", "on 19x19 the top row is row 19"
    assert impl.action_to_gtp(342, 19) == "A1", "action 342 = 18 * 19 is the bottom-left, A1"
    assert impl.action_to_gtp(180, 19) == "K10", "the centre (row 9, col 9) is K10 (no I)"
    assert impl.action_to_gtp(360, 19) == "T1", "the 19th column letter without I is T"
    assert impl.action_to_gtp(361, 19) == "pass", "action 19 * 19 = 361 is pass"
    assert _action(impl, "J19", 19) == 8, "J is column index 8 (A..H, then J)"
    assert _action(impl, "K10", 19) == 180, "K10 is column 9, row 19 - 10 = 9: action 180"
    assert _action(impl, "T19", 19) == 18, "T19 is the top-right corner, action 18"
    assert _action(impl, "pass", 19) == 361, "'pass' is action N * N = 361"


def test_sgf_known_answers(impl):
    assert impl.action_to_sgf(0, 9) == "aa", "SGF: column then row, both from the top-left"
    assert impl.action_to_sgf(1, 9) == "ba", "action 1 is column 1, row 0: 'ba' (column first)"
    assert impl.action_to_sgf(9, 9) == "ab", "action 9 is column 0, row 1: 'ab' (column first)"
    assert impl.action_to_sgf(80, 9) == "ii", "the bottom-right of 9x9 is 'ii'"
    assert impl.action_to_sgf(81, 9) == "", "SGF writes a pass as the empty string ''"
    assert impl.action_to_sgf(8, 19) == "ia", "SGF does NOT skip i: column index 8 is 'i'"
    assert impl.action_to_sgf(360, 19) == "ss", "the bottom-right of 19x19 is 'ss'"


def test_action_to_gtp_matches_the_library_for_every_action(impl):
    for size in SIZES:
        for action in range(size * size + 1):
            mine, want = impl.action_to_gtp(action, size), reference.action_to_gtp(action, size)
            assert mine == want, f"{size}x{size}: action {action} is {want!r}, you give {mine!r}"


def test_gtp_to_action_round_trips_every_action(impl):
    for size in SIZES:
        for action in range(size * size + 1):
            vertex = reference.action_to_gtp(action, size)
            mine = _action(impl, vertex, size)
            assert mine == action, f"{size}x{size}: {vertex!r} is action {action}, you give {mine}"
            mine = impl.gtp_to_action(impl.action_to_gtp(action, size), size)
            assert mine == action, (
                f"{size}x{size}: gtp_to_action(action_to_gtp({action})) gives {mine}, not {action}"
            )


def test_action_to_sgf_matches_the_library_for_every_action(impl):
    for size in SIZES:
        for action in range(size * size + 1):
            mine, want = impl.action_to_sgf(action, size), reference.action_to_sgf(action, size)
            assert mine == want, f"{size}x{size}: action {action} is {want!r}, you give {mine!r}"


def test_gtp_to_action_ignores_case(impl):
    assert _action(impl, "j1", 9) == 80, "accept lower case: 'j1' is 'J1', action 80"
    assert _action(impl, "a9", 9) == 0, "accept lower case: 'a9' is 'A9', action 0"
    for spelling in ("pass", "PASS", "Pass"):
        assert _action(impl, spelling, 9) == 81, f"{spelling!r} is pass (any case): 81"
    for action in range(19 * 19 + 1):
        vertex = reference.action_to_gtp(action, 19)
        for text in (vertex.lower(), vertex.upper()):
            mine = _action(impl, text, 19)
            assert mine == action, (
                f"19x19: {text!r} is action {action} in any case, you give {mine}"
            )


BAD_VERTICES = [
    ("I5", 19, "there is no column I in GTP"),
    ("Z1", 19, "Z is beyond the 19 columns A..T"),
    ("A0", 19, "rows are numbered from 1"),
    ("A20", 19, "19x19 has rows 1..19"),
    ("", 19, "the empty string names no point"),
    ("pass1", 19, "only exactly 'pass' is a pass"),
    ("I5", 9, "there is no column I in GTP"),
    ("K5", 9, "9x9 has columns A..J (no I)"),
    ("A10", 9, "9x9 has rows 1..9"),
]


def _rejects(impl, vertex: str, size: int) -> bool:
    try:
        impl.gtp_to_action(vertex, size)
    except ValueError:
        return True
    return False


def test_bad_vertices_raise_value_error(impl):
    assert _action(impl, "A1", 19) == 342, "A1 is a good vertex (action 342 on 19x19)"
    for vertex, size, why in BAD_VERTICES:
        assert _rejects(impl, vertex, size), (
            f"gtp_to_action({vertex!r}, {size}) must raise ValueError: {why}"
        )
