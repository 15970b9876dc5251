"""Prompts and scoring for the LLM arm: Countdown few-shot prompts, answer extraction, pass@n.

    prompt = countdown_prompt([25, 8, 5, 2], 106)     # 3 worked examples, then the instance
    answer = extract_answer(" 25*4+6*1\\nNumbers:")    # "25*4+6*1"
    answer = extract_final("4 + 3 = 7.", gold="12")   # "7": the last number (E2)
    pass_at(n=16, correct=3, k=4)                      # unbiased pass@4 from 16 samples
    complete(params, config, tokenizer, [prompt], 32, key, (0.0, 0.8))   # [[greedy, sample]]

The examples come from the training split (tests/test_llm_tasks.py checks that they verify
strictly and are not held out). The model answers with one expression after "Answer:"; the
completion is cut at the first newline and at an "=" (a model that writes "3*8 = 24" answers
"3*8"), then scored by games.countdown_verify.
"""

from __future__ import annotations

import math
import re

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

COUNTDOWN_INSTRUCTION = (
    "Combine all the numbers with + - * / and parentheses to make the target. "
    "Use every number exactly once.\n\n"
)
COUNTDOWN_EXAMPLES = (  # (numbers, target, answer): k = 3, 4, 5, from the training split
    ((7, 3, 2), 23, "7*3+2"),
    ((25, 6, 4, 1), 106, "25*4+6*1"),
    ((9, 8, 5, 3, 2), 134, "(9+8)*(5+3)-2"),
)


def _format(numbers, target: int) -> str:
    return f"Numbers: {' '.join(str(int(n)) for n in numbers if int(n) >= 0)}\nTarget: {target}\n"


def countdown_prompt(numbers, target: int, shots: int = 3) -> str:
    """The instruction, `shots` worked examples and the instance, ending in "Answer:"."""
    examples = "".join(f"{_format(n, t)}Answer: {a}\n\n" for n, t, a in COUNTDOWN_EXAMPLES[:shots])
    return COUNTDOWN_INSTRUCTION + examples + _format(numbers, int(target)) + "Answer:"


def extract_answer(completion: str) -> str:
    """The expression in a completion: its first line, up to any "="."""
    return completion.split("\n", 1)[0].split("=", 1)[0].strip()


def extract_final(completion: str, gold) -> str:
    """The answer in a chat completion to an E2 task (scripts/breadth_matrix.py): when the gold
    answer is a number, the completion's last number (the "flexible extract" of GSM8K
    evaluations: "4 + 3 = 7." answers 7); otherwise the whole completion, stripped (the task's
    own scorer parses it)."""
    text = completion.strip()
    if NUMBER.fullmatch(str(gold).strip()):
        found = NUMBER.findall(text)
        return found[-1] if found else text
    return text


def complete(params, config, tokenizer, prompts: list[str], max_new_tokens: int, key,
             temperatures=(0.0,)) -> list[list[str]]:  # fmt: skip
    """Text in, text out: for each prompt, one completion per entry of `temperatures`
    (alphazero.lm.llama.generate, one prefill per prompt), cut at `config.eos_token_id`."""
    from alphazero.lm import llama

    ids = [tokenizer.encode(p).ids for p in prompts]
    out = llama.generate(params, config, ids, max_new_tokens, key, temperatures).tolist()
    return [[tokenizer.decode([t for t in row if t != config.eos_token_id]) for row in rows]
            for rows in out]  # fmt: skip


def pass_at(n: int, correct: int, k: int) -> float:
    """Chen et al. (2021): P(at least one of k samples, drawn without replacement from n with
    `correct` right ones, is right) = 1 - C(n - c, k) / C(n, k)."""
    if k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples, got {n}")
    if n - correct < k:
        return 1.0
    return 1.0 - math.comb(n - correct, k) / math.comb(n, k)
