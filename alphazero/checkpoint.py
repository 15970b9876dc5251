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

Integrity: after orbax finishes a step, `save` writes `<step>/digest.json` last, the SHA-256 of
every file in the step. Every restore checks it first, so a flipped byte, a truncated file or a
save that never finished is found before its numbers are used. Training restores with
`fallback=True`: a damaged newest step is moved aside to `<step>.damaged` (never deleted) and the
run resumes from the newest good one. Readers (`load_agent`, eval, play, gtp) refuse it instead.
A step whose parameters are not all finite is never written.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import orbax.checkpoint as ocp

from alphazero import config as config_lib
from alphazero.types import RL, LoopState


class CheckpointError(RuntimeError):
    """A workdir or checkpoint problem the user must fix; the message is one line."""


def check_writable(workdir: Path, what: str = "workdir") -> None:
    """Creates `workdir` (a run's, or an output's folder) if needed; raises CheckpointError if it
    cannot be made or written (a file in its path, a read-only disk)."""
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        probe = workdir / ".write_test"
        probe.write_text("ok")
        probe.unlink()
    except (FileExistsError, NotADirectoryError):  # mkdir's words for "a file is in the way"
        raise CheckpointError(f"{what} {workdir} is not writable (a file is in its path)") from None
    except OSError as error:
        raise CheckpointError(f"{what} {workdir} is not writable ({error.strerror})") from None


def read_config(workdir: Path) -> config_lib.Config | None:
    """The config stored in `workdir`, or None for a new workdir."""
    path = Path(workdir) / "config.json"
    if not path.exists():
        return None
    try:
        return config_lib.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError) as error:  # JSON and field errors are ValueErrors
        raise CheckpointError(f"{path} is corrupt or from another version: {error}") from None


def prepare_workdir(workdir: Path, config: config_lib.Config) -> None:
    """Checks the workdir can take this run; refuses config changes that break a resume.

    Writes nothing but a probe file: config.json is (re)written by `train.run` only after the
    newest checkpoint restored cleanly. The stored config binds only once a checkpoint exists, so
    a run that failed before its first one never blocks the corrected command.
    """
    check_writable(workdir)
    if not has_checkpoint(workdir):
        return
    stored = read_config(workdir)
    if stored is None:
        raise CheckpointError(f"{workdir} holds checkpoints but no config.json to read them "
                              "with; put it back, or use a new workdir")  # fmt: skip
    changed = [f for f in config_lib.diff(stored, config) if f not in config_lib.RESUMABLE_FIELDS]
    if changed:
        raise config_lib.ConfigError(
            f"{workdir} holds a run with a different config ({', '.join(changed)}); "
            "use a new workdir, or change only " + ", ".join(config_lib.RESUMABLE_FIELDS)
        )


def has_checkpoint(workdir: Path) -> bool:
    """Whether either phase of the run in `workdir` has a step folder (good or not yet checked)."""
    folders = [Path(workdir) / name for name in ("checkpoints", "imitation")]
    return any(p.name.isdigit() for f in folders if f.is_dir() for p in f.iterdir())


def write_config(workdir: Path, config: config_lib.Config) -> None:
    tmp = Path(workdir) / "config.json.tmp"
    tmp.write_text(config_lib.to_json(config))
    os.replace(tmp, Path(workdir) / "config.json")


def manager(
    workdir: Path, max_to_keep: int = 3, folder: str = "checkpoints"
) -> ocp.CheckpointManager:
    options = ocp.CheckpointManagerOptions(max_to_keep=max_to_keep, create=True)
    with _quiet():  # it reads every step's metadata: a damaged one is `restore`'s to report
        return ocp.CheckpointManager(Path(workdir).absolute() / folder, options=options)


