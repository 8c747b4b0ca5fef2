"""Generate the corpus of bad workbooks in tests/data/bad/ (the files are committed).

    .venv/bin/python tests/data/make_bad_workbooks.py

Each case is a small workbook with one thing wrong: a bad cell, a missing
sheet or column, or a hostile file (zip bombs, XML entity attacks, macro,
encrypted, .xls/.csv renamed, absurd dimension …). tests/excel/test_bad_workbooks.py
asserts the Swedish message each one gets.

Two cases use tools when they are there and a hand-made stand-in otherwise:
``xls_renamed`` is converted by LibreOffice (``soffice``), ``encrypted`` by
msoffcrypto-tool (not a dependency of farmcalc: ``pip install msoffcrypto-tool``).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from farmcalc.excel import layout as L  # noqa: E402, N812

OUT = Path(__file__).resolve().parent / "bad"
FIXED = dt.datetime(2025, 1, 1)
ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def _headers(sheet: L.Sheet) -> list[str]:
    return [c.header for c in sheet.columns]


def base() -> dict[str, list[list]]:
    """A small valid workbook: two farms, animals and crops."""
    n_manure = len(L.MANURE_FIELDS)
    shares = ["" for _ in range(n_manure)]
    slurry = list(shares)
    slurry[0], slurry[5] = 0.85, 0.15  # liquid_slurry_crust, deep_bedding
    straw = list(shares)
    straw[5] = 1.0
    return {
        "Gårdar": [
            _headers(L.FARMS),
            [
                "K-1",
                2025,
                "Norrgården",
                "1290",
                10,
                0,
                5000,
                0,
                100,
                0,
                20000,
                0,
                0,
                0,
                "",
                "",
                8000,
            ],
            ["K-2", 2025, "Södergården", "1290", 0, 0, 3000, 0, 0, 0, 8000, 0, 0, 0, "", "", ""],
        ],
        "Djur": [
            _headers(L.LIVESTOCK),
            ["K-1", 2025, "Mjölkkor", 50, 9500, "", 0.15, *slurry],
            ["K-1", 2025, "Kalvar", 20, "", "", 0, *straw],
        ],
        "Grödor": [
            _headers(L.CROPS_SHEET),
            ["K-1", 2025, "Höstvete", 30, 8000, "", 0.5, 150, "Ammoniumnitrat", 20],
            ["K-1", 2025, "Klövergräsvall", 25, "", 8000, 0, 60, "", 40],
            ["K-2", 2025, "Korn", 40, 6000, "", 0, 100, "NPK-gödsel", 0],
        ],
        "Markförändringar": [_headers(L.SOIL_CHANGES)],
    }


def write_cells(path: Path, sheets: dict[str, list[list]]) -> None:
    """Write sheets; a tuple cell is ("formula", f, cached), ("bool", v) or ("date", d)."""
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_numbers": False}
    )
    wb.set_properties({"created": FIXED})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, tuple):
                    kind = v[0]
                    if kind == "formula":
                        ws.write_formula(r, c, v[1], None, v[2])
                    elif kind == "bool":
                        ws.write_boolean(r, c, v[1])
                    elif kind == "date":
                        ws.write_datetime(r, c, v[1], date_fmt)
                elif isinstance(v, str):
                    if v != "":
                        ws.write_string(r, c, v)
                elif v is not None:
                    ws.write_number(r, c, v)
    wb.close()


def _col(sheet: L.Sheet, fld: str) -> int:
    return [c.field for c in sheet.columns].index(fld)


# ---- cell-level cases: (name, change to the base cells)


def _set(sheet_name: str, layout: L.Sheet, row: int, fld: str, value):
    def change(d):
        d[sheet_name][row - 1][_col(layout, fld)] = value

    return change


def _shares(row: int, values: dict[str, float]):
    def change(d):
        r = d["Djur"][row - 1]
        for f in L.MANURE_FIELDS:
            r[_col(L.LIVESTOCK, f)] = ""
        for f, v in values.items():
            r[_col(L.LIVESTOCK, f"manure:{f}")] = v

    return change


def _append(sheet_name: str, row: list):
    def change(d):
        d[sheet_name].append(row)

    return change


def _drop_sheet(name: str):
    def change(d):
        del d[name]

    return change


def _drop_column(sheet_name: str, layout: L.Sheet, fld: str):
    def change(d):
        c = _col(layout, fld)
        for row in d[sheet_name]:
            del row[c]

    return change


def _dup_column(sheet_name: str, layout: L.Sheet, fld: str):
    def change(d):
        c = _col(layout, fld)
        for row in d[sheet_name]:
            row.append(row[c])

    return change


def _rename_header(sheet_name: str, layout: L.Sheet, fld: str, text: str):
    def change(d):
        d[sheet_name][0][_col(layout, fld)] = text

    return change


def _no_year_on_djur(d):
    d["Gårdar"].append(list(d["Gårdar"][1]))
    d["Gårdar"][-1][1] = 2024
    for row in d["Djur"][1:]:
        row[1] = ""


def _clear_farms(d):
    del d["Gårdar"][1:]
    for name in ("Djur", "Grödor"):
        del d[name][1:]


def _soil_change(year: int, land_use: str = "Åkermark"):
    row = ["K-1", 2025, 5, year, land_use, "", "", "Gräsmark, förbättrad", "", ""]
    return _append("Markförändringar", row)


CELL_CASES = {
    "negative_head": _set("Djur", L.LIVESTOCK, 2, "head", -3),
    "text_in_number": _set("Djur", L.LIVESTOCK, 2, "head", "många"),
    "unknown_crop": _set("Grödor", L.CROPS_SHEET, 3, "crop", "Banan"),
    "shares_not_one": _shares(2, {"liquid_slurry_crust": 0.5, "deep_bedding": 0.3}),
    "duplicate_farm": _append("Gårdar", ["K-1", 2025, "Dubbelgården"]),
    "orphan_animal": _set("Djur", L.LIVESTOCK, 3, "farm_id", "K-9"),
    "div0": _set("Djur", L.LIVESTOCK, 2, "head", ("formula", "=1/0", "#DIV/0!")),
    "value_error": _set("Grödor", L.CROPS_SHEET, 2, "area_ha", ("formula", '="a"+1', "#VALUE!")),
    "missing_sheet": _drop_sheet("Gårdar"),
    "missing_column": _drop_column("Djur", L.LIVESTOCK, "head"),
    "unknown_livestock": _set("Djur", L.LIVESTOCK, 3, "category", "Elefanter"),
    "pasture_over_one": _set("Djur", L.LIVESTOCK, 2, "pasture_fraction", 1.5),
    "year_text": _set("Gårdar", L.FARMS, 3, "year", "tjugo"),
    "farm_id_missing": _set("Gårdar", L.FARMS, 3, "farm_id", ""),
    "municipality_code": _set("Gårdar", L.FARMS, 2, "municipality_code", "12a0"),
    "unknown_n_type": _set("Grödor", L.CROPS_SHEET, 2, "mineral_n_type", "Guano"),
    "orphan_crop": _set("Grödor", L.CROPS_SHEET, 4, "farm_id", "K-7"),
    "year_ambiguous": _no_year_on_djur,
    "orphan_year": _set("Djur", L.LIVESTOCK, 2, "year", 2023),
    "duplicate_column": _dup_column("Djur", L.LIVESTOCK, "head"),
    "manure_missing": _shares(3, {}),
    "residues_over_one": _set("Grödor", L.CROPS_SHEET, 3, "residues_removed_fraction", 2),
    "change_too_early": _soil_change(1700),
    "unknown_land_use": _soil_change(2019, "Golfbana"),
    "no_farms": _clear_farms,
    "bool_in_number": _set("Gårdar", L.FARMS, 2, "diesel_l", ("bool", True)),
    "date_in_number": _set(
        "Grödor", L.CROPS_SHEET, 2, "area_ha", ("date", dt.datetime(2025, 3, 1))
    ),
    "unit_mismatch": _rename_header("Gårdar", L.FARMS, "diesel_l", "Diesel (m3)"),
    "negative_area": _set("Grödor", L.CROPS_SHEET, 3, "area_ha", -5),
    "soil_carbon_zero": _set("Gårdar", L.FARMS, 2, "soil_organic_carbon_t_per_ha", 0),
    "text_share": _set("Djur", L.LIVESTOCK, 3, "manure:deep_bedding", "mycket"),
    "fractional_year": _set("Gårdar", L.FARMS, 2, "year", 2025.5),
    "shares_in_percent": _shares(2, {"liquid_slurry_crust": 85, "deep_bedding": 15}),
}


# ---- file-level (hostile) cases


def _zip_members(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _write_zip(path: Path, members: list[tuple[str, bytes]], level: int = 6) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, ZIP_TIME), data, zipfile.ZIP_DEFLATED)


def _sheet_member(members, sheet_name: str) -> str:
    """The zip member of a sheet (xlsxwriter numbers them in order)."""
    order = list(base())
    return f"xl/worksheets/sheet{order.index(sheet_name) + 1}.xml"


def _patch(members, name: str, fn) -> list[tuple[str, bytes]]:
    return [(n, fn(d) if n == name else d) for n, d in members]


def _set_central_size(path: Path, member: str, size: int) -> None:
    """Rewrite a member's uncompressed size in the central directory (a lying zip)."""
    data = bytearray(path.read_bytes())
    pos = 0
    needle = member.encode()
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos < 0:
            raise ValueError(member)
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + name_len] == needle:
            struct.pack_into("<I", data, pos + 24, size)
            break
        pos += 4
    path.write_bytes(bytes(data))


