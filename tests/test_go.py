"""games/go.py, the one door to pgx Go's internals: known answers on 5x5 boards, and the area
count against the winner pgx itself declares at the end of random games."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from conftest import play_moves
from pgx.go import Go

from games import go

ENV = Go(size=5, komi=0.5)
PASS = 25


def test_rules_of_the_environment():
    assert go.board_size(ENV) == 5 and go.komi(ENV) == 0.5
    assert go.board_size(Go(size=9, komi=7.5)) == 9 and go.komi(Go(size=9, komi=7.5)) == 7.5


def test_empty_board_and_one_stone():
    empty = play_moves(ENV, [])
    assert np.array_equal(np.asarray(go.stones(empty)), np.zeros(25))
    assert int(go.colour_to_move(empty)) == go.BLACK and int(go.consecutive_passes(empty)) == 0
    assert float(go.black_margin(empty, 0.5)) == -0.5  # nobody's area: komi decides
    one = play_moves(ENV, [12])  # black at the centre owns the whole empty board
    assert np.asarray(go.stones(one))[12] == 1 and np.abs(np.asarray(go.stones(one))).sum() == 1
    assert np.asarray(go.area(one)).tolist() == [25.0, 0.0]
    assert int(go.colour_to_move(one)) == go.WHITE


def test_two_stones_split_the_board_and_passes_count():
    # black on column 1, white on column 3 (rows 0..4): black owns columns 0-1, white 3-4
    black = [r * 5 + 1 for r in range(5)]
    white = [r * 5 + 3 for r in range(5)]
    moves = [m for pair in zip(black, white, strict=True) for m in pair]
    state = play_moves(ENV, moves)
    assert np.asarray(go.area(state)).tolist() == [10.0, 10.0]  # column 2 borders both: nobody's
    assert np.asarray(go.stones(state)).reshape(5, 5)[:, 1].tolist() == [1] * 5
    assert np.asarray(go.stones(state)).reshape(5, 5)[:, 3].tolist() == [-1] * 5
    passed = play_moves(ENV, [*moves, PASS])
    assert int(go.consecutive_passes(passed)) == 1


def test_own_eyes_known_position():
    # black stones around the corner point 0: (0,1) and (1,0); white elsewhere; black to move
    state = play_moves(ENV, [1, 24, 5, 23])
    eyes = np.asarray(go.own_eyes(state))
    assert eyes[0] and eyes.sum() == 1
    white_view = play_moves(ENV, [1, 24, 5])  # white to move: the corner is not white's eye
    assert not np.asarray(go.own_eyes(white_view))[0]


def test_black_margin_agrees_with_pgx_winner_on_random_games():
    """pgx decides a finished game by area and komi; black_margin must name the same winner."""

    def random_game(key):
        def body(carry):
            state, key = carry
            key, sub = jax.random.split(key)
            action = jax.random.categorical(sub, jnp.where(state.legal_action_mask, 0.0, -1e9))
            return ENV.step(state, action), key

        start = ENV.init(key)
        state = jax.lax.while_loop(lambda c: ~c[0].terminated, body, (start, key))[0]
        black_reward = state.rewards[start.current_player]  # black moves first
        return go.black_margin(state, go.komi(ENV)), black_reward, go.repeats_position(state)

    keys = jax.random.split(jax.random.PRNGKey(0), 64)
    margin, black_reward, superko = jax.jit(jax.vmap(random_game))(keys)
    scored = ~np.asarray(superko)  # a superko move loses for the mover whatever the area
    assert scored.sum() > 40
    assert np.array_equal(np.sign(np.asarray(margin))[scored], np.asarray(black_reward)[scored])


def test_ownership_known_5x5_position():
    # Black walls off columns 0-1, White columns 3-4; a black stone sits inside White's side.
    black = [r * 5 + 1 for r in range(5)]
    white = [r * 5 + 3 for r in range(5)]
    moves = [m for pair in zip(black, white, strict=True) for m in pair] + [24]
    owner = np.asarray(go.ownership(play_moves(ENV, moves))).reshape(5, 5)
    assert owner[:, :2].tolist() == [[1, 1]] * 5  # stones and the region only Black touches
    assert owner[:, 2].tolist() == [0] * 5  # column 2 touches both colours: nobody's
    assert owner[:, 3].tolist() == [-1] * 5
    assert owner[4, 4] == 1 and owner[:4, 4].tolist() == [0] * 4  # touched by both now
    assert np.asarray(go.ownership(play_moves(ENV, []))).tolist() == [0] * 25  # nobody's


def test_ownership_counts_are_pgx_area_on_random_positions():
    """Per colour, the ownership map counts exactly pgx's area, at every depth of random play."""

    def random_position(key):
        def body(i, carry):
            state, key = carry
            key, sub = jax.random.split(key)
            action = jax.random.categorical(sub, jnp.where(state.legal_action_mask, 0.0, -1e9))
            stepped = jax.lax.cond(state.terminated, lambda: state, lambda: ENV.step(state, action))
            return stepped, key

        depth = jax.random.randint(key, (), 0, 60)
        state = jax.lax.fori_loop(0, depth, body, (ENV.init(key), key))[0]
        owner = go.ownership(state)
        return jnp.stack([jnp.sum(owner == 1), jnp.sum(owner == -1)]), go.area(state)

    counts, area = jax.jit(jax.vmap(random_position))(jax.random.split(jax.random.PRNGKey(1), 64))
    assert np.array_equal(np.asarray(counts, np.float32), np.asarray(area))
