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
import pgx.core as core
from pgx._src.struct import dataclass

from games.countdown_observations import NUM_FEATURES, _render, decode, encode, features, render
from games.countdown_rules import (  # the token constants re-exported for scripts and tests
    _STEP_OPS,
    BAR,
    COLON,
    COMMA,
    DIGIT0,
    DIVIDE,
    DRAFT_LEN,
    EQUALS,
    MINUS,
    PAD,
    PLUS,
    SEMICOLON,
    SPLITS,
    STATE_LEN,
    TIMES,
    TOKEN,
    VOCAB,
    _apply_step,
    _bucket,
    _combine,
    _grammar_mask,
    _sort,
    _step_legal_mask,
    _write,
    split_of,
)
from games.countdown_solver import MAX_NUMBERS, OPS, PAIRS

__all__ = ["BAR", "COLON", "COMMA", "DIGIT0", "DIVIDE", "DRAFT_LEN", "EQUALS", "MAX_NUMBERS",
           "MINUS", "NUM_FEATURES", "PAD", "PLUS", "SEMICOLON", "SPLITS", "STATE_LEN", "TIMES",
           "TOKEN", "VOCAB", "Countdown", "State", "decode", "encode", "features", "render",
           "split_of"]  # fmt: skip

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
        observation: "text" (tokens, for the transformer torso) or, in step mode, "numbers"
            (`features`: the numbers and every step's result as values, for the mlp torso).
        instances: optional fixed table (numbers [N, 6] with -1 padding, targets [N]) that `init`
            draws from uniformly instead (then k, values, targets and split are not used).
    """

    def __init__(self, k: int | tuple[int, int] = 4, values=(1, 25), targets=(10, 999),
                 split: str = "train", mode: str = "step", instances=None,
                 observation: str = "text"):  # fmt: skip
        super().__init__()
        if observation not in ("text", "numbers") or (observation, mode) == ("numbers", "token"):
            raise ValueError(f"observation {observation!r} in {mode} mode: text, or numbers in "
                             "step mode")  # fmt: skip
        self.observation = observation
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
            self._held_out = Countdown(self.k, self.values, self.targets, "test", self.mode,
                                       observation=self.observation)  # fmt: skip
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
        return numbers, target, self.valid_instance(numbers, target)

    def valid_instance(self, numbers: jax.Array, target: jax.Array) -> jax.Array:
        """[] bool: an instance `init` may draw (sorted numbers [6]): the target in range and not
        one of the numbers, the hash bucket of this split, and in the train split no Game-of-24
        set. Hindsight relabelling keeps only relabelled instances that pass it."""
        numbers, target = jnp.asarray(numbers, jnp.int32), jnp.asarray(target, jnp.int32)
        k = (numbers >= 0).sum()
        bucket = _bucket(numbers, target)
        in_split = bucket == SPLITS[self.split] if self.split in SPLITS else bucket >= 2
        game_of_24 = (k == 4) & (target == 24) & (numbers[0] <= 13)
        valid = (target >= self.targets[0]) & (target <= self.targets[1]) & in_split
        return valid & ~(numbers == target).any() & ~(game_of_24 & (self.split == "train"))

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

    def achieved_goal(self, state: State) -> jax.Array:
        """[] int32: the target the numbers reached, the last number left once an episode has
        ended (hindsight relabelling: a solved target for the same starting numbers)."""
        return state._numbers[0]

    def with_goal(self, state: State, goal: jax.Array) -> State:
        """The same numbers with target `goal` (observation recomputed)."""
        state = state.replace(_target=jnp.asarray(goal, jnp.int32))
        return state.replace(observation=self.observe(state))

    def exact_value(self, state: State) -> tuple[jax.Array, jax.Array]:
        """(known [], value []) for one state: the exact check MCTS-Solver may make. Known for a
        finished episode (value: its reward) and, in step mode, with two numbers left (value 1
        if one of the 4 ops on them gives the target, else 0); nowhere else."""
        a, b, target = state._numbers[0], state._numbers[1], state._target
        hits = jax.vmap(lambda op: _combine(a, b, op))(_STEP_OPS)  # ([4], [4])
        solved = jnp.any(hits[1] & (hits[0] == target))
        two_left = ((state._numbers >= 0).sum() == 2) & (self.mode == "step")
        known = state.terminated | two_left
        value = jnp.where(state.terminated, state.rewards[0], solved.astype(jnp.float32))
        return known, value

    def _legal_action_mask(self, state: State) -> jax.Array:
        if self.mode == "step":
            return _step_legal_mask(state._numbers)
        return _grammar_mask(state)

    @property
    def vocab(self) -> tuple[str, ...]:
        """The observation tokens the transformer torso embeds (text observations only)."""
        if self.observation != "text":
            raise AttributeError("numeric observations have no vocabulary")
        return VOCAB

    def _observe(self, state: State, player_id: jax.Array) -> jax.Array:
        del player_id
        if self.observation == "numbers":
            return features(state._numbers, state._target)
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
