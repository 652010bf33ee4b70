"""The shape of the house (ARCHITECTURE.md): imports point down, no cycles, and each
third-party library stays where it belongs. Every import is read, function-level and
TYPE_CHECKING ones included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "followup"

# cli → app → {sync, feed, busy, mail} → {store, config, files, credentials} → core → errors
LAYERS = [
    ("followup", "followup.errors"),
    ("followup.core",),
    ("followup.store", "followup.config", "followup.config_edit", "followup.files",
     "followup.credentials"),
    ("followup.sync", "followup.feed", "followup.busy", "followup.mail"),
    ("followup.app",),
    ("followup.cli",),
    ("followup.__main__",),
]
# Libraries that only one place may import (ARCHITECTURE.md rule 3).
OWNERS = {"click": ("followup.cli",), "caldav": ("followup.sync.caldav",),
          "waitress": ("followup.feed.server",), "imapclient": ("followup.mail.imap",)}
# Slow to import: only inside the functions that need them, so `--help` and `list` stay fast.
HEAVY = ("icalendar", "jinja2", "holidays", "recurring_ical_events", "waitress", "caldav",
         "spellchecker", "lxml", "platformdirs", "imapclient", "babel", "segno")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every import statement of a module."""
    path = MODULES[name]
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    top |= {id(n) for node in tree.body if isinstance(node, ast.If) for n in node.body}  # TYPE_CHECKING
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join(package + ([node.module] if node.module else []))
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.append((target if target in MODULES else base, node.lineno, id(node) in top))
    return found


def owner(target: str) -> str | None:
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def layer(name: str) -> int:
    for number, prefixes in enumerate(LAYERS):
        if name in prefixes or any(name.startswith(p + ".") for p in prefixes if p != "followup"):
            return number
    raise AssertionError(f"{name} is in no layer of ARCHITECTURE.md")


def group(name: str) -> str:
    """The package a module belongs to: sync, feed and busy are siblings that stay apart."""
    return ".".join(name.split(".")[:2])


EDGES = {name: sorted({(o, line) for t, line, _ in imports(name)
                       if (o := owner(t)) is not None and o != name}) for name in MODULES}


def test_every_module_is_in_a_layer() -> None:
    assert {name: layer(name) for name in MODULES}  # layer() raises for a stray module


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down(name: str) -> None:
    for target, line in EDGES[name]:
        if target == "followup":  # the package itself: __version__
            continue
        assert layer(target) <= layer(name), f"{name}:{line} imports {target}, a higher layer"
        if layer(target) == layer(name) == 3:
            assert group(target) == group(name), f"{name}:{line} imports its sibling {target}"


def test_there_are_no_import_cycles() -> None:
    graph = {name: {t for t, _ in EDGES[name] if t != "followup" and t != name} for name in MODULES}
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_libraries_stay_where_they_belong(name: str) -> None:
    for target, line, at_top in imports(name):
        root = target.split(".")[0]
        places = OWNERS.get(root)
        if places is not None:
            assert any(name == p or name.startswith(p + ".") for p in places), \
                f"{name}:{line} imports {root}; only {', '.join(places)} may"
        if root in HEAVY:
            assert not at_top or _under_type_checking(name, line), \
                f"{name}:{line} imports {root} at module level; import it where it is used"


def test_own_imports_stay_at_the_top() -> None:
    """So tools (and people) see the whole graph: function-level imports are for libraries."""
    inside = [f"{name}:{line} {target}" for name in MODULES
              for target, line, at_top in imports(name) if target.startswith("followup") and not at_top]
    assert inside == []


def _under_type_checking(name: str, line: int) -> bool:
    tree = ast.parse(MODULES[name].read_text())
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            if any(n.lineno == line for n in node.body):
                return True
    return False


def test_the_walker_sees_function_level_imports() -> None:
    """The walker itself: a function-level import is found and marked as such."""
    found = [(t, top) for t, _, top in imports("followup.core.schedule") if t == "holidays"]
    assert found == [("holidays", False)]
