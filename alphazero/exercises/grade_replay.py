"""Grader of exercise 4: a replay window (exercises/ex4_replay.py)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from alphazero import exercises


@pytest.fixture(scope="module")
def impl():
    return exercises.submission()


def _rows(start: int, num: int) -> jax.Array:
    """Rows [num, 2] whose first column numbers them: start, start + 1, ..."""
    ids = jnp.arange(start, start + num, dtype=jnp.float32)
    return jnp.stack([ids, -ids], axis=1)


def _ids(rows) -> list[int]:
    return [int(x) for x in np.asarray(rows)[:, 0]]


def test_empty_window(impl):
    window = impl.init(5, 2)
    assert np.asarray(window.rows).shape == (5, 2), "rows: [capacity, dim]"
    assert int(window.size) == 0 and int(window.cursor) == 0, "an empty window: size 0, cursor 0"


def test_fills_in_order(impl):
    window = impl.add(impl.add(impl.init(5, 2), _rows(0, 2)), _rows(2, 2))
    assert int(window.size) == 4, "two adds of 2 rows into capacity 5: size 4"
    assert _ids(impl.oldest_first(window)) == [0, 1, 2, 3], "rows kept in insertion order"


def test_drops_the_oldest_when_full(impl):
    window = impl.init(5, 2)
    for start in range(0, 12, 3):  # 12 rows in adds of 3 into capacity 5
        window = impl.add(window, _rows(start, 3))
    assert int(window.size) == 5, "size never exceeds the capacity"
    assert _ids(impl.oldest_first(window)) == [7, 8, 9, 10, 11], (
        "after rows 0..11 only the newest 5 remain, oldest first"
    )


def test_add_is_pure_and_jittable(impl):
    window = impl.init(4, 2)
    after = jax.jit(impl.add)(window, _rows(0, 3))
    after = jax.jit(impl.add)(after, _rows(3, 3))  # wraps around under jit
    assert int(window.size) == 0, "add must not modify the window it was given"
    assert _ids(impl.oldest_first(after)) == [2, 3, 4, 5], "wrap-around under jax.jit"


def test_too_many_rows_raise(impl):
    with pytest.raises(ValueError):
        impl.add(impl.init(3, 2), _rows(0, 4))


def test_sample_only_filled_rows_uniformly(impl):
    window = impl.add(impl.init(10, 2), _rows(100, 4))  # rows 100..103, six empty slots
    batch = impl.sample(window, jax.random.PRNGKey(0), 4000)
    assert np.asarray(batch).shape == (4000, 2), "sample returns [batch_size, D]"
    ids = _ids(batch)
    assert set(ids) == {100, 101, 102, 103}, "samples come from the filled rows only, all of them"
    counts = np.bincount(np.array(ids) - 100)
    assert counts.min() > 850, f"uniform over filled rows: expected ~1000 each, got {counts}"


def test_sample_depends_on_the_key(impl):
    window = impl.add(impl.init(50, 2), _rows(0, 50))
    first = _ids(impl.sample(window, jax.random.PRNGKey(1), 20))
    second = _ids(impl.sample(window, jax.random.PRNGKey(2), 20))
    assert first != second, "different keys should give different samples"
