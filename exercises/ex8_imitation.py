"""Exercise 8 — Learning from an expert: targets, accuracy and an honest validation split.

Fill in the four functions, then run

    alphazero exercise check 8

AlphaGo started by imitation: its policy network learned to predict the move a strong human
played (57% of KGS moves right), and only then improved by RL. alphazero/imitation.py does the
same with the AlphaZero network and loss, so an expert game must become ordinary training
samples, and the network's progress must be measured on games it has never seen.

- Policy target: the expert's move as a one-hot distribution over the A actions.
- Value target: the game's outcome from the view of the player to move. With two players the
  movers alternate (move 0 is the first player's, move 1 the second's, ...), so the sign flips
  every move; with one player it never flips. An outcome is +1 (win), 0 (draw) or -1 (loss),
  given for the FIRST mover.
- Top-k accuracy: the expert's move is among the k actions the network rates highest.
- Split by game: positions of one game are nearly copies of each other (same stones, one move
  apart), so a validation set made of random POSITIONS would share games with the training set
  and flatter the network. Hold out whole GAMES.
"""

from __future__ import annotations

import numpy as np


def one_hot_targets(moves: np.ndarray, num_actions: int) -> np.ndarray:
    """[T] int expert moves -> [T, A] float32 rows with a single 1 at the expert's move."""
    raise NotImplementedError("one_hot_targets")


def value_targets(num_moves: int, first_mover_outcome: float, num_players: int) -> np.ndarray:
    """[T] float32 outcome from the view of the player making move t (t = 0 .. T-1).

    Two players, first mover won (+1), 4 moves: [1, -1, 1, -1]. One player: all equal.
    """
    raise NotImplementedError("value_targets")


def top_k_accuracy(logits: np.ndarray, expert_moves: np.ndarray, k: int) -> float:
    """Fraction of rows of logits [N, A] whose k highest entries include expert_moves [N]."""
    raise NotImplementedError("top_k_accuracy")


def split_by_game(game: np.ndarray, validation_fraction: float, seed: int):
    """Boolean masks (train [N], validation [N]) over positions whose game ids are game [N].

    Hold out round(validation_fraction * number of distinct games) whole games (at least one
    when the fraction is positive), chosen at random with `seed`; every position of a held-out
    game is in validation, every other position in train.
    """
    raise NotImplementedError("split_by_game")
