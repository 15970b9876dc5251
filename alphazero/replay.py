"""Replay window: a device-resident FIFO of the most recent training samples.

    state = replay.init(example_samples, capacity)
    state = replay.add(state, samples)              # samples [N], N <= capacity
    batch = replay.sample(state, key, batch_size)   # Samples [batch_size], uniform over the window

AlphaZero trains on positions sampled uniformly from the most recent games; the window drops the
oldest positions first. Pure functions on a `ReplayState` pytree, so the buffer is jitted with the
learner and saved in checkpoints like any other array. (flashbax offers the same; a 40-line module
is easier for a student to read and to checkpoint, so we keep our own; docs/deviations.md.)
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from alphazero.types import ReplayState, Samples


def init(example: Samples, capacity: int) -> ReplayState:
    """An empty window with room for `capacity` samples shaped like one row of `example`."""
    samples = jax.tree.map(lambda x: jnp.zeros((capacity, *x.shape[1:]), x.dtype), example)
    return ReplayState(samples=samples, cursor=jnp.int32(0), size=jnp.int32(0))


def capacity(state: ReplayState) -> int:
    return state.samples.mask.shape[0]


def add(state: ReplayState, samples: Samples, keep: jax.Array | None = None) -> ReplayState:
    """Writes `samples` [N] after the newest ones, overwriting the oldest when full; with
    `keep` [N] bool, only the kept rows, in order (a number known only at run time)."""
    cap = capacity(state)
    num = samples.mask.shape[0]
    if num > cap:
        raise ValueError(f"cannot add {num} samples to a window of capacity {cap}")
    if keep is None:
        slots, added = (state.cursor + jnp.arange(num)) % cap, num
    else:  # kept row i goes to the slot after the kept rows before it; the others are dropped
        rank = jnp.cumsum(keep) - 1
        slots = jnp.where(keep, (state.cursor + rank) % cap, cap)
        added = keep.sum().astype(jnp.int32)
    stored = jax.tree.map(lambda buf, new: buf.at[slots].set(new, mode="drop"), state.samples,
                          samples)  # fmt: skip
    return ReplayState(
        samples=stored,
        cursor=(state.cursor + added) % cap,
        size=jnp.minimum(state.size + added, cap),
    )


def sample(state: ReplayState, key: jax.Array, batch_size: int) -> Samples:
    """`batch_size` samples drawn uniformly, with replacement, from the filled window."""
    index = jax.random.randint(key, (batch_size,), 0, jnp.maximum(state.size, 1))
    return jax.tree.map(lambda buf: buf[index], state.samples)


def oldest_first(state: ReplayState) -> Samples:
    """The stored samples in insertion order, oldest first (for tests and inspection)."""
    cap = capacity(state)
    start = jnp.where(state.size < cap, 0, state.cursor)
    index = (start + jnp.arange(cap)) % cap
    ordered = jax.tree.map(lambda buf: buf[index], state.samples)
    return jax.tree.map(lambda x: x[: int(state.size)], ordered)
