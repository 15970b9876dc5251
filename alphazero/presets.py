"""Named presets: plain functions returning a `Config` (alphazero/config.py), and `PRESETS`.

config = presets.PRESETS["go_7x7"]()
"""

from __future__ import annotations

import dataclasses

from alphazero.config import (
    Config,
    EvalConfig,
    NetworkConfig,
    ReplayConfig,
    SearchConfig,
    SelfPlayConfig,
    TrainConfig,
)


def tic_tac_toe() -> Config:
    """Perfect tic-tac-toe on 2 CPU cores in a few minutes (see docs/results.md)."""
    return Config(
        game="tic_tac_toe",
        network=NetworkConfig(torso="mlp", num_blocks=2, num_channels=128),
        search=SearchConfig(num_simulations=32, max_depth=9),
        selfplay=SelfPlayConfig(
            num_games=512, num_moves=9, temperature_moves=2, random_opening_moves=6
        ),
        replay=ReplayConfig(capacity=50_000, reuse=4.0),
        train=TrainConfig(num_iterations=60, batch_size=512, learning_rate=1e-3),
        eval=EvalConfig(
            every=20,
            num_games=128,
            num_simulations=32,
            algorithm="gumbel",
            opponents=("random", "minimax"),
            exhaustive=True,
        ),
    )


def connect_four() -> Config:
    """Connect four to beat depth-2 alpha-beta within 30 minutes on 2 CPU cores."""
    return Config(
        game="connect_four",
        network=NetworkConfig(torso="resnet", num_blocks=2, num_channels=32),
        search=SearchConfig(num_simulations=32, max_depth=42),
        selfplay=SelfPlayConfig(
            num_games=128, num_moves=42, temperature_moves=8, random_opening_moves=4
        ),
        replay=ReplayConfig(capacity=200_000, reuse=4.0),
        # A constant step size, and the newest network plays; a cosine schedule and a parameter
        # average (runs v5-v7) did not beat it. 300 iterations took 27 minutes on 2 cores (run v11,
        # docs/results.md); the in-training evaluations swing, so more iterations pay.
        train=TrainConfig(num_iterations=300, batch_size=512, learning_rate=1e-3),
        # PUCT plays this game more strongly than Gumbel at 64 simulations (docs/results.md).
        eval=EvalConfig(
            every=25,
            num_games=64,
            num_simulations=64,
            algorithm="puct",
            opponents=("random", "alphabeta-2"),
        ),
    )


def go_9x9() -> Config:
    """Reference configuration R of the throughput benchmark (6 blocks x 64 channels)."""
    return Config(
        game="go_9x9",
        network=NetworkConfig(torso="resnet", num_blocks=6, num_channels=64),
        search=SearchConfig(num_simulations=32),
        selfplay=SelfPlayConfig(num_games=128, num_moves=64, temperature_moves=16),
        replay=ReplayConfig(capacity=500_000, reuse=4.0),
        train=TrainConfig(num_iterations=1000, batch_size=256),
        eval=EvalConfig(every=20, num_games=64, opponents=("random",)),
    )


def small_go(size: int) -> Config:
    """Go on a small board: the 9x9 recipe with a proportionally shorter horizon."""
    base = go_9x9()
    return dataclasses.replace(
        base,
        game=f"go_{size}x{size}",
        network=NetworkConfig(torso="resnet", num_blocks=4, num_channels=64),
        selfplay=dataclasses.replace(base.selfplay, num_moves=2 * size * size),
    )


def go_7x7_alphazero() -> Config:
    """7x7 Go (komi 8.5) as plain AlphaZero: the go_7x7 preset before KataGo's techniques, about
    2 hours on 2 CPU cores (docs/results.md, "Go 7x7"), and the ablation's "today" arm."""
    return Config(
        game="go_7x7",
        network=NetworkConfig(torso="resnet", num_blocks=4, num_channels=32),
        search=SearchConfig(num_simulations=16, max_num_considered_actions=16),
        # 98 = 2 * 7 * 7 moves: pgx ends every game by then, so each slot finishes its game.
        selfplay=SelfPlayConfig(num_games=256, num_moves=98, temperature_moves=8),
        replay=ReplayConfig(capacity=250_000, reuse=4.0, in_checkpoint=False),
        train=TrainConfig(num_iterations=70, batch_size=256, learning_rate=1e-3),
        eval=EvalConfig(every=10, num_games=64, num_simulations=32, opponents=("random",)),
        checkpoint_every=2,
    )


