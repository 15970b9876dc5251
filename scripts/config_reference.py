"""Markdown tables of every config field and of the presets, generated from alphazero/config.py.

    python scripts/config_reference.py                            # print both tables
    python scripts/config_reference.py --check docs/reference.md  # exit 1 if the doc is stale
    python scripts/config_reference.py --write docs/reference.md  # refresh the doc in place

The field table lists every leaf of `Config` by dotted name, with its type, its default in the base
`Config()` and its one-line doc, which is the attribute docstring under the field in config.py
(read with `ast`, so nothing here can drift from the source). In the doc each table sits between
`<!-- NAME:start -->` and `<!-- NAME:end -->` markers; `--check` compares what is between them.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import sys
import textwrap
from pathlib import Path

from alphazero import config as config_lib
from alphazero import presets

CONFIG_BLOCK = "config-table"
PRESET_BLOCK = "preset-table"


def field_docs(cls: type) -> dict[str, str]:
    """Attribute docstrings of a dataclass: {field name: the string literal right below it}."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body
    docs = {}
    for stmt, nxt in zip(body, body[1:], strict=False):
        is_field = isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
        is_doc = (
            isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        )
        if is_field and is_doc:
            docs[stmt.target.id] = " ".join(nxt.value.value.split())
    return docs


def config_rows(cls: type = config_lib.Config, prefix: str = "", default=None):
    """(dotted name, type, default, doc) for every leaf field, in declaration order."""
    default = cls() if default is None else default
    docs = field_docs(cls)
    rows = []
    for field in dataclasses.fields(cls):
        value = getattr(default, field.name)
        name = prefix + field.name
        if dataclasses.is_dataclass(value):
            rows += config_rows(type(value), name + ".", value)
        else:
            type_name = field.type if isinstance(field.type, str) else field.type.__name__
            rows.append((name, type_name, repr(value), docs.get(field.name, "")))
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def config_table() -> str:
    lines = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for name, type_name, default, doc in config_rows():
        lines.append(f"| `{name}` | `{_cell(type_name)}` | `{_cell(default)}` | {_cell(doc)} |")
    return "\n".join(lines)


# Columns of the preset table; `diff` names the config fields each column shows.
_PRESET_COLUMNS = {
    "game": ("game",),
    "network": ("network.torso", "network.num_blocks", "network.num_channels"),
    "simulations": ("search.num_simulations",),
    "games x moves": ("selfplay.num_games", "selfplay.num_moves"),
    "iterations": ("train.num_iterations",),
}


def _preset_cells(config: config_lib.Config) -> list[str]:
    net = config.network
    return [
        f"`{config.game}`",
        f"{net.torso} {net.num_blocks} x {net.num_channels}",
        str(config.search.num_simulations),
        f"{config.selfplay.num_games} x {config.selfplay.num_moves}",
        str(config.train.num_iterations),
    ]


def _value(config: config_lib.Config, dotted: str):
    value = config
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def preset_table() -> str:
    base = config_lib.Config()
    shown = {name for names in _PRESET_COLUMNS.values() for name in names}
    lines = [
        "| preset | " + " | ".join(_PRESET_COLUMNS) + " |",
        "|---" * (len(_PRESET_COLUMNS) + 1) + "|",
        "| base `Config()` | " + " | ".join(_preset_cells(base)) + " |",
    ]
    others = []
    for name, make in presets.PRESETS.items():
        config = make()
        lines.append(f"| `{name}` | " + " | ".join(_preset_cells(config)) + " |")
        rest = [f for f in config_lib.diff(base, config) if f not in shown]
        changes = ", ".join(f"`{f}={_value(config, f)!r}`" for f in rest) or "none"
        others.append(f"- `{name}`: {changes}")
    return "\n".join(lines + ["", "Other fields each preset changes from `Config()`:", ""] + others)


def blocks() -> dict[str, str]:
    """The generated text of each marked block, by marker name."""
    return {CONFIG_BLOCK: config_table(), PRESET_BLOCK: preset_table()}


def _span(text: str, name: str) -> tuple[int, int]:
    """Start and end offsets of the text between the `name` markers; ValueError if absent."""
    start_marker, end_marker = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    start = text.index(start_marker) + len(start_marker)
    return start, text.index(end_marker, start)


def check(path: str | Path) -> list[str]:
    """Names of the blocks in the doc at `path` that are missing or differ from the generated."""
    text = Path(path).read_text()
    stale = []
    for name, generated in blocks().items():
        try:
            start, end = _span(text, name)
        except ValueError:
            stale.append(name)
            continue
        if text[start:end].strip() != generated.strip():
            stale.append(name)
    return stale


def write(path: str | Path) -> None:
    """Replaces the text between each pair of markers in `path` with the generated block."""
    path = Path(path)
    text = path.read_text()
    for name, generated in blocks().items():
        start, end = _span(text, name)
        text = text[:start] + "\n" + generated + "\n" + text[end:]
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", metavar="DOC", help="exit 1 if DOC's tables are out of date")
    group.add_argument("--write", metavar="DOC", help="rewrite DOC's tables in place")
    args = parser.parse_args(argv)
    if args.check:
        stale = check(args.check)
        if stale:
            print(
                f"{args.check}: out of date or missing: {', '.join(stale)}; run "
                f"python scripts/config_reference.py --write {args.check}",
                file=sys.stderr,
            )
            return 1
        return 0
    if args.write:
        write(args.write)
        return 0
    for name, generated in blocks().items():
        print(f"<!-- {name}:start -->\n{generated}\n<!-- {name}:end -->\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
