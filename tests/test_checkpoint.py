"""checkpoint.py: bit-exact round trip of the whole LoopState; digests, damaged checkpoints moved
aside or refused, non-finite parameters never saved, a full disk as one line."""

from __future__ import annotations

import errno
import json
import shutil
import subprocess

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import tiny_config

from alphazero import checkpoint, learner


def _leaves_equal(a, b) -> None:
    la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb, strict=True):
        assert np.asarray(x).dtype == np.asarray(y).dtype
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


@pytest.mark.slow
def test_checkpoint__round_trip_is_bit_exact(tmp_path, ttt_env):
    config = tiny_config()
    loop = learner.init_loop_state(ttt_env, config)
    # Make every part non-trivial: random params, a random key, counters.
    params = jax.tree.map(
        lambda x: jax.random.normal(jax.random.PRNGKey(3), x.shape, x.dtype),
        loop.train_state.params,
    )
    loop = loop._replace(
        train_state=loop.train_state._replace(params=params),
        key=jax.random.PRNGKey(42),
        iteration=np.int32(7),
    )
    manager = checkpoint.manager(tmp_path)
    checkpoint.save(manager, loop)
    restored = checkpoint.restore(
        checkpoint.manager(tmp_path), learner.init_loop_state(ttt_env, config)
    )
    assert type(restored).__name__ == "LoopState"
    _leaves_equal(loop, restored)


@pytest.fixture(scope="module")
def three_steps(tmp_path_factory, ttt_env):
    """(workdir with checkpoints 1, 2, 3 of a tiny loop, the loop): copy before changing it."""
    workdir = tmp_path_factory.mktemp("three_steps")
    loop = learner.init_loop_state(ttt_env, tiny_config())
    manager = checkpoint.manager(workdir)
    for step in (1, 2, 3):
        key = jax.random.PRNGKey(step)
        checkpoint.save(manager, loop._replace(iteration=np.int32(step), key=key))
    return workdir, loop


def _copy(three_steps, tmp_path):
    workdir, loop = three_steps
    shutil.copytree(workdir, tmp_path / "w")
    return tmp_path / "w", loop


def _largest_file(step_folder):
    files = [p for p in step_folder.rglob("*") if p.is_file() and p.name != checkpoint.DIGEST]
    return max(files, key=lambda p: p.stat().st_size)


def _flip(path, count: int = 16) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + count] = bytes(b ^ 0xFF for b in data[middle : middle + count])
    path.write_bytes(bytes(data))


def test_checkpoint__digest_lists_every_file_and_damage_is_refused(three_steps, tmp_path):
    workdir, loop = _copy(three_steps, tmp_path)
    folder = workdir / "checkpoints" / "3"
    digest = json.loads((folder / checkpoint.DIGEST).read_text())
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert set(digest) == files - {checkpoint.DIGEST}
    checkpoint.verify(folder)  # intact
    _flip(_largest_file(folder))
    with pytest.raises(checkpoint.CheckpointError, match="does not match its digest") as error:
        checkpoint.restore(checkpoint.manager(workdir), loop)
    assert "checkpoint 3" in str(error.value) and "\n" not in str(error.value)
    restored = checkpoint.restore(checkpoint.manager(workdir), loop, step=2)  # another step: fine
    assert int(restored.iteration) == 2


def test_checkpoint__fallback_moves_damaged_steps_aside_and_restores_the_newest_good(
    three_steps, tmp_path, capsys
):
    workdir, loop = _copy(three_steps, tmp_path)
    _flip(_largest_file(workdir / "checkpoints" / "3"))
    (workdir / "checkpoints" / "2" / checkpoint.DIGEST).unlink()  # a save that never finished
    manager = checkpoint.manager(workdir)
    restored = checkpoint.restore(manager, loop, fallback=True)
    assert int(restored.iteration) == 1
    _leaves_equal(restored.key, jax.random.PRNGKey(1))
    names = sorted(p.name for p in (workdir / "checkpoints").iterdir())
    assert names == ["1", "2.damaged", "3.damaged"] and manager.all_steps() == [1]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "checkpoint 3 is damaged" in err[0] and "never finished" in err[1]
    checkpoint.save(manager, loop._replace(iteration=np.int32(2)))  # the run goes on
    assert manager.all_steps() == [1, 2] and (workdir / "checkpoints" / "2.damaged").is_dir()


def test_checkpoint__none_restorable_is_one_line_and_moves_nothing(three_steps, tmp_path):
    workdir, loop = _copy(three_steps, tmp_path)
    for step in (1, 2, 3):
        _flip(_largest_file(workdir / "checkpoints" / str(step)))
    before = sorted(p.name for p in (workdir / "checkpoints").iterdir())
    with pytest.raises(checkpoint.CheckpointError, match="none of the 3") as error:
        checkpoint.restore(checkpoint.manager(workdir), loop, fallback=True)
    assert "\n" not in str(error.value)
    assert sorted(p.name for p in (workdir / "checkpoints").iterdir()) == before


