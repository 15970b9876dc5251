"""Training targets from self-play, and board-symmetry augmentation.

Value target (AlphaZero): z_t = the final outcome of the game from the view of the player to move at
t. Computed backwards over the trajectory with a reverse scan,

    z_t = r_t                   if the game ended with move t
    z_t = r_t + gamma * z_{t+1} otherwise; gamma = -1 with two players (movers alternate), else +1,

where r_t is the reward move t earned for its mover. A position gets `mask = 0` (no value target) if
its game had not finished by the end of the scan, was truncated, or if the move played from it was a
random opening move (its outcome then says little about the position). The policy target is the
search policy pi_t, always valid.

Symmetries (AlphaGo Zero "data augmentation"): a board transform applied jointly to the observation
planes and to the policy over board cells. Square boards use the 8 dihedral maps, connect four the
left-right mirror, hex the 180-degree rotation (its other maps swap the players' goals).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from alphazero.types import Samples, Trajectory


def compute(trajectory: Trajectory, num_players: int = 2) -> Samples:
    """Trajectory [T, B, ...] -> Samples [T * B, ...]."""
    gamma = -1.0 if num_players == 2 else 1.0

    def backward(carry, step):
        value_next, valid_next = carry
        reward, done, truncated = step
        value = jnp.where(done, reward, reward + gamma * value_next)
        valid = jnp.where(done, ~truncated, valid_next)
        return (value, valid), (value, valid)

    batch = trajectory.reward.shape[1]
    init = (jnp.zeros(batch), jnp.zeros(batch, bool))  # after the last move: no outcome known
    _, (value_target, valid) = jax.lax.scan(
        backward,
        init,
        (trajectory.reward, trajectory.done, trajectory.truncated),
        reverse=True,
    )
    mask = valid & ~trajectory.random_move

    def flat(x: jax.Array) -> jax.Array:
        return x.reshape(-1, *x.shape[2:])

    return Samples(
        observation=flat(trajectory.observation),
        action_weights=flat(trajectory.action_weights),
        value_target=flat(value_target),
        mask=flat(mask).astype(jnp.float32),
    )


# Symmetries ---------------------------------------------------------------------------------------


def _dihedral(k: int):
    """k in 0..7: rotate by 90*(k % 4) degrees, then transpose if k >= 4 (on axes 0, 1)."""

    def transform(board: jax.Array) -> jax.Array:
        board = jnp.rot90(board, k % 4, axes=(0, 1))
        return jnp.swapaxes(board, 0, 1) if k >= 4 else board

    return transform


def board_transforms(game: str) -> list:
    """The symmetry maps of a game, each acting on an [H, W, ...] board array."""
    if game == "connect_four":
        return [lambda b: b, lambda b: b[:, ::-1]]
    if game == "hex":
        return [lambda b: b, lambda b: b[::-1, ::-1]]
    if game in ("tic_tac_toe", "othello") or game.startswith("go_"):
        return [_dihedral(k) for k in range(8)]
    return [lambda b: b]


def _sources(transform, height: int, width: int) -> np.ndarray:
    """[H*W]: the cell each cell of the transformed board is read from."""
    with jax.ensure_compile_time_eval():  # a constant, also when called under jit
        grid = transform(jnp.arange(height * width).reshape(height, width))
    return np.asarray(grid).reshape(-1)


def augment(key: jax.Array, samples: Samples, game: str) -> Samples:
    """Applies an independently drawn symmetry of `game` to every sample [N]."""
    transforms = board_transforms(game)
    if len(transforms) == 1 or samples.observation.ndim != 4:
        return samples
    index = jax.random.randint(key, samples.value_target.shape, 0, len(transforms))
    return apply_symmetries(samples, index, game)


def apply_symmetries(samples: Samples, index: jax.Array, game: str) -> Samples:
    """Sample i [N] transformed by board_transforms(game)[index[i]].

    Each symmetry is a permutation of the board's cells, so one gather per array moves every
    sample's planes and policy (8 branches under `vmap` + `lax.switch` cost the learner ~20%)."""
    transforms = board_transforms(game)
    n, height, width = samples.observation.shape[:3]
    cells = jnp.asarray(np.stack([_sources(t, height, width) for t in transforms]))[index]
    planes = samples.observation.reshape(n, height * width, -1)
    observation = jnp.take_along_axis(planes, cells[:, :, None], axis=1)
    policy = samples.action_weights
    if game == "connect_four":  # actions are columns: the mirror of one row
        columns = np.stack([_sources(t, 1, width) for t in transforms])
        policy = jnp.take_along_axis(policy, jnp.asarray(columns)[index], axis=1)
    else:
        board = jnp.take_along_axis(policy[:, : height * width], cells, axis=1)
        policy = jnp.concatenate([board, policy[:, height * width :]], axis=1)
    return samples._replace(
        observation=observation.reshape(samples.observation.shape), action_weights=policy
    )
