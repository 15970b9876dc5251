"""Property-based fuzzing (Hypothesis) of every input a user types or a disk hands back.

    python scripts/fuzz.py --examples 500 --out docs/results/fuzz.json

Five surfaces. The property is the same each time: the program ends with exit code 0 or 2, it
prints no traceback, and the newest good checkpoint's bytes stay unchanged.

- `flags`: random values for every `alphazero train` flag, chosen by the field's type. Integers
  up to 2^70; floats including inf, nan and negatives; text including unicode digits; booleans
  and choices. Each case runs the CLI in-process up to its validation and workdir check, and
  never trains.
- `json`: random JSON for the run's config.json, the run's own config with one field replaced by
  random JSON, or random bytes. Then the same parse-and-validate.
- `bytes`: random bytes overwritten, a file truncated, deleted or appended to, in a random file
  of a random checkpoint step. Then a resume's restore (with fallback) must return the newest
  undamaged step, parameters bit for bit, having moved the damaged one aside.
- `play`: random lines typed into `alphazero play` for tic-tac-toe, until the input ends.
- `play_go`: the same into Go play against the demo agent in runs/go_7x7.

tests/test_fuzz.py runs each surface with a few examples in CI. This script runs thousands, and
its summary is in docs/results.md#reliability.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import functools
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
import typing
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
SURFACES = ("flags", "json", "bytes", "play", "play_go")
# Text a user might type for a number: unicode digits, exponents, words, separators.
TRICKY = ["²", "٣", "１２", "1e400", "-1e400", "inf", "-inf", "nan", "NaN", "0x10", "1_000", " 7",
          "", "-0", "1.5", "-3", "2**31", "True", "none", "9" * 40]  # fmt: skip
# Argument text: anything but NUL and surrogates (a real command line cannot carry them).
ARG_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                   max_size=12) | st.sampled_from(TRICKY)  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),  # fmt: skip
    max_leaves=8,
)


def _settings(examples: int):
    """`examples` cases, the same ones every run (derandomized), no example database on disk."""
    return settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))  # fmt: skip


class Outcome(typing.NamedTuple):
    code: int  # the exit status
    stderr: str


def run_cli(argv: list[str], read=None) -> Outcome:
    """`alphazero <argv>` in-process: its exit status (0 when it returns) and its stderr. Any
    exception other than SystemExit propagates: that is a traceback, the property's failure."""
    from alphazero import cli

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            cli.main(argv)
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
    return Outcome(code or 0, err.getvalue())


def check(outcome: Outcome, case) -> int:
    """The exit status, once the property holds: 0 or 2, and no traceback."""
    assert outcome.code in (0, 2), f"{case!r}: exit {outcome.code}\n{outcome.stderr[-1500:]}"
    assert "Traceback" not in outcome.stderr, f"{case!r}: a traceback\n{outcome.stderr[-3000:]}"
    return outcome.code


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file's SHA-256, the checkpoint's own digest.json included."""
    from alphazero import checkpoint

    return checkpoint.file_digests(folder, skip=None)


def newest(workdir: Path) -> Path:
    steps = [p for p in (workdir / "checkpoints").iterdir() if p.name.isdigit()]
    return max(steps, key=lambda p: int(p.name))


def _parse_only(config, workdir, **kwargs) -> dict:
    """Stands in for train.run: what it checks before any work, and nothing else."""
    from alphazero import checkpoint, validation

    validation.validate(config)
    checkpoint.prepare_workdir(Path(workdir), config)
    return {}


def train_flags() -> list[tuple[str, typing.Any]]:
    """(flag, type) for every leaf of the Config tree, as tyro names them."""
    from alphazero import config as config_lib

    def walk(cls, prefix: str):
        for name, hint in typing.get_type_hints(cls).items():
            if dataclasses.is_dataclass(hint):
                yield from walk(hint, f"{prefix}{name}.")
            else:
                yield f"--{prefix}{name}".replace("_", "-"), hint

    return list(walk(config_lib.Config, ""))


def flag_values(flag: str, hint) -> st.SearchStrategy[list[str]]:
    """The words after the flag, by the field's type (valid ones, edge cases and junk)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is bool:  # tyro: --x / --no-x, no value
        no = flag.rsplit(".", 1)
        no = f"{no[0]}.no-{no[1]}" if len(no) == 2 else f"--no-{flag[2:]}"
        return st.sampled_from([[], ["true"]]).map(lambda v: [flag, *v]) | st.just([no])
    if hint is int:
        words = st.integers(-(2**70), 2**70).map(str) | ARG_TEXT
    elif hint is float:
        words = st.floats().map(repr) | st.integers(-10, 10**6).map(str) | ARG_TEXT
    elif origin is typing.Literal:
        words = st.sampled_from([str(a) for a in args]) | ARG_TEXT
    elif origin is tuple:
        names = st.sampled_from(["random", "minimax", "gnugo-1", "gnugo-11", "alphabeta-٣"])
        return st.lists(names | ARG_TEXT, max_size=3).map(lambda v: [flag, *v])
    else:
        words = ARG_TEXT
    return words.map(lambda w: [flag, w])


