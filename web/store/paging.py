"""Lists a page at a time: ``LIMIT``/``OFFSET`` in SQL, a count, previous and next.

    page = paginate(get_session(), farm_query_for(user).order_by(...), per_page=50)
    render_template("…", page=page)   # {% from "_paging.html" import pager %} {{ pager(page) }}

The statement keeps its access condition (the query says which rows the
user may see); only one page of rows leaves the database. ``?page=`` is read
from the request and bounded: a page past the end shows the last page, a
number that is not one (or is out of range of an integer) the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import func, select
from sqlmodel import Session

MAX_PAGE = 10**6  # a page number larger than any list; bounds ?page= before it reaches SQL


@dataclass
class Page:
    """One page of a list."""

    items: list[Any]
    number: int  # 1-based
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """The 1-based position of the first item on the page (0 on an empty list)."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)


def page_number(arg: str = "page") -> int:
    raw = request.args.get(arg, "")
    if not raw.isascii() or not raw.isdigit():
        return 1
    return max(1, min(int(raw[:8]), MAX_PAGE))


def paginate(session: Session, stmt: Any, *, per_page: int, number: int | None = None) -> Page:
    """The page ``number`` (default ``?page=``) of ``stmt``'s rows, and their count."""
    n = page_number() if number is None else number
    total = int(
        session.execute(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        ).scalar_one()
    )
    pages = max(1, -(-total // per_page))
    n = min(n, pages)
    items = list(session.exec(stmt.limit(per_page).offset((n - 1) * per_page)).all())
    return Page(items, n, per_page, total)
