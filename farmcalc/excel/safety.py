"""Checks that refuse hostile or unreadable files *before* any parser sees them.

An .xlsx file is a zip archive of XML parts. Before the spreadsheet reader
opens it, :func:`inspect_package`

- refuses empty and too large files, old .xls and encrypted files (both
  OLE compound files), text files (CSV) and anything else that is not a
  zip archive;
- refuses zip archives that are not workbooks, workbooks with macros
  (.xlsm: ``vbaProject.bin``), too many parts, and zip bombs: the declared
  unpacked size and the compression ratio of each part are checked in the
  zip directory, and every part is then unpacked in a stream that stops at
  its declared size (so a lying directory cannot get past);
- refuses any XML part with a document type declaration (XXE, billion
  laughs: Excel never writes one) and requires defusedxml, which the XML
  it parses itself goes through (fail closed);
- reads each worksheet's declared ``<dimension>`` and counts its rows, and
  refuses absurd sheets before the reader allocates them;
- collects formula-error cells (``#DIV/0!``, ``#VALUE!`` …), which the fast
  reader would return as empty cells.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from farmcalc.excel.sheet_issues import WorkbookRefused

MB = 1024 * 1024
MAX_BYTES = 20 * MB  # a 100,000-row workbook is about 20 MB
MAX_UNPACKED = 400 * MB  # all parts together, unpacked
MAX_RATIO = 250  # per part larger than RATIO_FLOOR; real sheets stay under ~30
RATIO_FLOOR = 2 * MB
MAX_PARTS = 2000
MAX_ROWS = 100_000  # data rows per sheet
MAX_COLUMNS = 1000
EXCEL_MAX_COLUMNS = 16384
CHUNK = 1 << 20
PROLOG_LIMIT = 64 * 1024

CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass
class Package:
    """What the checks learnt about a workbook that passed them.

    Attributes
    ----------
    sheet_paths : dict
        Sheet name → zip member of its XML.
    dimensions : dict
        Sheet name → declared ``<dimension>`` ref (when present).
    row_counts : dict
        Sheet name → number of ``<row>`` elements.
    error_cells : dict
        Sheet name → {(row0, col0): error text} of formula-error cells.
    """

    sheet_paths: dict[str, str] = field(default_factory=dict)
    dimensions: dict[str, str] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    error_cells: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)


def _require_defusedxml():
    try:
        from defusedxml import ElementTree
    except ImportError:  # fail closed
        raise WorkbookRefused("no_defusedxml") from None
    return ElementTree


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    printable = sum(1 for b in head if b >= 32 or b in (9, 10, 13))
    return printable / len(head) > 0.95


def _refuse_non_zip(data: bytes) -> None:
    head = data[:8]
    if head == CFB_SIGNATURE:
        # An encrypted OOXML file is an OLE compound file with these streams.
        names = ("EncryptionInfo", "EncryptedPackage")
        if any(n.encode("utf-16-le") in data for n in names):
            raise WorkbookRefused("file_encrypted")
        raise WorkbookRefused("file_xls")
    if not data.startswith(ZIP_SIGNATURES):
        if data.lstrip()[:5].lower() in (b"<?xml", b"<html", b"<!doc", b"<tabl"):
            raise WorkbookRefused("file_not_xlsx")  # SpreadsheetML 2003, HTML export
        if _looks_like_text(data[:4096]):
            raise WorkbookRefused("file_text")
        raise WorkbookRefused("file_not_xlsx")


_NAME_START = re.compile(r"[A-Za-z_:\u00c0-\uffff]")


def _decode_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) > 1 and head[1:2] == b"\x00"):
        enc = "utf-16-be" if head.startswith(b"\xfe\xff") or head[:1] == b"\x00" else "utf-16-le"
        return head.decode(enc, errors="replace").lstrip("\ufeff")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def check_prolog(head: bytes) -> None:
    """Refuse an XML part whose prolog holds a DOCTYPE (or cannot be read).

    ``head`` is the start of the part; the prolog (declaration, comments,
    processing instructions) must end within it.
    """
    text = _decode_head(head)
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            if len(head) < PROLOG_LIMIT:
                return  # empty part
            raise WorkbookRefused("file_damaged")
        if text.startswith("<?", i):
            j = text.find("?>", i)
        elif text.startswith("<!--", i):
            j = text.find("-->", i)
        elif text.startswith("<!", i):
            raise WorkbookRefused("file_doctype")
        elif text[i] == "<" and i + 1 < n and _NAME_START.match(text[i + 1]):
            return  # the root element
        else:
            raise WorkbookRefused("file_damaged")
        if j < 0:
            raise WorkbookRefused("file_damaged")
        i = j + 2


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([^"]*)"')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*\bt="e"[^>]*)>')
_REF_ATTR = re.compile(rb'\br="([A-Za-z]{1,3})([0-9]{1,7})"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_CELL = re.compile(r"^\$?([A-Za-z]{1,4})\$?([0-9]{1,8})$")


def column_index(letters: str) -> int:
    """``"A"`` → 0, ``"XFD"`` → 16383."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letters(index: int) -> str:
    """0 → ``"A"``."""
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s