def fuzz_flags(workdir: Path, examples: int, tick) -> collections.Counter:
    flags = train_flags()
    guarded = newest(workdir)
    before = fingerprint(guarded)
    scratch = Path(tempfile.mkdtemp(prefix="fuzz_flags_"))
    case_flags = st.sampled_from(flags).flatmap(lambda f: flag_values(*f))
    outcomes = collections.Counter()  # exit status -> cases

    @_settings(examples)
    @given(st.lists(case_flags, min_size=1, max_size=3), st.booleans(), st.integers(0, 10**9))
    def case(words, existing, n):
        target = workdir if existing else scratch / f"w{n}"
        argv = ["train", "--workdir", str(target)] + [w for group in words for w in group]
        with mock.patch("alphazero.train.run", _parse_only):
            outcomes[check(run_cli(argv), argv)] += 1
        tick()

    case()
    assert fingerprint(guarded) == before, "flags changed the newest checkpoint"
    shutil.rmtree(scratch, ignore_errors=True)
    return outcomes


def fuzz_json(workdir: Path, examples: int, tick) -> collections.Counter:
    scratch = Path(tempfile.mkdtemp(prefix="fuzz_json_")) / "w"
    shutil.copytree(workdir, scratch)
    stored = json.loads((workdir / "config.json").read_text())
    guarded = newest(scratch)
    before = fingerprint(guarded)
    paths = [(section, key) for section, value in stored.items() if isinstance(value, dict)
             for key in value] + [(key, None) for key in stored]  # fmt: skip
    replaced = st.tuples(st.sampled_from(paths), JSON).map(lambda c: _replace(stored, *c))
    files = (JSON.map(json.dumps) | replaced.map(json.dumps)).map(str.encode) | st.binary(
        max_size=64
    )
    outcomes = collections.Counter()  # exit status -> cases

    @_settings(examples)
    @given(files)
    def case(data):
        (scratch / "config.json").write_bytes(data)
        with mock.patch("alphazero.train.run", _parse_only):
            outcomes[check(run_cli(["train", "--workdir", str(scratch)]), data)] += 1
        tick()

    case()
    assert fingerprint(guarded) == before, "config.json cases changed the newest checkpoint"
    shutil.rmtree(scratch.parent, ignore_errors=True)
    return outcomes


def _replace(stored: dict, path: tuple[str, str | None], value) -> dict:
    out = json.loads(json.dumps(stored))
    section, key = path
    if key is None:
        out[section] = value
    else:
        out[section][key] = value
    return out


def fuzz_bytes(workdir: Path, examples: int, tick) -> collections.Counter:
    """Damage one file of one step, then restore as a resume does: the newest step whose files
    are untouched comes back bit for bit, the damaged one is moved aside, the rest unchanged."""
    import jax
    import numpy as np

    import games
    from alphazero import checkpoint, learner
    from alphazero.types import RL

    config = checkpoint.read_config(workdir)
    template = jax.eval_shape(lambda: learner.init_loop_state(games.make(config.game), config, RL))
    manager = checkpoint.manager(workdir)
    steps = sorted(manager.all_steps())
    originals = {s: jax.tree.leaves(checkpoint.restore(manager, template, step=s)) for s in steps}
    scratch = Path(tempfile.mkdtemp(prefix="fuzz_bytes_"))
    outcomes = collections.Counter()  # exit status -> cases
    damage = st.tuples(st.sampled_from(steps), st.integers(0, 10**6),
                       st.sampled_from(["overwrite", "truncate", "delete", "append"]),
                       st.floats(0, 1), st.binary(min_size=1, max_size=64))  # fmt: skip

    @_settings(examples)
    @given(damage)
    def case(how):
        step, index, kind, where, data = how
        run = scratch / f"run{sum(outcomes.values())}"
        shutil.copytree(workdir, run)
        folder = run / "checkpoints" / str(step)
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        changed = _damage(files[index % len(files)], kind, where, data)
        good = [s for s in steps if s != step or not changed]
        kept = {s: fingerprint(run / "checkpoints" / str(s)) for s in good}
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                restored = checkpoint.restore(checkpoint.manager(run), template, fallback=True)
            except checkpoint.CheckpointError as error:
                restored = error
        assert "Traceback" not in err.getvalue(), (how, err.getvalue()[-3000:])
        assert not isinstance(restored, Exception), (how, restored)  # a good step exists
        assert int(restored.iteration) == max(good), (how, int(restored.iteration))
        for a, b in zip(jax.tree.leaves(restored), originals[max(good)], strict=True):
            assert np.array_equal(np.asarray(a), np.asarray(b)), how
        assert all(fingerprint(run / "checkpoints" / str(s)) == kept[s] for s in good), how
        if changed and step > max(good):
            assert (run / "checkpoints" / f"{step}.damaged").is_dir(), how
        shutil.rmtree(run)
        outcomes[0] += 1  # restored (as `alphazero train` would resume: exit 0)
        tick()

    case()
    shutil.rmtree(scratch, ignore_errors=True)
    return outcomes


