"""agent.py: loading a run as an agent; old checkpoints and the kept best network."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import jax
import numpy as np
import pytest

from alphazero import checkpoint, search, train, visualize
from alphazero.agent import load_agent

# The AlphaZero baseline agent, saved before the ownership/score/reply heads existed.
BEFORE_HEADS = Path(__file__).parent.parent / "runs" / "go_7x7_alphazero"


@pytest.mark.slow  # a search compile (10 s)
def test_load_agent__a_checkpoint_from_before_the_katago_heads_still_plays():
    agent = load_agent(BEFORE_HEADS, simulations=4)
    assert not agent.config.network.score_heads and not agent.config.network.reply_head
    state = agent.env.init(jax.random.PRNGKey(0))
    states = jax.tree.map(lambda x: x[None], state)
    out = search.run_jit(agent.params, jax.random.PRNGKey(0), states, agent.env,
                         agent.config.search)  # fmt: skip
    assert bool(state.legal_action_mask[int(out.action[0])])
    assert visualize.predicted_ownership(agent.params, state) is None  # nothing to show


def test_keep_best__only_a_higher_elo_replaces_it_and_step_best_loads_it(go_workdir, tmp_path):
    workdir = tmp_path / "run"
    shutil.copytree(go_workdir, workdir)
    with pytest.raises(checkpoint.CheckpointError, match="has no best network"):
        load_agent(workdir, step="best")
    params = load_agent(workdir).params
    shifted = jax.tree.map(lambda x: x + 1, params)
    train._keep_best(workdir, params, 3, -50.0)
    train._keep_best(workdir, shifted, 4, -80.0)  # worse: ignored
    assert checkpoint.read_best(workdir) == {"iteration": 3, "elo": -50.0}
    train._keep_best(workdir, shifted, 5, -10.0)  # better: replaces, the old folder goes
    assert checkpoint.read_best(workdir) == {"iteration": 5, "elo": -10.0}
    assert sorted(p.name for p in (workdir / "best").iterdir()) == ["5", "best.json"]
    best = load_agent(workdir, step="best")
    assert best.iteration == 5
    for a, b in zip(jax.tree.leaves(best.params), jax.tree.leaves(shifted), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow  # a search compile (10 s)
def test_solve__countdown_answers_are_verified_expressions_or_none():
    """Agent.solve on k = 3 with a uniform network and the solver in its search (every root
    child is an exact check, so 24 simulations settle the root): a solvable instance gives an
    expression over exactly its numbers that evaluates to the target, an unsolvable one None."""
    import ast

    from alphazero import networks, presets
    from alphazero.agent import Agent
    from alphazero.config import NetworkConfig, SearchConfig
    from games import countdown, countdown_solver

    env = countdown.Countdown(k=3, observation="numbers")
    params = networks.uniform(networks.init(jax.random.PRNGKey(0), env, NetworkConfig("mlp", 1, 8)))
    search_config = SearchConfig(num_simulations=24, solver=True)
    config = dataclasses.replace(presets.countdown(), search=search_config)
    agent = Agent(env=env, params=params, config=config, iteration=0)
    for numbers, target in [([7, 5, 2], 24), ([3, 9, 4], 39), ([7, 5, 2], 999)]:
        answer = agent.solve(numbers, target)
        if not countdown_solver.solvable(numbers, target):
            assert answer is None
            continue
        tree = ast.parse(answer)
        literals = sorted(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant))
        assert literals == sorted(numbers) and eval(answer) == target, answer  # noqa: S307
    with pytest.raises(ValueError, match="non-negative numbers"):
        agent.solve([5], 5)
