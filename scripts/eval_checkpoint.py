"""Evaluate a trained run against fixed opponents in the arena (both colours, W/D/L per colour).

    python scripts/eval_checkpoint.py --workdir runs/connect_four --simulations 64 \
        --opponents random alphabeta-2 alphabeta-4 --num-games 200 \
        --out docs/results/connect_four_eval.json

Loads the newest checkpoint (or --step) with `alphazero.load_agent`, plays `--num-games` games per
opponent (half moving first), and prints each result with a 95% Wilson interval on the score
(win = 1, draw = 1/2).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import jax

from alphazero import load_agent
from alphazero.evaluate import arena, opponent, search_player, wilson_interval


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--step", type=int, default=None)
    parser.add_argument("--simulations", type=int, default=64)
    parser.add_argument(
        "--algorithm",
        choices=("gumbel", "puct"),
        default=None,
        help="search to play with (default: the run's eval.algorithm)",
    )
    parser.add_argument(
        "--inference-dtype",
        choices=("float32", "bfloat16"),
        default=None,
        help="precision of the network inside the search (default: the run's)",
    )
    parser.add_argument("--opponents", nargs="+", default=["random"])
    parser.add_argument("--num-games", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--average-steps",
        type=int,
        nargs="+",
        default=None,
        help="play with the plain average of these checkpoints' parameters (a diagnostic)",
    )
    args = parser.parse_args()

    agent = load_agent(args.workdir, simulations=args.simulations, step=args.step)
    if args.average_steps:
        loaded = [load_agent(args.workdir, step=s).params for s in args.average_steps]
        average = jax.tree.map(lambda *x: sum(x) / len(x), *loaded)
        agent = dataclasses.replace(agent, params=average)
    report = (
        json.loads((args.workdir / "report.json").read_text())
        if (args.workdir / "report.json").exists()
        else {}
    )
    search_config = agent.config.search
    if args.algorithm:
        search_config = dataclasses.replace(search_config, algorithm=args.algorithm)
    if args.inference_dtype:
        search_config = dataclasses.replace(search_config, inference_dtype=args.inference_dtype)
    player = search_player(agent.env, search_config)
    results = {}
    for i, name in enumerate(args.opponents):
        start = time.perf_counter()
        result = arena(
            jax.random.PRNGKey(args.seed + i),
            agent.env,
            player,
            opponent(name),
            agent.params,
            agent.params,
            num_games=args.num_games,
        )
        summary = result.summary()
        score = summary["win_rate"] + summary["draw_rate"] / 2
        low, high = wilson_interval(score, args.num_games)
        results[name] = {
            **summary,
            "score": score,
            "score_95ci": [low, high],
            "line": result.line(),
            "seconds": round(time.perf_counter() - start, 1),
        }
        print(
            f"{search_config.algorithm}@{args.simulations} vs {name}: {result.line()}; "
            f"score {score:.3f} [{low:.3f}, {high:.3f}]",
            flush=True,
        )
    out = {
        "workdir": str(args.workdir),
        "iteration": agent.iteration,
        "run_wall_time_s": report.get("wall_time_s"),
        "simulations": args.simulations,
        "algorithm": search_config.algorithm,
        "inference_dtype": search_config.inference_dtype,
        "num_games": args.num_games,
        "average_steps": args.average_steps,
        "date": time.strftime("%Y-%m-%d"),
        "results": results,
    }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
