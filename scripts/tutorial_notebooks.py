"""Tutorial pages as data: their code blocks with CI directives, and the notebooks made from them.

    python scripts/tutorial_notebooks.py --write      # regenerate docs/notebooks/*.ipynb
    python scripts/tutorial_notebooks.py --check      # exit 1 if a notebook is out of date

Every `bash` or `python` block of a page under docs/tutorials/ carries a directive in an HTML
comment on the line before it, which tells CI (tests/test_tutorials.py) how to run it at tiny size:

    <!-- ci: run -->                        run as written
    <!-- ci: append ARGS -->                append ARGS to every `alphazero train` line
    <!-- ci: replace OLD => NEW ; A => B --> run with these substitutions (each OLD must occur)
    <!-- ci: stdin T1 T2 ... -->            run with these lines on standard input
    <!-- ci: in-readme -->                  an install command: checked to be the README's own

A code block without a directive fails CI: nothing is skipped silently. Blocks of other
languages (`text`) are sample output and are not run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / "docs" / "tutorials"
NOTEBOOKS = ROOT / "docs" / "notebooks"
CODE_LANGUAGES = ("bash", "python")
_FENCE = re.compile(
    r"(?:^<!-- ci: (?P<directive>[^\n]*?) -->\n)?^```(?P<lang>[\w-]*)\n(?P<code>.*?)^```\n",
    re.S | re.M,
)


@dataclasses.dataclass(frozen=True)
class Block:
    lang: str
    code: str
    directive: str | None  # e.g. "run", "append --x 1", None if missing
    start: int  # character offset of the block (with its directive) in the page
    end: int


def blocks(text: str) -> list[Block]:
    """Every fenced block of a page, in order."""
    return [
        Block(m["lang"], m["code"], m["directive"], m.start(), m.end())
        for m in _FENCE.finditer(text)
    ]


def ci_code(block: Block) -> str:
    """The code CI runs for a block: the directive's override applied (stdin is separate)."""
    kind, _, rest = (block.directive or "").partition(" ")
    if kind == "append":
        lines = [
            f"{line} {rest}" if line.startswith("alphazero train") else line
            for line in block.code.splitlines()
        ]
        return "\n".join(lines) + "\n"
    if kind == "replace":
        code = block.code
        for pair in rest.split(" ; "):
            old, new = (part.strip() for part in pair.split("=>"))
            if old not in code:
                raise ValueError(f"ci replace: {old!r} does not occur in the block")
            code = code.replace(old, new)
        return code
    if kind in ("run", "stdin", "in-readme"):
        return block.code
    raise ValueError(f"code block without a valid ci directive: {block.directive!r}")


def ci_stdin(block: Block) -> str | None:
    """Standard input for a `ci: stdin` block (one token per line), else None."""
    kind, _, rest = (block.directive or "").partition(" ")
    return "\n".join(rest.split()) + "\n" if kind == "stdin" else None


def _cell(kind: str, source: str) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def notebook(page: Path) -> dict:
    """A Jupyter notebook with the page's prose as markdown cells and its code as code cells."""
    text = page.read_text()
    setup = (
        "# The commands below run from the repository root.\n"
        "import os\n"
        "import pathlib\n"
        "\n"
        'if pathlib.Path.cwd().name == "notebooks":\n'
        '    os.chdir("../..")\n'
    )
    cells, position = [_cell("code", setup)], 0
    for block in blocks(text):
        prose = re.sub(r"<!-- ci: .*? -->\n", "", text[position : block.start]).strip()
        if prose:
            cells.append(_cell("markdown", prose + "\n"))
        if block.lang == "python":
            cells.append(_cell("code", block.code))
        elif block.lang == "bash":
            cells.append(_cell("code", "%%bash\n" + block.code))
        else:
            cells.append(_cell("markdown", f"```{block.lang}\n{block.code}```\n"))
        position = block.end
    tail = text[position:].strip()
    if tail:
        cells.append(_cell("markdown", tail + "\n"))
    for cell in cells:  # a trailing newline in the last line of a cell is noise in Jupyter
        if cell["source"]:
            cell["source"][-1] = cell["source"][-1].rstrip("\n")
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }


def notebook_path(page: Path) -> Path:
    return NOTEBOOKS / f"{page.stem}.ipynb"


def pages() -> list[Path]:
    return sorted(TUTORIALS.glob("*.md"))


def render(page: Path) -> str:
    return json.dumps(notebook(page), indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true")
    group.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for page in pages():
        path, text = notebook_path(page), render(page)
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
        elif not path.exists() or path.read_text() != text:
            stale.append(str(path.relative_to(ROOT)))
    if stale:
        print(f"out of date: {', '.join(stale)}; run python scripts/tutorial_notebooks.py --write")
        sys.exit(1)


if __name__ == "__main__":
    main()
