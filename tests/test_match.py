"""alphazero/go/match.py, gtp_client.py, ratings.py: the match runner against scripted GTP engines
and (where installed, as in CI) GNU Go; one JSON line per game, checked by replaying it;
Bradley-Terry ratings with known answers."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from alphazero.go import match, ratings, sgf
from alphazero.go import records as records_lib
from alphazero.go.gtp_client import EngineError, GtpClient
from alphazero.go.records import check_games, played, read_games, summary

FAKE = str(Path(__file__).resolve().parent / "fake_gtp_engine.py")
needs_gnugo = pytest.mark.usefixtures("needs_gnugo")  # fails under CI, skips elsewhere


def fake(mode: str) -> match.Player:
    return match.Player(
        f"fake-{mode}", command=lambda size, komi, seed: [sys.executable, FAKE, mode]
    )


def test_gtp_client__replies_and_errors():
    with GtpClient([sys.executable, FAKE, "pass"]) as engine:
        assert engine.send("genmove b") == "pass" and engine.send("boardsize 5") == ""
    with GtpClient([sys.executable, FAKE, "die"]) as engine, pytest.raises(EngineError):
        engine.send("genmove b")


def test_match__random_against_a_passing_engine(tmp_path):
    out = tmp_path / "games.jsonl"
    records = match.play(match.random_player(), fake("pass"), 5, 0.5, 4, out, parallel=4)
    assert [r["black"] for r in records] == ["random-no-eyefill", "fake-pass"] * 2
    for r in records:  # the engine only passes, so random owns the board when the game ends
        random_colour = "B" if r["black"] == "random-no-eyefill" else "W"
        assert r["winner"] == random_colour and r["result"].startswith(f"{random_colour}+")
    lines = out.read_text().splitlines()
    assert len(lines) == 4 and json.loads(lines[0])["game"] == 0
    assert read_games(out) == records and list(tmp_path.iterdir()) == [out]  # no SGF
    assert records[1]["moves"][0] == "pass" and len(records[1]["moves"]) == records[1]["num_moves"]
    assert check_games(records) == [None] * 4  # the referee replays them to their results
    with pytest.raises(ValueError, match="a .jsonl file"):
        match.play(match.random_player(), fake("pass"), 5, 0.5, 1, tmp_path)


def test_match__every_batch_draws_new_random_moves():
    """Game g and game g + parallel sit in the same slot of two batches: their random moves
    (random openings, sampled agent moves) must not repeat from batch to batch."""
    records = match.play(match.random_player(), fake("pass"), 5, 0.5, 8, parallel=4)
    for g in range(4):
        assert records[g]["moves"] != records[g + 4]["moves"], g


def test_match__openings_one_engine_for_both_colours(tmp_path):
    """A player against itself (same object) runs one engine per game; game g opens with
    g % 3 random moves, recorded in the line and the SGF comment, and the engine is told."""
    engine = fake("pass")
    records = match.play(engine, engine, 5, 0.5, 3, None, parallel=3, openings=2)
    assert [r["opening_moves"] for r in records] == [0, 1, 2]
    assert [r["moves"][: r["opening_moves"]].count("pass") for r in records] == [0, 0, 0]
    assert "random opening moves 2" in sgf.record_to_game(records[2]).comment


@pytest.mark.slow
def test_match__continues_an_interrupted_match_without_replaying(tmp_path):
    out = tmp_path / "games.jsonl"
    first = match.play(match.random_player(), fake("pass"), 5, 0.5, 2, out, parallel=2)
    before = out.read_text()
    rest = match.play(match.random_player(), fake("pass"), 5, 0.5, 5, out, parallel=2)
    assert [r["game"] for r in first + rest] == [0, 1, 2, 3, 4]
    assert out.read_text().startswith(before)  # nothing rewritten
    assert len(played(out, "fake-pass", "random-no-eyefill")) == 5
    assert match.play(match.random_player(), fake("pass"), 5, 0.5, 5, out) == []


@pytest.mark.slow  # GNU Go games in a subprocess (7 s)
def test_expert_games__both_colours_resumable_by_counting_lines(tmp_path):
    """match.expert_games (scripts/make_expert_games.py): one engine plays both colours; a rerun
    after an interruption counts the lines already written and plays only the rest."""
    out, engine = tmp_path / "experts.jsonl", fake("pass")
    first = match.expert_games(engine, out, 5, 2, parallel=2, openings=1)
    assert len(first) == 2 and all(r["black"] == r["white"] == "fake-pass" for r in first)
    every = match.expert_games(engine, out, 5, 3, parallel=2, openings=1)
    assert every[:2] == first and [r["game"] for r in every] == [0, 1, 2]
    assert [r["opening_moves"] for r in every] == [0, 1, 0]
    assert "expert games: fake-pass against itself" in sgf.record_to_game(every[1]).comment
    assert summary(every).startswith("3 games (")


def test_distinct__sequences_and_up_to_the_8_symmetries():
    games = [["D4", "C3"], ["D4", "E5"], ["D4", "C4"], ["D4", "C3"], ["D4", "C3", "pass"]]
    records = [dict(moves=moves, size=7) for moves in games]
    assert records_lib.distinct(records) == 4  # the repeated game once
    # E5 is C3 turned half round about the centre D4; C4 (a side point) is no image of C3
    assert records_lib.distinct(records, up_to_symmetry=True) == 3
    assert records_lib.distinct([dict(moves=["A1"], size=5), dict(moves=["E1"], size=5),
                                 dict(moves=["A5"], size=5), dict(moves=["E5"], size=5)],
                                up_to_symmetry=True) == 1  # fmt: skip


def test_match_line__wins_as_black_lost_margins_from_the_players_view():
    def game(black, white, margin, moves):
        return dict(black=black, white=white, winner="B" if margin > 0 else "W", moves=moves,
                    size=7, referee_margin=margin, disagreement=False)  # fmt: skip

    records = [game("a", "g", 3.5, ["D4"]), game("g", "a", 12.5, ["D4"]),  # a lost by 12.5
               game("a", "g", -40.5, ["C3"]), game("g", "a", -0.5, ["E5"])]  # fmt: skip
    line = records_lib.match_line(records, "a", "g")
    assert line.startswith("a vs g: 2/4 wins (1/2 as Black), lost games' median margin -26.5")
    assert "3 distinct games (2 up to symmetry), 0 disagreements" in line


def test_check_games__finds_a_wrong_margin_length_result_and_move(tmp_path):
    records = match.play(match.random_player(), fake("pass"), 5, 0.5, 2, parallel=2)
    good = records[0]
    bad = [
        dict(good, referee_margin=good["referee_margin"] + 1),
        dict(good, num_moves=good["num_moves"] + 1),
        dict(good, moves=good["moves"][:-2], num_moves=good["num_moves"] - 2),  # not ended
        dict(good, moves=[good["moves"][0]] * 2 + good["moves"][2:]),  # the same point twice
        dict(good, moves=["Z9"] + good["moves"][1:]),
        {k: v for k, v in good.items() if k != "moves"},  # a summary line without moves
    ]
    problems = check_games([good, *bad])
    assert problems[0] is None and all(problems[1:]), problems
    assert "replayed margin" in problems[1] and "not num_moves" in problems[2]
    assert "had not ended" in problems[3] and "move 2" in problems[4]
    assert "unreadable move" in problems[5] and "no move list" in problems[6]


@pytest.mark.parametrize("mode,suffix", [("resign", "R"), ("garbage", "F"), ("die", "F")])
def test_match__resignation_and_forfeits(mode, suffix):
    records = match.play(fake(mode), match.random_player(), 5, 0.5, 2, parallel=2)
    assert [r["result"] for r in records] == [f"W+{suffix}", f"B+{suffix}"]
    assert [r["num_moves"] for r in records] == [0, 1]  # decided at the engine's first move
    assert check_games(records) == [None, None]  # no score to check, moves replay


@needs_gnugo
def test_match__gnugo_beats_random_and_agrees_with_the_referee(tmp_path):
    records = match.play(match.random_player(), match.gnugo_player(0), 5, 24.5, 4)
    assert all(r["winner"] == ("W" if r["black"] == "random-no-eyefill" else "B") for r in records)
    assert not any(r["disagreement"] for r in records)
    assert all(r["engine_winner"] in ("B", "W") for r in records)
    assert check_games(records) == [None] * 4  # replayed to the referee's final score
    assert len({tuple(r["moves"]) for r in records}) == 4  # distinct games (distinct seeds)


def test_player_specs():
    assert match.player("gnugo-10").name == "gnugo-10" and match.player("random").moves
    for bad in ("gnugo-11", "gnugo-x", "leela"):
        with pytest.raises(ValueError, match="unknown opponent"):
            match.player(bad)


def _games(p: float, n: int, a: str, b: str, rng) -> list[dict]:
    """n games of a against b, colours alternating, a winning each with probability p."""
    records = []
    for i in range(n):
        black, white = (a, b) if i % 2 == 0 else (b, a)
        a_wins = rng.random() < p
        records.append(
            dict(black=black, white=white, winner="B" if a_wins == (black == a) else "W")
        )
    return records


def test_ratings__known_gap_is_recovered():
    rng = random.Random(0)
    expected = 1 / (1 + 10 ** (-200 / 400))  # a 200-Elo gap: 76% expected score
    records = _games(expected, 1000, "strong", "anchor", rng) + _games(0.5, 500, "anchor", "x", rng)
    table = {r.name: r for r in ratings.fit(records, anchor="anchor", resamples=20)}
    assert table["anchor"].elo == 0.0
    assert table["strong"].low < 200 < table["strong"].high and abs(table["strong"].elo - 200) < 40
    assert abs(table["x"].elo) < 60
    assert table["strong"].games == 1000 and table["anchor"].games == 1500


def test_ratings__same_fit_and_bootstrap_as_choix_one_term_per_game():
    """The count-matrix fit is choix's opt_pairwise on the game list (the slow reference, one
    Python term per game): the same estimate, and the same intervals when each bootstrap
    resample's list of games goes through choix."""
    choix = pytest.importorskip("choix")
    rng = random.Random(3)
    records = (_games(0.7, 60, "a", "anchor", rng) + _games(0.4, 40, "b", "anchor", rng)
               + _games(0.9, 30, "a", "b", rng) + _games(1.0, 6, "c", "a", rng))  # fmt: skip
    records.append(dict(black="b", white="c", winner="0"))  # a draw: a win each way
    names = sorted({r["black"] for r in records} | {r["white"] for r in records})
    index = {name: i for i, name in enumerate(names)}

    def choix_elo(games):
        pairs = []
        for r in games:
            black, white = index[r["black"]], index[r["white"]]
            pairs += {"B": [(black, white)], "W": [(white, black)]}.get(
                r["winner"], [(black, white), (white, black)])  # fmt: skip
        s = choix.opt_pairwise(len(names), pairs, alpha=0.01)
        return (s - s[index["anchor"]]) * ratings.ELO

    table = {r.name: r for r in ratings.fit(records, anchor="anchor", resamples=30, seed=5)}
    reference = choix_elo(records)
    draws = np.random.default_rng(5).integers(0, len(records), (30, len(records)))
    boot = np.array([choix_elo([records[i] for i in sample]) for sample in draws])
    low, high = np.percentile(boot, [2.5, 97.5], axis=0)
    for name, i in index.items():
        assert abs(table[name].elo - reference[i]) < 0.05, name
        assert abs(table[name].low - min(low[i], reference[i])) < 0.5, name
        assert abs(table[name].high - max(high[i], reference[i])) < 0.5, name


