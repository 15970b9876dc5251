"""games/go_coordinates.py: known answers and round trips for every action on every Go size."""

from __future__ import annotations

import doctest

import pytest

import games.go_coordinates as coords

SIZES = (5, 7, 9, 19)


def test_doctests():
    assert doctest.testmod(coords).failed == 0


@pytest.mark.parametrize("size", SIZES)
def test_round_trip__every_action(size):
    for action in range(size * size + 1):
        vertex, point = coords.action_to_gtp(action, size), coords.action_to_sgf(action, size)
        assert coords.gtp_to_action(vertex, size) == action
        assert coords.gtp_to_action(vertex.lower(), size) == action
        assert coords.sgf_to_action(point, size) == action
        assert coords.rowcol_to_action(coords.action_to_rowcol(action, size), size) == action
    vertices = {coords.action_to_gtp(a, size) for a in range(size * size + 1)}
    assert len(vertices) == size * size + 1 and not any("I" in v for v in vertices)


def test_known_corners_9x9():
    # pgx row 0 is the top: action 0 is the top-left corner, A9 in GTP, 'aa' in SGF
    assert [coords.action_to_gtp(a, 9) for a in (0, 8, 72, 80)] == ["A9", "J9", "A1", "J1"]
    assert coords.action_to_sgf(80, 9) == "ii"  # SGF letters do not skip i
    assert coords.action_to_rowcol(72, 9) == (0, 0)  # sgfmill: row 0 is the bottom
    assert coords.sgf_to_action("tt", 9) == 81 and coords.sgf_to_action("", 19) == 361


@pytest.mark.parametrize(
    "vertex", ["", "Z", "I5", "A0", "A10", "K1", "A-1", "AA", "pass1", "3D", "A 1", "resign"]
)
def test_gtp_invalid_vertex_raises(vertex):
    with pytest.raises(coords.CoordinateError, match="invalid vertex"):
        coords.gtp_to_action(vertex, 9)


@pytest.mark.parametrize("bad", [(-1, 9), (82, 9), (0, 1), (0, 26)])
def test_action_out_of_range_raises(bad):
    with pytest.raises(coords.CoordinateError):
        coords.action_to_gtp(*bad)


@pytest.mark.parametrize("size", SIZES)
def test_transform__the_8_symmetries_permute_the_board_and_invert(size):
    board = range(size * size)
    images = {tuple(coords.transform(a, size, k) for a in board) for k in range(8)}
    assert len(images) == 8 and all(sorted(image) == list(board) for image in images)
    for k in range(8):
        assert coords.transform(size * size, size, k) == size * size  # pass stays pass
        for a in board:
            assert coords.transform(coords.transform(a, size, k), size, coords.inverse(k)) == a


def test_transform__known_corners_9x9():
    # a quarter turn takes the top-left corner (A9) to the top-right (J9); the mirror of A9 is J9
    assert coords.action_to_gtp(coords.transform(0, 9, 1), 9) == "J9"
    assert coords.action_to_gtp(coords.transform(0, 9, 4), 9) == "J9"
    assert coords.action_to_gtp(coords.transform(0, 9, 2), 9) == "J1"  # half a turn
    assert coords.transform(40, 9, 3) == 40  # the centre is fixed
