"""Issue 16: no Swedish page or export shows an internal identifier where a Swedish name exists.

A demo session (``farmcalc demo``) is crawled as the farmer, the advisor and the municipality:
every page reachable by a link from the start page and the farm list, and every workbook
(.xlsx) linked from them. The visible text (tags, attributes and ``<code>`` left out: a
machine reads those) must not hold a factor set's name, a source id of the factor data or a
vocabulary code (``dairy_cow``): each has a Swedish name in the catalogue.
"""

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import openpyxl
import pytest

from farmcalc.inputs import vocabulary
from tests.web.conftest import sign_in
from web import create_app
from web.commands import DEMO_PASSWORD
from web.store.db import dispose

ROOT = Path(__file__).resolve().parents[2]
USERS = ("lantbrukare@example.se", "radgivare@example.se", "kommun@example.se")
MAX_PAGES = 120  # per user: enough for the demo's pages, bounded on a slow machine
# links a crawl does not follow: they change state, stream big files or are for machines.
# The import template and its example (/import/*.xlsx) and the account's data copy
# (/account/data.xlsx) hold the record's codes on purpose: a machine reads them back.
SKIP = re.compile(
    r"^/(auth/signout|static/|api/|openapi|import/(template|example)\.xlsx|account/data\.xlsx"
    r"|.*\.pdf$|.*\.json$|.*\.csv$|.*\.zip$)"
)
# the exports a reader reads: the results workbook and the municipality's workbook
EXPORTS = {
    "radgivare@example.se": ["/import/results.xlsx?year=2025"],
    "kommun@example.se": ["/municipality/export.xlsx"],
}


def internal_ids() -> set[str]:
    """Factor set names, source ids and the vocabulary's compound codes."""
    ids = {p.parent.name for p in (ROOT / "factors").glob("*/set.toml")}
    for path in (ROOT / "factors" / "sources").glob("*.csv"):
        with path.open(encoding="utf-8") as f:
            ids |= {row["source_id"] for row in csv.DictReader(f)}
    for value in vars(vocabulary).values():
        if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            ids |= {v for v in value if "_" in v}  # "dairy_cow"; a plain word may be Swedish
    return ids


IDS = internal_ids()
ID_RE = re.compile(
    r"(?<![\w./-])("
    + "|".join(map(re.escape, sorted(IDS, key=len, reverse=True)))
    + r")(?![\w-]|\.\w)"
)


class Visible(HTMLParser):
    """The Swedish text a reader sees and the page's links.

    Left out: script, style, ``<code>`` (a machine reads it) and an element marked as
    another language (``lang="en"``: the factor data's own notes, quoted as read).
    """

    HIDE = ("script", "style", "code", "template")
    VOID = (
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    )

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._stack: list[bool] = []  # per open element: is it hidden (or inside a hidden one)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag in self.VOID:
            return
        lang = a.get("lang")
        hidden = tag in self.HIDE or (lang is not None and not lang.startswith("sv"))
        self._stack.append(hidden or (bool(self._stack) and self._stack[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not (self._stack and self._stack[-1]):
            self.text.append(data)


def found_in(text: str) -> list[str]:
    return sorted({m.group(1) for m in ID_RE.finditer(text)})


def workbook_texts(data: bytes) -> list[tuple[str, str]]:
    """(sheet!cell, text) of every text cell of a workbook."""
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    out.append((f"{ws.title}!{c.coordinate}", c.value))
    return out


@pytest.fixture
def demo_app(runner, migrated_db_url, tmp_path):
    assert runner("demo", "--farms", "2").exit_code == 0
    app = create_app(
        {"DATABASE_URL": migrated_db_url, "SECRET_KEY": "x"}, instance_path=tmp_path / "i"
    )
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    yield app
    dispose(app)


def test_the_known_ids_are_listed():
    assert {"sweden", "ipcc2019", "dairy_cow", "high_activity_clay"} <= IDS


def test_no_internal_id_on_a_swedish_page_or_export(demo_app):
    shown: dict[str, list[str]] = {}
    workbooks: set[str] = set()
    for email in USERS:
        client = demo_app.test_client()
        r = sign_in(client, email, DEMO_PASSWORD)
        assert r.status_code == 302, email
        todo, seen = [*EXPORTS.get(email, []), "/", "/farms/", "/municipality/"], set()
        while todo and len(seen) < MAX_PAGES:
            url = todo.pop(0)
            if url in seen:
                continue
            seen.add(url)
            r = client.get(url)
            if r.status_code != 200:
                continue
            kind = r.headers.get("Content-Type", "")
            if "spreadsheetml" in kind:
                workbooks.add(url)
                for where, text in workbook_texts(r.data):
                    for i in found_in(text):
                        shown.setdefault(f"{url} {where}", []).append(i)
                continue
            if "text/html" not in kind:
                continue
            page = Visible()
            page.feed(r.get_data(as_text=True))
            ids = found_in(" ".join(page.text))
            if ids:
                shown[f"{email} {url}"] = ids
            for href in page.links:
                href = urldefrag(href)[0]
                parts = urlparse(href)
                if parts.scheme or parts.netloc or not href.startswith("/") or SKIP.match(href):
                    continue
                todo.append(href)
    # the results workbook and the municipality's were read (and any other linked one)
    assert {u for urls in EXPORTS.values() for u in urls} <= workbooks
    # one line per page or sheet: where, and which ids (the cells are many)
    summary: dict[str, set[str]] = {}
    for where, ids in shown.items():
        summary.setdefault(re.sub(r"![A-Z]+[0-9]+$", "", where), set()).update(ids)
    assert not summary, "\n".join(f"{k}: {sorted(v)}" for k, v in sorted(summary.items()))
