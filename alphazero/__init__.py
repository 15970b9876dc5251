"""AlphaZero in JAX: self-play with search (mctx) on pgx games, for reproduction and teaching.

Public surface:
    alphazero.load_agent(workdir, simulations=N)  -> Agent (batched states -> moves)
    alphazero.train.run(config, workdir)          the training loop
    alphazero.config                              Config, presets (PRESETS)
"""

__all__ = ["Agent", "load_agent"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # Imported on first use, so `import alphazero.cli` starts no JAX backend: a multi-host run
    # must call jax.distributed.initialize() before anything touches one (pgx does at import).
    if name in __all__:
        from alphazero import agent

        return getattr(agent, name)
    raise AttributeError(f"module 'alphazero' has no attribute {name!r}")
