"""alphazero/learner.py: both phases' schedules with known values, the update count, `due`, and
a train state that starts in the optimiser of its phase."""

from __future__ import annotations

import dataclasses

import jax
import pytest

from alphazero import learner, presets
from alphazero.types import IMITATION, RL


def test_due__every_n_and_always_at_the_last():
    assert [s for s in range(1, 11) if learner.due(s, 4, 10)] == [4, 8, 10]
    assert [s for s in range(1, 6) if learner.due(s, 0, 5)] == [5]  # 0: only at the end


def test_updates_per_iteration__reuse_times_new_positions_over_batch():
    config = presets.tic_tac_toe()
    new = config.selfplay.num_games * config.selfplay.num_moves
    want = max(1, round(config.replay.reuse * new / config.train.batch_size))
    assert learner.updates_per_iteration(config) == want
    tiny = dataclasses.replace(config, replay=dataclasses.replace(config.replay, reuse=1e-9))
    assert learner.updates_per_iteration(tiny) == 1  # never zero steps


def test_imitation_schedule__cosine_to_a_tenth():
    config = presets.go_7x7()
    sup = dataclasses.replace(config.supervised, learning_rate=0.02, num_steps=100)
    _, schedule = learner.imitation_optimizer(dataclasses.replace(config, supervised=sup))
    assert float(schedule(0)) == pytest.approx(0.02)
    assert float(schedule(50)) == pytest.approx(0.02 * (0.1 + 0.9 * 0.5), rel=1e-5)
    assert float(schedule(100)) == pytest.approx(0.002)


def test_train_state_starts_in_its_phase_optimiser(ttt_env):
    config = presets.tic_tac_toe()
    key = jax.random.PRNGKey(0)
    for phase, optimizer in ((RL, learner.make_optimizer(config)),
                             (IMITATION, learner.imitation_optimizer(config)[0])):  # fmt: skip
        state = learner.create_train_state(key, ttt_env, config, phase)
        want = jax.eval_shape(optimizer.init, state.params)
        assert jax.tree.structure(state.opt_state) == jax.tree.structure(want)
        assert int(state.step) == 0
