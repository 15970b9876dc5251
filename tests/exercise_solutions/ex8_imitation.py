"""Reference solution of exercise 8 (imitation targets and metrics). Not for students' eyes."""

from __future__ import annotations

import numpy as np


def one_hot_targets(moves, num_actions):
    return np.eye(num_actions, dtype=np.float32)[np.asarray(moves)]


def value_targets(num_moves, first_mover_outcome, num_players):
    t = np.arange(num_moves)
    sign = np.where(t % 2 == 0, 1.0, -1.0) if num_players == 2 else np.ones(num_moves)
    return (first_mover_outcome * sign).astype(np.float32)


def top_k_accuracy(logits, expert_moves, k):
    top = np.argsort(-np.asarray(logits), axis=1)[:, :k]
    return float((top == np.asarray(expert_moves)[:, None]).any(1).mean())


def split_by_game(game, validation_fraction, seed):
    games = np.unique(game)
    held = max(1, round(validation_fraction * len(games))) if validation_fraction > 0 else 0
    held_out = np.random.default_rng(seed).permutation(games)[:held]
    validation = np.isin(game, held_out)
    return ~validation, validation
