"""Countdown prompts for the LLM arm: examples, answer extraction, pass@n."""

from __future__ import annotations

import csv
import itertools
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import load_script

from alphazero.lm.tasks import (
    COUNTDOWN_EXAMPLES,
    countdown_prompt,
    extract_answer,
    extract_final,
    pass_at,
)
from games.countdown import split_of
from games.countdown_verify import verify

# The experiment scripts import each other (`from countdown_depth import ...`).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))


def test_examples_verify_and_come_from_the_training_split():
    for numbers, target, answer in COUNTDOWN_EXAMPLES:
        assert verify(answer, numbers, target).correct
        padded = np.array([*numbers, *[-1] * (6 - len(numbers))])
        assert int(split_of(padded, target)) >= 2  # buckets 0 and 1 are test and validation


def test_prompt_ends_with_the_instance():
    prompt = countdown_prompt([13, 8, 2], 21)
    assert prompt.endswith("Numbers: 13 8 2\nTarget: 21\nAnswer:")
    assert prompt.count("Answer:") == len(COUNTDOWN_EXAMPLES) + 1
    assert countdown_prompt([13, 8, 2, -1, -1, -1], 21, shots=0).count("Answer:") == 1


@pytest.mark.parametrize(
    "completion, answer",
    [(" 13+8\nNumbers: 1", "13+8"), (" 3*8 = 24", "3*8"), ("(2+1)*7\n", "(2+1)*7"), ("", "")],
)
def test_extract_answer(completion, answer):
    assert extract_answer(completion) == answer


def test_pass_at_matches_enumeration():
    samples = [True, False, False, True, False, False]
    for k in (1, 2, 4, 6):
        subsets = list(itertools.combinations(samples, k))
        want = sum(any(s) for s in subsets) / len(subsets)
        assert math.isclose(pass_at(len(samples), sum(samples), k), want)
    assert pass_at(16, 0, 16) == 0.0 and pass_at(16, 1, 16) == 1.0
    with pytest.raises(ValueError):
        pass_at(4, 1, 16)


def test_llm_countdown_scores_cached_outputs(tmp_path):
    """scripts/llm_countdown.py's scoring (CI never runs the model: it reads the cached lines)."""
    script = load_script("llm_countdown")
    right, wrong = " 13-1", " 13*1"
    lines = [
        dict(set="k=2", numbers=[13, 1], target=12, greedy=right, samples=[right] + [wrong] * 15),
        dict(set="k=2", numbers=[15, 4], target=60, greedy=" 15*4 = 60", samples=[wrong] * 16),
    ]
    cache = tmp_path / "outputs.jsonl"
    cache.write_text("".join(json.dumps(x) + "\n" for x in lines))
    script.score(cache, tmp_path / "countdown.csv")
    rows = {r["arm"]: r for r in csv.DictReader((tmp_path / "countdown.csv").open())}
    assert float(rows["SmolLM2 3-shot greedy"]["solved"]) == 1.0  # both greedy answers right
    assert math.isclose(
        float(rows["SmolLM2 pass@1 (verifier)"]["solved"]), (1 / 16) / 2, abs_tol=1e-4
    )
    assert math.isclose(
        float(rows["SmolLM2 pass@4 (verifier)"]["solved"]), (4 / 16) / 2, abs_tol=1e-4
    )
    assert float(rows["SmolLM2 pass@16 (verifier)"]["solved"]) == 0.5


def test_breadth_matrix_scores_reports_and_counts_breadth(tmp_path):
    """scripts/breadth_matrix.py (E2) from cached outputs, with an exact-match scorer standing in
    for reasoning-gym's: the table, the breadth score against the best constant, the heatmap."""
    script = load_script("breadth_matrix")
    tasks, outputs = [], {}
    for i in range(20):  # chain_sum: the LLM is right on 15 of 20; spell_backward: never
        tasks.append(dict(task="chain_sum", index=i, answer=str(i % 4)))
        outputs[("chain_sum", i)] = dict(greedy=str(i % 4) if i < 15 else "x", samples=["x"] * 8)
        tasks.append(dict(task="spell_backward", index=i, answer="olleh"))
        outputs[("spell_backward", i)] = dict(greedy="hello", samples=["olleh"] + ["x"] * 7)
    scorer = lambda task, answer, entry: float(answer == entry["answer"])  # noqa: E731
    script.TASKS = {"chain_sum": {}, "spell_backward": {}}
    rows = script.score(tasks, outputs, {}, scorer)
    cell = {(r["task"], r["column"]): float(r["solved"]) for r in rows}
    assert cell[("chain_sum", "SmolLM2 greedy")] == 0.75
    assert cell[("chain_sum", "best constant")] == 0.25  # each of 4 answers 5 times
    assert cell[("spell_backward", "best constant")] == 1.0  # one answer throughout
    assert math.isclose(cell[("spell_backward", "SmolLM2 pass@8")], 1.0)
    assert cell[("chain_sum", "narrow agent")] == 0.0
    table = script.report(rows, {"narrow agent": 3, "SmolLM2 greedy": 1, "SmolLM2 pass@8": 2},
                          tmp_path)  # fmt: skip
    breadth = next(line for line in table.splitlines() if "breadth score" in line)
    assert breadth.split("|")[2:5] == [" 0 ", " 1 ", " 0 "]  # greedy beats chance on chain_sum
    assert (tmp_path / "breadth.png").stat().st_size > 0


@pytest.mark.parametrize(
    "completion, gold, answer",
    [
        ("The answer to the arithmetic problem is 4 + 3 = 7.", "7", "7"),
        ("It is -30, the product.", "30", "-30"),
        ("no number here", "3", "no number here"),
        (" ainomma \n", "ainomma", "ainomma"),
    ],
)
def test_extract_final__numeric_answers_read_the_last_number(completion, gold, answer):
    assert extract_final(completion, gold) == answer
