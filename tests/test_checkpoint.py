"""checkpoint.py: bit-exact round trip of the whole LoopState, and refusing damaged checkpoints."""

from __future__ import annotations

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


def test_checkpoint__corrupt_checkpoint_is_a_one_line_error(tmp_path, ttt_env):
    config = tiny_config()
    loop = learner.init_loop_state(ttt_env, config)
    manager = checkpoint.manager(tmp_path)
    checkpoint.save(manager, loop)
    for path in (tmp_path / "checkpoints").rglob("*"):
        if path.is_file() and path.stat().st_size > 0 and "metadata" not in path.name:
            path.write_bytes(b"garbage")
    with pytest.raises(checkpoint.CheckpointError) as error:
        checkpoint.restore(checkpoint.manager(tmp_path), loop)
    assert "unreadable" in str(error.value) and "\n" not in str(error.value)


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
