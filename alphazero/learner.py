"""The learner: optimisers and step-size schedules of both phases, the train state, one gradient
step, and the state a run starts from.

    state = learner.create_train_state(key, env, config)          # params, optimiser state, step
    state, metrics = learner.train_step(state, batch, config)      # one AdamW step on the loss
    loop = learner.init_loop_state(env, config)                    # what train.run starts from

Both phases share one network, one loss (losses.py) and `train_step`; they differ only in the
optimiser and its schedule. RL (`make_optimizer`): AdamW with `train.learning_rate`, constant or
cosine over the run's planned updates, after an optional linear warmup (`train.warmup_updates`).
Imitation (`imitation_optimizer`): AdamW with a cosine from `supervised.learning_rate` to 10% of
it over `supervised.num_steps`. Both live here, so the imitation phase and the RL loop import
this module and nothing imports them back.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

from alphazero import losses, networks, replay, selfplay, targets
from alphazero.config import Config, ConfigError
from alphazero.types import IMITATION, RL, Counters, LoopState, Samples, TrainState


def updates_per_iteration(config: Config) -> int:
    """Gradient steps per iteration: `reuse` x the new positions with a policy target / batch.

    With playout cap randomization only a fraction p of the positions has a full search and a
    policy target (KataGo's training rows); the cheap positions ride along as value-only samples
    and do not add steps, so a cheap search also makes the learner's share of an iteration cheaper.
    """
    sp = config.selfplay
    new_positions = sp.num_games * sp.num_moves * sp.full_search_probability
    return max(1, round(config.replay.reuse * new_positions / config.train.batch_size))


def learning_rate_schedule(config: Config) -> optax.Schedule:
    """RL's step size as a function of the update count, over the run's planned updates.

    Raising `train.num_iterations` on resume stretches a cosine schedule to the new length.
    With `train.warmup_updates` W > 0 the step size rises linearly from 0 over the first W
    updates, and the schedule then starts from its own beginning.
    """
    tc = config.train
    if tc.learning_rate_schedule == "constant":
        schedule = optax.constant_schedule(tc.learning_rate)
    else:
        total = max(1, config.train.num_iterations * updates_per_iteration(config))
        schedule = optax.cosine_decay_schedule(tc.learning_rate, total,
                                               tc.final_learning_rate_fraction)  # fmt: skip
    if tc.warmup_updates == 0:
        return schedule
    warmup = optax.linear_schedule(0.0, tc.learning_rate, tc.warmup_updates)
    return optax.join_schedules([warmup, schedule], [tc.warmup_updates])


def make_optimizer(config: Config) -> optax.GradientTransformation:
    """RL's optimiser: AdamW (decoupled weight decay) with `learning_rate_schedule`."""
    tc = config.train
    if tc.learning_rate_schedule == "constant" and tc.warmup_updates == 0:  # no step counter
        return optax.adamw(tc.learning_rate, weight_decay=tc.weight_decay)
    return optax.adamw(learning_rate_schedule(config), weight_decay=tc.weight_decay)


def imitation_optimizer(config: Config) -> tuple[optax.GradientTransformation, optax.Schedule]:
    """The imitation phase's optimiser and its schedule: a cosine from `supervised.learning_rate`
    to 10% of it over `supervised.num_steps`."""
    sup = config.supervised
    schedule = optax.cosine_decay_schedule(sup.learning_rate, sup.num_steps, 0.1)
    return optax.adamw(schedule, weight_decay=config.train.weight_decay), schedule


def create_train_state(key: jax.Array, env, config: Config, phase: int = RL) -> TrainState:
    """Fresh parameters and the optimiser state of `phase` (IMITATION or RL)."""
    params = networks.init(key, env, config.network)
    optimizer = imitation_optimizer(config)[0] if phase == IMITATION else make_optimizer(config)
    opt_state = jax.jit(optimizer.init)(params)  # one compile, not one per parameter shape
    ema_params = params if config.train.ema_decay > 0 else None
    return TrainState(params, opt_state, jnp.int32(0), ema_params)


def train_step(
    train_state: TrainState,
    batch: Samples,
    config: Config,
    optimizer: optax.GradientTransformation | None = None,
    schedule: optax.Schedule | None = None,
) -> tuple[TrainState, dict[str, jax.Array]]:
    """One gradient step on `batch` [N]: (train_state, metrics). The RL optimiser unless another
    one (and its schedule, for the log) is given, as the imitation phase does."""
    optimizer = optimizer or make_optimizer(config)
    schedule = schedule or learning_rate_schedule(config)
    grad_fn = jax.grad(losses.loss, has_aux=True)
    grads, step_metrics = grad_fn(train_state.params, batch, config.train)
    updates, opt_state = optimizer.update(grads, train_state.opt_state, train_state.params)
    params = optax.apply_updates(train_state.params, updates)
    step_metrics["learning_rate"] = schedule(train_state.step)
    ema_params = train_state.ema_params
    if ema_params is not None:  # Polyak averaging: ema <- decay * ema + (1 - decay) * params
        ema_params = optax.incremental_update(params, ema_params, 1 - config.train.ema_decay)
    new = TrainState(params, opt_state, train_state.step + 1, ema_params)
    # The non-finite guard: a step whose loss, gradient or result is not finite changes nothing.
    finite = _all_finite((step_metrics["loss"], grads, params, ema_params))
    step_metrics["skipped"] = 1.0 - finite.astype(jnp.float32)
    return jax.tree.map(lambda n, o: jnp.where(finite, n, o), new, train_state), step_metrics


def _all_finite(tree) -> jax.Array:
    return jnp.all(jnp.stack([jnp.all(jnp.isfinite(x)) for x in jax.tree.leaves(tree)]))


class Diverged(ConfigError):
    """Too many consecutive updates were skipped as non-finite; the message (one line) names
    where and the likely cause. A ConfigError: the cure is a different setting."""


def skip_streak(streak: int, skipped, limit: int, where: str) -> int:
    """The count of consecutive skipped updates after `skipped` (one 0/1 flag per update, in
    order), continuing from `streak`; raises Diverged when it reaches `limit` (0: never)."""
    for flag in skipped:
        streak = streak + 1 if flag else 0
        if limit and streak >= limit:
            raise Diverged(
                f"{where}: {streak} updates in a row had a non-finite loss, gradient or parameter "
                "and were skipped; the learning rate is likely too large (or the data holds "
                "non-finite values). The newest checkpoint is the last good state"
            )
    return streak


def init_loop_state(env, config: Config, phase: int | None = None) -> LoopState:
    """The state a run starts from, in `phase` (default: the run's first phase); with
    `phase=RL` also the template to restore an RL checkpoint into."""
    phase = (IMITATION if config.imitation else RL) if phase is None else phase
    key, net_key, example_key = jax.random.split(jax.random.PRNGKey(config.seed), 3)
    train_state = create_train_state(net_key, env, config, phase)
    example = jax.eval_shape(
        lambda: targets.compute(
            selfplay.play(train_state.params, example_key, env, config),
            env.num_players,
            reply=config.network.reply_head,
        )
    )
    example = jax.jit(lambda: jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), example))()
    return LoopState(
        train_state=train_state,
        replay_state=replay.init(example, config.replay.capacity),
        key=key,
        iteration=jnp.int32(0),
        counters=Counters(jnp.int32(0), jnp.int32(0), jnp.float32(0.0)),
        phase=jnp.int32(phase),
        imitation_step=jnp.int32(0),
    )


def due(step: int, every: int, last: int) -> bool:
    """Whether an evaluation or checkpoint falls on `step`: every `every` steps, and the last."""
    return step == last or (every > 0 and step % every == 0)
