"""replay.py: FIFO order, capacity, and sampling only from filled slots."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from alphazero import replay
from alphazero.types import Samples


def _samples(start: int, num: int) -> Samples:
    ids = jnp.arange(start, start + num, dtype=jnp.float32)
    return Samples(ids[:, None], jnp.ones((num, 2)) / 2, ids, jnp.ones(num))


def test_replay__fifo_order_and_capacity():
    state = replay.init(_samples(0, 1), capacity=5)
    state = replay.add(state, _samples(0, 3))
    assert int(state.size) == 3
    np.testing.assert_array_equal(np.asarray(replay.oldest_first(state).value_target), [0, 1, 2])
    state = replay.add(state, _samples(3, 4))  # 7 added, capacity 5: 0 and 1 are dropped
    assert int(state.size) == 5
    np.testing.assert_array_equal(
        np.asarray(replay.oldest_first(state).value_target), [2, 3, 4, 5, 6]
    )


def test_replay__samples_only_filled_slots():
    state = replay.init(_samples(0, 1), capacity=100)
    state = replay.add(state, _samples(10, 4))
    batch = jax.jit(replay.sample, static_argnums=2)(state, jax.random.PRNGKey(0), 256)
    assert set(np.asarray(batch.value_target).tolist()) == {10.0, 11.0, 12.0, 13.0}


def test_replay__rejects_more_than_capacity():
    state = replay.init(_samples(0, 1), capacity=2)
    try:
        replay.add(state, _samples(0, 3))
    except ValueError as error:
        assert "capacity 2" in str(error)
    else:
        raise AssertionError("adding 3 samples to capacity 2 must fail")


def test_replay__keep_writes_only_the_kept_rows_in_order():
    state = replay.init(_samples(0, 1), capacity=5)
    state = replay.add(state, _samples(0, 3))
    keep = jnp.array([True, False, False, True, True])
    state = jax.jit(replay.add)(state, _samples(10, 5), keep)  # 10, 13, 14 kept: 0 is dropped
    assert int(state.size) == 5 and int(state.cursor) == 1
    np.testing.assert_array_equal(
        np.asarray(replay.oldest_first(state).value_target), [1, 2, 10, 13, 14]
    )
    state = replay.add(state, _samples(20, 2), jnp.zeros(2, bool))  # nothing kept: unchanged
    assert int(state.cursor) == 1
