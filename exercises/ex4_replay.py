"""Exercise 4 — a replay window.

Fill in `init`, `add`, `sample` and `oldest_first`, then run

    alphazero exercise check 4

AlphaZero trains on positions drawn uniformly from the most recent self-play games. A replay
*window* keeps the newest `capacity` rows and forgets the oldest first (FIFO). On an accelerator
it is a fixed-size array plus a write cursor, so it never changes shape and can live inside jitted
code: `add` writes the new rows at the cursor, wrapping around to the start when it reaches the
end, and the cursor and size are updated.

Rules the grader checks:

- pure functions: `add` returns a new `Window` and leaves the old one unchanged, and works under
  `jax.jit` (so cursor and size are JAX scalars and positions are computed with `%`, not Python
  `if`s on traced values);
- `size` counts filled rows and never exceeds `capacity`;
- `oldest_first` returns exactly the stored rows, oldest first;
- `sample` draws `batch_size` rows uniformly, with replacement, from the filled rows only;
- adding more rows at once than the capacity raises `ValueError` (a plain Python check on shapes).
"""

from __future__ import annotations

from typing import NamedTuple

import jax


class Window(NamedTuple):
    rows: jax.Array  # [capacity, D] stored rows (unfilled rows are zeros)
    cursor: jax.Array  # [] int32, index where the next row will be written
    size: jax.Array  # [] int32, number of filled rows, <= capacity


def init(capacity: int, dim: int) -> Window:
    """An empty window for rows of `dim` float32 numbers."""
    raise NotImplementedError("init")


def add(window: Window, rows: jax.Array) -> Window:
    """Appends rows [N, D] after the newest ones, overwriting the oldest when full."""
    raise NotImplementedError("add")


def sample(window: Window, key: jax.Array, batch_size: int) -> jax.Array:
    """[batch_size, D] rows drawn uniformly with replacement from the filled rows."""
    raise NotImplementedError("sample")


def oldest_first(window: Window) -> jax.Array:
    """The filled rows [size, D] in the order they were added (call it outside jit)."""
    raise NotImplementedError("oldest_first")
