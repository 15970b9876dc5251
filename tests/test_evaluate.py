"""evaluate.py: colours alternate, results are counted per colour, known matchups."""

from __future__ import annotations

import jax
import numpy as np

from alphazero import evaluate


def test_arena__minimax_never_loses_and_colours_alternate(ttt_env):
    result = evaluate.arena(
        jax.random.PRNGKey(0),
        ttt_env,
        evaluate.reference_player("minimax"),
        evaluate.random_player(),
        num_games=40,
    )
    assert result.a_first.tolist() == [True, False] * 20
    assert np.all(result.outcome >= 0)  # exact play never loses
    assert result.summary()["win_rate"] > 0.5


def test_arena__minimax_mirror_is_all_draws(ttt_env):
    minimax = evaluate.reference_player("minimax")
    result = evaluate.arena(jax.random.PRNGKey(1), ttt_env, minimax, minimax, num_games=16)
    assert np.all(result.outcome == 0)
    summary = result.summary()
    assert summary["draw_rate"] == 1.0 and summary["score_first"] == 0.5


def test_arena__summary_counts_per_colour():
    result = evaluate.ArenaResult(np.array([1, -1, 0, 1]), np.array([True, False, True, False]))
    summary = result.summary()
    assert summary["win_rate"] == 0.5 and summary["loss_rate"] == 0.25
    assert summary["score_first"] == 0.75 and summary["score_second"] == 0.5
    assert result.line() == "W/D/L 2/1/1 (moving first 1/1/0, second 1/0/1)"
