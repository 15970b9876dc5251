"""Countdown's observations: text ("target:n1,n2,..." as character tokens, for the transformer
torso) and numbers (`features`: values, for the mlp torso)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from games.countdown_rules import (
    _PAIRS,
    _STEP_OPS,
    COLON,
    COMMA,
    DIGIT0,
    MAX_DIGITS,
    PAD,
    STATE_LEN,
    TOKEN,
    VOCAB,
    _combine,
    _step_legal_mask,
)
from games.countdown_solver import MAX_NUMBERS, OPS, PAIRS, VALUE_CAP


def encode(text: str) -> list[int]:
    return [TOKEN[c] for c in text]


def decode(tokens) -> str:
    return "".join(VOCAB[int(t)] for t in tokens if int(t) != PAD)


def render(numbers, target: int) -> str:
    """The observation text, e.g. '24:8,5,3,1' (numbers sorted descending, -1 entries skipped)."""
    present = sorted((int(n) for n in numbers if n >= 0), reverse=True)
    return f"{int(target)}:" + ",".join(map(str, present))



def _digits(n: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Digit tokens of n >= 0, most significant first, padded to 6, and their number."""
    ndig = 1 + sum((n >= 10**p).astype(jnp.int32) for p in range(1, MAX_DIGITS))
    power = 10 ** jnp.clip(ndig - 1 - jnp.arange(MAX_DIGITS), 0, MAX_DIGITS - 1)
    return DIGIT0 + (n // power) % 10, ndig


def _render(numbers: jax.Array, target: jax.Array) -> jax.Array:
    """[48] tokens of 'target:n1,n2,...' (numbers sorted descending)."""
    fields = jnp.concatenate([target[None], numbers])  # [7]
    digits, ndig = jax.vmap(_digits)(jnp.maximum(fields, 0))  # [7, 6], [7]
    present = fields >= 0
    last = jnp.arange(7) == (present.sum() - 1)
    sep = jnp.where(jnp.arange(7) == 0, COLON, COMMA)
    length = jnp.where(present, ndig + ~last, 0)  # digits, then ':' or ',' unless last
    chars = jnp.concatenate([digits, sep[:, None]], axis=1)  # [7, 7]
    chars = jnp.where(jnp.arange(7)[None] == ndig[:, None], sep[:, None], chars)
    position = (jnp.cumsum(length) - length)[:, None] + jnp.arange(7)[None]  # [7, 7]
    index = jnp.where(jnp.arange(7)[None] < length[:, None], position, STATE_LEN)
    return jnp.zeros(STATE_LEN, jnp.int32).at[index].set(chars, mode="drop")


def _scaled(x: jax.Array) -> jax.Array:
    """log(1 + x) / log(1 + VALUE_CAP): a value 0..VALUE_CAP as a feature in [0, 1]."""
    return jnp.log1p(jnp.maximum(x, 0).astype(jnp.float32)) / np.log1p(VALUE_CAP)


def features(numbers: jax.Array, target: jax.Array) -> jax.Array:
    """[NUM_FEATURES] float32 numeric observation of sorted numbers [6] and a target: what a
    small network can read without learning arithmetic from characters.

    - the target (scaled) and how many numbers are left (/ 6);
    - per slot (6): present, n, (target - n) signed, n / target (capped at 4, / 4);
    - per step-mode action (60): legal, its result c, (target - c) signed, c == target;
    with values scaled by `_scaled` and signed ones as sign(d) * _scaled(|d|). Empty slots and
    illegal actions are all zeros."""
    numbers, target = jnp.asarray(numbers, jnp.int32), jnp.asarray(target, jnp.int32)
    t = target.astype(jnp.float32)

    def toward(x):
        d = target - x
        return jnp.sign(d).astype(jnp.float32) * _scaled(jnp.abs(d))

    present = numbers >= 0
    n = jnp.maximum(numbers, 0)
    ratio = jnp.minimum(n / jnp.maximum(t, 1.0), 4.0) / 4.0
    slots = jnp.stack([present, _scaled(n), toward(n), ratio], -1) * present[:, None]  # [6, 4]
    a, b = numbers[_PAIRS[:, 0]], numbers[_PAIRS[:, 1]]  # [15]
    c, _ = jax.vmap(lambda a, b: jax.vmap(lambda op: _combine(a, b, op))(_STEP_OPS))(a, b)
    legal = _step_legal_mask(numbers).reshape(c.shape)  # [15, 4]
    steps = jnp.stack([legal, _scaled(c), toward(c), c == target], -1) * legal[..., None]
    head = jnp.stack([_scaled(target), present.sum() / MAX_NUMBERS])
    return jnp.concatenate([head, slots.reshape(-1), steps.reshape(-1)]).astype(jnp.float32)


NUM_FEATURES = 2 + MAX_NUMBERS * 4 + len(PAIRS) * len(OPS) * 4  # 266
