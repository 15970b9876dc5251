"""evaluate.py: colours alternate, results are counted per colour, known matchups."""

from __future__ import annotations

import json

import jax
import numpy as np
import pytest

from alphazero import evaluate
from alphazero.config import EvalConfig


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


@pytest.mark.usefixtures("needs_gnugo")  # fails under CI, skips elsewhere
@pytest.mark.slow
def test_evaluate__gnugo_opponent_gives_elo_and_game_records(go_workdir, tmp_path):
    from alphazero.agent import load_agent

    agent = load_agent(go_workdir, simulations=4)
    config = EvalConfig(num_games=4, num_simulations=4, opponents=("gnugo-0",),
                        pass_rule="tromp-taylor")  # fmt: skip
    metrics, lines = evaluate.evaluate(
        agent.params, jax.random.PRNGKey(0), agent.env, config, agent.config.search, tmp_path
    )
    records = [json.loads(line) for line in (tmp_path / "games.jsonl").read_text().splitlines()]
    assert len(records) == 4 and all(len(r["moves"]) == r["num_moves"] for r in records)
    wins = sum(r["winner"] == ("B" if r["black"] == "agent" else "W") for r in records)
    assert metrics["eval/win_rate/gnugo-0"] == wins / 4
    assert metrics["eval/disagreements/gnugo-0"] == 0
    assert metrics["eval/elo_low"] <= metrics["eval/elo"] <= metrics["eval/elo_high"]
    assert (metrics["eval/elo"] > 0) == (wins > 2) or wins == 2
    assert "Elo vs gnugo-0" in lines[-1]
    # eval.pass_rule reaches the games: the agent never passes on a board with room to play
    assert all(r["moves"][0 if r["black"] == "agent" else 1] != "pass" for r in records)
