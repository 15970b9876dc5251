"""alphazero/go/ladder.py: the anchor of a ladder and an agent's name on it (known answers); the
games themselves are tested through `alphazero eval` (tests/test_match.py) and the in-training
evaluation against GNU Go (tests/test_evaluate.py); scripts/go_curve.py, which rates a run on
the ladder after each leg, end to end on a tiny 5x5 run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from alphazero.config import SearchConfig
from alphazero.go import ladder


def test_anchor__gnugo_10_else_the_strongest_level_else_the_first():
    assert ladder.anchor_of(["gnugo-1", "gnugo-10", "agent"]) == "gnugo-10"
    assert ladder.anchor_of(["agent", "gnugo-3", "gnugo-7", "random-no-eyefill"]) == "gnugo-7"
    assert ladder.anchor_of(["random-no-eyefill", "agent"]) == "random-no-eyefill"
    assert ladder.anchor_of(["gnugo-2", "gnugo-10x"]) == "gnugo-2"  # not a level: ignored


def test_agent_name__says_what_differs_from_the_run():
    search = SearchConfig(num_simulations=32)
    agent = SimpleNamespace(iteration=66, config=SimpleNamespace(search=search))
    assert ladder.agent_name(agent) == "agent-66@32"
    assert ladder.agent_name(agent, pass_rule="tromp-taylor") == "agent-66@32-ttpass"
    assert ladder.agent_name(agent, opening_samples=4) == "agent-66@32-open4"
    assert ladder.agent_name(agent, pass_rule="settle") == "agent-66@32-settle"
    turned = SimpleNamespace(search=SearchConfig(num_simulations=32, random_symmetry=True))
    assert ladder.agent_name(SimpleNamespace(iteration=5, config=turned)) == "agent-5@32-sym"
    bf16 = SearchConfig(num_simulations=8, inference_dtype="bfloat16", algorithm="puct")
    agent = SimpleNamespace(iteration=3, config=SimpleNamespace(search=bf16))
    assert ladder.agent_name(agent, algorithm_named=True) == "agent-3@8-bf16-puct"


@pytest.mark.slow
def test_go_curve__points_after_each_leg_resume_and_report(tmp_path):
    """scripts/go_curve.py on a tiny 5x5 run: two legs, each rated against random, one line per
    point; a second invocation (only --out) trains and rates nothing more and reports."""
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "curve"
    tiny = ["network.num_blocks=0", "network.num_channels=8", "search.num_simulations=4",
            "selfplay.num_games=4", "selfplay.num_moves=8", "replay.capacity=512",
            "train.batch_size=16", "eval.num_simulations=4", "eval.pass_rule=settle"]  # fmt: skip
    flags = ["--hours", "0.0005", "--every", "0.015", "--games", "2", "--final-games", "4",
             "--opponents", "random", "--out", str(out)]  # fmt: skip
    script = [sys.executable, str(root / "scripts" / "go_curve.py")]
    first = subprocess.run([*script, "--preset", "go_5x5", "--set", *tiny, *flags],
                           capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert first.returncode == 0, first.stderr[-2000:]
    points = [json.loads(line) for line in (out / "points.jsonl").read_text().splitlines()]
    assert [p["point"] for p in points] == [1, 2]
    assert [p["random"]["games"] for p in points] == [2, 4]  # the last point plays more
    assert points[0]["iteration"] <= points[1]["iteration"] and points[1]["minutes"] >= 0.03
    again = subprocess.run([*script, *flags], capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 0 and "| 2 |" in again.stdout, again.stderr[-2000:]
    assert len((out / "points.jsonl").read_text().splitlines()) == 2
    assert (out / "curve.png").stat().st_size > 0
    bad = subprocess.run([*script, "--out", str(tmp_path / "none")], capture_output=True,
                         text=True, cwd=tmp_path)  # fmt: skip
    assert bad.returncode == 1 and "name its --preset" in bad.stderr
    # Carried to a fresh clone: --pack keeps the newest step without its window, the kept
    # checkpoints are gone, and a longer run resumes from the carried one with an empty window.
    packed = subprocess.run([*script, "--out", str(out), "--pack"], capture_output=True,
                            text=True, cwd=tmp_path)  # fmt: skip
    assert packed.returncode == 0, packed.stderr[-2000:]
    carried = [p.name for p in (out / "run" / "carry").iterdir() if p.name.isdigit()]
    assert carried == [str(points[1]["iteration"])] and "packed iteration" in packed.stdout
    shutil.rmtree(out / "run" / "checkpoints")
    longer = ["--hours", "0.00075", *flags[2:]]  # a third leg
    third = subprocess.run([*script, *longer], capture_output=True, text=True, cwd=tmp_path)
    assert third.returncode == 0, third.stderr[-2000:]
    assert "resuming from the carried checkpoint" in third.stdout
    assert "holds no replay window; it starts empty" in third.stderr
    points = [json.loads(line) for line in (out / "points.jsonl").read_text().splitlines()]
    assert [p["point"] for p in points] == [1, 2, 3]
    # It went on from the carried step (one iteration may outlast the toy leg: >=, not >).
    assert points[2]["iteration"] >= points[1]["iteration"]
    assert points[2]["minutes"] >= points[1]["minutes"]
    empty = subprocess.run([*script, "--out", str(tmp_path / "none"), "--pack"],
                           capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert empty.returncode == 1 and "no checkpoint to pack" in empty.stderr


def test_ablation_verdicts__on_off_and_unresolved_by_the_intervals():
    """scripts/ablate_katago.py's rule at the final points: on when every seed of all on lies
    above the arm without the technique with the 95% intervals apart, off when below, else
    unresolved (known answers on made-up points)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from ablate_katago import verdicts

    def point(arm, seed, elo, low, high):
        return dict(arm=arm, seed=seed, point=3, elo=elo, elo_low=low, elo_high=high)

    points = [point("all", 0, 0, -40, 40), point("all", 1, 100, 60, 140),
              point("all-pooling", 0, 200, 160, 240),  # above both seeds: pooling off
              point("all-score", 0, -200, -240, -160),  # below both: score heads on
              point("all-pcr", 0, 50, 10, 90),  # overlaps both: unresolved
              point("all-reply", 0, -100, -120, -80),  # below both: on
              point("all-n8", 0, 120, 50, 150),  # above seed 0, overlaps seed 1: unresolved
              point("all-n8", 0, 0, -1, 1) | {"point": 2}]  # not a final point: ignored
    rows = {line.split(" | ")[0][2:]: line.split(" | ")[-1][:-2]
            for line in verdicts(points).splitlines()[2:]}  # fmt: skip
    assert rows == {"global pooling": "off", "score heads and utility": "on",
                    "playout cap randomization": "unresolved", "opponent-reply head": "on",
                    "16 simulations (not 8)": "unresolved"}  # fmt: skip
    assert "+0 [-40, +40], +100 [+60, +140]" in verdicts(points)