def save(
    mngr: ocp.CheckpointManager, loop: LoopState, with_replay: bool = True, step: int | None = None
) -> None:
    """Saves `loop` (without its replay window unless `with_replay`) under `step` (default: its
    iteration number), waits until it is on disk and writes its digest. Refuses non-finite
    parameters; a failed write (e.g. a full disk) is a one-line CheckpointError."""
    step = int(loop.iteration) if step is None else step
    if step in mngr.all_steps():
        return  # never rewrite a finished checkpoint
    if not all_finite((loop.train_state.params, loop.train_state.ema_params)):
        raise CheckpointError(f"not saving checkpoint {step}: its parameters are not all finite")
    saved = loop if with_replay else loop._replace(replay_state=None)
    try:
        with _quiet(settle_s=0.5):
            mngr.save(step, args=ocp.args.StandardSave(saved))
            mngr.wait_until_finished()
        if jax.process_index() == 0:  # one writer: hosts share the folder
            write_digest(Path(mngr.directory) / str(step))
    except Exception as error:  # orbax and tensorstore raise many types for one failed write
        raise CheckpointError(
            f"could not save checkpoint {step} in {mngr.directory} ({_reason(error)}); "
            "the checkpoints before it are kept"
        ) from None


def all_finite(tree) -> bool:
    return all(bool(jnp.all(jnp.isfinite(x))) for x in jax.tree.leaves(tree))


DIGEST = "digest.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_digests(folder: Path, skip: str | None = DIGEST) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under `folder` (but `skip`)."""
    files = (p for p in sorted(folder.rglob("*")) if p.is_file() and p.name != skip)
    return {p.relative_to(folder).as_posix(): _sha256(p) for p in files}


def write_digest(folder: Path) -> None:
    """`folder`/digest.json: the SHA-256 of every file in a finished checkpoint, written last."""
    tmp = folder / f"{DIGEST}.tmp"
    tmp.write_text(json.dumps(file_digests(folder), indent=1, sort_keys=True))
    os.replace(tmp, folder / DIGEST)


def verify(folder: Path) -> None:
    """Raises CheckpointError (one line: which file, and how) unless every file of the
    checkpoint in `folder` matches its digest."""
    try:
        expected = json.loads((folder / DIGEST).read_text())
    except FileNotFoundError:
        raise CheckpointError(f"no {DIGEST} (its save never finished)") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CheckpointError(f"{DIGEST} is unreadable ({_reason(error)})") from None
    if not isinstance(expected, dict):
        raise CheckpointError(f"{DIGEST} is not a digest")
    actual = file_digests(folder)
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            raise CheckpointError(f"{name} is missing")
        if name not in expected:
            raise CheckpointError(f"{name} is not in its digest")
        if actual[name] != expected[name]:
            raise CheckpointError(f"{name} does not match its digest")


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
    fallback: bool = False,
) -> LoopState:
    """Restores checkpoint `step` (default: newest) into the structure of `template`, after
    checking its digest; a checkpoint saved without its replay window gets `template`'s (empty)
    window. With `fallback`, damaged newer steps are moved aside (`<step>.damaged`, said on
    stderr) and the newest good one is restored; nothing moves if none is good."""
    steps = sorted(mngr.all_steps(), reverse=True)
    if not steps:
        raise CheckpointError(f"no checkpoint in {mngr.directory}")
    if step is not None and step not in steps:
        raise CheckpointError(f"no checkpoint {step} in {mngr.directory} (kept: "
                              f"{', '.join(map(str, sorted(steps)))})")  # fmt: skip
    tried = [step] if step is not None else steps if fallback else steps[:1]
    damaged = []
    for candidate in tried:
        try:
            restored = _restore_checked(mngr, candidate, template, with_replay)
        except CheckpointError as error:
            damaged.append((candidate, str(error)))
            continue
        for bad, why in damaged:  # only now: a good step exists to resume from
            if jax.process_index() == 0:  # one host moves it (a shared filesystem)
                aside = _move_aside(Path(mngr.directory) / str(bad))
                print(f"alphazero: checkpoint {bad} is damaged ({why}); moved to {aside}; "
                      f"resuming from checkpoint {candidate}", file=sys.stderr)  # fmt: skip
        if damaged:
            mngr.reload()
        return restored
    bad, why = damaged[0]
    if not fallback:
        hint = "" if step is not None else (
            "; training on this workdir moves it aside and resumes from the newest good one")
        raise CheckpointError(f"checkpoint {bad} in {mngr.directory} is damaged: {why}{hint}")
    raise CheckpointError(f"none of the {len(damaged)} checkpoints in {mngr.directory} could be "
                          f"restored; the newest, {bad}: {why}")  # fmt: skip


def _move_aside(folder: Path) -> Path:
    aside = folder.with_name(f"{folder.name}.damaged")
    for n in range(1, 1000):
        if not aside.exists():
            break
        aside = folder.with_name(f"{folder.name}.damaged.{n}")
    folder.rename(aside)
    return aside


