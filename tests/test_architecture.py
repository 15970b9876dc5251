"""docs/architecture.md's import rules, checked on the source with `ast` (imports inside functions
included): no cycles among project modules, games/ never imports alphazero, the core loop imports
neither room (alphazero.go, alphazero.lm), and the two rooms do not import each other."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("alphazero", "games")
# The core loop (docs/architecture.md): these modules may import neither room.
CORE = ("types", "config", "presets", "networks", "search", "selfplay", "targets", "replay",
        "losses", "learner", "train")  # fmt: skip
ROOMS = ("alphazero.go", "alphazero.lm")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def imports_of(source: str, package: str, modules: set[str]) -> set[str]:
    """Project modules that `source` (a file of `package`) imports anywhere in its body:
    `import a.b`, `from a import b` (b a module, else a itself); relative imports resolved."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in modules else base)
    return {m for m in found if m in modules}


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = imports_of(path.read_text(), package, set(modules)) - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as a list of modules (first == last), or None (depth-first search)."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def in_room(module: str, room: str) -> bool:
    return module == room or module.startswith(room + ".")


GRAPH = import_graph()


def test_find_cycle__known_answers():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"x": {"y"}, "y": {"y2"}, "y2": {"y"}}) == ["y", "y2", "y"]


def test_imports_of__sees_function_level_from_and_relative_imports():
    source = ("import games\nimport numpy\n\ndef f():\n    from alphazero.go import gtp\n"
              "    from alphazero.config import Config\n    from . import sgf\n")  # fmt: skip
    modules = {"games", "alphazero.go", "alphazero.go.gtp", "alphazero.go.sgf", "alphazero.config"}
    assert imports_of(source, "alphazero.go", modules) == {
        "games", "alphazero.go.gtp", "alphazero.config", "alphazero.go.sgf"}  # fmt: skip


def test_the_graph_covers_the_rooms():
    assert {"alphazero.train", "alphazero.learner", "alphazero.go.match", "alphazero.lm.llama",
            "games.go"} <= set(GRAPH)  # fmt: skip
    assert "alphazero.learner" in GRAPH["alphazero.imitation"]


def test_no_import_cycle_among_project_modules():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_games_never_imports_alphazero():
    bad = {m: sorted(i for i in deps if in_room(i, "alphazero"))
           for m, deps in GRAPH.items() if in_room(m, "games")}  # fmt: skip
    assert not any(bad.values()), {m: v for m, v in bad.items() if v}


@pytest.mark.parametrize("core", CORE)
def test_core_loop_imports_neither_room(core):
    deps = GRAPH[f"alphazero.{core}"]
    assert not [d for d in deps if any(in_room(d, room) for room in ROOMS)], sorted(deps)


def test_rooms_do_not_import_each_other():
    for room, other in (ROOMS, ROOMS[::-1]):
        bad = {m: sorted(d for d in deps if in_room(d, other))
               for m, deps in GRAPH.items() if in_room(m, room)}  # fmt: skip
        assert not any(bad.values()), {m: v for m, v in bad.items() if v}


def test_learner_is_one_way():
    """imitation and train build on learner; learner imports neither (the old circle)."""
    assert not GRAPH["alphazero.learner"] & {"alphazero.imitation", "alphazero.train"}


def test_importing_the_core_loop_loads_no_room():
    """At run time too: `import alphazero.train` (and what it imports at module level) loads no
    module of alphazero.go or alphazero.lm; Go tools are imported where a Go opponent is used."""
    loaded = "sorted(m for m in sys.modules if m.startswith(('alphazero.go', 'alphazero.lm')))"
    code = f"import sys, alphazero.train; print({loaded})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