def test_checkpoint__orbax_errors_are_one_quiet_line(three_steps, tmp_path, capfd):
    """Damage that the digest cannot see (it was rewritten after the damage) still ends in one
    line naming orbax's reason, and orbax's reader threads print nothing."""
    workdir, loop = _copy(three_steps, tmp_path)
    folder = workdir / "checkpoints" / "3"
    _flip(folder / "default" / "manifest.ocdbt")
    checkpoint.write_digest(folder)
    with pytest.raises(checkpoint.CheckpointError, match="orbax cannot read it") as error:
        checkpoint.restore(checkpoint.manager(workdir), loop)
    assert "\n" not in str(error.value)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "Exception ignored" not in out + err


def test_checkpoint__non_finite_parameters_are_never_saved(tmp_path, ttt_env):
    loop = learner.init_loop_state(ttt_env, tiny_config())
    params = jax.tree.map(lambda x: x.at[(0,) * x.ndim].set(jnp.nan), loop.train_state.params)
    bad = loop._replace(train_state=loop.train_state._replace(params=params))
    with pytest.raises(checkpoint.CheckpointError, match="not all finite"):
        checkpoint.save(checkpoint.manager(tmp_path), bad)
    assert checkpoint.manager(tmp_path).all_steps() == []


def _tmpfs(path, size: str) -> bool:
    path.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)]
    try:
        return subprocess.run(mount, capture_output=True).returncode == 0
    except OSError:  # no mount command here
        return False


def test_checkpoint__full_disk_is_one_line_and_keeps_earlier_steps(tmp_path, ttt_env, monkeypatch):
    """A real full disk (a small tmpfs) where it can be mounted; else ENOSPC injected."""
    loop = learner.init_loop_state(ttt_env, tiny_config())
    disk = tmp_path / "disk"
    mounted = _tmpfs(disk, "200k")
    try:
        manager = checkpoint.manager(disk / "run")
        checkpoint.save(manager, loop._replace(iteration=np.int32(1)))
        if mounted:  # fill what is left
            (disk / "filler").write_bytes(b"")
            with (disk / "filler").open("wb") as f, pytest.raises(OSError):
                f.write(b"0" * 300_000)
        else:
            def full(folder):
                raise OSError(errno.ENOSPC, "No space left on device", str(folder))

            monkeypatch.setattr(checkpoint, "write_digest", full)
        with pytest.raises(checkpoint.CheckpointError) as error:
            checkpoint.save(manager, loop._replace(iteration=np.int32(2)))
        assert "no space left on the device" in str(error.value) and "\n" not in str(error.value)
        (disk / "filler").unlink(missing_ok=True)
        monkeypatch.undo()
        restored = checkpoint.restore(checkpoint.manager(disk / "run"), loop, fallback=True)
        assert int(restored.iteration) == 1
    finally:
        if mounted:
            subprocess.run(["umount", str(disk)], check=True)


def test_checkpoint__without_replay_keeps_learner_and_gets_empty_window(tmp_path, ttt_env):
    config = tiny_config()
    fresh = learner.init_loop_state(ttt_env, config)
    # A full window of random values: incompressible, so its bytes dwarf the ~1 KB by which
    # orbax's metadata varies between saves (a nearly empty window compressed to less than that).
    window = fresh.replay_state.samples
    noise = jax.tree.map(
        lambda x: jax.random.uniform(jax.random.PRNGKey(1), x.shape).astype(x.dtype), window
    )
    filled = fresh.replay_state._replace(samples=noise, size=jnp.int32(window.mask.shape[0]))
    loop = fresh._replace(replay_state=filled, key=jax.random.PRNGKey(9), iteration=np.int32(3))
    checkpoint.save(checkpoint.manager(tmp_path), loop, with_replay=False)
    saved_bytes = sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())
    with_replay = tmp_path / "full"
    checkpoint.save(checkpoint.manager(with_replay), loop)
    full_bytes = sum(p.stat().st_size for p in with_replay.rglob("*") if p.is_file())
    window_bytes = sum(x.nbytes for x in jax.tree.leaves(noise))
    assert full_bytes - saved_bytes > window_bytes // 4
    # An abstract template (jax.eval_shape, no sharding) restores too, as load_agent does.
    template = jax.eval_shape(lambda: learner.init_loop_state(ttt_env, config))
    restored = checkpoint.restore(checkpoint.manager(tmp_path), template, with_replay=False)
    _leaves_equal(loop._replace(replay_state=None), restored._replace(replay_state=None))
    assert restored.replay_state is template.replay_state
    restored = checkpoint.restore(checkpoint.manager(tmp_path), fresh, with_replay=False)
    _leaves_equal(loop._replace(replay_state=fresh.replay_state), restored)