def _restore_checked(mngr, step: int, template: LoopState, with_replay: bool) -> LoopState:
    verify(Path(mngr.directory) / str(step))
    target = template if with_replay else template._replace(replay_state=None)
    try:
        restored = _restore(mngr, step, target)
    except CheckpointError as error:  # perhaps saved without its window, or before imitation
        try:
            restored = _restore(mngr, step, target._replace(replay_state=None))
            if with_replay:  # a run carried across sessions without its window (pack_newest)
                print(f"alphazero: checkpoint {step} holds no replay window; it starts empty",
                      file=sys.stderr)  # fmt: skip
                with_replay = False
        except CheckpointError:
            try:
                old = _LoopStateBeforeImitation(*target[:5])
                restored = LoopState(*_restore(mngr, step, old))
            except CheckpointError:
                raise error from None  # the real reason, not a retry's
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
        with _quiet(settle_s=0.5):
            restored = mngr.restore(step, args=ocp.args.StandardRestore(abstract))
    except Exception as error:  # orbax raises many types for damaged files
        raise CheckpointError(f"orbax cannot read it ({_reason(error)})") from None
    return restored if isinstance(restored, type(target)) else type(target)(*restored)


def _reason(error: BaseException) -> str:
    """An exception as one short line (orbax's messages run to many)."""
    text = str(error)
    if isinstance(error, OSError) and error.errno == 28 or "os_error_code='28'" in text:
        return "no space left on the device"  # ENOSPC, however deep tensorstore wraps it
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:200] if lines else type(error).__name__


@contextlib.contextmanager
def _quiet(settle_s: float = 0.0):
    """orbax's warnings, and the tracebacks its reader threads print when a file is damaged,
    stay off the terminal: the one-line CheckpointError says what happened. On an error, waits
    `settle_s` for the reads still in flight to report (into the discarded stream) first."""
    from absl import logging as absl_logging

    level, hook, stderr = absl_logging.get_verbosity(), sys.unraisablehook, sys.stderr
    absl_logging.set_verbosity(absl_logging.FATAL)
    sys.unraisablehook, sys.stderr = (lambda unraisable: None), io.StringIO()
    try:
        yield
    except BaseException:
        time.sleep(settle_s)
        raise
    finally:
        absl_logging.set_verbosity(level)
        sys.unraisablehook, sys.stderr = hook, stderr


BEST = "best"


def read_best(workdir: Path) -> dict | None:
    """workdir/best/best.json ({"iteration", "elo"}) of the best network so far, or None."""
    path = Path(workdir) / BEST / "best.json"
    return json.loads(path.read_text()) if path.exists() else None


def save_best(workdir: Path, params, iteration: int, elo: float) -> None:
    """Keeps `params` as the run's best network (workdir/best/<iteration>, one folder), then
    points best.json at it and removes the one it replaces: a crash leaves the old best whole."""
    folder = Path(workdir) / BEST
    old = read_best(workdir)
    if old is not None and old["iteration"] == iteration:
        return
    save_tree(folder / str(iteration), params)
    tmp = folder / "best.json.tmp"
    tmp.write_text(json.dumps({"iteration": iteration, "elo": elo}))
    os.replace(tmp, folder / "best.json")
    if old is not None:
        shutil.rmtree(folder / str(old["iteration"]), ignore_errors=True)


def save_tree(path: Path, tree) -> None:
    """One pytree (e.g. a small model's params) to `path` with orbax, and its digest; refuses to
    overwrite."""
    checkpointer = ocp.StandardCheckpointer()
    with _quiet():
        checkpointer.save(Path(path).absolute(), tree)
        checkpointer.wait_until_finished()
    write_digest(Path(path))


def restore_tree(path: Path, like):
    """The pytree saved at `path`, shaped like `like` (arrays or ShapeDtypeStructs), after checking
    its digest."""
    target = jax.tree.map(_abstract, like)
    try:
        verify(Path(path))
        with _quiet(settle_s=0.5):
            return ocp.StandardCheckpointer().restore(Path(path).absolute(), target)
    except Exception as error:  # orbax raises many types for damaged files
        ours = isinstance(error, CheckpointError)
        why = error if ours else f"orbax cannot read it ({_reason(error)})"
        raise CheckpointError(f"{path} is damaged: {why}") from None