def dimension_size(ref: str) -> tuple[int, int] | None:
    """``"A1:Q200"`` → (200 rows, 17 columns); None when unreadable."""
    parts = ref.split(":")
    cells = [_CELL.match(p.strip()) for p in parts]
    if not cells or not all(cells) or len(cells) > 2:
        return None
    rows = [int(m.group(2)) for m in cells]  # type: ignore[union-attr]
    cols = [column_index(m.group(1)) + 1 for m in cells]  # type: ignore[union-attr]
    return max(rows) - min(rows) + 1 if len(rows) == 2 else 1, (
        max(cols) - min(cols) + 1 if len(cols) == 2 else 1
    )


def _sheet_paths(zf: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Sheet name → member path, from workbook.xml and its relationships."""
    et = _require_defusedxml()
    wb_xml = _read_small(zf, "xl/workbook.xml")
    rels_path = "xl/_rels/workbook.xml.rels"
    rels_xml = _read_small(zf, rels_path) if rels_path in names else b""
    try:
        wb = et.fromstring(wb_xml)
        rels = et.fromstring(rels_xml) if rels_xml else None
    except Exception:  # defusedxml refusals and malformed XML alike
        raise WorkbookRefused("file_damaged") from None
    targets: dict[str, str] = {}
    if rels is not None:
        for el in rels.iter():
            if el.tag.rsplit("}", 1)[-1] == "Relationship":
                target = el.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else "xl/" + target
                targets[el.get("Id", "")] = posixpath.normpath(path)
    out: dict[str, str] = {}
    for el in wb.iter():
        if el.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        path = targets.get(rid or "")
        if path in names:
            out[el.get("name", "")] = path
    return out


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > 16 * MB:
        raise WorkbookRefused("file_damaged")
    with zf.open(info) as f:
        data = f.read(16 * MB + 1)
    check_prolog(data[:PROLOG_LIMIT])
    return data


BINARY_PARTS = (".bin", ".png", ".jpeg", ".jpg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf")


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels", ".vml")) or name == "[Content_Types].xml"


def inspect_package(
    data: bytes,
    *,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_BYTES,
    wanted: Callable[[str], bool] = lambda name: True,
) -> Package:
    """Check a workbook's bytes; raise :class:`WorkbookRefused` if hostile.

    Parameters
    ----------
    data : bytes
        The whole file.
    max_rows : int
        Data rows accepted per sheet (the header and a few title rows extra).
    max_bytes : int
        Largest file accepted [bytes].
    wanted : callable
        Sheet names the reader will parse: only their dimension and rows are
        limited (other sheets are never parsed).
    """
    if not data:
        raise WorkbookRefused("file_empty")
    if len(data) > max_bytes:
        raise WorkbookRefused(
            "file_too_large", size=round(len(data) / MB, 3), limit=round(max_bytes / MB, 3)
        )
    _refuse_non_zip(data)
    _require_defusedxml()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookRefused("file_damaged") from None
    if len(infos) > MAX_PARTS:
        raise WorkbookRefused("file_parts", n=len(infos), limit=MAX_PARTS)
    names = {i.filename for i in infos}
    lower = {n.lower() for n in names}
    if any(i.flag_bits & 0x1 for i in infos):
        raise WorkbookRefused("file_encrypted")
    if any(n.endswith("vbaproject.bin") for n in lower):
        raise WorkbookRefused("file_macro")
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            raise WorkbookRefused("file_not_xlsx")  # .xlsb
        raise WorkbookRefused("file_no_workbook")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        raise WorkbookRefused("file_bomb", size=round(total / MB), limit=round(MAX_UNPACKED / MB))
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise WorkbookRefused("file_ratio", ratio=i.file_size // max(i.compress_size, 1))
    if "[Content_Types].xml" in names:
        ct = _read_small(zf, "[Content_Types].xml")
        if b"macroEnabled" in ct or b"vbaProject" in ct:
            raise WorkbookRefused("file_macro")
    pkg = Package(sheet_paths=_sheet_paths(zf, names))
    sheet_of = {p: n for n, p in pkg.sheet_paths.items()}
    for info in infos:
        if info.is_dir():
            continue
        sheet = sheet_of.get(info.filename)
        _stream_member(zf, info, sheet, pkg, max_rows, wanted)
    return pkg


def _stream_member(zf, info, sheet, pkg: Package, max_rows: int, wanted) -> None:
    """Unpack one part in chunks: size, prolog, dimension, rows, error cells."""
    xml = _is_xml(info.filename)
    scan = xml or not info.filename.lower().endswith(BINARY_PARTS)
    is_sheet = sheet is not None
    limited = is_sheet and wanted(sheet)
    size = 0
    rows = 0
    has_errors = False
    head = b""
    tail = b""
    try:
        with zf.open(info) as f:
            while True:
                chunk = f.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > info.file_size:
                    raise WorkbookRefused("file_damaged")  # lying zip directory
                window = tail + chunk
                if scan and (b"<!DOCTYPE" in window or b"<!ENTITY" in window):
                    raise WorkbookRefused("file_doctype")
                if xml and len(head) < PROLOG_LIMIT:
                    head += chunk[: PROLOG_LIMIT - len(head)]
                    if len(head) >= PROLOG_LIMIT or len(chunk) < CHUNK:
                        check_prolog(head)
                        if is_sheet:
                            _check_dimension(head, sheet, pkg, max_rows, limited)
                if is_sheet:
                    rows += (tail[-3:] + chunk).count(b"<row")
                    if not has_errors and b't="e"' in window:
                        has_errors = True
                tail = chunk[-16:]
    except zipfile.BadZipFile:
        raise WorkbookRefused("file_damaged") from None
    except (OSError, EOFError, ValueError, NotImplementedError):
        raise WorkbookRefused("file_damaged") from None
    if limited and rows > max_rows + 10:
        raise WorkbookRefused("too_many_rows", sheet=sheet, n=rows - 1, limit=max_rows)
    if is_sheet:
        pkg.row_counts[sheet] = rows
        if has_errors:
            pkg.error_cells[sheet] = _error_cells(zf, info)


def _check_dimension(head: bytes, sheet: str, pkg: Package, max_rows: int, limited: bool):
    m = _DIMENSION.search(head)
    if not m:
        return
    ref = m.group(1).decode("ascii", errors="replace")
    pkg.dimensions[sheet] = ref
    size = dimension_size(ref)
    if size is None:
        return
    n_rows, n_cols = size
    too_many = n_cols > EXCEL_MAX_COLUMNS or (
        limited and (n_rows > max_rows + 10 or n_cols > MAX_COLUMNS)
    )
    if too_many:
        raise WorkbookRefused(
            "file_dimension", sheet=sheet, ref=ref, rows=max_rows + 1, cols=MAX_COLUMNS
        )


def _error_cells(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[tuple[int, int], str]:
    """(row0, col0) → ``#DIV/0!`` … for every cell of type error."""
    with zf.open(info) as f:
        xml = f.read(info.file_size + 1)
    out: dict[tuple[int, int], str] = {}
    for m in _ERROR_CELL.finditer(xml):
        ref = _REF_ATTR.search(m.group(1))
        if not ref:
            continue
        v = None
        if not m.group(1).endswith(b"/"):
            end = _CELL_END.search(xml, m.end())
            v = _VALUE.search(xml, m.end(), end.start() if end else m.end())
        text = v.group(1).decode("utf-8", errors="replace").strip() if v else "#N/A"
        out[(int(ref.group(2)) - 1, column_index(ref.group(1).decode()))] = text
    return out
