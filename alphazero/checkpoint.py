"""Checkpoints: the whole LoopState (params, optimizer, replay window, key, counters) with orbax.

A workdir holds

    config.json          the run's Config, written once when the run starts
    checkpoints/<it>/    orbax checkpoints, one per saved iteration (the newest few are kept)
    imitation/<step>/    checkpoints of the supervised phase, by step (runs with --imitation)
    events.out.tfevents* TensorBoard scalars (metrics.py)

Restoring the newest checkpoint and running on gives bit-identical parameters to a run that was
never stopped (same seed, same CPU). orbax writes each step to a temporary folder and renames it
when complete, so a run that dies mid-save leaves the previous checkpoint intact; a new run never
writes to an existing step.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import orbax.checkpoint as ocp

from alphazero import config as config_lib
from alphazero.types import RL, LoopState


class CheckpointError(RuntimeError):
    """A workdir or checkpoint problem the user must fix; the message is one line."""


def check_writable(workdir: Path) -> None:
    """Creates `workdir` if needed; raises CheckpointError if it cannot be written."""
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        probe = workdir / ".write_test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as error:
        raise CheckpointError(f"workdir {workdir} is not writable ({error.strerror})") from None


def read_config(workdir: Path) -> config_lib.Config | None:
    """The config stored in `workdir`, or None for a new workdir."""
    path = Path(workdir) / "config.json"
    if not path.exists():
        return None
    try:
        return config_lib.from_dict(json.loads(path.read_text()))
    except (ValueError, TypeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path} is corrupt or from another version: {error}") from None


def write_config(workdir: Path, config: config_lib.Config) -> None:
    tmp = Path(workdir) / "config.json.tmp"
    tmp.write_text(config_lib.to_json(config))
    os.replace(tmp, Path(workdir) / "config.json")


def manager(
    workdir: Path, max_to_keep: int = 3, folder: str = "checkpoints"
) -> ocp.CheckpointManager:
    options = ocp.CheckpointManagerOptions(max_to_keep=max_to_keep, create=True)
    return ocp.CheckpointManager(Path(workdir).absolute() / folder, options=options)


def save(
    mngr: ocp.CheckpointManager, loop: LoopState, with_replay: bool = True, step: int | None = None
) -> None:
    """Saves `loop` (without its replay window unless `with_replay`) under `step` (default: its
    iteration number) and waits until it is on disk."""
    step = int(loop.iteration) if step is None else step
    if step in mngr.all_steps():
        return  # never rewrite a finished checkpoint
    saved = loop if with_replay else loop._replace(replay_state=None)
    mngr.save(step, args=ocp.args.StandardSave(saved))
    mngr.wait_until_finished()


def latest_step(workdir: Path) -> int | None:
    directory = Path(workdir) / "checkpoints"
    if not directory.exists():
        return None
    return manager(workdir).latest_step()


def _abstract(leaf) -> jax.ShapeDtypeStruct:
    """The restore target of one leaf; a leaf without sharding lands on this host's first device,
    so a run saved on several devices restores on one (and the other way round)."""
    struct = ocp.utils.to_shape_dtype_struct(leaf)
    if getattr(struct, "sharding", None) is not None:
        return struct
    device = jax.sharding.SingleDeviceSharding(jax.local_devices()[0])
    return jax.ShapeDtypeStruct(struct.shape, struct.dtype, sharding=device)


def restore(
    mngr: ocp.CheckpointManager,
    template: LoopState,
    step: int | None = None,
    with_replay: bool = True,
) -> LoopState:
    """Restores checkpoint `step` (default: newest) into the structure of `template`; a checkpoint
    saved without its replay window gets `template`'s (empty) window."""
    step = mngr.latest_step() if step is None else step
    if step is None:
        raise CheckpointError(f"no checkpoint in {mngr.directory}")
    if step not in mngr.all_steps():
        steps = ", ".join(map(str, mngr.all_steps()))
        raise CheckpointError(f"no checkpoint {step} in {mngr.directory} (kept: {steps})")
    target = template if with_replay else template._replace(replay_state=None)
    try:
        restored = _restore(mngr, step, target)
    except CheckpointError:  # perhaps written before runs had an imitation phase
        restored = LoopState(*_restore(mngr, step, _LoopStateBeforeImitation(*target[:5])))
    if restored.phase is None:  # such a checkpoint is an RL one
        restored = restored._replace(phase=jnp.int32(RL), imitation_step=jnp.int32(0))
    return restored if with_replay else restored._replace(replay_state=template.replay_state)


class _LoopStateBeforeImitation(NamedTuple):
    """The LoopState fields of checkpoints written before the imitation phase existed."""

    train_state: Any
    replay_state: Any
    key: Any
    iteration: Any
    counters: Any


def _restore(mngr: ocp.CheckpointManager, step: int, target):
    abstract = jax.tree.map(_abstract, target)
    try:
        restored = mngr.restore(step, args=ocp.args.StandardRestore(abstract))
    except Exception as error:  # orbax raises many types for damaged files
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise CheckpointError(
            f"checkpoint {mngr.directory}/{step} is unreadable ({reason})"
        ) from None
    return restored if isinstance(restored, type(target)) else type(target)(*restored)


def save_tree(path: Path, tree) -> None:
    """One pytree (e.g. a small model's params) to `path` with orbax; refuses to overwrite."""
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(Path(path).absolute(), tree)
    checkpointer.wait_until_finished()


def restore_tree(path: Path, like):
    """The pytree saved at `path`, shaped like `like` (arrays or ShapeDtypeStructs)."""
    target = jax.tree.map(_abstract, like)
    return ocp.StandardCheckpointer().restore(Path(path).absolute(), target)
