"""Scale-out the JAX way: one device mesh, the game and sample batches sharded over it.

    mesh = distributed.make_mesh()                   # 1-D mesh, axis "batch", over jax.devices()
    loop = distributed.replicate(loop, mesh)         # parameters, optimizer, replay on every device

Data parallelism with `jax.sharding` (GSPMD), no `pmap`: the same jitted loop phases run on one
device or many, and only the shardings of their inputs and outputs change.

  * self-play: the B game slots are split over the devices (axis 1 of the trajectory [T, B]); each
    device searches its own games, and the PRNG is partitionable, so a game's moves do not depend
    on how many devices share the batch;
  * learning: each gradient step's batch [N] is split over the devices and XLA all-reduces the
    gradients; parameters, optimizer state and the replay window are replicated (decision: a
    replicated window keeps sampling local and simple; at the go_9x9 capacity it is < 1 GB);
  * several hosts: `initialize()` (jax.distributed.initialize) before anything else; then
    jax.devices() lists every host's devices and the mesh spans them all.

With one device every sharding is trivial and the code path is the same.
"""

from __future__ import annotations

import os

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from alphazero.config import ConfigError

AXIS = "batch"


def initialize() -> None:
    """Joins a multi-host run. Coordinator, process count and process id come from the cluster
    (SLURM, Open MPI, Kubernetes, Cloud TPU are detected by jax) or from the environment variables
    JAX_COORDINATOR_ADDRESS (host:port of process 0), JAX_NUM_PROCESSES and JAX_PROCESS_ID."""
    count, index = os.environ.get("JAX_NUM_PROCESSES"), os.environ.get("JAX_PROCESS_ID")
    jax.distributed.initialize(
        num_processes=int(count) if count else None, process_id=int(index) if index else None
    )


def make_mesh(devices=None) -> Mesh:
    """A 1-D mesh named "batch" over `devices` (default: all devices of all hosts)."""
    devices = jax.devices() if devices is None else devices
    return Mesh(np.asarray(devices), (AXIS,))


def replicated(mesh: Mesh) -> NamedSharding:
    return NamedSharding(mesh, PartitionSpec())


def batch_sharding(mesh: Mesh, axis: int = 0) -> NamedSharding:
    """Shards dimension `axis` over the mesh, everything else replicated."""
    return NamedSharding(mesh, PartitionSpec(*([None] * axis), AXIS))


def replicate(tree, mesh: Mesh):
    """Places every array of `tree` on all devices of `mesh` (a full copy each)."""
    return jax.device_put(tree, replicated(mesh))


def constrain(tree, sharding: NamedSharding | None):
    """`with_sharding_constraint` on every leaf, or nothing when `sharding` is None."""
    if sharding is None:
        return tree
    return jax.lax.with_sharding_constraint(tree, sharding)


def check_divisible(size: int, mesh: Mesh, what: str) -> None:
    devices = mesh.devices.size
    if size % devices:
        raise ConfigError(f"{what} ({size}) must be a multiple of the device count ({devices})")


def is_main_process() -> bool:
    """True on the host that writes logs and reports (every host takes part in checkpoints)."""
    return jax.process_index() == 0
