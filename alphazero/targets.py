"""Training targets from self-play, and board-symmetry augmentation.

Value target (AlphaZero): z_t = the final outcome of the game from the view of the player to move at
t. Computed backwards over the trajectory with a reverse scan,

    z_t = r_t                   if the game ended with move t
    z_t = r_t + gamma * z_{t+1} otherwise; gamma = -1 with two players (movers alternate), else +1,

where r_t is the reward move t earned for its mover. A position gets `mask = 0` (no value target) if
its game had not finished by the end of the scan, was truncated, or if the move played from it was a
random opening move (its outcome then says little about the position). The policy target is the
search policy pi_t, valid unless playout cap randomization gave the move a cheap search
(`policy_mask` 0).

KataGo's auxiliary targets (Wu 2019), when the trajectory carries them: the final position's
ownership map and score margin (alphazero/ownership.py), carried back over the game by the same
reverse scan (the sign flips every move), known only for games that ended by two passes
(`score_mask`); and the opponent-reply policy, the search policy pi_{t+1} of the next move of the
same game (`reply_mask` 0 on a game's last move, at the end of the scan, or where t+1 had a cheap
search).

Symmetries (AlphaGo Zero "data augmentation"): a board transform applied jointly to the observation
planes and to the policy over board cells. Square boards use the 8 dihedral maps, connect four the
left-right mirror, hex the 180-degree rotation (its other maps swap the players' goals).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from alphazero.types import Samples, Trajectory


def compute(trajectory: Trajectory, num_players: int = 2, reply: bool = False) -> Samples:
    """Trajectory [T, B, ...] -> Samples [T * B, ...]; with `reply`, also the opponent-reply
    policy targets. The optional targets follow the trajectory's optional fields."""
    gamma = -1.0 if num_players == 2 else 1.0
    done = trajectory.done
    value_target, valid = _backward(gamma, trajectory.reward, done, ~trajectory.truncated)
    mask = valid & ~trajectory.random_move

    def flat(x: jax.Array) -> jax.Array:
        return x.reshape(-1, *x.shape[2:])

    samples = Samples(
        observation=flat(trajectory.observation),
        action_weights=flat(trajectory.action_weights),
        value_target=flat(value_target),
        mask=flat(mask).astype(jnp.float32),
    )
    full = trajectory.full_search
    if full is not None:
        samples = samples._replace(policy_mask=flat(full).astype(jnp.float32))
    if trajectory.ownership is not None:  # the final position's targets, carried back like z
        (ownership, margin), known = _backward(
            gamma, (trajectory.ownership, trajectory.score_margin), trajectory.done,
            trajectory.scored,
        )  # fmt: skip
        samples = samples._replace(ownership=flat(ownership), score_margin=flat(margin),
                                   score_mask=flat(known).astype(jnp.float32))  # fmt: skip
    if reply:  # the search policy one move later, in the same game, where it is a target
        later = jnp.roll(trajectory.action_weights, -1, axis=0)
        same_game = ~trajectory.done.at[-1].set(True)  # the last move's reply is not recorded
        if full is not None:
            same_game = same_game & jnp.roll(full, -1, axis=0)
        samples = samples._replace(reply_weights=flat(later),
                                   reply_mask=flat(same_game).astype(jnp.float32))  # fmt: skip
    return samples


def _backward(gamma: float, final, done: jax.Array, known_at_end: jax.Array):
    """Carries per-move quantities back over each game with a reverse scan,

        x_t = r_t                   if move t ended the game
        x_t = r_t + gamma * x_{t+1} otherwise,

    for every [T, B, ...] leaf r of the pytree `final` (rewards; or a final position's targets,
    recorded on the game's last move and zero before it). Returns (x, known [T, B]): known is
    `known_at_end` of the move that ended the game, False for games still running after move T."""

    def step(carry, inputs):
        x_next, known_next = carry
        x_end, ended, known_end = inputs

        def pick(end, later):
            shape = ended.shape + (1,) * (end.ndim - ended.ndim)
            return end + jnp.where(ended.reshape(shape), 0.0, gamma * later)

        x = jax.tree.map(pick, x_end, x_next)
        known = jnp.where(ended, known_end, known_next)
        return (x, known), (x, known)

    init = (jax.tree.map(lambda x: jnp.zeros_like(x[0]), final), jnp.zeros(done.shape[1], bool))
    _, out = jax.lax.scan(step, init, (final, done, known_at_end), reverse=True)
    return out


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


def dihedral_cells(size: int) -> np.ndarray:
    """[8, size*size]: for each of the 8 symmetries of a square board, the cell each cell of
    the turned board is read from."""
    return np.stack([_sources(_dihedral(k), size, size) for k in range(8)])


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

    def move(policy):  # [N, A]: the board part of a policy moves with the cells
        if policy is None:
            return None
        if game == "connect_four":  # actions are columns: the mirror of one row
            columns = np.stack([_sources(t, 1, width) for t in transforms])
            return jnp.take_along_axis(policy, jnp.asarray(columns)[index], axis=1)
        board = jnp.take_along_axis(policy[:, : height * width], cells, axis=1)
        return jnp.concatenate([board, policy[:, height * width :]], axis=1)

    ownership = samples.ownership
    if ownership is not None:  # [N, P], one value per cell
        ownership = jnp.take_along_axis(ownership, cells, axis=1)
    return samples._replace(
        observation=observation.reshape(samples.observation.shape),
        action_weights=move(samples.action_weights),
        reply_weights=move(samples.reply_weights),
        ownership=ownership,
    )