def go_7x7() -> Config:
    """7x7 Go (komi 8.5) in 2 hours on 2 CPU cores: AlphaZero plus the KataGo techniques that the
    ablation at equal wall-clock kept (docs/results.md, "Which techniques stay on"): ownership
    and score heads with the score utility, playout cap randomization and 8 training
    simulations, without global pooling or the opponent-reply head. It plays GNU Go level 10
    every 40 iterations and keeps the best network (`runs/<run>/best`); evaluation games use the
    settle rule and turned GNU Go boards (docs/deviations.md)."""
    base = go_7x7_alphazero()
    return dataclasses.replace(
        base,
        network=dataclasses.replace(base.network, score_heads=True),
        search=dataclasses.replace(base.search, num_simulations=8, score_utility=0.4),
        selfplay=dataclasses.replace(base.selfplay, full_search_probability=0.25),
        # The time budget ends the run (about 400 iterations on the 2-core machine).
        train=dataclasses.replace(base.train, num_iterations=1000, max_minutes=120.0),
        eval=EvalConfig(every=40, num_games=64, num_simulations=32, opponents=("gnugo-10",),
                        pass_rule="settle", turn_engine=True),  # fmt: skip
        checkpoint_every=10,
    )


def go_9x9_katago() -> Config:
    """9x9 Go (komi 7.5) in 8 hours on 2 CPU cores: the go_7x7 recipe (score heads and utility,
    playout cap randomization, 8 training simulations) on the go_9x9 network, meant to start
    from GNU Go's games (--imitation data/go_9x9_gnugo10.jsonl). scripts/go_curve.py trains it in
    legs and rates each on the ladder, so it has no in-training evaluation; the replay window is
    in the checkpoints so that the legs continue exactly (docs/results.md, "Go 9x9")."""
    base = go_9x9()
    return dataclasses.replace(
        base,
        network=dataclasses.replace(base.network, score_heads=True),
        search=SearchConfig(num_simulations=8, max_num_considered_actions=16, score_utility=0.4),
        # 162 = 2 * 9 * 9 moves: every slot finishes at least one game per iteration.
        selfplay=SelfPlayConfig(num_games=128, num_moves=162, temperature_moves=12,
                                full_search_probability=0.25),  # fmt: skip
        replay=ReplayConfig(capacity=250_000, reuse=4.0, in_checkpoint=True),
        train=dataclasses.replace(base.train, num_iterations=100_000, max_minutes=480.0),
        # No opponents: no evaluation at the end of a time budget either (go_curve rates).
        eval=EvalConfig(every=0, num_games=64, num_simulations=32, opponents=(),
                        pass_rule="settle", turn_engine=True),  # fmt: skip
        checkpoint_every=5,
    )


def countdown_text() -> Config:
    """Countdown with 2..6 numbers as text (the recipe before issue 24, E1-E4 in docs/results.md):
    a small transformer reads "target:n1,n2,...", learns from the solver's demonstrations
    (--imitation), then by RL with search."""
    return Config(
        game="countdown",
        network=NetworkConfig(torso="transformer", num_blocks=2, num_channels=64, num_heads=4),
        search=SearchConfig(num_simulations=16, max_depth=5, max_num_considered_actions=16),
        # Episodes last k - 1 <= 5 moves; finished slots start a new instance.
        selfplay=SelfPlayConfig(num_games=256, num_moves=10, temperature_moves=0),
        replay=ReplayConfig(capacity=100_000, reuse=4.0, in_checkpoint=False),
        train=TrainConfig(num_iterations=100, batch_size=256, learning_rate=1e-3, augment=False),
        eval=EvalConfig(
            every=10, num_games=256, num_simulations=64, algorithm="gumbel", opponents=()
        ),  # fmt: skip
        checkpoint_every=5,
    )


def countdown() -> Config:
    """Countdown with 2..6 numbers in 30 minutes on 2 CPU cores (issue 24): the numbers as values
    (`countdown_numbers`) read by an MLP, MCTS-Solver in the search and hindsight relabelling in
    self-play, after the solver's demonstrations (--imitation data/countdown_solver.jsonl).
    scripts/countdown_levers.py measures each lever at equal wall-clock."""
    base = countdown_text()
    return dataclasses.replace(
        base,
        game="countdown_numbers",
        network=dataclasses.replace(base.network, torso="mlp", num_blocks=3, num_channels=256),
        search=dataclasses.replace(base.search, solver=True),
        selfplay=dataclasses.replace(base.selfplay, hindsight=True),
        train=dataclasses.replace(base.train, num_iterations=100_000, max_minutes=30.0),
    )


PRESETS = {
    "tic_tac_toe": tic_tac_toe,
    "connect_four": connect_four,
    "othello": lambda: dataclasses.replace(go_9x9(), game="othello"),
    "hex": lambda: dataclasses.replace(go_9x9(), game="hex"),
    "go_5x5": lambda: small_go(5),
    "go_7x7": go_7x7,
    "go_7x7_alphazero": go_7x7_alphazero,
    "go_9x9": go_9x9,
    "go_9x9_katago": go_9x9_katago,
    "go_19x19": lambda: dataclasses.replace(go_9x9(), game="go_19x19"),
    "countdown": countdown,
    "countdown_text": countdown_text,
}
