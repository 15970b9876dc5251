"""alphazero/go/pass_rules.py and games/pass_alive.py: the root rules of a Go agent that plays
and Benson's pass-alive test, on 5x5 positions with known answers."""

from __future__ import annotations

import numpy as np

from alphazero.go import pass_rules


def test_tromp_taylor_passes__pass_only_to_win_or_with_nothing_else_to_play():
    """5x5 positions with known answers (action = row * 5 + column, 25 = pass)."""
    import jax.numpy as jnp
    from conftest import batch, play_moves
    from pgx.go import Go

    def allowed(env, moves, legal=None):
        state = batch(play_moves(env, moves))
        legal = state.legal_action_mask if legal is None else jnp.asarray(legal)[None]
        out = np.asarray(pass_rules.tromp_taylor_passes(state, legal, env._game.komi))[0]
        return set(np.flatnonzero(out))

    env = Go(size=5, komi=0.5)
    assert allowed(env, []) == set(range(25))  # nothing to win by passing: play on
    assert allowed(env, [12, 25]) == {25}  # White passed, Black owns the board: pass and win
    assert allowed(env, [12, 0, 25]) == {25}  # 1 stone each, komi 0.5: White wins by passing
    losing = Go(size=5, komi=-1.5)  # the same board now loses for White: it must play
    assert allowed(losing, [12, 0, 25]) == set(range(25)) - {0, 12}
    eye = allowed(env, [1, 24, 5, 23])  # point 0 is Black's own one-point eye
    assert 0 not in eye and 25 not in eye and len(eye) == 25 - 5
    only_eye = np.zeros(26, bool)
    only_eye[[0, 25]] = True  # nothing legal but the eye and pass: pass
    assert allowed(env, [1, 24, 5, 23], only_eye) == {25}


def test_settle_moves__no_move_in_pass_alive_area_and_after_a_pass_win_by_passing():
    """5x5 positions with known answers (action = row * 5 + column, 25 = pass)."""
    from conftest import batch, play_moves
    from pgx.go import Go

    def allowed(env, moves):
        state = batch(play_moves(env, moves))
        legal = state.legal_action_mask
        return set(np.flatnonzero(pass_rules.settle_moves(state, legal, env._game.komi)[0]))

    env = Go(size=5, komi=0.5)
    assert allowed(env, []) == set(range(26))  # nothing settled: every move, and pass
    # Black's wall on row 1 with stones on 1 and 3 of row 0: 0, 2 and 4 are its eyes, so the
    # wall is pass-alive and they are its pass-alive territory; rows 2-4 are nobody's yet.
    wall = [5, 10, 6, 11, 7, 12, 8, 13, 9, 14, 1, 15, 3, 25]  # ... White: row 2, then a pass
    open_area = {16, 17, 18, 19, 20, 21, 22, 23, 24}
    # Black's area 7 + 3, White's 6 + 9: losing, it may pass or play anywhere but its own eyes
    assert allowed(env, wall) == open_area | {25}
    given = Go(size=5, komi=-10.5)  # the same board wins for Black by 5.5: pass and win
    assert allowed(given, wall) == {25}
    assert allowed(given, [*wall[:-1], 24]) == open_area - {24} | {25}  # no pass: play on


def test_pass_alive__benson_known_answers():
    from games import pass_alive

    def board(rows):
        return np.array([[{".": 0, "X": 1, "O": -1}[c] for c in r.split()] for r in rows])

    two_eyes = board([". X . X .", "X X X X X", ". . . . .", ". . . . .", ". . . . ."])
    assert np.flatnonzero(pass_alive.territory(two_eyes, 1)).tolist() == [0, 2, 4]
    assert not pass_alive.territory(two_eyes, -1).any()
    one_eye = board([". X . . .", "X X X X X", "O O O O O", ". . . . .", ". . . . ."])
    # the 3-point edge region is vital too: two vital regions, alive (Benson needs no shape)
    assert np.flatnonzero(pass_alive.territory(one_eye, 1)).tolist() == [0, 2, 3, 4]
    big_eye = board([". . . . .", "X X X X X", ". . . . .", ". . . . .", ". . . . ."])
    assert not pass_alive.territory(big_eye, 1).any()  # one region each side: not alive
    dead_stone = board([". X O X .", "X X X X X", ". . . . .", ". . . . .", ". . . . ."])
    assert np.flatnonzero(pass_alive.territory(dead_stone, 1)).tolist() == [0, 2, 4]
