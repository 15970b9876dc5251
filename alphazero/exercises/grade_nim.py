"""Grader of exercise 5: Nim in the pgx contract, and a tiny AlphaZero run on it."""

from __future__ import annotations

import dataclasses
import tempfile

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import games
from alphazero import config as config_lib
from alphazero import exercises, presets, search
from alphazero.config import SearchConfig
from games.testing import check_game


@pytest.fixture(scope="module")
def impl():
    return exercises.submission()


def _after(env, actions, seed=0):
    state = env.init(jax.random.PRNGKey(seed))
    for action in actions:
        state = env.step(state, jnp.int32(action))
    return state


def test_start_position(impl):
    env = impl.Nim()
    assert env.num_actions == 3, "three actions: remove 1, 2 or 3 stones"
    firsts = {int(env.init(jax.random.PRNGKey(seed)).current_player) for seed in range(16)}
    assert firsts == {0, 1}, "the first player is drawn at random from the key (0 or 1)"
    state = env.init(jax.random.PRNGKey(0))
    assert np.asarray(state.legal_action_mask).all(), "12 stones: all three actions are legal"
    assert not bool(state.terminated)


def test_players_alternate_and_the_last_stone_wins(impl):
    env = impl.Nim()
    first = int(env.init(jax.random.PRNGKey(0)).current_player)
    state = _after(env, [2, 2, 2])  # 12 - 9 = 3 stones left, the second player to move
    assert int(state.current_player) == 1 - first, "players alternate"
    assert not bool(state.terminated), "3 stones left: not over"
    assert np.asarray(state.rewards).tolist() == [0.0, 0.0], "no reward before the end"
    state = env.step(state, jnp.int32(2))  # the second player takes the last 3
    assert bool(state.terminated), "taking the last stone ends the game"
    expected = [0.0, 0.0]
    expected[1 - first], expected[first] = 1.0, -1.0
    assert np.asarray(state.rewards).tolist() == expected, (
        f"the player who took the last stone gets +1, the other -1 (rewards by player id); "
        f"expected {expected}, got {np.asarray(state.rewards).tolist()}"
    )


def test_legal_actions_follow_the_pile(impl):
    env = impl.Nim()
    for taken, legal in (([2, 2, 2, 0], [1, 1, 0]), ([2, 2, 2, 1], [1, 0, 0])):
        state = _after(env, taken)
        np.testing.assert_array_equal(
            np.asarray(state.legal_action_mask, int),
            legal,
            err_msg=f"{12 - sum(a + 1 for a in taken)} stones left: remove at most that many",
        )


def test_observation_tells_positions_apart(impl):
    env = impl.Nim()
    observations = [np.asarray(_after(env, [0] * k).observation) for k in range(12)]
    assert len({o.shape for o in observations}) == 1, "the observation shape never changes"
    assert len({o.tobytes() for o in observations}) == 12, "piles 12..1 give 12 observations"


def test_conformance(impl):
    check_game(impl.Nim(), num_steps=20, batch_size=8)


def test_alphazero_trains_on_it_and_its_search_takes_the_win(impl):
    from alphazero import train
    from alphazero.agent import load_agent

    base = presets.tic_tac_toe()
    config = dataclasses.replace(
        base,
        game="nim",
        network=config_lib.NetworkConfig(torso="mlp", num_blocks=1, num_channels=32),
        search=dataclasses.replace(base.search, num_simulations=8, max_depth=12),
        selfplay=dataclasses.replace(base.selfplay, num_games=16, num_moves=12),
        replay=config_lib.ReplayConfig(capacity=1024, reuse=1.0),
        train=dataclasses.replace(base.train, num_iterations=2, batch_size=32),
        eval=config_lib.EvalConfig(every=0, num_games=4, num_simulations=8, opponents=("random",)),
    )
    env = impl.Nim()
    states = [_after(env, [2, 2, 2] + extra) for extra in ([], [0], [1])]  # 3, 2, 1 stones left
    batch = jax.tree.map(lambda *x: jnp.stack(x), *states)
    with tempfile.TemporaryDirectory() as workdir:
        games.register("nim", impl.Nim)  # only here, so a stub that fails above leaves no trace
        try:
            report = train.run(config, workdir, progress=False)
            assert all(np.isfinite(v) for v in report.values()), f"non-finite report: {report}"
            agent = load_agent(workdir, simulations=16)
            trained = np.asarray(agent(batch).action)
        finally:
            games.unregister("nim")  # leave the registry as we found it
    legal = np.asarray(batch.legal_action_mask)[np.arange(3), trained]
    assert legal.all(), f"the trained agent chose illegal moves {trained.tolist()}"
    # With a network that knows nothing (uniform prior, value 0) only the rewards your game
    # returns can guide the search: it must see that taking the last stones wins.
    blank = jax.tree.map(jnp.zeros_like, agent.params)
    config = SearchConfig(algorithm="puct", num_simulations=16)
    actions = np.asarray(search.run_jit(blank, jax.random.PRNGKey(0), batch, env, config).action)
    assert actions.tolist() == [2, 1, 0], (
        f"with 3, 2, 1 stones left, search must take them all, chose {actions.tolist()}: check "
        "that rewards go to the player who took the last stone (rewards indexed by player id)"
    )
