"""Ownership and score: KataGo's auxiliary targets from a game's final position (Wu 2019, 3.2).

A win/loss value says nothing about *how* a game was won, and every move of a lost game looks
alike to it. KataGo adds two targets read off the final position of every self-play game:

    ownership o in {-1, 0, +1}^P   the area owner of each of the P board points
    score margin s                  the final area margin, komi included

both from the view of the player to move at the position they train (the sign flips every
move, as the value target's does). The network predicts them with two extra heads
(networks.py) and the search can use the predicted margin as a bounded score utility
(search.score_utility). Only games that end by two passes are scored this way; a game ended
by superko or by the move cap gets no ownership or score target (`scored` False).

These functions read Go through games/go.py, the one door to pgx Go's internals; every other
game has no such targets (`has_targets`).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from games import go


def has_targets(env) -> bool:
    """Whether `env` scores its final positions by area (the Go boards)."""
    return env.id.startswith("go_")


def num_points(env) -> int:
    """P, the board points (Go's actions minus the pass)."""
    return env.num_actions - 1


def colour_to_move(state) -> jax.Array:
    """go.BLACK or go.WHITE, the colour of the side to move in one state."""
    return go.colour_to_move(state)


def final_targets(env, state, mover_colour: jax.Array):
    """One finished game (unbatched `state`) seen by the side `mover_colour` (go.BLACK/WHITE):
    (ownership [P] float32, score margin [] float32, scored [] bool)."""
    sign = jnp.where(mover_colour == go.BLACK, 1.0, -1.0)
    owner = go.ownership(state).astype(jnp.float32) * sign
    margin = go.black_margin(state, go.komi(env)) * sign
    scored = (go.consecutive_passes(state) >= 2) & ~go.repeats_position(state)
    return owner, margin, scored


def margin_scale(env) -> float:
    """KataGo's score-utility scale, 0.5 * sqrt(board area): 3.5 points on 7x7, 4.5 on 9x9."""
    return 0.5 * num_points(env) ** 0.5
