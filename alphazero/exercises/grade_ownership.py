"""Grader of exercise 10: KataGo's ownership and score targets (exercises/ex10_ownership.py),
checked against known boards, games/go.py on positions of random pgx games, and
alphazero/targets.py."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from alphazero import exercises

KOMI = 7.5


@pytest.fixture(scope="module")
def impl():
    return exercises.submission()


def _board(text: str) -> np.ndarray:
    """Rows of X (black), O (white) and . (empty), top row first -> [N, N] int board."""
    values = {"X": 1, "O": -1, ".": 0}
    return np.array([[values[c] for c in row.split()] for row in text.strip().splitlines()])


def _picture(board, got, want) -> str:
    """The board, the expected owner map and the one returned, side by side (+ - 0)."""
    stone = {1: "X", -1: "O", 0: "."}
    owner = {1: "+", -1: "-", 0: "0"}
    lines = ["board        expected     yours"]
    for b, w, g in zip(board, want, got, strict=True):
        row = (" ".join(stone[int(v)] for v in b), " ".join(owner[int(v)] for v in w))
        mine = " ".join(owner.get(int(v), "?") for v in g)
        lines.append(f"{row[0]:<12} {row[1]:<12} {mine}")
    return "\n".join(lines)


def _stones(board) -> str:
    return "\n".join(" ".join({1: "X", -1: "O", 0: "."}[int(v)] for v in row) for row in board)


def _owner(impl, board) -> np.ndarray:
    board = np.asarray(board, np.int32)
    got = np.asarray(impl.ownership_map(board.copy()))
    assert got.shape == board.shape, f"ownership_map of a {board.shape} board: shape {got.shape}"
    return np.rint(got).astype(np.int32)


def _check_owner(impl, board, want, why: str) -> None:
    board, want = np.asarray(board), np.asarray(want)
    got = _owner(impl, board)
    if not np.array_equal(got, want):
        raise AssertionError(f"{why}\n{_picture(board, got, want)}")


def _margin(impl, board, komi) -> float:
    return float(impl.score_margin(np.asarray(board, np.int32).copy(), komi))


WALLS = """
. X . O .
. X . O .
. X . O .
. X . O .
. X . O .
"""


def test_ownership_walls_5x5(impl):
    board = _board(WALLS)
    want = np.tile([1, 1, 0, -1, -1], (5, 1))
    _check_owner(
        impl,
        board,
        want,
        "column a touches only the black wall (Black's), column c touches both walls (nobody's), "
        "column e only the white wall (White's)",
    )


def test_ownership_empty_board_and_single_stones(impl):
    _check_owner(
        impl,
        np.zeros((5, 5), int),
        np.zeros((5, 5), int),
        "an empty board: the one region touches no stone, so nobody owns it",
    )
    black = np.zeros((5, 5), int)
    black[2, 2] = 1
    _check_owner(
        impl,
        black,
        np.ones((5, 5), int),
        "one black stone: the rest of the board is one region touching only black",
    )
    white = np.zeros((7, 7), int)
    white[0, 6] = -1
    _check_owner(
        impl,
        white,
        -np.ones((7, 7), int),
        "one white stone in a corner: the whole board is White's",
    )


def test_ownership_region_touching_both_is_nobodys(impl):
    board = _board("""
        . X . . .
        X X . . .
        . . . . .
        . . . O O
        . . . O .
    """)
    want = _board("""
        X X . . .
        X X . . .
        . . . . .
        . . . O O
        . . . O O
    """)
    _check_owner(
        impl,
        board,
        want,
        "the corner points are eyes (one colour each); the big middle region touches "
        "both colours, so it is nobody's",
    )


def test_ownership_diagonals_do_not_touch(impl):
    board = _board("""
        . X O . .
        X O . . .
        O . . . .
        . . . . .
        . . . . .
    """)
    want = _board("""
        X X O O O
        X O O O O
        O O O O O
        O O O O O
        O O O O O
    """)
    _check_owner(
        impl,
        board,
        want,
        "regions are 4-connected: the white stone diagonal to the top-left point does "
        "not touch it (Black's), and the big region touches only white stones",
    )
    assert _margin(impl, board, 0.5) == pytest.approx(3 - 22 - 0.5), (
        "Black owns 3 points, White 22: margin 3 - 22 - komi"
    )


def test_score_margin_known_answers(impl):
    cases = [
        (_board(WALLS), 0.5, -0.5, "10 points each: the margin is -komi"),
        (np.zeros((5, 5), int), 7.5, -7.5, "an empty board: 0 - 0 - komi"),
        (np.pad([[1]], 2), 24.5, 0.5, "one black stone owns all 25 points: 25 - 0 - 24.5"),
        (-np.pad([[1]], 3), 8.5, -57.5, "one white stone owns all 49 points: 0 - 49 - 8.5"),
    ]
    for board, komi, want, why in cases:
        assert _margin(impl, board, komi) == pytest.approx(want), (
            f"score_margin with komi {komi}: expected {want} ({why}), got "
            f"{_margin(impl, board, komi)}"
        )


@functools.cache
def _random_games(size: int, num_games: int = 4, snapshots: int = 5):
    """`num_games` random pgx games on size x size, played side by side (random legal board
    moves, outside the mover's own eyes while it has others; a pass only where no board move is
    legal). Returns (env, advance, snaps, colours): `advance(states, keys, pass_)` the jitted
    batched move (everyone passes when pass_) -> (states, what games/go.py and
    alphazero/ownership.py say of them), `snaps` [(moves played, states, that record)] at
    `snapshots` move counts from sparse to crowded boards, `colours` [moves, num_games] the
    colour to move before each move."""
    import jax
    import jax.numpy as jnp

    import games
    from alphazero import ownership
    from games import go

    env = games.make(f"go_{size}x{size}")

    def move(state, key, pass_):
        board_moves = state.legal_action_mask.at[-1].set(False)
        outside_eyes = board_moves.at[:-1].set(board_moves[:-1] & ~go.own_eyes(state))
        legal = jnp.where(board_moves.any(), board_moves, state.legal_action_mask)
        legal = jnp.where(outside_eyes.any(), outside_eyes, legal)
        action = jax.random.categorical(key, jnp.where(legal, 0.0, -1e9))
        after = env.step(state, jnp.where(pass_, size * size, action))
        record = {
            "stones": go.stones(after),
            "owner_black": go.ownership(after),
            "margin_black": go.black_margin(after, go.komi(env)),
            # as self-play records a final position: the view of the player who moved
            "final": ownership.final_targets(env, after, go.colour_to_move(state)),
        }
        return after, record

    # a few hundred tiny steps: on CPU, XLA's optimisations would cost more time than they save
    fast = {"xla_backend_optimization_level": 0} if jax.default_backend() == "cpu" else None
    advance = jax.jit(jax.vmap(move, in_axes=(0, 0, None)), compiler_options=fast)
    init = jax.jit(jax.vmap(env.init), compiler_options=fast)
    states = init(jax.random.split(jax.random.key(size), num_games))
    moves = 3 * size * size // 2
    keys = jax.random.split(jax.random.key(size + 1), (moves, num_games))
    at = set(np.linspace(size, moves, snapshots).astype(int).tolist())
    snaps, colours = [], []
    for played in range(1, moves + 1):
        colours.append(np.asarray(go.colour_to_move(states)))
        states, record = advance(states, keys[played - 1], False)
        if played in at:
            snaps.append((played, states, record))
    return env, advance, snaps, np.stack(colours)


@functools.cache
def _random_positions(size: int):
    """The snapshots of `_random_games(size)` as games/go.py sees them: (boards [K, N, N],
    owner [K, N, N] from games.go.ownership, margin [K] from games.go.black_margin, komi)."""
    from games import go

    env, _, snaps, _ = _random_games(size)
    records = [record for _, _, record in snaps]
    shape = (-1, size, size)
    return (
        np.concatenate([r["stones"] for r in records]).reshape(shape),
        np.concatenate([r["owner_black"] for r in records]).reshape(shape),
        np.concatenate([r["margin_black"] for r in records]),
        go.komi(env),
    )


def test_ownership_matches_the_library_on_random_boards(impl):
    _owner(impl, np.zeros((5, 5)))  # an unfinished function fails here, before games are played
    checked = 0
    for size in (5, 7, 9):
        boards, owners, _, _ = _random_positions(size)
        for board, want in zip(boards, owners, strict=True):
            _check_owner(
                impl,
                board,
                want,
                f"a {size}x{size} position of a random game: your map differs from "
                "games.go.ownership",
            )
            checked += 1
    assert checked >= 50


def test_score_margin_matches_the_library_on_random_boards(impl):
    _margin(impl, np.zeros((5, 5)), KOMI)  # an unfinished function fails before games are played
    for size in (5, 7, 9):
        boards, _, margins, komi = _random_positions(size)
        for board, want in zip(boards, margins, strict=True):
            for k in (komi, 0.5):
                got = _margin(impl, board, k)
                expected = float(want) + komi - k  # games.go.black_margin with the env's komi
                assert got == pytest.approx(expected), (
                    f"score_margin on a {size}x{size} position with komi {k}: expected "
                    f"{expected} (games.go.black_margin), got {got}\n{_stones(board)}"
                )


def _targets(impl, owner, margin, black_to_move):
    got_owner, got_margin = impl.targets_for_game(
        np.asarray(owner, np.float32), float(margin), np.asarray(black_to_move, bool)
    )
    got_owner, got_margin = np.asarray(got_owner, np.float64), np.asarray(got_margin, np.float64)
    t, p = len(black_to_move), len(owner)
    assert got_owner.shape == (t, p), (
        f"ownership of {t} positions: [{t}, {p}], got {got_owner.shape}"
    )
    assert got_margin.shape == (t,), f"margin of {t} positions: [{t}], got {got_margin.shape}"
    return got_owner, got_margin


def test_targets_for_game_flip_sign_every_move(impl):
    owner = np.array([1, 1, 0, -1])  # a 2x2 board, Black's view
    got_owner, got_margin = _targets(impl, owner, 2.5, [True, False, True, False, True])
    np.testing.assert_array_equal(
        got_margin,
        [2.5, -2.5, 2.5, -2.5, 2.5],
        err_msg="Black wins by 2.5: +2.5 where Black is to move, -2.5 where White is",
    )
    want = np.array([[1, 1, 0, -1], [-1, -1, 0, 1]] * 2 + [[1, 1, 0, -1]])
    np.testing.assert_array_equal(
        got_owner,
        want,
        err_msg="ownership from the mover's view: Black's map where Black is to move, its "
        "negation where White is",
    )
    got_owner, got_margin = _targets(impl, owner, -4.0, [False, True, False])
    np.testing.assert_array_equal(
        got_margin,
        [4.0, -4.0, 4.0],
        err_msg="Black loses by 4, White moves first: +4 for White to move, -4 for Black",
    )
    np.testing.assert_array_equal(
        got_owner,
        [-owner, owner, -owner],
        err_msg="White to move first: the negated map, then Black's, then negated",
    )


def test_targets_for_game_match_the_library(impl):
    """Four real 5x5 games (random moves, then two passes) through alphazero.targets.compute:
    the final targets recorded on each game's last move (alphazero.ownership.final_targets),
    carried back over the game."""
    import jax
    import jax.numpy as jnp

    from alphazero import targets
    from alphazero.types import Trajectory
    from games import go

    _targets(impl, np.zeros(4), KOMI, np.ones(2, bool))  # fails fast when unfinished
    env, advance, snaps, colours = _random_games(5)
    played, states, _ = snaps[1]
    keys = jax.random.split(jax.random.key(0), len(colours[0]))
    colours = list(colours[:played])
    for _ in range(2):  # pass, pass: the games end and are scored
        colours.append(np.asarray(go.colour_to_move(states)))
        states, record = advance(states, keys, True)
    assert np.all(np.asarray(go.consecutive_passes(states)) == 2), "test games end by two passes"
    black_to_move = np.stack(colours) == go.BLACK  # [T, B]
    owner, margin, scored = record["final"]  # the last mover's view (alphazero.ownership)
    owner_black, margin_black = record["owner_black"], record["margin_black"]
    t, b = black_to_move.shape
    last = (jnp.arange(t) == t - 1)[:, None]
    trajectory = Trajectory(
        observation=jnp.zeros((t, b, 1)),
        action_weights=jnp.zeros((t, b, 1)),
        reward=jnp.zeros((t, b)),
        done=jnp.broadcast_to(last, (t, b)),
        truncated=jnp.zeros((t, b), bool),
        random_move=jnp.zeros((t, b), bool),
        root_value=jnp.zeros((t, b)),
        ownership=jnp.where(last[..., None], owner[None], 0.0),
        score_margin=jnp.where(last, margin[None], 0.0),
        scored=last & scored[None],
    )
    expected = targets.compute(trajectory)
    assert np.all(np.asarray(expected.score_mask) == 1), "every test game is scored"
    want_owner = np.asarray(expected.ownership).reshape(t, b, -1)
    want_margin = np.asarray(expected.score_margin).reshape(t, b)
    for game in range(b):
        got_owner, got_margin = _targets(
            impl, owner_black[game], float(margin_black[game]), black_to_move[:, game]
        )
        np.testing.assert_allclose(
            got_margin,
            want_margin[:, game],
            err_msg=f"margin targets of a real 5x5 game of {t} positions (Black to move: "
            f"{black_to_move[:, game].astype(int)}) differ from alphazero.targets.compute",
        )
        np.testing.assert_allclose(
            got_owner,
            want_owner[:, game],
            err_msg="ownership targets of a real 5x5 game differ from alphazero.targets.compute",
        )
