"""Countdown prompts for the LLM arm: examples, answer extraction, pass@n."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from alphazero.llm_tasks import COUNTDOWN_EXAMPLES, countdown_prompt, extract_answer, pass_at
from games.countdown import split_of
from games.countdown_verify import verify


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