def _damage(path: Path, kind: str, where: float, data: bytes) -> bool:
    """Damages `path`; whether its bytes changed (an overwrite with equal bytes does not)."""
    before = path.read_bytes()
    at = int(where * len(before))
    if kind == "delete":
        path.unlink()
        return True
    if kind == "truncate":
        path.write_bytes(before[:at])
    elif kind == "append":
        path.write_bytes(before + data)
    else:
        path.write_bytes(before[:at] + data + before[at + len(data) :])
    return path.read_bytes() != before


# A typed line: text without a newline, raw bytes (undecodable ones too), moves and commands.
LINE = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\n\r"), max_size=16)
RAW = st.binary(max_size=16).map(lambda b: b.replace(b"\n", b"").replace(b"\r", b""))
TTT_WORDS = [str(i) for i in range(-1, 11)] + ["q", "quit", "²", "٣", " 4 ", "4 4", "", "1e1"]
GO_WORDS = ["d4", "D4", "a1", "g7", "h8", "z9", "pass", "PASS", "resign", "undo", "c3 c3", "", "q"]


def fuzz_play(workdir: Path, examples: int, tick, words=TTT_WORDS) -> collections.Counter:
    """Random lines into `alphazero play --workdir W` until they run out (end of input)."""
    guarded = newest(workdir)
    before = fingerprint(guarded)
    outcomes = collections.Counter()  # exit status -> cases
    line = st.sampled_from(words).map(str.encode) | LINE.map(str.encode) | RAW
    from alphazero import agent

    load_agent = functools.cache(agent.load_agent)  # one load (and compile) for every case

    @_settings(examples)
    @given(st.lists(line, max_size=12), st.sampled_from(["human", "agent"]))
    def case(lines, first):
        stdin = io.TextIOWrapper(io.BytesIO(b"\n".join(lines) + b"\n"), encoding="utf-8")
        argv = ["play", "--workdir", str(workdir), "--simulations", "2", "--first", first]
        with mock.patch("sys.stdin", stdin), mock.patch("alphazero.play.load_agent", load_agent):
            outcomes[check(run_cli(argv), lines)] += 1
        tick()

    case()
    assert fingerprint(guarded) == before, "play changed the newest checkpoint"
    return outcomes


def tiny_run(workdir: Path) -> Path:
    """A 3-iteration tiny tic-tac-toe run (steps 1-3), trained once if missing."""
    if not (workdir / "checkpoints" / "3" / "digest.json").exists():
        flags = ["--network.num-blocks", "1", "--network.num-channels", "16",
                 "--selfplay.num-games", "16", "--search.num-simulations", "8",
                 "--replay.capacity", "1024", "--train.batch-size", "32", "--eval.num-games",
                 "4", "--eval.num-simulations", "8", "--eval.no-exhaustive", "--no-progress",
                 "--train.num-iterations", "3"]  # fmt: skip
        command = [sys.executable, "-m", "alphazero.cli", "train", "--workdir", str(workdir)]
        subprocess.run(command + flags, check=True, capture_output=True)
    return workdir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=500, help="cases per surface")
    parser.add_argument("--surfaces", nargs="+", default=list(SURFACES), choices=SURFACES)
    parser.add_argument("--workdir", default=None, help="a tiny run to fuzz (default: trained)")
    parser.add_argument("--out", default=None, help="summary JSON")
    args = parser.parse_args()
    if args.examples < 1:
        sys.exit("fuzz: error: --examples must be positive")
    from tqdm import tqdm

    workdir = tiny_run(Path(args.workdir or tempfile.mkdtemp(prefix="fuzz_run_")) / "run")
    runners = {"flags": fuzz_flags, "json": fuzz_json, "bytes": fuzz_bytes, "play": fuzz_play,
               "play_go": lambda w, n, tick: fuzz_play(ROOT / "runs" / "go_7x7", n, tick, GO_WORDS)}
    summary = []
    with tqdm(total=args.examples * len(args.surfaces), unit="case") as bar:
        for surface in args.surfaces:
            bar.set_description(surface)
            start = time.perf_counter()
            outcomes = runners[surface](workdir, args.examples, lambda: bar.update())
            summary.append(dict(surface=surface, cases=sum(outcomes.values()), failures=0,
                                exit_0=outcomes[0], exit_2=outcomes[2],
                                seconds=round(time.perf_counter() - start, 1)))  # fmt: skip
    print("| surface | cases | exit 0 | exit 2 | failures | seconds |")
    print("|---|---|---|---|---|---|")
    for r in summary:
        print(f"| {r['surface']} | {r['cases']} | {r['exit_0']} | {r['exit_2']} | 0 | "
              f"{r['seconds']} |")  # fmt: skip
    print(f"total: {sum(r['cases'] for r in summary)} cases, 0 failures (a failure stops the run "
          "with Hypothesis's smallest failing case)")  # fmt: skip
    if args.out:
        Path(args.out).write_text(json.dumps(dict(surfaces=summary), indent=1) + "\n")


if __name__ == "__main__":
    main()
