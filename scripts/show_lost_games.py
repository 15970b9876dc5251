"""Replay games of a trained connect-four agent against a reference player and print the losses.

    python scripts/show_lost_games.py --workdir runs/connect_four_v6 --opponent alphabeta-2 \
        --games 40 --agent-second

One game at a time (not the batched arena), seeds 100, 101, ...; prints every distinct lost game
as its move sequence (columns 0-6), the agent's root value after each of its moves, and the final
board (X = first player), then how many distinct games were played and how many were lost.
"""

from __future__ import annotations

import argparse

import jax
import jax.numpy as jnp

from alphazero import load_agent
from alphazero.evaluate import opponent
from alphazero.play import render


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--opponent", default="alphabeta-2")
    parser.add_argument("--games", type=int, default=40)
    parser.add_argument("--simulations", type=int, default=64)
    parser.add_argument("--agent-second", action="store_true")
    args = parser.parse_args()
    agent = load_agent(args.workdir, simulations=args.simulations)
    env, other = agent.env, opponent(args.opponent)
    other = jax.jit(lambda key, states: other(None, key, states))
    results: dict[str, list[float]] = {}
    for g in range(args.games):
        key = jax.random.PRNGKey(100 + g)
        state = env.init(key)
        first = int(state.current_player)
        me = 1 - first if args.agent_second else first
        moves, values = [], []
        while not bool(state.terminated):
            batch = jax.tree.map(lambda x: x[None], state)
            if int(state.current_player) == me:
                out = agent(batch)
                action = int(out.action[0])
                values.append(round(float(out.root_value[0]), 2))
            else:
                key, sub = jax.random.split(key)
                action = int(other(sub, batch)[0])
            moves.append(action)
            state = env.step(state, jnp.int32(action))
        line = "".join(map(str, moves))
        outcome = float(state.rewards[me])
        if outcome < 0 and line not in results:
            print(f"lost: {line}\n  agent's values: {values}\n{render(state, first)}\n")
        results.setdefault(line, []).append(outcome)
    lost = sum(r < 0 for rs in results.values() for r in rs)
    print(f"{args.games} games, {len(results)} distinct, {lost} lost")


if __name__ == "__main__":
    main()
