"""Countdown's rules core, shared by the environment (games/countdown.py) and its observations
(games/countdown_observations.py): the vocabulary, the hash split of instances, the four
operations, step-mode legality and transitions, and token mode's grammar and step check.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from games.countdown_solver import OPS, PAIRS, VALUE_CAP

VOCAB = ("<pad>", "<bos>", "<eos>", *"0123456789", *"+-*/", "=", ":", ",", "|", ";")
TOKEN = {s: i for i, s in enumerate(VOCAB)}
PAD, DIGIT0, PLUS, MINUS, TIMES, DIVIDE = 0, 3, 13, 14, 15, 16
EQUALS, COLON, COMMA, BAR, SEMICOLON = 17, 18, 19, 20, 21
STATE_LEN, DRAFT_LEN = 48, 24  # tokens of "target:numbers" and of "|a op b = c ;"
MAX_DIGITS = 6
SPLITS = {"test": 0, "validation": 1}  # hash bucket (of 10); the rest is "train"
_STEP_OPS = jnp.array([TOKEN[c] for c in OPS])  # step-mode op index -> its character
_PAIRS = jnp.array(PAIRS)  # [15, 2]


def split_of(numbers, target) -> np.ndarray:
    """Hash bucket 0..9 of instances (numbers [..., 6] with -1 padding, any order; target [...]);
    bucket 0 = test, 1 = validation. The same function as the environment's, in NumPy."""
    return np.asarray(_bucket(jnp.asarray(numbers, jnp.int32), jnp.asarray(target, jnp.int32)))


def _bucket(numbers: jax.Array, target: jax.Array) -> jax.Array:
    h = target.astype(jnp.uint32) * jnp.uint32(0x9E3779B1)
    for n in jnp.moveaxis(-jnp.sort(-numbers, axis=-1), -1, 0):
        h = (h ^ (n + 1).astype(jnp.uint32)) * jnp.uint32(0x85EBCA6B)
        h = h ^ (h >> 13)
    return ((h ^ (h >> 16)) % 10).astype(jnp.int32)



def _combine(a: jax.Array, b: jax.Array, op: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(a OP b, legal) for an op token; illegal: negative, inexact or by 0, over the cap."""
    safe_b = jnp.maximum(b, 1)
    mul_ok = (b == 0) | (a <= VALUE_CAP // safe_b)  # check before multiplying: no int32 overflow
    values = jnp.stack([a + b, a - b, jnp.where(mul_ok, a * b, 0), a // safe_b])
    ok = jnp.stack([jnp.bool_(True), a >= b, mul_ok, (b > 0) & (a % safe_b == 0)])
    index = op - PLUS
    c = values[index]
    return c, ok[index] & (c >= 0) & (c <= VALUE_CAP)


def _sort(numbers: jax.Array) -> jax.Array:
    return -jnp.sort(-numbers)  # descending; empty slots (-1) last


def _step_legal_mask(numbers: jax.Array) -> jax.Array:
    """[60] legal step-mode actions for sorted numbers [6]."""
    count = (numbers >= 0).sum()
    a, b = numbers[_PAIRS[:, 0]], numbers[_PAIRS[:, 1]]  # [15]
    ok = jax.vmap(lambda a, b: jax.vmap(lambda op: _combine(a, b, op)[1])(_STEP_OPS))(a, b)
    return (ok & (_PAIRS[:, 1] < count)[:, None]).reshape(-1)


def _apply_step(numbers: jax.Array, action: jax.Array) -> jax.Array:
    (i, j), op = _PAIRS[action // len(OPS)], _STEP_OPS[action % len(OPS)]
    c, _ = _combine(numbers[i], numbers[j], op)
    return _sort(numbers.at[i].set(c).at[j].set(-1))



# Token mode (the state is games.countdown.State) ----------------------------------------


def _grammar_mask(state) -> jax.Array:
    """[22] characters that keep "a op b = c ;" well formed (arithmetic is not checked)."""
    phase = (state._draft_op > 0).astype(jnp.int32) + (state._draft == EQUALS).any()
    digits, value = state._draft_digits[phase], state._draft_values[phase]
    more_digits = (digits == 0) | ((digits < MAX_DIGITS) & (value > 0))  # no leading zeros
    mask = jnp.zeros(len(VOCAB), jnp.bool_).at[DIGIT0 : DIGIT0 + 10].set(more_digits)
    mask = mask.at[PLUS : DIVIDE + 1].set((phase == 0) & (digits > 0))
    mask = mask.at[EQUALS].set((phase == 1) & (digits > 0))
    return mask.at[SEMICOLON].set((phase == 2) & (digits > 0))


def _write(state, token: jax.Array) -> tuple[object, jax.Array]:
    """Appends one character; at ';' checks and applies the step. Returns (state, failed)."""
    phase = (state._draft_op > 0).astype(jnp.int32) + (state._draft == EQUALS).any()
    is_digit = (token >= DIGIT0) & (token < DIGIT0 + 10)
    value = state._draft_values[phase] * 10 + token - DIGIT0
    state = state.replace(
        _draft=state._draft.at[(state._draft != PAD).sum()].set(token),
        _draft_values=jnp.where(
            is_digit, state._draft_values.at[phase].set(value), state._draft_values
        ),  # fmt: skip
        _draft_digits=state._draft_digits.at[phase].add(is_digit.astype(jnp.int32)),
        _draft_op=jnp.where((token >= PLUS) & (token <= DIVIDE), token, state._draft_op),
    )
    a, b, c = state._draft_values
    numbers = state._numbers
    slot_a = jnp.argmax(numbers == a)
    rest = numbers.at[slot_a].set(-2)  # a is used: b must be another copy
    slot_b = jnp.argmax(rest == b)
    result, legal = _combine(a, b, jnp.maximum(state._draft_op, PLUS))
    right = (numbers == a).any() & (rest == b).any() & legal & (result == c)
    commit = token == SEMICOLON
    applied = _sort(numbers.at[slot_a].set(c).at[slot_b].set(-1))
    cleared = state.replace(_draft=jnp.zeros_like(state._draft), _draft_op=jnp.int32(0),
                            _draft_values=jnp.zeros(3, jnp.int32),
                            _draft_digits=jnp.zeros(3, jnp.int32),
                            _numbers=jnp.where(right, applied, numbers))  # fmt: skip
    state = jax.tree.map(lambda x, y: jnp.where(commit, x, y), cleared, state)
    return state, commit & ~right
