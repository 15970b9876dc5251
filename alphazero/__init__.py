"""AlphaZero in JAX: self-play with search (mctx) on pgx games, for reproduction and teaching.

Public surface:
    alphazero.load_agent(workdir, simulations=N)  -> Agent (batched states -> moves)
    alphazero.train.run(config, workdir)          the training loop
    alphazero.config                              Config, presets (PRESETS)
"""

from alphazero.agent import Agent, load_agent

__all__ = ["Agent", "load_agent"]
__version__ = "0.1.0"
