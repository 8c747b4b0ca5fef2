"""A large batch's measure figures and record texts, worked out in a worker process.

Storing a result also stores what every measure would save on the farm
(:func:`farmcalc.municipality.investment_plan.savings_alone`: each measure alone for
the municipality's totals; ``farm_inventory``: the plan's measures one after another
for the climate investment plan). That is two engine runs over the measures' tables: about 0.7 s
for the 10,000 farms of a large Excel import. An import also stores each farm's
record, made from the workbook's tables (:func:`farmcalc.excel.tables_to_records`)
and written as JSON text: about 0.3 s more. The writer makes the result dicts and
their JSON text meanwhile (about 0.7 s), so a batch of :data:`MIN_FARMS` farms or
more hands the records (when asked) and then the measures to a worker process, and
collects each when it writes it. The worker answers in the order the writer writes:
the records, the investment plan's figures (the plan's measures one after another),
then the municipality's totals (each measure alone, and the summary): the writer
stores the plan's rows while the worker works out the totals. A thread does not
help: the two fight over the interpreter lock (measured, issue 12). Smaller batches
(a form save's one farm) are worked out in the caller's process, where sending them
away would cost more than it saves.

The worker is this module run as a program (``python -m web.store.batch_worker``):
a clean interpreter that imports farmcalc only, never a fork of the web server
with its threads and database connections, and never an import of the server's
``__main__`` (which multiprocessing's spawn and forkserver would do). It is started
when first needed and kept; it ends when its input closes (the server stops). A
request is the tables' numpy columns pickled (about 7 MB for 10,000 farms, a few
milliseconds) with the factor set's and GWP set's names; only sets loaded by name
from ``factors/`` go to the worker (a factor set made some other way, say an older
version, is worked out in the caller's process). One batch at a time: while the
worker is busy, another batch is worked out in its caller's process. If the worker
fails (killed, out of memory), the figures and texts are worked out in the caller's
process and the next batch starts a new worker. They are the same either way, bit for
bit (tested).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import numpy as np
import orjson

from farmcalc.excel.to_records import tables_to_records
from farmcalc.factors import load_factor_set, load_gwp
from farmcalc.inputs.tables import FarmTables
from farmcalc.municipality.investment_plan import farm_inventory, savings_alone
from farmcalc.municipality.summary import SUMMARY_COLUMNS, summarise

if TYPE_CHECKING:
    from farmcalc.api import BatchResult

log = logging.getLogger(__name__)

MIN_FARMS = int(os.environ.get("FARMCALC_MEASURE_WORKER_MIN_FARMS", "1000"))
"""Farms from which a batch goes to the worker process (``0``: never)."""
_HEADER = struct.Struct("<Q")  # a message's length in bytes, then its pickle


def json_text(document: Any) -> str:
    """A JSON document as text, made by orjson (several times faster than ``json.dumps``).

    numpy numbers are written as numbers; a key that is not text as text. The
    document is the same when read back (``json.loads``) as with ``json.dumps``;
    NaN, which PostgreSQL's JSONB refuses, is never in a stored document.
    """
    return orjson.dumps(
        document, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    ).decode()


def record_texts(tables: FarmTables) -> list[str]:
    """Each farm's record (:func:`farmcalc.excel.tables_to_records`) as JSON text
    (:func:`json_text`)."""
    return [json_text(record) for record in tables_to_records(tables)]


class WorkerError(RuntimeError):
    """The worker process ended or answered with an error."""


SPOOL_FROM_BYTES = 256 * 1024
"""A message this large goes through a file (in ``/dev/shm`` where there is one), not the
pipe: the receiving thread reads it with one system call. Through a 64 KB pipe, each of
hundreds of reads waited for the interpreter lock while the writer's main thread made
result dicts, and 20 MB of record texts took a second to arrive (measured)."""
_SPOOL_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


@dataclass(frozen=True)
class _Spooled:
    path: str


SPOOL_PREFIX = "farmcalc-batch-"
STALE_SPOOL_S = 3600
"""A spooled message older than this (its reader gone) is removed when a worker starts."""


def _send(stream: IO[bytes], obj: Any) -> str | None:
    """Write one message; the path of its file if it went through one (the reader removes
    it; if the pipe is gone already, this does)."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    path = None
    if len(data) >= SPOOL_FROM_BYTES:
        fd, path = tempfile.mkstemp(prefix=SPOOL_PREFIX, dir=_SPOOL_DIR)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        data = pickle.dumps(_Spooled(path), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        stream.write(_HEADER.pack(len(data)))
        stream.write(data)
        stream.flush()
    except BaseException:
        _remove(path)
        raise
    return path


def _remove(path: str | None) -> None:
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def remove_stale_spools(now: float | None = None) -> int:
    """Remove this user's spooled messages older than :data:`STALE_SPOOL_S` (a process
    ended between writing one and its reader reading it). Returns how many."""
    folder = _SPOOL_DIR or tempfile.gettempdir()
    now = time.time() if now is None else now
    removed = 0
    for entry in os.scandir(folder):
        if not entry.name.startswith(SPOOL_PREFIX):
            continue
        with contextlib.suppress(OSError):
            st = entry.stat(follow_symlinks=False)
            if st.st_uid == os.getuid() and now - st.st_mtime > STALE_SPOOL_S:
                os.unlink(entry.path)
                removed += 1
    return removed


def _receive(stream: IO[bytes]) -> Any:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError("the other end closed")
    size = _HEADER.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the other end closed in a message")
    obj = pickle.loads(data)
    if not isinstance(obj, _Spooled):
        return obj
    try:
        with open(obj.path, "rb") as f:
            return pickle.loads(f.read())
    finally:
        _remove(obj.path)


class _Worker:
    """One worker process and the lock of its one batch at a time."""

    def __init__(self) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self.busy = threading.Lock()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def exchange(self, request: tuple, futures: list[Future]) -> None:
        """Send one request, wait for its answers, one per future in order (a thread of its
        own; the lock is held)."""
        spooled = None
        try:
            spooled = _send(self.proc.stdin, request)
            for future in futures:
                status, value = _receive(self.proc.stdout)
                if status == "ok":
                    future.set_result(value)
                else:
                    future.set_exception(WorkerError(value))
        except BaseException as exc:  # handed to the waiting caller
            err = exc if isinstance(exc, WorkerError) else WorkerError(exc)
            for future in futures:
                if not future.done():
                    future.set_exception(err)
            _remove(spooled)  # the worker died before reading it
        finally:
            self.busy.release()

    def stop(self, *, kill: bool = False) -> None:
        """End the process (its input closed: it finishes its batch and ends; or killed)
        and close the pipes."""
        try:
            if kill:
                self.proc.kill()
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            self.proc.stdout.close()


_lock = threading.Lock()
_worker: _Worker | None = None


def prestart() -> None:
    """Start the worker now (it imports farmcalc and loads the default factor set, about a
    second, meanwhile), so that the first large batch does not wait for it.
    ``farmcalc serve`` does this when it starts, the upload page when it is shown (not in
    tests); without it the first large batch starts it."""
    global _worker
    if MIN_FARMS <= 0:
        return
    with _lock:
        if _worker is None or not _worker.alive():
            _worker = _Worker()


def _take_worker() -> _Worker | None:
    """The worker, started if none runs, with its lock taken; None when it is busy."""
    global _worker
    with _lock:
        if _worker is not None and not _worker.alive():
            _worker.stop()
            _worker = None
        if _worker is None:
            _worker = _Worker()
        worker = _worker
    return worker if worker.busy.acquire(blocking=False) else None


def _discard(worker: _Worker) -> None:
    """Forget a failed worker; the next batch starts a new one."""
    global _worker
    with _lock:
        if _worker is worker:
            _worker = None
    worker.stop(kill=True)


@atexit.register
def shutdown() -> None:
    """Stop the worker, if one runs (at exit; tests). It is killed: it holds nothing to
    keep, and a command that made an app (``farmcalc demo``) does not wait for its
    interpreter to finish warming up."""
    global _worker
    with _lock:
        worker, _worker = _worker, None
    if worker is not None:
        worker.stop(kill=True)


def _by_name(batch: BatchResult) -> tuple[str, str] | None:
    """The batch's factor set and GWP set by name, if they are the ones loaded by name."""
    fs, g = batch.factor_set, batch.gwp
    try:
        if load_factor_set(fs.name) is fs and load_gwp(g.name) == g:
            return fs.name, g.name
    except (KeyError, ValueError, OSError):
        pass
    return None


class Totals(NamedTuple):
    """The municipality's figures of a batch's farms (their ``farm_year_totals`` rows)."""

    kinds: list[str]
    """Each farm's type (``farmcalc.municipality.summary.summarise``'s ``farm_type``)."""
    summary: np.ndarray
    """(farms, ``SUMMARY_COLUMNS``): the municipality's numbers of each farm."""
    savings: np.ndarray
    """(farms, measures): each measure's saving alone (``savings_matrix``)."""


def batch_inventory(batch: BatchResult) -> np.ndarray:
    """The investment plan's figures of a calculated batch (``farm_inventory``: the
    plan's measures one after another, one engine run)."""
    return farm_inventory(batch.tables, factors=batch.factor_set, gwp=batch.gwp)


def batch_totals(batch: BatchResult) -> Totals:
    """The :class:`Totals` of a calculated batch: its summary and each measure's saving
    alone (``farmcalc.municipality.investment_plan.savings_alone``, one engine run)."""
    frame = summarise(batch).reset_index(drop=True)
    kinds = frame["farm_type"].astype(str).tolist()
    summary = frame[list(SUMMARY_COLUMNS)].to_numpy(dtype=float)
    savings = savings_alone(
        batch.tables, factors=batch.factor_set, gwp=batch.gwp, before=batch.totals_columns
    )
    return Totals(kinds, summary, savings)


def _calculated(tables: FarmTables, factors: str, gwp: str) -> BatchResult:
    """The farms of ``tables`` calculated again in the worker: the same numbers as the
    caller's batch, bit for bit."""
    from farmcalc.api import calculate_batch

    return calculate_batch(tables, factors=factors, gwp=gwp)


@dataclass
class Pending:
    """A batch's measure figures and (when asked) record texts: being worked out in the
    worker, or to be worked out here when asked for (:meth:`arrays`, :meth:`records`)."""

    batch: BatchResult
    totals_future: Future | None = None
    """The worker's :class:`Totals` (its last answer)."""
    worker: _Worker | None = None
    with_records: bool = False
    records_future: Future | None = None
    inventory_future: Future | None = None

    def _fell_back(self, exc: WorkerError) -> None:
        log.warning("the batch worker failed (%s); working it out here", exc)
        if self.worker is not None:
            _discard(self.worker)
            self.worker = None  # discarded once; its other answers are worked out here too

    def _answer(self, future: Future | None, here: Callable[[BatchResult], Any]) -> Any:
        if future is not None:
            try:
                return future.result()
            except WorkerError as exc:
                self._fell_back(exc)
        return here(self.batch)

    def inventory(self) -> np.ndarray:
        """The investment plan's figures (:func:`batch_inventory`)."""
        return self._answer(self.inventory_future, batch_inventory)

    def totals(self) -> Totals:
        """The municipality's figures (:func:`batch_totals`)."""
        return self._answer(self.totals_future, batch_totals)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(savings, inventory): :class:`Totals` ``savings`` and :meth:`inventory`."""
        inventory = self.inventory()  # the worker's order
        return self.totals().savings, inventory

    def records(self) -> list[str] | None:
        """The records' JSON texts (:func:`record_texts`), None if they were not asked for."""
        if not self.with_records:
            return None
        return self._answer(self.records_future, lambda batch: record_texts(batch.tables))


def start(batch: BatchResult, *, records: bool = False, min_farms: int | None = None) -> Pending:
    """Start working out the measures' figures of ``batch`` and, with ``records``, its
    records' JSON texts (:func:`record_texts`; the records are made first).

    In the worker process when the batch has ``min_farms`` (default :data:`MIN_FARMS`)
    farms or more, its factor set and GWP set are the ones loaded by name and the
    worker is free; else :class:`Pending` works them out in this process when asked.
    """
    least = MIN_FARMS if min_farms is None else min_farms
    names = _by_name(batch) if least > 0 and batch.tables.n_farms >= least else None
    worker = _take_worker() if names is not None else None
    if worker is None or names is None:
        return Pending(batch, with_records=records)
    tables = FarmTables.from_arrays(batch.tables.arrays)  # numpy columns only, no frames
    request = (tables, names[0], names[1], records)
    inventory: Future = Future()
    totals: Future = Future()
    texts: Future | None = Future() if records else None
    threading.Thread(  # the answers in the worker's order: records, inventory, totals
        target=worker.exchange,
        args=(request, [f for f in (texts, inventory, totals) if f is not None]),
        name="batch-worker",
        daemon=True,
    ).start()
    return Pending(
        batch,
        totals_future=totals,
        worker=worker,
        with_records=records,
        records_future=texts,
        inventory_future=inventory,
    )


def _answer(work: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple:
    try:
        return ("ok", work(*args, **kwargs))
    except Exception:  # the caller works it out itself
        return ("error", traceback.format_exc())


def warm_up() -> None:
    """Load what a batch of the default sets reads (factors, GWP, measures, costs), then
    work out a few demo farms the way a request is worked out: the first real batch finds
    every module imported and every table read (it took ~0.5 s longer without this)."""
    from farmcalc.api import calculate_batch
    from farmcalc.demo import demo_records
    from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP
    from farmcalc.steering.costs import load_costs
    from farmcalc.steering.measures import load_parameters

    load_factor_set(DEFAULT_FACTOR_SET)
    load_gwp(DEFAULT_GWP)
    load_parameters()
    load_costs()
    try:
        tables = FarmTables.from_arrays(calculate_batch(demo_records(4)).tables.arrays)
        record_texts(tables)
        batch = _calculated(tables, DEFAULT_FACTOR_SET, DEFAULT_GWP)
        batch_inventory(batch)
        batch_totals(batch)
    except Exception:  # a warm-up only: the requests say what is wrong
        log.exception("the batch worker's warm-up failed")


def serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    """The worker's loop: a request in; its record texts (if asked) and then its figures
    out, or the error's text in their place; until the input ends."""
    remove_stale_spools()
    warm_up()
    while True:
        try:
            tables, factors, gwp, records = _receive(stdin)
        except EOFError:
            return
        if records:
            _send(stdout, _answer(record_texts, tables))
        status, batch = _answer(_calculated, tables, factors, gwp)
        if status != "ok":  # both answers are the error
            _send(stdout, (status, batch))
            _send(stdout, (status, batch))
            continue
        _send(stdout, _answer(batch_inventory, batch))  # the writer stores the plan's rows
        _send(stdout, _answer(batch_totals, batch))  # while the worker works these out


if __name__ == "__main__":
    from web.store import batch_worker  # the module by its name: its classes are the pickles'

    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not break the answers' stream
    batch_worker.serve(sys.stdin.buffer, out)
