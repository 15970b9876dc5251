"""The CI cannot hide a missing part: .ci/run runs the README's test command under CI=true, and
there a test that needs GNU Go fails where it would skip on a developer's machine."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GNUGO_MISSING, require_gnugo

from alphazero.go import gtp_client

ROOT = Path(__file__).resolve().parents[1]


def test_ci_script__runs_the_readmes_test_command_under_ci():
    script = (ROOT / ".ci" / "run").read_text()
    command = script.strip().splitlines()[-1]
    assert command.startswith("python3 -m venv .venv")
    assert "pytest -q -n 3 --dist loadfile" in command
    assert f"```bash\n{command}\n```" in (ROOT / "README.md").read_text()
    assert "\nexport CI=true\n" in script and "apt-get update" in script
    assert subprocess.run(["bash", "-n", ROOT / ".ci" / "run"]).returncode == 0  # it parses


@pytest.mark.parametrize(
    "ci, outcome",
    [("true", pytest.fail.Exception), ("1", pytest.fail.Exception), ("", pytest.skip.Exception)],
)
def test_require_gnugo__missing_fails_under_ci_and_skips_elsewhere(monkeypatch, ci, outcome):
    monkeypatch.setattr(gtp_client, "gnugo_binary", lambda: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match=re.escape(GNUGO_MISSING)):
        require_gnugo()


def test_require_gnugo__present_is_its_path(monkeypatch):
    monkeypatch.setattr(gtp_client, "gnugo_binary", lambda: "/usr/games/gnugo")
    monkeypatch.setenv("CI", "true")
    assert require_gnugo() == "/usr/games/gnugo"


@pytest.mark.slow  # collects the whole suite in a subprocess (7 s); CI runs every tier
def test_fast_tier__covers_every_test_file_and_at_least_40_percent():
    """`pytest -m "not slow"` (README's fast tier) keeps a test of every tests/test_*.py and at
    least 40% of the suite: leaving out whole files would let a change break them unnoticed."""
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "not slow"]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    kept = {line.split("::")[0] for line in out.splitlines() if "::" in line}
    files = {f"tests/{p.name}" for p in (ROOT / "tests").glob("test_*.py")}
    assert files <= kept, f"no fast test in {sorted(files - kept)}"
    selected, total = map(int, re.search(r"(\d+)/(\d+) tests collected", out).groups())
    assert selected >= 0.4 * total, f"{selected} of {total}"
