"""alphazero/learner.py: both phases' schedules (and RL's warmup) with known values, the update
count, `due`, a train state that starts in the optimiser of its phase, and the non-finite
guard."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import tiny_config

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
    # Playout cap randomization: only the policy-target positions (a fraction p) add steps.
    capped = dataclasses.replace(
        config, selfplay=dataclasses.replace(config.selfplay, full_search_probability=0.25)
    )
    assert learner.updates_per_iteration(capped) == round(
        config.replay.reuse * new * 0.25 / config.train.batch_size
    )


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


@pytest.mark.parametrize("schedule", ["constant", "cosine"])
def test_warmup__rises_linearly_from_zero_then_the_schedule_starts(schedule):
    base = presets.connect_four()
    train = dataclasses.replace(base.train, learning_rate_schedule=schedule, warmup_updates=10)
    config = dataclasses.replace(base, train=train)
    lr, plain = train.learning_rate, dataclasses.replace(config, train=dataclasses.replace(
        train, warmup_updates=0))  # fmt: skip
    warm, cold = learner.learning_rate_schedule(config), learner.learning_rate_schedule(plain)
    assert [float(warm(n)) for n in (0, 5, 10)] == pytest.approx([0.0, 0.5 * lr, lr])
    assert float(warm(10 + 37)) == pytest.approx(float(cold(37)))  # shifted by the warmup
    # A fresh AdamW state with warmup: the first update moves nothing, the second does.
    optimizer, params = learner.make_optimizer(config), {"w": jnp.ones(3)}
    state, grads = optimizer.init(params), {"w": jnp.array([1.0, -2.0, 3.0])}
    first, state = optimizer.update(grads, state, params)
    second, _ = optimizer.update(grads, state, params)
    assert float(jnp.abs(first["w"]).max()) == 0 and float(jnp.abs(second["w"]).min()) > 0


def _batch(loop, n: int = 32, value: float = 0.5):
    rows = jax.tree.map(lambda x: x[:n], loop.replay_state.samples)
    num_actions = rows.action_weights.shape[-1]
    return rows._replace(
        observation=jax.random.uniform(jax.random.PRNGKey(0), rows.observation.shape) > 0.5,
        action_weights=jnp.full(rows.action_weights.shape, 1 / num_actions),
        value_target=jnp.full(rows.value_target.shape, value),
        mask=jnp.ones(rows.mask.shape),
    )


def test_train_step__a_non_finite_step_is_skipped_and_changes_nothing(ttt_env):
    config = tiny_config(train=dataclasses.replace(tiny_config().train, ema_decay=0.9))
    loop = learner.init_loop_state(ttt_env, config)
    step = jax.jit(lambda s, b: learner.train_step(s, b, config))
    taken, metrics = step(loop.train_state, _batch(loop))
    assert float(metrics["skipped"]) == 0 and int(taken.step) == 1
    assert not all(
        np.array_equal(a, b)
        for a, b in zip(jax.tree.leaves(taken), jax.tree.leaves(loop.train_state), strict=True)
    )
    skipped, metrics = step(taken, _batch(loop, value=np.nan))  # NaN targets: NaN gradient
    assert float(metrics["skipped"]) == 1 and not np.isfinite(float(metrics["loss"]))
    for a, b in zip(jax.tree.leaves(skipped), jax.tree.leaves(taken), strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))  # params, Adam, EMA, step


def test_skip_streak__counts_across_calls_and_stops_at_the_limit():
    assert learner.skip_streak(0, [1, 1, 0, 1], limit=3, where="x") == 1
    assert learner.skip_streak(2, [0], limit=3, where="x") == 0
    assert learner.skip_streak(5, [1, 1], limit=0, where="x") == 7  # 0: never stops
    with pytest.raises(learner.Diverged, match="iteration 4: 3 updates in a row") as error:
        learner.skip_streak(1, [1, 1, 0], limit=3, where="iteration 4")
    assert "learning rate" in str(error.value) and "\n" not in str(error.value)
