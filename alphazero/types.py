"""The pytrees passed between loop phases, with shapes.

Shape letters: T moves per self-play call, B games in parallel, A actions, N samples, C replay
capacity, and `...` the game's observation shape (H, W, planes for boards).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax


class Trajectory(NamedTuple):
    """What self-play records, one entry per move of every game slot (selfplay.play)."""

    observation: jax.Array  # [T, B, ...] position before the move, mover's view
    action_weights: jax.Array  # [T, B, A] search policy pi at that position
    reward: jax.Array  # [T, B] reward the move earned for the player who made it
    done: jax.Array  # [T, B] bool, the game ended with this move (terminated or truncated)
    truncated: jax.Array  # [T, B] bool, the game was cut off with this move (no outcome)
    random_move: jax.Array  # [T, B] bool, the move was a random opening move, not the agent's
    root_value: jax.Array  # [T, B] search value at the root, mover's view
    # Playout cap randomization (selfplay.full_search_probability < 1), else None:
    full_search: jax.Array | None = None  # [T, B] bool, the move had the full search
    # Ownership and score (network.score_heads), else None; set on a game's last move only:
    ownership: jax.Array | None = None  # [T, B, P] final area owner of each point, mover's view
    score_margin: jax.Array | None = None  # [T, B] final area margin (komi in), mover's view
    scored: jax.Array | None = None  # [T, B] bool, the game ended by two passes (is scored)
    # Hindsight relabelling (selfplay.hindsight), else None:
    state: Any = None  # [T, B] pgx State before the move
    action: jax.Array | None = None  # [T, B] int32, the move played
    achieved: jax.Array | None = None  # [T, B] the goal reached after the move (env.achieved_goal)


class Samples(NamedTuple):
    """Training examples; the same shape from self-play (targets.compute) or from expert games."""

    observation: jax.Array  # [N, ...]
    action_weights: jax.Array  # [N, A] policy target pi (search policy, or expert one-hot)
    value_target: jax.Array  # [N] z, final outcome from the mover's view, in [-1, 1]
    mask: jax.Array  # [N] float, 1 where value_target is a real outcome, else 0
    # The optional targets below are None unless the run asks for them (KataGo, Wu 2019):
    policy_mask: jax.Array | None = None  # [N] float, 1 where action_weights is a target (PCR)
    ownership: jax.Array | None = None  # [N, P] final owner of each point, mover's view
    score_margin: jax.Array | None = None  # [N] final area margin in points, mover's view
    score_mask: jax.Array | None = None  # [N] float, 1 where ownership and margin are known
    reply_weights: jax.Array | None = None  # [N, A] the opponent's search policy one move later
    reply_mask: jax.Array | None = None  # [N] float, 1 where reply_weights is a target


class ReplayState(NamedTuple):
    """FIFO window of the most recent samples (replay.py)."""

    samples: Samples  # leaves [C, ...]
    cursor: jax.Array  # [] int32, next slot to write
    size: jax.Array  # [] int32, filled slots, <= C


class TrainState(NamedTuple):
    params: Any  # network parameters (networks.init)
    opt_state: Any  # optax state
    step: jax.Array  # [] int32, gradient steps taken
    ema_params: Any = None  # moving average of params (train.ema_decay > 0), else None

    @property
    def evaluation_params(self):
        """The parameters that play outside self-play: the moving average when kept."""
        return self.params if self.ema_params is None else self.ema_params


class Counters(NamedTuple):
    positions: jax.Array  # [] int32, self-play positions generated
    games: jax.Array  # [] int32, self-play games finished
    wall_time: jax.Array  # [] float32, seconds spent in the run so far (over all sessions)


IMITATION, RL = 0, 1  # LoopState.phase


class LoopState(NamedTuple):
    """Everything a run needs to continue bit-exactly: a checkpoint is this plus the config."""

    train_state: TrainState
    replay_state: ReplayState
    key: jax.Array  # [2] uint32, the run's PRNG key
    iteration: jax.Array  # [] int32, RL iterations completed
    counters: Counters
    phase: jax.Array = None  # [] int32, IMITATION (supervised on expert games) or RL
    imitation_step: jax.Array = None  # [] int32, supervised steps taken: the place in the dataset


@jax.jit
def take_rows(tree: Any, rows: jax.Array) -> Any:
    """tree with every leaf's rows `rows` [R] (leaves [N, ...] -> [R, ...]), in one compiled call:
    indexing each leaf eagerly compiles one gather per field."""
    return jax.tree.map(lambda x: x[rows], tree)
