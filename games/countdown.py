"""Countdown (Game of 24 and its deeper cousins) as a one-player pgx environment with text
observations.

An instance is k numbers and a target. Every number must be used exactly once: k - 1 steps, each
replacing two numbers a >= b by a + b, a * b, a - b or a / b (exact integer division, results at
most `VALUE_CAP`). Reward 1 when the last number equals the target, else 0 (a verifier, no shaping).
The depth knob is k (2..6); the tree has prod_{m=2..k} 4 * C(m, 2) leaves in step mode.

    env = Countdown(k=5)                        # instances drawn by `init(key)`, train split
    env = Countdown(k=5, split="test")          # held-out instances of the same distribution
    state = env.init_instance(numbers, target)  # a given instance (numbers: [6], -1 = no number)

Observations are character tokens (`VOCAB`, 22 symbols) of the text "target:n1,n2,...", numbers
sorted descending, right-padded to 48 tokens: the network reads text, the rules stay exact.

Two action modes share the rules:
- `step` (default): action = 4 * pair + op over the 15 slot pairs (i < j) of the sorted numbers
  and the 4 ops "+*-/" applied as a OP b with a >= b: 60 actions, illegal ones masked. The
  mirrored ops (b - a, b / a) of the 6-op formulation give no number these do not.
- `token`: the agent writes each step itself, one character per action, as "a op b = c ;" (any
  order of a and b). The mask only enforces the grammar (digits, then an op, digits, '=',
  digits, ';'; at most 6 digits, no leading zeros); at ';' the environment checks that a and b
  are present and that c is right. A wrong step ends the episode with reward 0. Observation:
  the 48 state tokens, then '|' and the step being written (72 tokens).

Instances are drawn inside `init` (jittable): k numbers uniform in `values`, then a random legal
path of k - 1 steps gives the target, kept if it lies in `targets` and is not one of the numbers
(rejection sampling). A hash of (numbers, target) puts every instance in one split
(`split_of`: 10% test, 10% validation, 80% train); the train split also excludes the Game-of-24
sets (k = 4, target 24, numbers 1..13) so they stay held out. The exact solver is
`games/countdown_solver.py`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pgx.core as core
from pgx._src.struct import dataclass

from games.countdown_solver import MAX_NUMBERS, OPS, PAIRS, VALUE_CAP

VOCAB = ("<pad>", "<bos>", "<eos>", *"0123456789", *"+-*/", "=", ":", ",", "|", ";")
TOKEN = {s: i for i, s in enumerate(VOCAB)}
PAD, DIGIT0, PLUS, MINUS, TIMES, DIVIDE = 0, 3, 13, 14, 15, 16
EQUALS, COLON, COMMA, BAR, SEMICOLON = 17, 18, 19, 20, 21
STATE_LEN, DRAFT_LEN = 48, 24  # tokens of "target:numbers" and of "|a op b = c ;"
MAX_DIGITS = 6
SPLITS = {"test": 0, "validation": 1}  # hash bucket (of 10); the rest is "train"
_STEP_OPS = jnp.array([TOKEN[c] for c in OPS])  # step-mode op index -> its character
_PAIRS = jnp.array(PAIRS)  # [15, 2]


def encode(text: str) -> list[int]:
    return [TOKEN[c] for c in text]


def decode(tokens) -> str:
    return "".join(VOCAB[int(t)] for t in tokens if int(t) != PAD)


def render(numbers, target: int) -> str:
    """The observation text, e.g. '24:8,5,3,1' (numbers sorted descending, -1 entries skipped)."""
    present = sorted((int(n) for n in numbers if n >= 0), reverse=True)
    return f"{int(target)}:" + ",".join(map(str, present))


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


@dataclass
class State(core.State):
    current_player: jax.Array = jnp.int32(0)
    observation: jax.Array = jnp.zeros(STATE_LEN, jnp.int32)  # [L] tokens
    rewards: jax.Array = jnp.float32([0.0])  # [1]
    terminated: jax.Array = jnp.bool_(False)
    truncated: jax.Array = jnp.bool_(False)
    legal_action_mask: jax.Array = jnp.ones(len(PAIRS) * len(OPS), jnp.bool_)  # [A]
    _step_count: jax.Array = jnp.int32(0)
    _numbers: jax.Array = jnp.full(MAX_NUMBERS, -1, jnp.int32)  # [6] descending, -1 = none
    _target: jax.Array = jnp.int32(0)
    _draft: jax.Array = jnp.zeros(DRAFT_LEN - 1, jnp.int32)  # [23] token mode: step so far
    _draft_values: jax.Array = jnp.zeros(3, jnp.int32)  # [3] a, b, c written so far
    _draft_digits: jax.Array = jnp.zeros(3, jnp.int32)  # [3] digits written of a, b, c
    _draft_op: jax.Array = jnp.int32(0)  # token of the op, 0 before it

    @property
    def env_id(self) -> str:
        return "countdown"

    @property
    def numbers(self) -> jax.Array:
        return self._numbers

    @property
    def target(self) -> jax.Array:
        return self._target


class Countdown(core.Env):
    """Countdown with k numbers (an int, or a (min, max) range drawn per instance).

    Args:
        k: numbers per instance, 2..6 (steps: k - 1).
        values: (low, high) range of the numbers.
        targets: (low, high) range of the targets.
        split: "train", "validation" or "test": which hash buckets `init` draws from.
        mode: "step" (60 actions) or "token" (22 actions, one character each).
        instances: optional fixed table (numbers [N, 6] with -1 padding, targets [N]) that `init`
            draws from uniformly instead (then k, values, targets and split are not used).
    """

    vocab = VOCAB  # observation tokens (the transformer torso embeds them)

    def __init__(self, k: int | tuple[int, int] = 4, values=(1, 25), targets=(10, 999),
                 split: str = "train", mode: str = "step", instances=None):  # fmt: skip
        super().__init__()
        self.k = (k, k) if isinstance(k, int) else tuple(k)
        if not 2 <= self.k[0] <= self.k[1] <= MAX_NUMBERS:
            raise ValueError(f"k must lie in 2..{MAX_NUMBERS}, got {k}")
        if mode not in ("step", "token") or split not in ("train", "validation", "test"):
            raise ValueError(f"unknown mode {mode!r} or split {split!r}")
        self.values, self.targets, self.split, self.mode = values, targets, split, mode
        self.instances = None
        if instances is not None:
            self.instances = tuple(jnp.asarray(x, jnp.int32) for x in instances)

    def held_out(self) -> Countdown:
        """The same distribution's test split (a fixed instance table: itself). One object per
        environment, so jitted evaluations that take it as a static argument compile once."""
        if self.instances is not None:
            return self
        if not hasattr(self, "_held_out"):
            self._held_out = Countdown(self.k, self.values, self.targets, "test", self.mode)
        return self._held_out

    # Instances -----------------------------------------------------------------------------

    def _candidate(self, key: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        k_key, n_key, path_key = jax.random.split(key, 3)
        k = jax.random.randint(k_key, (), self.k[0], self.k[1] + 1)
        numbers = jax.random.randint(n_key, (MAX_NUMBERS,), self.values[0], self.values[1] + 1)
        numbers = _sort(jnp.where(jnp.arange(MAX_NUMBERS) < k, numbers, -1))

        def random_step(i, x):
            mask = _step_legal_mask(x)
            logits = jnp.where(mask, 0.0, -jnp.inf)
            action = jax.random.categorical(jax.random.fold_in(path_key, i), logits)
            return jnp.where((x >= 0).sum() > 1, _apply_step(x, action), x)

        target = jax.lax.fori_loop(0, MAX_NUMBERS - 1, random_step, numbers)[0]
        bucket = _bucket(numbers, target)
        in_split = bucket == SPLITS[self.split] if self.split in SPLITS else bucket >= 2
        game_of_24 = (k == 4) & (target == 24) & (numbers[0] <= 13)
        valid = (target >= self.targets[0]) & (target <= self.targets[1]) & in_split
        valid &= ~(numbers == target).any() & ~(game_of_24 & (self.split == "train"))
        return numbers, target, valid

    def _draw(self, key: jax.Array) -> tuple[jax.Array, jax.Array]:
        if self.instances is not None:
            i = jax.random.randint(key, (), 0, self.instances[1].shape[0])
            return _sort(self.instances[0][i]), self.instances[1][i]

        def draw_16(carry):  # rejection sampling, 16 candidates at a time
            key, _, _, _, rounds = carry
            key, sub = jax.random.split(key)
            numbers, target, valid = jax.vmap(self._candidate)(jax.random.split(sub, 16))
            first = jnp.argmax(valid)
            return key, numbers[first], target[first], valid.any(), rounds + 1

        def searching(carry):  # bounded, so impossible settings cannot hang (tests: never hit)
            return ~carry[3] & (carry[4] < 256)

        start = (key, jnp.full(MAX_NUMBERS, -1, jnp.int32), jnp.int32(0), jnp.bool_(False), 0)
        _, numbers, target, _, _ = jax.lax.while_loop(searching, draw_16, start)
        return numbers, target

    def init_instance(self, numbers: jax.Array, target: jax.Array) -> State:
        """The start state of a given instance (numbers [6], any order, -1 = no number)."""
        state = State(_numbers=_sort(jnp.asarray(numbers, jnp.int32)),
                      _target=jnp.asarray(target, jnp.int32))  # fmt: skip
        state = state.replace(legal_action_mask=self._legal_action_mask(state))
        return state.replace(observation=self.observe(state))

    # pgx Env -----------------------------------------------------------------------------

    def _init(self, key: jax.Array) -> State:
        return self.init_instance(*self._draw(key))

    def _step(self, state: State, action: jax.Array, key) -> State:
        del key
        action = jnp.asarray(action, jnp.int32)  # a Python int outside jit works too
        if self.mode == "step":
            numbers, failed = _apply_step(state._numbers, action), jnp.bool_(False)
            state = state.replace(_numbers=numbers)
        else:
            state, failed = _write(state, action)
        done = failed | ((state._numbers >= 0).sum() == 1)
        solved = done & ~failed & (state._numbers[0] == state._target)
        state = state.replace(terminated=done, rewards=solved.astype(jnp.float32)[None])
        return state.replace(legal_action_mask=self._legal_action_mask(state))

    def _legal_action_mask(self, state: State) -> jax.Array:
        if self.mode == "step":
            return _step_legal_mask(state._numbers)
        return _grammar_mask(state)

    def _observe(self, state: State, player_id: jax.Array) -> jax.Array:
        del player_id
        tokens = _render(state._numbers, state._target)
        if self.mode == "step":
            return tokens
        return jnp.concatenate([tokens, jnp.int32([BAR]), state._draft])

    @property
    def id(self) -> str:
        return "countdown"

    @property
    def version(self) -> str:
        return "v0"

    @property
    def num_players(self) -> int:
        return 1


# Token mode -------------------------------------------------------------------------------


def _grammar_mask(state: State) -> jax.Array:
    """[22] characters that keep "a op b = c ;" well formed (arithmetic is not checked)."""
    phase = (state._draft_op > 0).astype(jnp.int32) + (state._draft == EQUALS).any()
    digits, value = state._draft_digits[phase], state._draft_values[phase]
    more_digits = (digits == 0) | ((digits < MAX_DIGITS) & (value > 0))  # no leading zeros
    mask = jnp.zeros(len(VOCAB), jnp.bool_).at[DIGIT0 : DIGIT0 + 10].set(more_digits)
    mask = mask.at[PLUS : DIVIDE + 1].set((phase == 0) & (digits > 0))
    mask = mask.at[EQUALS].set((phase == 1) & (digits > 0))
    return mask.at[SEMICOLON].set((phase == 2) & (digits > 0))


def _write(state: State, token: jax.Array) -> tuple[State, jax.Array]:
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
