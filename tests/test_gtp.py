"""alphazero/go/gtp.py: GTP replies with known answers, superko never chosen, a 10,000-line fuzz,
and the `alphazero gtp` command in a subprocess."""

from __future__ import annotations

import dataclasses
import random
import re
import subprocess

import jax
import numpy as np
import pytest
from pgx.go import Go

from alphazero import config, networks, presets
from alphazero.agent import Agent
from alphazero.go import gtp
from games import go

REPLY = re.compile(r"^[=?]\d* ?[^\n]*(\n[^\n]+)*\n\n$")


def make_agent(size: int, komi: float, simulations: int = 4) -> Agent:
    env = Go(size=size, komi=komi)
    cfg = dataclasses.replace(
        presets.small_go(5),
        network=config.NetworkConfig("resnet", 1, 8),
        search=config.SearchConfig(algorithm="puct", num_simulations=simulations),
    )
    params = networks.init(jax.random.PRNGKey(0), env, cfg.network)
    return Agent(env=env, params=params, config=cfg, iteration=0)


@pytest.fixture(scope="module")
def engine():
    return gtp.Engine(make_agent(5, 24.5), resign_threshold=None)


def ask(engine, line: str) -> str:
    reply = gtp.handle(engine, line)
    assert reply is not None and REPLY.match(reply), repr(reply)
    return reply


def test_protocol_basics(engine):
    assert ask(engine, "protocol_version") == "= 2\n\n"
    assert ask(engine, "7 name") == "=7 alphazero-jax\n\n"
    assert ask(engine, "known_command genmove") == "= true\n\n"
    assert ask(engine, "known_command fly") == "= false\n\n"
    assert "kgs-genmove_cleanup" in ask(engine, "list_commands")
    assert ask(engine, "12 frobnicate") == "?12 unknown command\n\n"
    assert gtp.handle(engine, "   # just a comment") is None
    assert ask(engine, "NAME\t# case, tab and comment") == "= alphazero-jax\n\n"


def test_board_commands(engine):
    # The engine is the module's: the fuzz test may have left any komi (order under --dist).
    assert ask(engine, "komi 24.5") == "=\n\n"
    assert ask(engine, "boardsize 9").startswith("? unacceptable size")
    assert ask(engine, "boardsize 5") == "=\n\n"
    assert ask(engine, "final_score") == "= W+24.5\n\n"  # empty board: no area for anyone
    assert ask(engine, "play b C3") == "=\n\n"
    assert ask(engine, "play w C3") == "? illegal move\n\n"
    assert ask(engine, "play w Z9").startswith("? invalid vertex")
    assert ask(engine, "play x C2") == "? invalid color 'x'\n\n"
    board = ask(engine, "showboard")
    assert " 3 . . X . . 3" in board and "White to move" in board
    assert ask(engine, "final_score") == "= B+0.5\n\n"  # 25 points of area, komi 24.5
    assert ask(engine, "undo") == "=\n\n" and ask(engine, "undo") == "? cannot undo\n\n"
    assert ask(engine, "play w B2") == "=\n\n"  # out of turn: black passes first
    assert engine.moves == [25, 16]  # pass, then B2 = row 5 - 2 = 3 from the top, column 1


@pytest.mark.slow
def test_genmove_is_legal_and_komi_scores(engine):
    ask(engine, "clear_board")
    for colour in "bwbw":
        vertex = ask(engine, f"genmove {colour}")[2:].strip()
        assert vertex == "pass" or re.fullmatch(r"[A-E][1-5]", vertex)
    moves = list(engine.moves)
    assert ask(engine, "komi 0.5") == "=\n\n" and engine.moves == moves and engine.komi == 0.5
    assert ask(engine, "komi x").startswith("? syntax error")
    ask(engine, "clear_board")
    assert ask(engine, "final_score") == "= W+0.5\n\n"  # the new komi scores the game
    ask(engine, "komi 24.5")


