"""Many rows in one statement, below SQLAlchemy's per-row parameter handling.

The one writer (``web.store.writer.store_results``) and the audit log store
thousands of rows per Excel import. SQLAlchemy's ``session.execute(stmt,
list_of_dicts)`` works out every row's parameters in Python (for an import of
10,000 farms about 0.5 s of the farm-years' and totals' upserts, measured with
``bench/bench_excel.py``); here the statement is written once and the rows go to
the driver's ``executemany`` as tuples, as they are. The column types' bind
processors of the dialect are applied (SQLite's ``DateTime`` is stored as SQLAlchemy
writes it), so a row reads back the same as one written by SQLAlchemy.

Only the names of the table's own columns are put in the SQL text (quoted by the
dialect); every value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, Table
from sqlmodel import Session


def _processors(table: Table, columns: Sequence[str], dialect: Any, skip: Sequence[str]):
    """(position, bind processor) of the columns whose type converts values for the driver."""
    out = []
    for i, name in enumerate(columns):
        kind = table.c[name].type
        # a number goes to the driver as it is: SQLite's float() of a float is the same
        # number, and a column of REAL affinity stores an integer as a real
        if name in skip or isinstance(kind, Float):
            continue
        proc = kind.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            out.append((i, proc))
    return out


def _converted(values: tuple, proc: Any) -> list:
    """``proc`` of each value, worked out once per distinct value."""
    try:
        seen = {v: proc(v) for v in set(values)}
    except TypeError:  # a value that cannot be a key (none of the writer's)
        return [proc(v) for v in values]
    return list(map(seen.__getitem__, values))


def insert_sql(
    table: Table,
    columns: Sequence[str],
    dialect: Any,
    *,
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
    json_columns: Sequence[str] = (),
) -> str:
    """``INSERT INTO table (columns) VALUES (…)``, with ``ON CONFLICT (conflict) DO UPDATE
    SET`` each ``update`` column to the new row's value when ``conflict`` is given.

    The ``json_columns`` take JSON text: cast to ``jsonb`` on PostgreSQL, stored as
    text on SQLite (the type the ``JSONDoc`` columns have there).
    """
    q = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    marks = [
        f"CAST({mark} AS jsonb)" if c in json_columns and dialect.name == "postgresql" else mark
        for c in columns
    ]
    sql = (
        f"INSERT INTO {q(table.name)} ({', '.join(q(c) for c in columns)}) "
        f"VALUES ({', '.join(marks)})"
    )
    if conflict:
        sets = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in update)
        sql += f" ON CONFLICT ({', '.join(q(c) for c in conflict)}) DO UPDATE SET {sets}"
    return sql


def write_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple],
    *,
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
    json_columns: Sequence[str] = (),
) -> None:
    """Insert (or upsert, see :func:`insert_sql`) ``rows`` in the session's transaction.

    Parameters
    ----------
    session : Session
        The caller's session: the rows are written in its transaction.
    table : Table
        The table (its column types convert the values).
    columns : sequence of str
        The columns of each row, in the tuples' order.
    rows : list of tuple
        The values; a ``json_columns`` value is JSON text.
    conflict, update, json_columns : sequence of str
        See :func:`insert_sql`.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name == "postgresql" and _copy_rows(
        conn, table, columns, rows, conflict, update, json_columns
    ):
        return
    procs = _processors(table, columns, dialect, json_columns)
    if procs:  # column by column, each distinct value converted once (a batch's rows share
        # their time stamps): no Python loop over the rows (10,000 farm-years: 45 → 5 ms)
        cols = list(zip(*rows, strict=True))
        for i, proc in procs:
            cols[i] = _converted(cols[i], proc)
        rows = list(zip(*cols, strict=True))
    sql = insert_sql(
        table, columns, dialect, conflict=conflict, update=update, json_columns=json_columns
    )
    conn.exec_driver_sql(sql, rows)


def _copy_rows(
    conn: Any,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple],
    conflict: Sequence[str],
    update: Sequence[str],
    json_columns: Sequence[str] = (),
) -> bool:
    """PostgreSQL with psycopg 3: the rows by one ``COPY … FROM STDIN`` (False: no COPY).

    An upsert copies into a temporary table of the same column types, then runs one
    ``INSERT … SELECT … ON CONFLICT DO UPDATE`` and drops it. psycopg's ``executemany``
    runs one statement per row: for 10,000 farm-years with their JSON documents 4.8–8 s,
    where the copy takes well under a second (``bench/bench_excel.py --database-url``).
    psycopg adapts the values itself (the server parses JSON text into ``jsonb``). The
    temporary table keeps its JSON uncompressed (``STORAGE EXTERNAL``), so that the
    documents are compressed once, by the target column's method (LZ4: migration 0016).
    """
    cursor = conn.connection.driver_connection.cursor()
    if not hasattr(cursor, "copy"):  # psycopg 2: the executemany of write_rows
        cursor.close()
        return False
    q = conn.dialect.identifier_preparer.quote
    cols = ", ".join(q(c) for c in columns)
    target = q(table.name)
    try:
        if conflict:
            temp = f"pg_temp.{q(f'copy_{table.name}')}"  # never a table of the schema
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} AS SELECT {cols} FROM {target} WITH NO DATA"
            )
            for c in json_columns:
                cursor.execute(f"ALTER TABLE {temp} ALTER COLUMN {q(c)} SET STORAGE EXTERNAL")
            into = temp
        else:
            into = target
        with cursor.copy(f"COPY {into} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if conflict:
            sets = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in update)
            keys = ", ".join(q(c) for c in conflict)
            cursor.execute(
                f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {into} "
                f"ON CONFLICT ({keys}) DO UPDATE SET {sets}"
            )
            cursor.execute(f"DROP TABLE {into}")
    finally:
        cursor.close()
    return True
