"""Root rules for a Go agent that plays (`eval.pass_rule`; docs/deviations.md, "Evaluation").

    legal = pass_rules.settle_moves(states, legal, komi)         # [B, A] bool, root moves kept

AlphaZero's agent may choose any legal move. Go engines restrict the root: pass only when it
wins or nothing else is left (Tromp-Taylor, Fuego's early-pass check), or no move that is
useless whatever happens next (KataGo's pruning, with Benson's pass-alive test). The rules act
on the root only; the search tree below it is untouched.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from scipy import ndimage

from games import go, pass_alive


@jax.jit
def tromp_taylor_passes(states, legal: jax.Array, komi: float) -> jax.Array:
    """The root moves [B, A] a Go agent may choose under Tromp-Taylor scoring (as Fuego's and
    Leela Zero's early-pass checks do; docs/deviations.md). Under area scoring a move in one's own
    area costs nothing, but a pass lets the opponent play on unanswered, so:

    - after the opponent's pass, if the area count of the board now wins for the mover, passing
      ends the game with that win: pass is the only move;
    - otherwise the mover does not pass while it has a legal move that does not fill one of its
      own one-point eyes, and it never fills one while it has another move;
    - with no such move left, it passes."""
    black_margin = jax.vmap(go.black_margin, in_axes=(0, None))(states, komi)  # [B]
    to_move = jax.vmap(go.colour_to_move)(states)
    margin = jnp.where(to_move == go.BLACK, black_margin, -black_margin)  # mover's view
    wins_by_passing = (jax.vmap(go.consecutive_passes)(states) > 0) & (margin > 0)  # [B]
    playable = legal[:, :-1] & ~jax.vmap(go.own_eyes)(states)  # [B, N*N]
    may_pass = wins_by_passing | ~playable.any(1)
    board = playable & ~wins_by_passing[:, None]
    return jnp.concatenate([board, (legal[:, -1] & may_pass)[:, None]], axis=1)


def settle_moves(states, legal: jax.Array, komi: float) -> np.ndarray:
    """The root moves [B, A] of a Go agent that does not harm itself once the board is settled
    (KataGo's `rootPruneUselessMoves`, with Benson's pass-alive test; docs/deviations.md):

    - no move inside either side's pass-alive territory (games/pass_alive.py): there a stone
      can only cost the mover eyes or die; except its own regions that hold dead opponent
      stones, which it may capture (area scoring counts stones left on the board);
    - after the opponent's pass, if the area count of the board now wins for the mover, passing
      ends the game with that win: pass is the only move.

    It may always pass. Pass-alive area is safe by definition, so no move a game needs is
    removed; a lost game ends at the count instead of in a collapse of its own eyes."""
    size = int(round(np.sqrt(np.shape(legal)[1] - 1)))
    boards = np.asarray(jax.vmap(go.stones)(states)).reshape(-1, size, size)
    movers = np.where(np.asarray(jax.vmap(go.colour_to_move)(states)) == go.BLACK, 1, -1)
    black_margin = np.asarray(jax.vmap(go.black_margin, in_axes=(0, None))(states, komi))
    after_pass = np.asarray(jax.vmap(go.consecutive_passes)(states)) > 0
    allowed = np.array(legal, bool)
    for g, (board, mine) in enumerate(zip(boards, movers, strict=True)):
        own = pass_alive.territory(board, mine)
        labels, _ = ndimage.label(own)
        own &= ~np.isin(labels, labels[own & (board == -mine)])  # dead stones to capture
        allowed[g, :-1] &= ~(own | pass_alive.territory(board, -mine)).reshape(-1)
        if after_pass[g] and mine * black_margin[g] > 0:
            allowed[g, :-1] = False
    return allowed