def test_time_left_scales_the_search_down(engine):
    ask(engine, "clear_board")
    ask(engine, "time_settings 60 0 0")  # a new clock: nothing left over from the fuzz test
    engine.seconds_per_simulation = 0.01
    assert engine._simulations_for("b") == 4
    ask(engine, "time_left b 0.5 0")  # 0.5 s for ~12 moves at 10 ms per simulation: 2 sims
    assert engine._simulations_for("b") == 2 and engine._simulations_for("w") == 4


@pytest.mark.slow
def test_positional_superko_moves_are_never_legal():
    """Random 4x4 games through the engine: superko moves are removed, so none ends by superko."""
    engine = gtp.Engine(make_agent(4, 0.5), resign_threshold=None)
    rng = np.random.default_rng(0)
    removed = 0
    for _ in range(150):
        engine.clear_board()
        while not engine.game_over():
            legal = engine.legal()
            removed += int((np.asarray(engine.state.legal_action_mask) & ~legal).sum())
            choices = np.flatnonzero(legal[:-1]) if legal[:-1].any() else [16]
            engine.play(int(rng.choice(choices)))
            assert not bool(go.repeats_position(engine.state))
    assert removed > 0  # the situation did arise and the move was refused


def _fuzz_lines(count: int, seed: int = 0):
    rng = random.Random(seed)
    words = list(gtp.COMMANDS) + ["", "playy", "genmove", "boardsize", "komi", "play"]
    args = [
        "b",
        "w",
        "B",
        "white",
        "x",
        "C3",
        "a1",
        "E5",
        "Z9",
        "I3",
        "pass",
        "resign",
        "5",
        "9",
        "0",
        "-1",
        "1e309",
        "nan",
        "24.5",
        "0.5",
        "7.5",
        "3 4",
        "\t",
        "\x00",
        "é",
        "#c",
        "99999",
    ]
    valid = [
        "play b C3",
        "play w D4",
        "genmove b",
        "genmove w",
        "undo",
        "showboard",
        "final_score",
        "clear_board",
        "boardsize 5",
        "komi 7.5",
        "time_left b 10 0",
        "time_settings 5 1 1",
    ]
    for _ in range(count):
        kind = rng.random()
        if kind < 0.45:
            line = " ".join(
                [rng.choice(words)] + [rng.choice(args) for _ in range(rng.randint(0, 3))]
            )
        else:
            line = list(rng.choice(valid))
            for _ in range(rng.randint(0, 3)):  # mutate: delete, insert or replace a character
                pos = rng.randrange(len(line) + 1)
                char = chr(rng.choice([rng.randint(0, 127), rng.randint(128, 0x2FFF)]))
                op = rng.random()
                if op < 0.33 and pos < len(line):
                    del line[pos]
                elif op < 0.66:
                    line.insert(pos, char)
                elif pos < len(line):
                    line[pos] = char
            line = "".join(line)
        if rng.random() < 0.2:
            line = f"{rng.randint(0, 999)} {line}"
        yield line


@pytest.mark.slow
def test_fuzz__10000_lines_every_reply_well_formed(engine):
    answered = 0
    for line in _fuzz_lines(10_000):
        reply = gtp.handle(engine, line)
        if reply is None:
            continue
        answered += 1
        assert REPLY.match(reply), (line, reply)
        assert "internal error" not in reply, (line, reply)
    assert answered > 8_000


@pytest.mark.slow
def test_cli__gtp_serves_and_survives_garbage(go_workdir):
    script = "protocol_version\nboardsize 7\n\x01\x02garbage\nplay b C3\ngenmove w\nquit\nname\n"
    done = subprocess.run(
        ["alphazero", "gtp", "--workdir", str(go_workdir), "--no-resign"],
        input=script,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    replies = done.stdout.split("\n\n")[:-1]
    assert len(replies) == 6 and all(REPLY.match(r + "\n\n") for r in replies)
    assert replies[0] == "= 2" and replies[1].startswith("? unacceptable size")
    assert replies[2] == "? unknown command" and replies[-1] == "="


def test_cli__gtp_refuses_a_non_go_run(tiny_run, capsys):
    from alphazero import cli

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["gtp", "--workdir", str(tiny_run[0])])
    assert exit_info.value.code == 2
    assert "gtp serves Go agents" in capsys.readouterr().err
