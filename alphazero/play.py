"""Human against a trained agent in the terminal (tic-tac-toe, connect four): `alphazero play`."""

from __future__ import annotations

import sys
from pathlib import Path

import jax
import numpy as np

from alphazero.agent import load_agent
from alphazero.checkpoint import CheckpointError


def render(state, first_player: int) -> str:
    """The board with X for the player who moved first, O for the other; '.' empty."""
    obs = np.asarray(state.observation)
    mine, theirs = obs[..., 0], obs[..., 1]
    x, o = (mine, theirs) if int(state.current_player) == first_player else (theirs, mine)
    rows = []
    for r in range(obs.shape[0]):
        rows.append(
            " ".join("X" if x[r, c] else "O" if o[r, c] else "." for c in range(obs.shape[1]))
        )
    return "\n".join(rows)


def _ask(legal: np.ndarray, prompt: str, read=input) -> int:
    while True:
        try:
            text = read(prompt).strip()
        except EOFError:  # input closed: quit like "q"
            text = "q"
        if text in ("q", "quit"):
            raise SystemExit(0)
        if text.isdigit() and int(text) < len(legal) and legal[int(text)]:
            return int(text)
        print(f"illegal move {text!r}; legal: {' '.join(map(str, np.flatnonzero(legal)))}")


def main(workdir: Path, simulations: int | None, human_first: bool, seed: int, read=input) -> int:
    """Plays one game; returns +1 if the human won, 0 draw, -1 lost."""
    agent = load_agent(workdir, simulations=simulations)
    if agent.config.game not in ("tic_tac_toe", "connect_four"):
        raise CheckpointError(
            f"play supports tic_tac_toe and connect_four, not {agent.config.game}"
        )
    hint = "a cell 0-8, row by row" if agent.config.game == "tic_tac_toe" else "a column 0-6"
    key = jax.random.PRNGKey(seed)
    state = agent.env.init(key)
    first = int(state.current_player)
    human = first if human_first else 1 - first
    print(f"You are {'X' if human == first else 'O'} (X moves first). Enter {hint}; q quits.")
    while not bool(state.terminated | state.truncated):
        print(render(state, first), end="\n\n")
        if int(state.current_player) == human:
            action = _ask(np.asarray(state.legal_action_mask), "your move: ", read)
        else:
            batch = jax.tree.map(lambda x: x[None], state)
            out = agent(batch)
            action = int(out.action[0])
            print(f"agent plays {action} (its value estimate {float(out.root_value[0]):+.2f})")
        state = agent.env.step(state, action)
    print(render(state, first))
    result = int(np.sign(float(state.rewards[human])))
    print({1: "You win.", 0: "Draw.", -1: "The agent wins."}[result])
    sys.stdout.flush()
    return result
