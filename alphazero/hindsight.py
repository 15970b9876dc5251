"""Hindsight relabelling (Andrychowicz et al. 2017, "Hindsight Experience Replay") for goal games.

    samples, keep = hindsight.relabel(env, trajectory)   # Samples [T * B], keep [T * B]

An episode that failed still reached something: in Countdown the last number left, c. For the
same starting numbers c is a solved target, and the moves played are a solution. So every
position of a failed episode is trained a second time with goal c (`env.with_goal`): the policy
target is the move played (one-hot), the value target 1 (c is reached from there).

Kept (`keep`): positions of episodes that ended within the trajectory, were not truncated and
failed (a solved episode's goal is its own target), whose relabelled instance the environment
would itself draw (`env.valid_instance` on the starting numbers and c: the target range, c not
one of the numbers, this split's hash bucket, no Game-of-24 set in the train split). The
replay window stores only the kept rows (`replay.add(..., keep)`).

The environment provides `achieved_goal(state)`, `with_goal(state, goal)` and
`valid_instance(numbers, target)`; self-play records states, moves and goals reached when
`selfplay.hindsight` is on.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from alphazero.types import Samples, Trajectory


def relabel(env, trajectory: Trajectory) -> tuple[Samples, jax.Array]:
    """Trajectory [T, B] (recorded with hindsight) -> relabelled Samples [T * B], keep [T * B]."""
    goal, ended, failed = _episode_ends(trajectory)  # [T, B] each
    start = _episode_starts(trajectory)  # State [T, B]: each position's starting state
    valid = jax.vmap(jax.vmap(lambda s, g: env.valid_instance(s.numbers, g)))(start, goal)
    keep = ended & failed & valid
    relabelled = jax.vmap(jax.vmap(env.with_goal))(trajectory.state, goal)

    def flat(x: jax.Array) -> jax.Array:
        return x.reshape(-1, *x.shape[2:])

    ones = jnp.ones(keep.size, jnp.float32)
    num_actions = trajectory.action_weights.shape[-1]
    samples = Samples(
        observation=flat(relabelled.observation),
        action_weights=flat(jax.nn.one_hot(trajectory.action, num_actions)),
        value_target=ones,
        mask=ones,
        policy_mask=None if trajectory.full_search is None else ones,
    )
    return samples, flat(keep)


def _episode_ends(trajectory: Trajectory) -> tuple[jax.Array, jax.Array, jax.Array]:
    """For every position [T, B]: the goal its episode reached at the end, whether the episode
    ended (not truncated) within the trajectory, and whether it failed (reward <= 0)."""

    def back(carry, x):
        achieved, done, truncated, reward = x
        goal, ended, failed = carry
        goal = jnp.where(done, achieved, goal)
        ended = jnp.where(done, ~truncated, ended)
        failed = jnp.where(done, reward <= 0, failed)
        return (goal, ended, failed), (goal, ended, failed)

    batch = trajectory.done.shape[1]
    init = (jnp.zeros(batch, trajectory.achieved.dtype), jnp.zeros(batch, bool),
            jnp.zeros(batch, bool))  # fmt: skip
    xs = (trajectory.achieved, trajectory.done, trajectory.truncated, trajectory.reward)
    return jax.lax.scan(back, init, xs, reverse=True)[1]


def _episode_starts(trajectory: Trajectory):
    """For every position [T, B], the state its episode started from (a slot's first position,
    or the one after a finished game), carried forward."""

    def forward(carry, x):
        start, new = carry
        state, done = x
        start = jax.tree.map(lambda s, c: jnp.where(_expand(new, s), s, c), state, start)
        return (start, done), start

    first = jax.tree.map(lambda x: x[0], trajectory.state)
    init = (first, jnp.ones(trajectory.done.shape[1], bool))
    return jax.lax.scan(forward, init, (trajectory.state, trajectory.done))[1]


def _expand(flag: jax.Array, like: jax.Array) -> jax.Array:
    return flag.reshape(flag.shape + (1,) * (like.ndim - flag.ndim))
