"""Tests for alphazero/hindsight.py: relabelled targets are solved by the moves played (exact
solver), and relabelled instances outside the train split or equal to a Game-of-24 set are
dropped."""

import dataclasses

import jax
import numpy as np
import pytest

from alphazero import hindsight, networks, presets, selfplay
from alphazero.config import NetworkConfig
from games import countdown as cd
from games import countdown_solver


@pytest.fixture(scope="module")
def relabelled():
    """Self-play on k = 3 with a uniform network (most episodes fail), then relabelling."""
    base = presets.countdown()
    config = dataclasses.replace(
        base, game="countdown_k3",
        network=NetworkConfig("transformer", 1, 16, 2),
        search=dataclasses.replace(base.search, num_simulations=4),
        selfplay=dataclasses.replace(base.selfplay, num_games=64, num_moves=6, hindsight=True),
    )  # fmt: skip
    env = cd.Countdown(k=3)
    params = networks.uniform(networks.init(jax.random.PRNGKey(0), env, config.network))
    trajectory = jax.jit(selfplay.play, static_argnames=("env", "config"))(
        params, jax.random.PRNGKey(2), env=env, config=config)
    samples, keep = jax.jit(hindsight.relabel, static_argnums=0)(env, trajectory)
    return env, jax.device_get(trajectory), jax.device_get(samples), np.asarray(keep)


def _parse(tokens) -> tuple[np.ndarray, int]:
    target, numbers = cd.decode(tokens).split(":")
    present = [int(n) for n in numbers.split(",")]
    return np.array(present + [-1] * (6 - len(present))), int(target)


@pytest.mark.slow  # a self-play compile (12 s)
def test_relabelled_targets_are_solved_by_the_moves_played(relabelled):
    _, _, samples, keep = relabelled
    assert keep.sum() > 20
    for i in np.nonzero(keep)[0]:
        numbers, target = _parse(samples.observation[i])
        action = int(np.argmax(samples.action_weights[i]))
        assert countdown_solver.solvable(numbers, target), (numbers, target)
        assert action in countdown_solver.winning_actions(numbers, target), (numbers, target)
    assert np.all(samples.value_target == 1.0)


@pytest.mark.slow  # a self-play compile (12 s)
def test_keep__failed_finished_episodes_whose_instance_the_env_would_draw(relabelled):
    """A slow reference over every slot: the episode's start numbers and the number it ended
    with; kept iff it ended untruncated, failed, and (start, goal) is a train instance."""
    env, trajectory, _, keep = relabelled
    numbers, done = trajectory.state.numbers, trajectory.done  # [T, B, 6], [T, B]
    num_moves, batch = done.shape
    expected = np.zeros((num_moves, batch), bool)
    dropped_by_split = 0
    for b in range(batch):
        start = 0
        for t in range(num_moves):
            if not done[t, b]:
                continue
            goal = int(trajectory.achieved[t, b])
            failed = trajectory.reward[t, b] <= 0 and not trajectory.truncated[t, b]
            first = numbers[start, b]
            in_train = cd.split_of(first, goal) >= 2
            valid = 10 <= goal <= 999 and goal not in first and in_train
            expected[start : t + 1, b] = failed and valid
            dropped_by_split += int(failed and not in_train)
            start = t + 1
    np.testing.assert_array_equal(keep.reshape(num_moves, batch), expected)
    assert dropped_by_split > 0  # the split rule did drop some


def test_valid_instance__drops_game_of_24_sets_and_other_splits():
    train, test = cd.Countdown(k=4), cd.Countdown(k=4, split="test")
    game_of_24 = np.array([6, 4, 1, 1, -1, -1])
    assert not bool(train.valid_instance(game_of_24, 24))
    assert bool(train.valid_instance(game_of_24, 25)) == (cd.split_of(game_of_24, 25) >= 2)
    rng = np.random.default_rng(0)
    for _ in range(50):
        numbers = np.sort(np.concatenate([rng.integers(1, 26, 4), [-1, -1]]))[::-1]
        target = int(rng.integers(10, 1000))
        if target in numbers:
            continue
        bucket = int(cd.split_of(numbers, target))
        assert bool(train.valid_instance(numbers, target)) == (bucket >= 2)
        assert bool(test.valid_instance(numbers, target)) == (bucket == 0)
