"""E1's LLM arm: SmolLM2-135M-Instruct on the narrow agent's held-out Countdown instances.

    python scripts/llm_countdown.py                  # generate (resumable, cached), then score
    python scripts/llm_countdown.py --score-only     # score the cached outputs (no model needed)
    python scripts/countdown_depth.py --report-only  # redraw E1's table and plot with these rows

The instances are the first `--instances` of E1's test-split instances per k (the same seed as
scripts/countdown_depth.py) and every 13th solvable Game-of-24 set (`--instances` of them). Each
gets a 3-shot prompt (alphazero/lm/tasks.py); the model answers greedily once and, for pass@n,
`--samples` times at `--temperature`. Every answer is checked by the strict verifier
(games/countdown_verify.py). pass@n for n = 1, 4, 8, 16 is the unbiased estimate from the samples.

Outputs: the completions, one JSON line per instance, in `--out`/countdown_outputs.jsonl (the
cache: lines present are not regenerated, so CI and re-scoring never run the model; instances
go in chunks of --batch / (--samples + 1), chunk n sampled with key n, so a resumed run writes
what an uninterrupted one would), and the solve
rates with 95% Wilson intervals in `--out`/countdown.csv (E1's columns).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
from countdown_depth import FIELDS, instance_sets, solve_cells

ROOT = Path(__file__).resolve().parents[1]
PASS_AT = (1, 4, 8, 16)


def instances(count: int) -> list[dict]:
    """[{set, numbers, target}]: E1's first `count` test instances per k, then 24 sets."""
    import games

    out = []
    for name, (_, states) in instance_sets(range(2, 7), count, limit_24=0).items():
        for numbers, target in zip(np.asarray(states.numbers), np.asarray(states.target),
                                   strict=True):  # fmt: skip
            out.append(dict(set=name, numbers=[int(n) for n in numbers if n >= 0],
                            target=int(target)))  # fmt: skip
    numbers, targets = games.game_of_24_instances()
    for i in range(0, 13 * count, 13)[: len(targets)]:
        out.append(dict(set="24", numbers=[int(n) for n in numbers[i] if n >= 0], target=24))
    return out


def generate_all(todo: list[list[dict]], path: Path, samples: int, temperature: float):
    """Completes each chunk of instances (its number seeds the samples), appending its lines."""
    import jax
    from tqdm import tqdm

    from alphazero.lm import llama, loader
    from alphazero.lm.tasks import complete, countdown_prompt

    config, params, tokenizer = loader.load(loader.smollm2_path())
    newline = tokenizer.encode("\n").ids[0]
    config = llama.LlamaConfig(**{**config.__dict__, "eos_token_id": newline})  # one line each
    temperatures = (0.0,) + (temperature,) * samples  # greedy first, from one prefill
    with path.open("a") as f, tqdm(total=sum(len(c) for _, c in todo), unit="instance") as bar:
        for number, chunk in todo:
            prompts = [countdown_prompt(x["numbers"], x["target"]) for x in chunk]
            key = jax.random.PRNGKey(number)
            out = complete(params, config, tokenizer, prompts, 32, key, temperatures)
            for x, texts in zip(chunk, out, strict=True):
                f.write(json.dumps(dict(x, greedy=texts[0], samples=texts[1:])) + "\n")
            f.flush()
            bar.update(len(chunk))


def score(path: Path, out: Path) -> list[dict]:
    from alphazero.lm.tasks import extract_answer, pass_at
    from games.countdown_verify import verify

    by_set: dict[str, dict[str, list]] = {}
    for line in path.read_text().splitlines():
        x = json.loads(line)
        right = [verify(extract_answer(s), x["numbers"], x["target"]).correct for s in x["samples"]]
        cells = by_set.setdefault(x["set"], {"greedy": [], **{n: [] for n in PASS_AT}})
        cells["greedy"].append(verify(extract_answer(x["greedy"]), x["numbers"], x["target"])[0])
        for n in PASS_AT:
            cells[n].append(pass_at(len(right), sum(right), n))
    rows = []
    for name, cells in by_set.items():
        for key, values in cells.items():
            arm = "SmolLM2 3-shot greedy" if key == "greedy" else f"SmolLM2 pass@{key} (verifier)"
            hits = np.asarray(values, float)
            row = dict(arm=arm, instances=name, **solve_cells(hits), seconds="")
            if key != "greedy":  # an expected rate: the Wilson interval of its mean, as a guide
                row["solved"] = f"{hits.mean():.4f}"
            rows.append(row)
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="docs/results/llm")
    parser.add_argument("--instances", type=int, default=100, help="per k, and Game-of-24 sets")
    parser.add_argument("--samples", type=int, default=16, help="samples per instance (pass@n)")
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--batch", type=int, default=136, help="sequences decoded together")
    parser.add_argument("--score-only", action="store_true")
    args = parser.parse_args()
    if args.instances <= 0 or args.samples < max(PASS_AT) or args.temperature <= 0:
        print(f"error: --instances > 0, --samples >= {max(PASS_AT)}, --temperature > 0",
              file=sys.stderr)  # fmt: skip
        return 2
    out = ROOT / args.out
    out.mkdir(parents=True, exist_ok=True)
    cache = out / "countdown_outputs.jsonl"
    if not args.score_only:
        from alphazero.lm.loader import LLMUnavailable

        done = len(cache.read_text().splitlines()) if cache.exists() else 0
        every = instances(args.instances)
        per_chunk = max(1, args.batch // (args.samples + 1))  # prompts per call
        chunks = [every[i : i + per_chunk] for i in range(0, len(every), per_chunk)]
        todo = [(n, chunk) for n, chunk in enumerate(chunks) if (n + 1) * per_chunk > done]
        if todo and done % per_chunk:
            print(f"error: {cache} ends inside a chunk; was --batch changed?", file=sys.stderr)
            return 2
        start = time.perf_counter()
        try:
            generate_all(todo, cache, args.samples, args.temperature)
        except LLMUnavailable as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        minutes = (time.perf_counter() - start) / 60
        print(f"generated {sum(len(c) for _, c in todo)} instances in {minutes:.1f} min")
    if not cache.exists():
        print(f"error: no cached outputs at {cache}; run without --score-only", file=sys.stderr)
        return 2
    for r in score(cache, out / "countdown.csv"):
        print(f"{r['arm']:32s} {r['instances']:5s} {r['solved']} [{r['low']}, {r['high']}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
