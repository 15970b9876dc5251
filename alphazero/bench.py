"""Throughput of the loop phases: self-play speed, network FLOPs, the roofline, the learner.

    python scripts/bench_selfplay.py --presets go_9x9 connect_four tic_tac_toe

Definitions (docs/benchmarks.md). One *position* is one move of one game, i.e. one search:

    positions/s     = B * T / (time of one jitted self-play call)
    simulations/s   = positions/s * num_simulations
    evaluations/s   = positions/s * (num_simulations + 1)   # the root + one leaf per simulation
    network FLOP/s  = evaluations/s * FLOPs of one forward   # XLA's cost analysis of `apply`
    roofline        = network FLOP/s during self-play / peak network FLOP/s
    peak            = best full-network forward FLOP/s over batch sizes 256, 1024, 4096, same device

so the roofline fraction is the share of the device's best network throughput that self-play turns
into network work; time in the environment, the tree and host transfers all lower it.
"""

from __future__ import annotations

import functools
import resource
import statistics
import time
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp

from alphazero import distributed, networks, train
from alphazero.config import Config

PEAK_BATCHES = (256, 1024, 4096)


def timed(fn: Callable, *args, repeats: int) -> list[float]:
    """Seconds per call of `fn(*args)` (outputs awaited), `repeats` times, after one warm-up."""
    jax.block_until_ready(fn(*args))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - start)
    return times


def cost_flops(compiled) -> float:
    """FLOPs of one call of a compiled function, from XLA's cost analysis."""
    cost = compiled.cost_analysis()
    if isinstance(cost, list | tuple):  # older jax: one dict per module
        cost = cost[0]
    return float(cost["flops"])


def random_actions(states, key: jax.Array) -> jax.Array:
    """One uniformly random legal action per state [B]."""
    return jax.random.categorical(key, jnp.where(states.legal_action_mask, 0.0, -jnp.inf))


def positions(env, batch: int, key: jax.Array, moves: int = 4):
    """`batch` real game states, `moves` random moves into the game (pgx State [batch])."""
    states = jax.jit(jax.vmap(env.init))(jax.random.split(key, batch))
    step = jax.jit(jax.vmap(env.step))  # eager pgx steps are slow: hundreds of small ops
    for step_key in jax.random.split(key, moves):
        stepped = step(states, random_actions(states, step_key))
        done = stepped.terminated | stepped.truncated
        states = jax.tree.map(functools.partial(_keep_where, done), states, stepped)
    return states


def _keep_where(mask: jax.Array, old: jax.Array, new: jax.Array) -> jax.Array:
    """`old` where `mask` [B] (games that ended stay as they were), else `new`."""
    return jnp.where(mask.reshape(mask.shape + (1,) * (old.ndim - 1)), old, new)


class Forward:
    """The network forward pass compiled for one batch size: FLOPs and timing."""

    def __init__(self, params, obs: jax.Array, dtype=None):
        self.params, self.obs = params, obs
        fn = functools.partial(networks.apply, dtype=dtype)
        self.compiled = jax.jit(fn).lower(params, obs).compile()
        self.flops = cost_flops(self.compiled)

    def flops_per_second(self, repeats: int) -> float:
        seconds = timed(self.compiled, self.params, self.obs, repeats=repeats)
        return self.flops / statistics.median(seconds)


def network_roofline(
    params, env, key, batches: Sequence[int] = PEAK_BATCHES, repeats: int = 5, dtype=None
):
    """Forward FLOP/s at each of `batches` in `dtype` (default float32), and FLOPs per position:
    (FLOP/s per batch size, FLOPs per position); the peak is their max (`rates`)."""
    per_batch = {}
    flops_per_eval = None
    for batch in batches:
        forward = Forward(params, positions(env, batch, key).observation, dtype)
        per_batch[batch] = forward.flops_per_second(repeats)
        flops_per_eval = forward.flops / batch
    return per_batch, flops_per_eval


def measure_selfplay(config: Config, env, params, key, repeats: int) -> dict:
    """Compile time, call times and memory of the jitted self-play call for `config`: the same
    call `alphazero train` makes, games split over all devices (one device: no split)."""
    mesh = distributed.make_mesh()
    play = train.make_phases(env, config, mesh).play
    params = distributed.replicate(params, mesh)
    start = time.perf_counter()
    compiled = play.lower(params, key).compile()
    compile_s = time.perf_counter() - start
    keys = iter(jax.random.split(key, repeats + 1))
    times, trajectory = [], None
    for i in range(repeats + 1):
        start = time.perf_counter()
        trajectory = jax.block_until_ready(compiled(params, next(keys)))
        if i:  # the first call pays one-off allocation costs
            times.append(time.perf_counter() - start)
    start = time.perf_counter()
    jax.device_get(trajectory)
    transfer_s = time.perf_counter() - start
    memory = compiled.memory_analysis()
    positions = config.selfplay.num_games * config.selfplay.num_moves
    return dict(
        compile_s=compile_s,
        call_s=times,
        positions=positions,
        transfer_s=transfer_s,
        temp_bytes=getattr(memory, "temp_size_in_bytes", None),
        output_bytes=getattr(memory, "output_size_in_bytes", None),
        trajectory=trajectory,
    )


