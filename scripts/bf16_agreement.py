"""How often bf16 network inference changes the search's move (the strength check's second half).

    python scripts/bf16_agreement.py --workdir runs/connect_four_v4 --step 122 --positions 1024

Samples positions by random play from a trained run's game (0-30 random moves), searches each with
the network in float32 and in bfloat16 (same keys, same simulations), and prints the fraction of
positions where the chosen move agrees, and the largest differences of the raw network outputs.
For tic-tac-toe it also runs the exhaustive check (optimal moves in all 4,520 positions) with both.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import jax
import jax.numpy as jnp

from alphazero import evaluate, load_agent, networks, search


def random_positions(env, key, count: int, max_moves: int):
    """`count` non-terminal states after 0..max_moves uniformly random moves."""
    init_key, moves_key, play_key = jax.random.split(key, 3)
    states = jax.vmap(env.init)(jax.random.split(init_key, count))
    target = jax.random.randint(moves_key, (count,), 0, max_moves + 1)

    def body(i, carry):
        states, key = carry
        key, sub = jax.random.split(key)
        logits = jnp.where(states.legal_action_mask, 0.0, -jnp.inf)
        stepped = jax.vmap(env.step)(states, jax.random.categorical(sub, logits))
        keep = (i >= target) | stepped.terminated | stepped.truncated
        keep_leaf = lambda a, b: jnp.where(keep.reshape((-1,) + (1,) * (a.ndim - 1)), a, b)  # noqa: E731
        return jax.tree.map(keep_leaf, states, stepped), key

    states, _ = jax.jit(lambda s, k: jax.lax.fori_loop(0, max_moves, body, (s, k)))(
        states, play_key
    )
    return states


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--step", type=int, default=None)
    parser.add_argument("--simulations", type=int, default=64)
    parser.add_argument("--positions", type=int, default=1024)
    parser.add_argument("--max-moves", type=int, default=30)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    agent = load_agent(args.workdir, simulations=args.simulations, step=args.step)
    states = random_positions(agent.env, jax.random.PRNGKey(0), args.positions, args.max_moves)
    states = jax.tree.map(lambda x: x[~states.terminated], states)
    config = agent.search_config
    key = jax.random.PRNGKey(1)
    out = {}
    for dtype in ("float32", "bfloat16"):
        cfg = dataclasses.replace(config, inference_dtype=dtype)
        out[dtype] = search.run_jit(agent.params, key, states, agent.env, cfg)
    logits32, value32 = jax.jit(networks.apply)(agent.params, states.observation)
    logits16, value16 = jax.jit(networks.apply, static_argnums=2)(
        agent.params, states.observation, jnp.bfloat16
    )
    result = dict(
        workdir=str(args.workdir),
        iteration=agent.iteration,
        positions=int(states.terminated.shape[0]),
        simulations=args.simulations,
        algorithm=config.algorithm,
        same_move=float(jnp.mean(out["float32"].action == out["bfloat16"].action)),
        max_abs_value_diff=float(jnp.max(jnp.abs(value32 - value16))),
        max_abs_prior_diff=float(
            jnp.max(jnp.abs(jax.nn.softmax(logits32) - jax.nn.softmax(logits16)))
        ),
        max_abs_root_value_diff=float(
            jnp.max(jnp.abs(out["float32"].root_value - out["bfloat16"].root_value))
        ),
    )
    if agent.config.game == "tic_tac_toe":  # the exact check: optimal moves in all 4,520 positions
        for dtype in ("float32", "bfloat16"):
            cfg = dataclasses.replace(config, inference_dtype=dtype)
            result[f"exhaustive_{dtype}"] = evaluate.exhaustive_check(agent.params, agent.env, cfg)
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
