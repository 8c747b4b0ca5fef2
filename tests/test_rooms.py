"""The house's rooms: imports point down the path, and no two modules share a name.

Read from the source with ``ast`` (nothing is imported), so a new import that
points the wrong way, or a new ``api.py`` next to the old one, fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# room -> packages it must never import (prefix match on the dotted module name)
NEVER = {
    "farmcalc": ("web", "flask", "flask_babel", "flask_wtf", "sqlmodel", "sqlalchemy"),
    "farmcalc.inputs": (
        "farmcalc.sources",
        "farmcalc.engine",
        "farmcalc.outputs",
        "farmcalc.steering",
        "farmcalc.municipality",
        "farmcalc.excel",
        "farmcalc.api",
    ),
    "farmcalc.sources": (
        "farmcalc.outputs",
        "farmcalc.steering",
        "farmcalc.municipality",
        "farmcalc.excel",
        "farmcalc.api",
    ),
    "farmcalc.engine": ("farmcalc.outputs", "farmcalc.steering", "farmcalc.api"),
    "farmcalc.outputs": ("farmcalc.steering", "farmcalc.municipality", "farmcalc.excel"),
    "web.store": ("web.views",),
    "web.services": ("web.views",),
}


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for package in ("farmcalc", "web"):
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _imports(path: Path, module: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level or None]
                if path.name == "__init__.py":
                    package = module.split(".")[: len(module.split(".")) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def wrong_way(root: Path) -> list[str]:
    """Every import of a module that its room must never import, as ``a -> b``."""
    bad = []
    for module, path in _modules(root).items():
        for imported in sorted(_imports(path, module)):
            for room, forbidden in NEVER.items():
                if _under(module, room) and any(_under(imported, f) for f in forbidden):
                    bad.append(f"{module} -> {imported}")
    return sorted(set(bad))


def _one_letter_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def name_clashes(root: Path) -> list[str]:
    """Pairs of modules whose file names are the same or differ by one letter."""
    names: dict[str, list[str]] = {}
    for module, path in _modules(root).items():
        if path.name != "__init__.py":
            names.setdefault(path.stem, []).append(module)
    clashes = [" = ".join(mods) for mods in names.values() if len(mods) > 1]
    stems = sorted(names)
    for i, a in enumerate(stems):
        for b in stems[i + 1 :]:
            if _one_letter_apart(a, b):
                clashes.append(f"{names[a][0]} ~ {names[b][0]}")
    return clashes


def test_imports_point_down_the_path():
    assert wrong_way(ROOT) == []


def test_no_two_modules_share_a_name_or_differ_by_a_letter():
    assert name_clashes(ROOT) == []


@pytest.fixture
def crooked_house(tmp_path):
    """A copy of the layout with one import the wrong way and two near-twin names."""
    (tmp_path / "farmcalc" / "sources").mkdir(parents=True)
    (tmp_path / "farmcalc" / "outputs").mkdir()
    (tmp_path / "web" / "store").mkdir(parents=True)
    (tmp_path / "farmcalc" / "__init__.py").write_text("")
    (tmp_path / "farmcalc" / "sources" / "__init__.py").write_text("")
    (tmp_path / "farmcalc" / "sources" / "energy.py").write_text(
        "from farmcalc.outputs import totals\nfrom ..outputs.notes import x\n"
    )
    (tmp_path / "farmcalc" / "outputs" / "totals.py").write_text("import web.store\n")
    (tmp_path / "farmcalc" / "api.py").write_text("")
    (tmp_path / "web" / "api.py").write_text("")
    (tmp_path / "web" / "store" / "import.py").write_text("")
    (tmp_path / "web" / "store" / "imports.py").write_text("")
    return tmp_path


def test_the_checks_find_a_crooked_house(crooked_house):
    assert wrong_way(crooked_house) == [
        "farmcalc.outputs.totals -> web.store",
        "farmcalc.sources.energy -> farmcalc.outputs",
        "farmcalc.sources.energy -> farmcalc.outputs.notes",
        "farmcalc.sources.energy -> farmcalc.outputs.notes.x",
        "farmcalc.sources.energy -> farmcalc.outputs.totals",
    ]
    assert sorted(name_clashes(crooked_house)) == [
        "farmcalc.api = web.api",
        "web.store.import ~ web.store.imports",
    ]