XXE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
)
LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE worksheet [\n'
    b' <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
)


def _with_prolog(prolog: bytes, entity: str):
    def fn(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1].lstrip()
        # use the entity in a cell, as an attack would
        cell = (
            b'<row r="99"><c r="A99" t="inlineStr"><is><t>&'
            + entity.encode()
            + b";</t></is></c></row>"
        )
        return prolog + body.replace(b"</sheetData>", cell + b"</sheetData>", 1)

    return fn


def _cfb(stream_names: list[str]) -> bytes:
    """A minimal OLE compound file whose directory names the given streams."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    struct.pack_into("<H", header, 32, 6)
    struct.pack_into("<I", header, 44, 1)  # one FAT sector
    struct.pack_into("<I", header, 48, 1)  # directory starts at sector 1
    struct.pack_into("<I", header, 56, 4096)
    struct.pack_into("<I", header, 60, 0xFFFFFFFE)
    struct.pack_into("<I", header, 68, 0xFFFFFFFE)
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0] = sector 0 holds the FAT
    for k in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * k, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE)
    directory = bytearray()
    for k, name in enumerate(["Root Entry", *stream_names]):
        entry = bytearray(128)
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry[0 : len(raw)] = raw
        struct.pack_into("<H", entry, 64, len(raw))
        entry[66] = 5 if k == 0 else 2
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
        directory += entry
    directory += b"\x00" * (-len(directory) % 512)
    return bytes(header + fat + directory)


def file_cases(good: Path, tmp: Path) -> dict[str, bytes]:
    members = _zip_members(good)
    out: dict[str, bytes] = {}
    farms = _sheet_member(members, "Gårdar")

    def zipped(ms, level=6) -> bytes:
        p = tmp / "z.xlsx"
        _write_zip(p, ms, level)
        return p.read_bytes()

    out["empty"] = b""
    out["not_a_zip"] = (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256))
    )
    out["csv_renamed"] = "Gård-id;År;Diesel (liter)\nK-1;2025;5000\nK-2;2025;3000\n".encode()
    out["truncated"] = good.read_bytes()[:-200]
    out["docx_renamed"] = zipped(
        [
            ("[Content_Types].xml", b'<?xml version="1.0"?><Types/>'),
            ("word/document.xml", b'<?xml version="1.0"?><w:document/>'),
        ]
    )
    out["xlsm"] = zipped([*members, ("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 60)])
    out["xxe"] = zipped(_patch(members, farms, _with_prolog(XXE, "xxe")))
    out["billion_laughs"] = zipped(_patch(members, farms, _with_prolog(LAUGHS, "lol9")))
    out["xxe_workbook"] = zipped(
        _patch(
            members,
            "xl/workbook.xml",
            lambda x: XXE.replace(b"worksheet", b"workbook") + x.split(b"?>", 1)[1].lstrip(),
        )
    )
    padding = b"<!--" + b" " * 70_000 + b"-->\n"
    out["doctype_after_comment"] = zipped(
        _patch(members, farms, lambda x: x.replace(b"?>\n", b"?>\n" + padding + XXE[56:], 1))
    )
    out["absurd_dimension"] = zipped(
        _patch(members, farms, lambda x: _replace_dimension(x, b"A1:XFD1048576"))
    )
    # a bomb by ratio: a 60 MB part of zeros packs to about 60 KB
    out["zip_bomb_ratio"] = zipped([*members, ("xl/media/image1.bin", b"\0" * 60_000_000)], 9)
    p = tmp / "declared.xlsx"
    p.write_bytes(zipped(members))
    _set_central_size(p, farms, 3_000_000_000)
    out["zip_bomb_declared"] = p.read_bytes()
    p = tmp / "lying.xlsx"
    p.write_bytes(zipped(members))
    _set_central_size(p, farms, 300)
    out["lying_sizes"] = p.read_bytes()
    # too many rows: 70 data rows (read with max_rows=50), no <dimension> to warn first
    many = base()
    many["Gårdar"] += [[f"K-{k}", 2025] for k in range(3, 73)]
    q = tmp / "many.xlsx"
    write_cells(q, many)
    out["too_many_rows"] = zipped(
        _patch(_zip_members(q), farms, lambda x: _replace_dimension(x, None))
    )
    out["too_large"] = good.read_bytes()  # read with max_bytes=1000
    out["xls_renamed"] = _xls(good, tmp)
    out["encrypted"] = _encrypted(good)
    return out


def _replace_dimension(xml: bytes, ref: bytes | None) -> bytes:
    start = xml.index(b"<dimension")
    end = xml.index(b"/>", start) + 2
    new = b'<dimension ref="' + ref + b'"/>' if ref else b""
    return xml[:start] + new + xml[end:]


def _xls(good: Path, tmp: Path) -> bytes:
    soffice = shutil.which("soffice")
    if soffice:
        out = tmp / "xls"
        profile = (tmp / "lo").as_uri()
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "xls",
                "--outdir",
                str(out),
                str(good),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return (out / (good.stem + ".xls")).read_bytes()
    return _cfb(["Workbook", "\x05SummaryInformation"])


def _encrypted(good: Path) -> bytes:
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return _cfb(["EncryptionInfo", "EncryptedPackage"])
    buf = io.BytesIO()
    with good.open("rb") as f:
        OOXMLFile(f).encrypt("hemligt", buf)
    return buf.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.xlsx"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        good = tmp / "good.xlsx"
        write_cells(good, base())
        shutil.copy(good, OUT.parent / "good_small.xlsx")
        for name, change in CELL_CASES.items():
            cells = copy.deepcopy(base())
            change(cells)
            write_cells(OUT / f"{name}.xlsx", cells)
        for name, data in file_cases(good, tmp).items():
            (OUT / f"{name}.xlsx").write_bytes(data)
    n = len(list(OUT.glob("*.xlsx")))
    size = sum(p.stat().st_size for p in OUT.glob("*.xlsx"))
    print(f"wrote {n} bad workbooks to {OUT} ({size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
