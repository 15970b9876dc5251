"""Human against a trained agent in the terminal: `alphazero play`.

Tic-tac-toe and connect four take cell / column numbers. Go is played through the GTP engine
(alphazero/go/gtp.py), so the terminal game follows exactly the rules a GUI would see: moves are GTP
vertices (`D4`, `pass`), `undo` takes back the last pair of moves, positional-superko moves are
refused, and the game ends on two passes, a resignation or pgx's 2*N*N move cap.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jax
import numpy as np

from alphazero.agent import load_agent
from alphazero.checkpoint import CheckpointError
from games import go_coordinates as coords


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
        if text.isascii() and text.isdigit() and int(text) < len(legal) and legal[int(text)]:
            return int(text)
        print(f"illegal move {text!r}; legal: {' '.join(map(str, np.flatnonzero(legal)))}")


def main(workdir: Path, simulations: int | None, human_first: bool, seed: int, read=input,
         step: int | str | None = None) -> int:  # fmt: skip
    """Plays one game against checkpoint `step` (default: newest; "best": the run's best
    network); returns +1 if the human won, 0 draw, -1 lost."""
    agent = load_agent(workdir, simulations=simulations, step=step)
    if agent.config.game.startswith("go_"):
        return play_go(agent, human_first, seed, read)
    if agent.config.game not in ("tic_tac_toe", "connect_four"):
        raise CheckpointError(
            f"play supports tic_tac_toe, connect_four and Go, not {agent.config.game}"
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


def play_go(agent, human_black: bool, seed: int, read=input) -> int:
    """One game of Go against `agent` through its GTP engine; +1 if the human won, -1 lost."""
    from alphazero.go import gtp  # Go only: keeps the small games free of the GTP module

    engine = gtp.Engine(agent, seed=seed)
    human = "b" if human_black else "w"
    print(f"You are {'Black (X)' if human_black else 'White (O)'}. Enter a vertex such as "
          f"{coords.action_to_gtp(0, engine.size)}, pass or undo; q quits.")  # fmt: skip
    resigned = None
    while not engine.game_over() and resigned is None:
        print(engine.board_text(), end="\n\n")
        if engine.to_move() == human:
            resigned = _human_go_move(engine, human, read)
        else:
            reply = gtp.handle(engine, f"genmove {engine.to_move()}").strip("= \n")
            print(f"agent plays {reply}")
            _print_ownership(agent, engine)
            resigned = engine.to_move() if reply == "resign" else None
    print(engine.board_text())
    if resigned is not None:
        winner = "w" if resigned == "b" else "b"
        print(f"{'You resign' if resigned == human else 'The agent resigns'}.")
    else:
        score = engine.score()
        winner = "b" if score > 0 else "w"
        print(
            f"Final score (area, komi {engine.komi:g}): {'B' if score > 0 else 'W'}+{abs(score):g}"
        )
    print("You win." if winner == human else "The agent wins.")
    sys.stdout.flush()
    return 1 if winner == human else -1


def _print_ownership(agent, engine) -> None:
    """The agent's ownership and score heads on the position after its move, Black's view."""
    from alphazero import visualize
    from games import go

    predicted = visualize.predicted_ownership(agent.params, engine.state)
    if predicted is None or engine.game_over():
        return
    owner, margin = predicted
    if int(go.colour_to_move(engine.state)) == go.WHITE:  # heads speak for the side to move
        owner, margin = -owner, -margin
    leader = "B" if margin > 0 else "W"
    print(f"agent's ownership view (X Black, O White; lower case: leaning), predicted "
          f"{leader}+{abs(margin):.1f}:\n{visualize.ownership_text(owner)}")


def _human_go_move(engine, colour: str, read) -> str | None:
    """Reads until a legal move is played; returns `colour` if the human resigned, else None."""
    from alphazero.go import gtp

    while True:
        try:
            text = read("your move: ").strip().lower()
        except EOFError:
            text = "q"
        if text in ("q", "quit"):
            raise SystemExit(0)
        if text == "resign":
            return colour
        if text == "undo":
            reply = gtp.handle(engine, "undo") if len(engine.history) > 2 else "? nothing to undo"
            reply = gtp.handle(engine, "undo") if reply.startswith("=") else reply
            if reply.startswith("?"):
                print(reply.strip("? \n"))
            print(engine.board_text(), end="\n\n")
            continue
        reply = gtp.handle(engine, f"play {colour} {text}") if text else "? empty move"
        if reply.startswith("="):
            return None
        print(f"{reply.strip('? ' + chr(10))}; try again")
