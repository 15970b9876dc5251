"""Reference solution of exercise 7 (GTP and SGF coordinates). Not for students' eyes."""

from __future__ import annotations

import string

_GTP_LETTERS = string.ascii_uppercase.replace("I", "")  # A..Z without I: 25 columns
_SGF_LETTERS = string.ascii_lowercase[:25]  # a..y


def action_to_gtp(action, size):
    if action == size * size:
        return "pass"
    row, col = divmod(action, size)
    return _GTP_LETTERS[col] + str(size - row)


def gtp_to_action(vertex, size):
    text = vertex.upper()
    if text == "PASS":
        return size * size
    letter, digits = text[:1], text[1:]
    if not letter or letter not in _GTP_LETTERS[:size] or not digits.isdigit():
        raise ValueError(f"bad vertex {vertex!r} on {size}x{size}")
    number = int(digits)
    if not 1 <= number <= size:
        raise ValueError(f"bad vertex {vertex!r} on {size}x{size}")
    return (size - number) * size + _GTP_LETTERS.index(letter)


def action_to_sgf(action, size):
    if action == size * size:
        return ""
    row, col = divmod(action, size)
    return _SGF_LETTERS[col] + _SGF_LETTERS[row]
