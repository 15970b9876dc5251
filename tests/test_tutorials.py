"""The docs site builds strictly, and every code block of every tutorial runs (at tiny sizes).

Each tutorial page runs top to bottom in one scratch folder, as a reader would in their clone:
bash blocks in a shell with this environment's `alphazero` and `python`, python blocks in one
shared namespace. How each block is shrunk is written next to it in the page (`<!-- ci: ... -->`,
see scripts/tutorial_notebooks.py); a block without a directive fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import load_script, require_gnugo

ROOT = Path(__file__).resolve().parents[1]


notebooks = load_script("tutorial_notebooks")


def _run_bash(code: str, cwd: Path, stdin: str | None) -> None:
    # The page's commands compile the same functions again and again (train, resume, play, tree);
    # they inherit the session's persistent compilation cache (conftest.py) and load them instead.
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", code],
        cwd=cwd,
        env=env,
        input=stdin or "",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"block failed (exit {result.returncode}):\n{code}\n--- stdout\n{result.stdout[-3000:]}"
        f"\n--- stderr\n{result.stderr[-3000:]}"
    )


@pytest.mark.parametrize("page", notebooks.pages(), ids=lambda p: p.stem)
@pytest.mark.slow
def test_tutorial__every_code_block_runs(page, tmp_path, monkeypatch):
    if page.stem == "go":
        require_gnugo()  # fails under CI, skips elsewhere
    readme = (ROOT / "README.md").read_text()
    (tmp_path / "scripts").symlink_to(ROOT / "scripts")
    (tmp_path / "data").symlink_to(ROOT / "data")  # the shipped expert games
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__tutorial__"}
    code_blocks = [b for b in notebooks.blocks(page.read_text()) if b.lang in ("bash", "python")]
    assert code_blocks, f"{page.name} has no code blocks"
    for i, block in enumerate(code_blocks):
        if block.directive == "in-readme":
            assert block.code.strip() in readme, f"{page.name} block {i}: not the README's command"
            continue
        code = notebooks.ci_code(block)
        stdin = notebooks.ci_stdin(block)
        start = time.perf_counter()
        if block.lang == "bash":
            _run_bash(code, tmp_path, stdin)
        else:
            exec(compile(code, f"{page.name}[block {i}]", "exec"), namespace)
        print(f"{page.name} block {i} ({block.lang}): {time.perf_counter() - start:.1f} s")


def test_tutorial__notebooks_are_up_to_date():
    stale = [
        p.name
        for p in notebooks.pages()
        if not notebooks.notebook_path(p).exists()
        or notebooks.notebook_path(p).read_text() != notebooks.render(p)
    ]
    assert not stale, f"run python scripts/tutorial_notebooks.py --write (stale: {stale})"


def test_tutorial__directive_parsing():
    text = (
        "intro\n<!-- ci: replace 200 => 4 ; 64 => 2 -->\n```python\nf(200, 64)\n```\n"
        "```text\noutput\n```\n<!-- ci: append --x 1 -->\n```bash\nalphazero train\nls\n```\n"
    )
    found = notebooks.blocks(text)
    assert [b.lang for b in found] == ["python", "text", "bash"]
    assert notebooks.ci_code(found[0]) == "f(4, 2)\n"
    assert notebooks.ci_code(found[2]) == "alphazero train --x 1\nls\n"
    with pytest.raises(ValueError, match="directive"):
        notebooks.ci_code(found[1])
    stale = notebooks.Block("python", "f(1)\n", "replace 200 => 4", 0, 0)
    with pytest.raises(ValueError, match="does not occur"):
        notebooks.ci_code(stale)


def test_docs_site__builds_strictly(tmp_path):
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
    result = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-4000:]}"
    assert (tmp_path / "site" / "tutorials" / "tic_tac_toe" / "index.html").exists()
