"""What the repository keeps (docs/architecture.md): no file over 2 MiB, no folder of more than
200 data files and no checkpoint but the demo agents', unless the allowlists below name it with a
reason.

Run outputs grow quietly: one SGF per game, a checkpoint per iteration, a folder per evaluation
once made this checkout 10,000 files and 104 MB. The guard reads `git ls-files` (tracked files,
and untracked ones git does not ignore, so a run's new files fail here before they are
committed) and sizes on disk. Data files are everything but .py and .md; a folder's count is of
the files directly in it. A checkpoint is a folder holding orbax's `_CHECKPOINT_METADATA`.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 2 * 1024 * 1024
MAX_DATA_FILES = 200
ALLOWED_LARGE = {
    "data/countdown_solver.jsonl": "the Countdown imitation dataset (7.2 MB): 20,000 solver "
    "demonstrations with gold-value probes, one file, remade in hours by make_expert_games.py",
}
ALLOWED_CROWDED: dict[str, str] = {}  # folder -> reason
ALLOWED_CHECKPOINTS = {
    "runs/go_7x7_alphazero/checkpoints/66": "the demo agent (1.2 MB): docs/results.md rates "
    "iteration 66, the Go tutorial plays it with alphazero play, gtp and eval",
    "runs/go_7x7/best/120": "the go_7x7 preset's best network (0.4 MB), kept by its in-training "
    "evaluation and rated in docs/results.md (issue 23)",
    "runs/go_7x7_seed1/best/240": "the go_7x7 preset's second seed, its best network (0.4 MB), "
    "rated in docs/results.md (issue 23, acceptance point 2)",
    "runs/go_7x7/checkpoints/291": "the go_7x7 preset run's final checkpoint (1.2 MB, no replay "
    "window): its curve and the best network's run, rated in docs/results.md",
}


def violations(
    files: list[tuple[str, int]], allowed_large=ALLOWED_LARGE, allowed_crowded=ALLOWED_CROWDED,
    allowed_checkpoints=ALLOWED_CHECKPOINTS,
) -> list[str]:  # fmt: skip
    """One line per file over MAX_BYTES, per folder with over MAX_DATA_FILES data files and per
    checkpoint, among (path relative to the root, size in bytes) pairs, leaving out the
    allowlisted ones."""
    large = [
        f"{path}: {size / 2**20:.1f} MiB (over {MAX_BYTES / 2**20:g} MiB)"
        for path, size in files
        if size > MAX_BYTES and not _listed(path, allowed_large)
    ]
    data = Counter(
        str(PurePosixPath(path).parent) for path, _ in files if not path.endswith((".py", ".md"))
    )
    crowded = [
        f"{folder}/: {count} data files (over {MAX_DATA_FILES})"
        for folder, count in sorted(data.items())
        if count > MAX_DATA_FILES and folder not in allowed_crowded
    ]
    checkpoints = [
        f"{folder}/: a checkpoint of no demo agent"
        for folder in sorted(str(PurePosixPath(p).parent) for p, _ in files
                             if PurePosixPath(p).name == "_CHECKPOINT_METADATA")  # fmt: skip
        if not _listed(folder, allowed_checkpoints)
    ]
    return large + crowded + checkpoints


def _listed(path: str, allowed) -> bool:
    """An exact entry, or "folder/*" for every file or checkpoint under a folder whose names
    change (a run's carried checkpoint: whichever step is newest)."""
    return path in allowed or any(
        entry.endswith("/*") and path.startswith(entry[:-1]) for entry in allowed
    )


def kept_files(root: Path) -> list[tuple[str, int]]:
    """(path, size) of the files git tracks or would add (untracked, not ignored) under `root`."""
    try:
        command = ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others"]
        listing = subprocess.run(
            [*command, "--exclude-standard"], capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    paths = sorted(set(listing.decode().split("\0")) - {""})
    return [(p, (root / p).stat().st_size) for p in paths if (root / p).is_file()]


def test_repository__no_large_file_and_no_crowded_folder_outside_the_allowlist():
    problems = violations(kept_files(ROOT))
    assert not problems, (
        "the repository keeps no file over 2 MiB, no folder of over 200 data files and no "
        "checkpoint but a demo agent's (docs/architecture.md, 'What the repository keeps'; "
        "an allowlist entry needs a reason): " + "; ".join(problems)
    )


def test_repository__allowlisted_files_still_exist():
    kept = dict(kept_files(ROOT))
    for entry in ALLOWED_LARGE:
        assert any(_listed(path, [entry]) for path in kept), f"{entry} is gone: drop its entry"
    steps = [str(PurePosixPath(p).parent) for p in kept if p.endswith("/_CHECKPOINT_METADATA")]
    for entry in ALLOWED_CHECKPOINTS:
        assert any(_listed(step, [entry]) for step in steps), f"{entry} is gone: drop its entry"


def test_violations__a_planted_file_and_folder_fail_in_a_fresh_repository(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "big.bin").write_bytes(b"\0" * (3 * 2**20))
    (tmp_path / "games").mkdir()
    for i in range(MAX_DATA_FILES + 1):
        (tmp_path / "games" / f"game_{i:04d}.sgf").write_text("(;FF[4])")
    (tmp_path / "code").mkdir()
    for i in range(MAX_DATA_FILES + 1):  # code and docs are not data
        (tmp_path / "code" / f"m{i}.py").write_text("")
    (tmp_path / "run" / "checkpoints" / "7").mkdir(parents=True)
    (tmp_path / "run" / "checkpoints" / "7" / "_CHECKPOINT_METADATA").write_text("{}")
    files = kept_files(tmp_path)
    assert violations(files) == [
        "big.bin: 3.0 MiB (over 2 MiB)",
        f"games/: {MAX_DATA_FILES + 1} data files (over {MAX_DATA_FILES})",
        "run/checkpoints/7/: a checkpoint of no demo agent",
    ]
    allowed = ({"big.bin": "why"}, {"games": "why"}, {"run/checkpoints/7": "why"})
    assert violations(files, *allowed) == []
    assert violations(files, *allowed[:2], {"run/checkpoints/*": "a carried run"}) == []
    assert violations(files, *allowed[:2], {"run/*": "a folder above the step"}) == []
    assert violations(files, *allowed[:2], {"other/*": "another folder"}) != []
    assert violations([("a.bin", MAX_BYTES)]) == []  # the limit itself is allowed
    carried = [("run/carry/9/d/3f2a", MAX_BYTES + 1), ("run/other.bin", MAX_BYTES + 1)]
    assert violations(carried, {"run/carry/*": "a carried run"}) == [
        "run/other.bin: 2.0 MiB (over 2 MiB)"]  # a folder entry covers only files under it