def rates(
    config: Config,
    call_s: Sequence[float],
    step_s: Sequence[float],
    peak_by_batch: dict,
    flops_per_eval: float,
) -> dict:
    """The throughputs and the roofline (module docstring) from measured times: self-play call
    seconds `call_s`, learner step seconds `step_s` (medians taken), forward FLOP/s by batch size.
    Pure arithmetic, so tests feed it fixed timings; scripts/bench_selfplay.py measures them."""
    sp, sims = config.selfplay, config.search.num_simulations
    positions_per_s = sp.num_games * sp.num_moves / statistics.median(call_s)
    evals_per_s = positions_per_s * (sims + 1)
    peak = max(peak_by_batch.values())
    samples_per_s = config.train.batch_size / statistics.median(step_s)
    needed = config.replay.reuse * positions_per_s * sp.full_search_probability
    return dict(
        positions_per_s=positions_per_s,
        simulations_per_s=positions_per_s * sims,
        evaluations_per_s=evals_per_s,
        flops_per_evaluation=flops_per_eval,
        network_flops_per_s=evals_per_s * flops_per_eval,
        peak_flops_per_s=peak,
        peak_flops_per_s_by_batch={str(b): f for b, f in peak_by_batch.items()},
        roofline_fraction=evals_per_s * flops_per_eval / peak,
        train_samples_per_s=samples_per_s,
        train_samples_needed_per_s=needed,
        learner_keeps_up=samples_per_s / needed,
    )


def time_shares(parts: dict, call_s: float) -> dict:
    """Seconds and shares of one self-play call: the parts timed alone, the rest by subtraction."""
    seconds = dict(parts, tree_and_rest=call_s - sum(parts.values()))
    return dict(seconds=seconds, fractions={k: v / call_s for k, v in seconds.items()})


def profile(config: Config, env, params, key: jax.Array, call_s: float, repeats: int) -> dict:
    """Where one self-play call's `call_s` seconds go, from the parts timed alone at batch B.

    Per move, the search evaluates the network S + 1 times (root, one leaf per simulation) and
    steps the environment S + 1 times (one per simulation, plus the move played), each on B games.
    Each part is timed as S + 1 calls inside one jitted `lax.scan` (no dispatch overhead) and
    scaled by T moves; the rest (mctx tree bookkeeping, move selection, auto-reset) is what remains.
    """
    sp, calls = config.selfplay, config.search.num_simulations + 1
    states = positions(env, sp.num_games, key)
    dtype = None if config.search.inference_dtype == "float32" else config.search.inference_dtype

    def network(shift):  # rolled so the call depends on the loop index and is not hoisted
        logits, value = networks.apply(params, jnp.roll(states.observation, shift, 0), dtype)
        return logits.sum() + value.sum()

    def environment(k):
        stepped = jax.vmap(env.step)(states, random_actions(states, k))
        return sum(jnp.sum(leaf.astype(jnp.float32)) for leaf in jax.tree.leaves(stepped))

    parts = {}
    for name, fn, xs in (
        ("network", network, jnp.arange(calls)),
        ("environment", environment, jax.random.split(key, calls)),
    ):
        scanned = jax.jit(lambda xs, fn=fn: jax.lax.scan(lambda c, x: (c, fn(x)), 0.0, xs)[1])
        parts[name] = statistics.median(timed(scanned, xs, repeats=repeats)) * sp.num_moves
    return time_shares(parts, call_s)


def measure_learner(config: Config, env, loop, trajectory, key, repeats: int) -> list[float]:
    """Seconds per jitted `update` (sample, augment, gradient step) on real self-play data, with
    the batch split over all devices as in `alphazero train`."""
    mesh = distributed.make_mesh()
    phases = train.make_phases(env, config, mesh)
    loop = distributed.replicate(loop, mesh)
    replay_state, _ = phases.store(loop.replay_state, trajectory)
    return timed(phases.update, loop.train_state, replay_state, key, repeats=repeats)


def peak_rss_bytes() -> int:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def device_peak_bytes() -> int | None:
    """Peak device memory in use (GPU/TPU); None where the backend does not report it (CPU)."""
    stats = jax.devices()[0].memory_stats() or {}
    return stats.get("peak_bytes_in_use")
