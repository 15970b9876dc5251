"""Checking a config before anything is computed: `validate(config)` raises a one-line
`ConfigError` naming the field (a value out of range, a game, opponent or switch that does not
fit the rest). The rules live here, apart from the config tree itself (alphazero/config.py), so
the tree stays a readable list of fields and this module can read the game registry.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import games
from alphazero.config import Config, ConfigError, leaves, to_dict


def validate(config: Config) -> None:
    """Raises ConfigError with a one-line message for a config that cannot run."""
    for name, value in leaves(to_dict(config)):  # inf and nan pass every range check below
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{name} must be finite, got {value}")
        if isinstance(value, int) and not -(2**31) <= value < 2**31:  # seeds, sizes, counts
            raise ConfigError(f"{name} must lie in [-2^31, 2^31), got {value}")
    new = config.selfplay.num_games * config.selfplay.num_moves
    if config.replay.reuse * new / max(config.train.batch_size, 1) > 1e6:
        raise ConfigError(
            f"replay.reuse {config.replay.reuse} asks for over 1,000,000 gradient steps per "
            "iteration (reuse x positions / batch size)"
        )
    if config.game not in games.available():
        raise ConfigError(
            f"unknown game {config.game!r}; available: {', '.join(games.available())}"
        )
    _ranges(config)
    _intervals(config)
    _switches(config)
    _opponents(config)


def _ranges(config: Config) -> None:
    """Counts and sizes that must be positive, or at least 0."""
    positive = {
        "search.num_simulations": config.search.num_simulations,
        "selfplay.num_games": config.selfplay.num_games,
        "selfplay.num_moves": config.selfplay.num_moves,
        "replay.capacity": config.replay.capacity,
        "train.batch_size": config.train.batch_size,
        "supervised.num_steps": config.supervised.num_steps,
        "supervised.learning_rate": config.supervised.learning_rate,
        "network.num_channels": config.network.num_channels,
        "eval.num_simulations": config.eval.num_simulations,
        "checkpoint_every": config.checkpoint_every,
        "supervised.checkpoint_every": config.supervised.checkpoint_every,
    }
    for name, value in positive.items():
        if value <= 0:
            raise ConfigError(f"{name} must be positive, got {value}")
    non_negative = {
        "network.num_blocks": config.network.num_blocks,
        "search.max_depth": config.search.max_depth,
        "selfplay.temperature_moves": config.selfplay.temperature_moves,
        "selfplay.random_opening_moves": config.selfplay.random_opening_moves,
        "eval.every": config.eval.every,
        "train.max_minutes": config.train.max_minutes,
        "supervised.eval_every": config.supervised.eval_every,
        "supervised.max_games": config.supervised.max_games,
        "train.num_iterations": config.train.num_iterations,
        "eval.num_games": config.eval.num_games,
        "eval.opening_samples": config.eval.opening_samples,
        "train.weight_decay": config.train.weight_decay,
        "selfplay.cheap_simulations": config.selfplay.cheap_simulations,
        "search.score_utility": config.search.score_utility,
        "train.ownership_loss_weight": config.train.ownership_loss_weight,
        "train.score_loss_weight": config.train.score_loss_weight,
        "train.reply_loss_weight": config.train.reply_loss_weight,
        "train.warmup_updates": config.train.warmup_updates,
    }
    for name, value in non_negative.items():
        if value < 0:
            raise ConfigError(f"{name} must be >= 0, got {value}")


def _intervals(config: Config) -> None:
    """Fractions and rates inside their intervals; what needs the imitation data."""
    if config.train.num_iterations == 0 and not config.imitation:
        raise ConfigError("train.num_iterations must be positive (0 only after --imitation)")
    if config.imitation and not Path(config.imitation).exists():
        raise ConfigError(f"imitation data {config.imitation} does not exist")
    if not 0 <= config.supervised.validation_fraction < 1:
        raise ConfigError("supervised.validation_fraction must lie in [0, 1)")
    if not config.train.learning_rate > 0:
        raise ConfigError(f"train.learning_rate must be positive, got {config.train.learning_rate}")
    if not config.replay.reuse > 0:
        raise ConfigError(f"replay.reuse must be positive, got {config.replay.reuse}")
    if config.eval.num_games % 2:
        raise ConfigError(
            f"eval.num_games must be even (half per colour), got {config.eval.num_games}"
        )
    if config.search.max_num_considered_actions < 1:
        raise ConfigError("search.max_num_considered_actions must be >= 1")
    if not 0 <= config.train.ema_decay < 1:
        raise ConfigError(f"train.ema_decay must lie in [0, 1), got {config.train.ema_decay}")
    if not 0 <= config.train.final_learning_rate_fraction <= 1:
        raise ConfigError("train.final_learning_rate_fraction must lie in [0, 1]")
    if not 0 <= config.search.dirichlet_fraction <= 1:
        raise ConfigError("search.dirichlet_fraction must lie in [0, 1]")
    if not 0 < config.selfplay.full_search_probability <= 1:
        raise ConfigError("selfplay.full_search_probability must lie in (0, 1]")


def _switches(config: Config) -> None:
    """Switches that need a kind of game or network."""
    network = config.network
    if network.global_pooling and network.torso == "resnet" and network.num_channels < 2:
        raise ConfigError("network.global_pooling needs network.num_channels >= 2")
    if network.score_heads and not (config.game.startswith("go_") and network.torso == "resnet"):
        raise ConfigError("network.score_heads needs a Go game and network.torso resnet")
    if network.reply_head and network.torso != "resnet":
        raise ConfigError("network.reply_head needs network.torso resnet")
    if config.search.score_utility and not network.score_heads:
        raise ConfigError("search.score_utility needs network.score_heads (a predicted margin)")
    if config.search.solver and not hasattr(games.make(config.game), "exact_value"):
        raise ConfigError(f"search.solver needs a game with exact leaf values (Countdown), not "
                          f"{config.game}")  # fmt: skip
    if config.selfplay.hindsight and not hasattr(games.make(config.game), "with_goal"):
        raise ConfigError(f"selfplay.hindsight needs a game with goals (Countdown), not "
                          f"{config.game}")  # fmt: skip
    if network.torso == "transformer" and network.num_channels % max(network.num_heads, 1):
        raise ConfigError("network.num_heads must be positive and divide network.num_channels")
    token_game = hasattr(games.make(config.game), "vocab")  # text observations
    if token_game != (network.torso == "transformer"):
        raise ConfigError(f"{config.game} needs network.torso "
                          f"{'transformer' if token_game else 'resnet or mlp'}")  # fmt: skip
    if config.eval.exhaustive and config.game != "tic_tac_toe":
        raise ConfigError("eval.exhaustive exists only for tic_tac_toe")


def _opponents(config: Config) -> None:
    """Evaluation opponents that exist for the game."""
    for name in config.eval.opponents:
        depth = name.split("-", 1)[-1]
        known = name in ("random", "policy", "minimax") or (
            name.startswith(("alphabeta-", "gnugo-")) and re.fullmatch("[0-9]{1,3}", depth)
        )
        if not known:
            raise ConfigError(
                f"unknown eval opponent {name!r}; use random, policy, minimax, alphabeta-D "
                "or gnugo-L"
            )
        if name.startswith("gnugo-") and not (config.game.startswith("go_") and int(depth) <= 10):
            raise ConfigError(f"eval opponent {name!r}: GNU Go levels 0-10, Go games only")
        if name == "minimax" and config.game != "tic_tac_toe":
            raise ConfigError("eval opponent 'minimax' exists only for tic_tac_toe")
        if name.startswith("alphabeta-") and config.game != "connect_four":
            raise ConfigError(f"eval opponent {name!r} exists only for connect_four")
