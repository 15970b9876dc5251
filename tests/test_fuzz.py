"""scripts/fuzz.py in CI: a few derandomized Hypothesis cases per surface (the script runs
thousands). Each case must end with exit 0 or 2, print no traceback, and leave the newest good
checkpoint's bytes unchanged; the script's property functions assert this themselves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import load_script

fuzz = load_script("fuzz")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_copy(tiny_run, tmp_path_factory):
    """The shared tiny run (checkpoints 1 and 2), copied: the surfaces read and probe it."""
    copy = tmp_path_factory.mktemp("fuzz") / "run"
    shutil.copytree(tiny_run[0], copy)
    return copy


@pytest.mark.parametrize("surface, examples", [("flags", 80), ("json", 80), ("bytes", 20)])
def test_fuzz__cli_input_and_checkpoint_damage(run_copy, surface, examples):
    runner = {"flags": fuzz.fuzz_flags, "json": fuzz.fuzz_json, "bytes": fuzz.fuzz_bytes}[surface]
    outcomes = runner(run_copy, examples, lambda: None)
    assert sum(outcomes.values()) == examples and set(outcomes) <= {0, 2}
    if surface != "bytes":  # the generators reach both sides: accepted and refused input
        assert outcomes[0] > 0 and outcomes[2] > 0, outcomes


@pytest.mark.slow  # two agents loaded and compiled (21 s)
def test_fuzz__lines_into_play(run_copy):
    assert sum(fuzz.fuzz_play(run_copy, 12, lambda: None).values()) == 12
    go = fuzz.fuzz_play(ROOT / "runs" / "go_7x7", 6, lambda: None, fuzz.GO_WORDS)
    assert sum(go.values()) == 6