def test_ratings__undefeated_player_is_finite_and_table_renders():
    records = _games(1.0, 20, "perfect", "anchor", random.Random(1))
    table = ratings.fit(records, anchor="anchor", resamples=10)
    assert table[0].name == "perfect" and np.isfinite(table[0].elo) and table[0].elo > 200
    assert table[0].as_black == "10/0" and table[0].as_white == "10/0"
    text = ratings.markdown(table)
    assert text.count("\n") == 3 and "| anchor | +0 |" in text
    with pytest.raises(ValueError, match="anchor 'gnugo-10' played no game"):
        ratings.fit(records, anchor="gnugo-10")


@pytest.mark.slow
def test_cli__eval_plays_a_chosen_checkpoint_or_refuses(go_workdir, tmp_path, capsys):
    from alphazero import cli

    out = tmp_path / "ladder"
    argv = ["eval", "--workdir", str(go_workdir), "--opponents", "random", "--out", str(out)]
    flags = ["--num-games", "2", "--parallel", "2", "--simulations", "2", "--step", "0"]
    cli.main([*argv, *flags, "--inference-dtype", "bfloat16"])
    records = [json.loads(line) for line in (out / "games.jsonl").read_text().splitlines()]
    assert [r["black"] for r in records] == ["agent-0@2-bf16", "random-no-eyefill"]
    assert "| agent-0@2-bf16 |" in (out / "ratings.md").read_text()
    cli.main([*argv, *flags, "--algorithm", "gumbel", "--num-games", "1"])
    lines = (out / "games.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["black"] == "agent-0@2-gumbel" and len(lines) == 3
    cli.main([*argv, *flags, "--pass-rule", "tromp-taylor", "--num-games", "1"])
    last = json.loads((out / "games.jsonl").read_text().splitlines()[-1])
    # the agent (Black) never passes while it can play
    assert last["black"] == "agent-0@2-ttpass" and last["moves"][0] != "pass"
    cli.main([*argv, *flags, "--opening-samples", "0", "--num-games", "1"])
    assert json.loads((out / "games.jsonl").read_text().splitlines()[-1])["black"] == (
        "agent-0@2-open0")  # fmt: skip
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*argv, "--step", "7"])
    assert exit_info.value.code == 2
    assert "no checkpoint 7" in capsys.readouterr().err and len(records) == 2
