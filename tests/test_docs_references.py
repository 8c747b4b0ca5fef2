"""The repository explains itself: every file and name the docs point to exists.

README.md and docs/*.md name files (``web/store/writer.py``) and Python
names (``farmcalc.api.calculate_batch``); a rename that forgets the docs
fails here.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PATH = re.compile(
    r"(?<![\w/.-])((?:farmcalc|web|tests|tools|bench|factors|examples|translations|docs|deploy"
    r"|\.ci)/[\w./*-]*[\w*])"
)
NAME = re.compile(r"(?<![\w.@/-])((?:farmcalc|web)(?:\.\w+)+)")
FILE_SUFFIXES = (".py", ".toml", ".csv", ".md", ".json", ".xlsx", ".html", ".po", ".pot")
# Dotted words in the docs that are not Python names: the record's schema ids, file
# names of deployment and instance files, e-mail domains, entry-point groups.
NOT_PYTHON = re.compile(
    r"^(farmcalc\.(farm|result|plan|investment_plan|scenario|my)(/\d+)?|farmcalc\.(conf|env|service|sqlite)"
    r"|farmcalc\.commands|.*\.(example\.se|se)|web\.(my|example)\b.*)$"
)


def _mentions(pattern: re.Pattern) -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for m in pattern.finditer(doc.read_text(encoding="utf-8")):
            found.append((doc.name, m.group(1).rstrip(".")))
    return sorted(set(found))


def _python_names() -> list[tuple[str, str]]:
    return [
        (doc, name)
        for doc, name in _mentions(NAME)
        if not name.endswith(FILE_SUFFIXES) and not NOT_PYTHON.match(name)
    ]


def test_the_docs_name_files_and_python_names():
    """The scan finds what the docs are known to name (so it cannot pass by finding nothing)."""
    paths = {path for _, path in _mentions(PATH)}
    names = {name for _, name in _python_names()}
    assert "farmcalc/engine.py" in paths
    assert "web.store.writer.store_results" in names


@pytest.mark.parametrize(("doc", "path"), _mentions(PATH))
def test_a_path_in_the_docs_exists(doc, path):
    assert (ROOT / path).exists() or list(ROOT.glob(path)), f"{doc} names {path}"


def _resolve(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


@pytest.mark.parametrize(("doc", "name"), _python_names())
def test_a_python_name_in_the_docs_exists(doc, name):
    assert _resolve(name), f"{doc} names {name}"
