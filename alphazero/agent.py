"""The public way to use a trained network: `alphazero.load_agent(workdir, simulations=N)`.

    agent = alphazero.load_agent("runs/ttt", simulations=32)
    out = agent(states)              # batched pgx states [B] -> SearchOutput
    out.action, out.action_weights, out.root_value
    logits, value = agent.policy(states)   # the raw network, no search

The agent searches without exploration noise, so the same states and key give the same moves. It
plays with the run's evaluation search (`eval.algorithm`, `eval.num_simulations` unless
`simulations` is given); `agent.config.search` is that search, not the self-play one.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jax
import jax.numpy as jnp

import games
from alphazero import checkpoint, networks, search
from alphazero.config import Config


@dataclasses.dataclass(frozen=True)
class Agent:
    """A trained network plus the search that turns it into a player."""

    env: object
    params: object
    config: Config
    iteration: int

    @property
    def search_config(self):
        return self.config.search

    def __call__(self, states, key: jax.Array | None = None) -> search.SearchOutput:
        key = jax.random.PRNGKey(0) if key is None else key
        return search.run_jit(self.params, key, states, self.env, self.config.search)

    def solve(self, numbers, target: int) -> str | None:
        """Countdown: the agent's answer to one instance, e.g. `agent.solve([25, 6, 4, 3], 96)`
        -> "(25-(6-3))*4" (a verified expression), or None when its episode missed the target.
        One search per step from `env.init_instance`, the recommended move each time; the
        expression is only written out (games.countdown_solver.to_expression), not solved."""
        if not hasattr(self.env, "init_instance"):
            raise ValueError(f"solve is for puzzles with instances (Countdown), not {self.env.id}")
        from games.countdown_solver import MAX_NUMBERS, to_expression

        given = [int(n) for n in numbers]
        if not 2 <= len(given) <= MAX_NUMBERS or min(given) < 0:
            raise ValueError(f"2..{MAX_NUMBERS} non-negative numbers, got {given}")
        slots = jnp.array(given + [-1] * (MAX_NUMBERS - len(given)), jnp.int32)
        state = _init_instance(self.env, slots, jnp.int32(target))
        moves = []
        for _ in range(len(given) - 1):
            states = jax.tree.map(lambda x: x[None], state)
            action = int(self(states).action[0])
            moves.append(action)
            state = _step(self.env, state, action)
        if float(state.rewards[0]) <= 0:
            return None
        return to_expression(sorted(given, reverse=True), moves)

    def policy(self, states) -> tuple[jax.Array, jax.Array]:
        """Raw network output: (legal-masked prior logits [B, A], value [B])."""
        logits, value = _apply(self.params, states.observation)
        return search.mask_logits(logits, states.legal_action_mask), value


_apply = jax.jit(networks.apply)
_init_instance = jax.jit(lambda env, numbers, target: env.init_instance(numbers, target),
                         static_argnums=0)  # fmt: skip
_step = jax.jit(lambda env, state, action: env.step(state, action), static_argnums=0)


def load_agent(
    workdir: str | Path,
    simulations: int | None = None,
    step: int | str | None = None,
    inference_dtype: str | None = None,
    algorithm: str | None = None,
    random_symmetry: bool | None = None,
):
    """Loads the newest (or `step`; "best": the best network by in-training Elo against GNU Go)
    checkpoint of the run in `workdir` as an `Agent`; its search
    (`algorithm`, default the run's `eval.algorithm`) evaluates the network in `inference_dtype`
    (default: the run's `search.inference_dtype`), each position under a random board symmetry
    with `random_symmetry` (default: the run's `eval.random_symmetry`)."""
    from alphazero.learner import init_loop_state
    from alphazero.types import RL

    workdir = Path(workdir)
    config = checkpoint.read_config(workdir)
    if config is None:
        raise checkpoint.CheckpointError(f"{workdir} holds no run (no config.json)")
    if simulations is not None and simulations <= 0:
        raise checkpoint.CheckpointError(f"simulations must be positive, got {simulations}")
    # The agent plays with the evaluation search (eval.algorithm, eval.num_simulations).
    play_search = dataclasses.replace(
        config.search,
        algorithm=algorithm or config.eval.algorithm,
        num_simulations=simulations or config.eval.num_simulations,
        inference_dtype=inference_dtype or config.search.inference_dtype,
        random_symmetry=config.eval.random_symmetry if random_symmetry is None else random_symmetry,
    )
    config = dataclasses.replace(config, search=play_search)
    env = games.make(config.game)
    manager = checkpoint.manager(workdir)
    if manager.latest_step() is None:
        raise checkpoint.CheckpointError(f"{workdir} holds no checkpoint yet")
    template = jax.eval_shape(lambda: init_loop_state(env, config, RL))
    if step == checkpoint.BEST:
        best = checkpoint.read_best(workdir)
        if best is None:
            raise checkpoint.CheckpointError(
                f"{workdir} has no best network (kept by in-training evaluations against GNU Go)"
            )
        folder = workdir / checkpoint.BEST / str(best["iteration"])
        params = checkpoint.restore_tree(folder, template.train_state.params)
        return Agent(env=env, params=params, config=config, iteration=int(best["iteration"]))
    loop = checkpoint.restore(manager, template, step, config.replay.in_checkpoint)
    return Agent(
        env=env,
        params=loop.train_state.evaluation_params,
        config=config,
        iteration=int(loop.iteration),
    )
