"""Follow a tutorial page as a new user would, at full size, in a fresh clone; time every block.

    python scripts/time_tutorial.py docs/tutorials/tic_tac_toe.md --clone /tmp/tutorial1 \
        --out docs/results/tutorial1_timing.json

Clones this repository into `--clone` (which must not exist), then runs the page's code blocks in
order inside the clone exactly as written (no CI shrinking): bash blocks in one bash session per
block with the clone's `.venv` activated once the install block has made it, python blocks in one
`python` process fed the blocks in sequence. Blocks marked `ci: stdin` get those lines as input.
Prints and saves the wall time of each block and the total, clone included.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import tutorial_notebooks as notebooks

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("--clone", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.clone.exists():
        sys.exit(f"time_tutorial: error: {args.clone} exists; pick a new folder")

    start = time.perf_counter()
    timings = []

    def timed(label: str, command: list[str], stdin: str = "") -> None:
        t0 = time.perf_counter()
        result = subprocess.run(command, cwd=args.clone, input=stdin, text=True)
        seconds = time.perf_counter() - t0
        timings.append({"block": label, "seconds": round(seconds, 1), "exit": result.returncode})
        print(f"[{time.perf_counter() - start:7.1f} s] {label}: {seconds:.1f} s", flush=True)
        if result.returncode:
            sys.exit(f"time_tutorial: error: {label} failed with exit {result.returncode}")

    t0 = time.perf_counter()
    subprocess.run(["git", "clone", "-q", str(ROOT), str(args.clone)], check=True)
    timings.append({"block": "git clone", "seconds": round(time.perf_counter() - t0, 1)})
    python_blocks = []
    for i, block in enumerate(notebooks.blocks(args.page.read_text())):
        if block.lang not in ("bash", "python"):
            continue
        stdin = notebooks.ci_stdin(block) or ""
        first_line = block.code.strip().splitlines()[0][:60]
        if block.lang == "python":
            python_blocks.append(block.code)
            script = "\n".join(python_blocks)  # a notebook: earlier blocks' names stay defined
            label = f"block {i} (python, run with the earlier python blocks): {first_line}"
            timed(label, [str(args.clone / ".venv" / "bin" / "python"), "-c", script])
            continue
        activate = ". .venv/bin/activate && " if (args.clone / ".venv").exists() else ""
        timed(f"block {i} (bash): {first_line}", ["bash", "-c", activate + block.code], stdin)
    total = time.perf_counter() - start
    print(f"total {total:.1f} s ({total / 60:.1f} min)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "page": str(args.page),
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "machine": f"{platform.machine()}, {subprocess.getoutput('nproc')} cores",
            "total_s": round(total, 1),
            "blocks": timings,
        }
        args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
