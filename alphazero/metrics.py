"""Logged scalars: their names, and a TensorBoard writer that needs no TensorFlow.

Every name is documented in docs/metrics.md (a test checks that each name here appears there).
Namespaces: `selfplay/`, `train/`, `eval/`, `perf/`, and `imitation/` for the supervised phase.
"""

from __future__ import annotations

from pathlib import Path

from tensorboard.summary import Writer as _TBWriter

NAMES = (
    "selfplay/game_length",
    "selfplay/games",
    "selfplay/positions",
    "selfplay/root_value",
    "selfplay/policy_targets",
    "selfplay/simulations",
    "selfplay/network_evaluations",
    "train/loss",
    "train/policy_loss",
    "train/policy_kl",
    "train/value_loss",
    "train/policy_entropy",
    "train/value_mean",
    "train/learning_rate",
    "train/updates",
    "train/skipped_updates",
    "train/replay_size",
    "perf/compile_s",
    "perf/selfplay_s",
    "perf/learn_s",
    "perf/positions_per_s",
    "perf/samples_per_s",
    "perf/iteration_s",
    "perf/wall_time_s",
)
# Per-opponent names are built with these prefixes, e.g. eval/win_rate/random.
EVAL_PREFIXES = (
    "eval/win_rate/",
    "eval/draw_rate/",
    "eval/loss_rate/",
    "eval/score_first/",
    "eval/score_second/",
    "eval/disagreements/",
)
# KataGo's auxiliary losses, logged when the network has the heads (network.score_heads,
# network.reply_head).
AUXILIARY_NAMES = ("train/ownership_loss", "train/score_loss", "train/reply_loss")
# Hindsight relabelling (selfplay.hindsight): relabelled positions stored this iteration.
HINDSIGHT_NAMES = ("selfplay/relabelled",)
EXHAUSTIVE_NAMES = ("eval/optimal_search", "eval/optimal_policy")
GNUGO_NAMES = ("eval/elo", "eval/elo_low", "eval/elo_high")
# One-player games (Countdown): held-out solve rates of the search agent and the raw policy.
PUZZLE_NAMES = tuple(f"eval/{k}/{p}" for k in ("solved", "solved_low", "solved_high")
                     for p in ("search", "policy"))  # fmt: skip
# The imitation phase (alphazero/imitation.py), logged at its own step count.
IMITATION_NAMES = (
    *(f"imitation/{k}" for k in ("loss", "policy_loss", "policy_kl", "value_loss",
                                 "policy_entropy", "value_mean", "learning_rate", "skipped",
                                 "wall_time_s")),
    *(f"imitation/val_{k}" for k in ("top1", "top1_low", "top1_high", "top5", "value_mse",
                                     "top1_opening", "top1_middle", "top1_endgame",
                                     "value_mse_opening", "value_mse_middle",
                                     "value_mse_endgame")),
)  # fmt: skip


class Writer:
    """Appends scalars to TensorBoard event files in `logdir` (nothing when not `enabled`)."""

    def __init__(self, logdir: Path, enabled: bool = True):
        self._writer = _TBWriter(str(logdir)) if enabled else None

    def scalars(self, values: dict[str, float], step: int) -> None:
        if self._writer is None:
            return
        for name, value in values.items():
            self._writer.add_scalar(name, float(value), step=step)
        self._writer.flush()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
