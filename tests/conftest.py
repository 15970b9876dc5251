"""Shared, session-scoped fixtures: tiny configs and compiled functions reused across tests."""

from __future__ import annotations

import dataclasses
import gc
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

# The tests compile hundreds of small XLA programs and run each briefly, so LLVM's optimisation
# passes cost more than they save: at level 0 a tiny `train.run` takes 13-15 s against 22 s, cold.
# Set before jax is imported (pgx's import starts the backend, which reads XLA_FLAGS once);
# subprocesses (CLI, scripts, tutorials) inherit it. The code compiled is the same HLO, only less
# optimised machine code; a level the caller set is kept.
if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + " --xla_backend_optimization_level=0"
    ).strip()

import jax
import pgx
import pytest

from alphazero import config as config_lib
from alphazero import networks, presets


def pytest_configure(config) -> None:
    """One persistent JAX compilation cache for the session, inherited by every subprocess: the
    CLI, resume and tutorial tests start fresh processes that compile the same tiny configs, and
    load them from the cache instead (CI time). Every compile is cached, the many small eager ones
    too: a warm `alphazero train` of the countdown tutorial took 27 s with only compiles over
    0.2 s cached and 14 s with all (its 739 traces). A cache the caller set is kept."""
    if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
        os.environ["JAX_COMPILATION_CACHE_DIR"] = tempfile.mkdtemp(prefix="jax-cache-")
        os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    jax.config.update("jax_compilation_cache_dir", os.environ["JAX_COMPILATION_CACHE_DIR"])
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


def pytest_collection_modifyitems(items) -> None:
    """Tests marked slow run first (a stable sort). pytest-xdist hands tests out in this order, so
    the long end-to-end ones start early and the short ones fill both workers to the end; in
    collection order the tutorials came last and one worker ran them alone for minutes."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def _memory_mappings() -> int:
    """Memory regions this process has mapped (0 where /proc is missing: no such limit there)."""
    try:
        with open("/proc/self/maps", "rb") as maps:
            return sum(1 for _ in maps)
    except OSError:
        return 0


@pytest.fixture(autouse=True)
def _free_compiled_code_before_the_mapping_limit():
    """Drops every compiled function once the process holds 30,000 memory mappings. Each of XLA's
    CPU executables maps memory for as long as JAX's caches keep it; a whole session of them
    passed Linux's default vm.max_map_count (65,530) and the next compile segfaulted (CI at
    7db41c6 and 6436e7c, in tests/test_train.py; measured with /proc/<pid>/maps). Clearing only
    near the limit keeps the compiled functions tests share (clearing after every module: 1,485 s
    for the suite against 1,367 s); recompiles load from the persistent cache above."""
    yield
    if _memory_mappings() > 30_000:
        jax.clear_caches()
        _JITTED.clear()
        gc.collect()


GNUGO_MISSING = (
    "GNU Go (`gnugo`) is not on PATH nor in /usr/games; CI installs it with apt-get install gnugo"
)


def in_ci() -> bool:
    """True under CI (`CI` set, as .ci/run and CI services do), where a missing part fails."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_gnugo() -> str:
    """The GNU Go binary. Missing, the calling test fails under CI (a CI that lost its GNU Go
    must not pass by skipping every Go match test) and skips elsewhere."""
    from alphazero.go.gtp_client import gnugo_binary

    binary = gnugo_binary()
    if binary is None:
        if in_ci():
            pytest.fail(GNUGO_MISSING, pytrace=False)
        pytest.skip(f"{GNUGO_MISSING} (a failure under CI=true)")
    return binary


@pytest.fixture
def needs_gnugo() -> str:
    """Tests that play GNU Go: `@pytest.mark.usefixtures("needs_gnugo")` (see require_gnugo)."""
    return require_gnugo()


def load_script(name: str):
    """Imports scripts/<name>.py (scripts are not a package) as module `name`."""
    path = Path(__file__).resolve().parents[1] / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def tiny_config(**overrides) -> config_lib.Config:
    """A tic-tac-toe config that compiles and runs in seconds."""
    base = presets.tic_tac_toe()
    config = dataclasses.replace(
        base,
        network=config_lib.NetworkConfig(torso="mlp", num_blocks=1, num_channels=32),
        search=dataclasses.replace(base.search, num_simulations=8),
        selfplay=dataclasses.replace(base.selfplay, num_games=16, num_moves=9),
        replay=config_lib.ReplayConfig(capacity=1024, reuse=1.0),
        train=dataclasses.replace(base.train, num_iterations=2, batch_size=32),
        eval=config_lib.EvalConfig(every=0, num_games=4, num_simulations=8, opponents=("random",)),
    )
    return dataclasses.replace(config, **overrides)


# `alphazero train` flags that shrink the tic_tac_toe preset to about tiny_config's size.
TINY_FLAGS = [
    "--network.num-blocks",
    "1",
    "--network.num-channels",
    "32",
    "--search.num-simulations",
    "8",
    "--selfplay.num-games",
    "16",
    "--replay.capacity",
    "1024",
    "--replay.reuse",
    "1",
    "--train.batch-size",
    "32",
    "--eval.every",
    "0",
    "--eval.num-games",
    "4",
    "--eval.num-simulations",
    "8",
    "--eval.opponents",
    "random",
    "--eval.no-exhaustive",
    "--no-progress",
]


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A workdir holding a finished 2-iteration tiny tic-tac-toe run (shared, do not modify)."""
    from alphazero import train

    workdir = tmp_path_factory.mktemp("tiny_run")
    report = train.run(tiny_config(), workdir, progress=False)
    return workdir, report


@pytest.fixture(scope="session")
def ttt_env():
    return pgx.make("tic_tac_toe")


@pytest.fixture(scope="session")
def c4_env():
    return pgx.make("connect_four")


@pytest.fixture(scope="session")
def ttt_params(ttt_env):
    return networks.init(jax.random.PRNGKey(0), ttt_env, tiny_config().network)


@pytest.fixture(scope="session")
def c4_params(c4_env):
    """A uniform network (all weights 0: prior uniform, value 0), so search alone decides."""
    params = networks.init(jax.random.PRNGKey(0), c4_env, config_lib.NetworkConfig("resnet", 1, 8))
    return jax.tree.map(jax.numpy.zeros_like, params)


_JITTED: dict = {}


def play_moves(env, moves, seed: int = 0):
    """The pgx state after playing `moves` from the initial position (jitted, cached per env)."""
    if env not in _JITTED:
        _JITTED[env] = (jax.jit(env.init), jax.jit(env.step))
    init, step = _JITTED[env]
    state = init(jax.random.PRNGKey(seed))
    for move in moves:
        state = step(state, move)
    return state


def batch(state):
    return jax.tree.map(lambda x: x[None], state)


@pytest.fixture(scope="session")
def go_workdir(tmp_path_factory):
    """A go_5x5 run folder with an untrained checkpoint (no training needed to serve GTP)."""
    from pgx.go import Go

    from alphazero import checkpoint, learner

    workdir = tmp_path_factory.mktemp("go5")
    cfg = dataclasses.replace(
        presets.small_go(5),
        network=config_lib.NetworkConfig("resnet", 1, 8),
        selfplay=config_lib.SelfPlayConfig(num_games=2, num_moves=2),
        replay=config_lib.ReplayConfig(capacity=16),
        eval=config_lib.EvalConfig(num_simulations=4),
    )
    checkpoint.write_config(workdir, cfg)
    env = Go(size=5, komi=24.5)
    checkpoint.save(checkpoint.manager(workdir), learner.init_loop_state(env, cfg))
    return workdir
