"""The advisor's Excel template (and farms written in its layout).

    write_template("mall.xlsx")                   # empty template
    write_template("exempel.xlsx", example=True)  # with realistic demo farms
    write_farms(records_or_tables, "gardar.xlsx") # any farms, same layout

Sheets: Instruktioner, Gårdar, Djur, Grödor, Markförändringar and a hidden
sheet Listor with the template version and the values of the drop-down
lists. Columns, headers, units and lists come from :mod:`.layout`, the
same table the reader uses, so what is written can always be read back.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from farmcalc.excel import layout as L  # noqa: N812 — the one layout table
from farmcalc.excel.safety import MAX_BYTES, MAX_ROWS, column_letters
from farmcalc.excel.xlsx import Styles, Target, new_workbook, write_text
from farmcalc.inputs.tables import FarmTables, records_to_tables
from farmcalc.inputs.vocabulary import MANURE_SYSTEMS
from farmcalc.labels import label

HEADER_PROPS = {
    "bold": True,
    "text_wrap": True,
    "valign": "top",
    "bg_color": "#DDEBD5",
    "border": 1,
    "border_color": "#9BBB8B",
}
REQUIRED_PROPS = {**HEADER_PROPS, "bg_color": "#C6DDB8"}
VALIDATION_ROWS = MAX_ROWS  # drop-down lists and number checks cover this many rows

INSTRUCTIONS = (
    ("title", "Klimatberäkning för gårdar – mall för rådgivare"),
    (
        "text",
        f"Mallversion {L.TEMPLATE_VERSION}. Fyll i bladen och ladda upp filen, eller kör "
        "”farmcalc calc fil.xlsx”. Alla gårdar i filen kontrolleras innan något räknas eller "
        "sparas; finns det fel får du en lista som anger blad, rad och kolumn.",
    ),
    ("head", "Så fyller du i"),
    (
        "text",
        "1. Gårdar: en rad per gård och år. Gårds-id och år är obligatoriska; samma gård "
        "kan finnas med flera år.",
    ),
    (
        "text",
        "2. Djur: en rad per djurslag på gården. Ange antal djur och hur gödseln hanteras "
        "(andelar som summerar till 1).",
    ),
    ("text", "3. Grödor: en rad per gröda på gården, med areal, skörd och gödsling."),
    (
        "text",
        "4. Markförändringar (valfritt): ändrad markanvändning eller jordbearbetning, för "
        "beräkningen av markkol.",
    ),
    (
        "text",
        "Raderna på Djur, Grödor och Markförändringar kopplas till gården med Gårds-id (och "
        "År, om gården har flera år på bladet Gårdar).",
    ),
    ("head", "Regler för värden"),
    (
        "text",
        "• Decimalkomma och decimalpunkt går båda bra: 3,5 eller 3.5. Tusental får skrivas "
        "med mellanslag: 18 000.",
    ),
    (
        "text",
        "• Tal som lagrats som text accepteras. Formler går bra, men inte formelfel som "
        "#DIV/0! eller #VÄRDEFEL!.",
    ),
    (
        "text",
        "• Andelar skrivs som tal mellan 0 och 1 (0,85) eller med procenttecken (85 %). "
        "Står procent utan tecken i en hel kolumn (45, 60, 100) läses kolumnen som procent, "
        "med en varning; blandas 0,45 och 45 i samma kolumn är det fel.",
    ),
    (
        "text",
        "• En tom cell betyder ”inte angivet”, som ett tomt fält på webben: standardvärdet "
        "där kolumnens förklaring säger ”Tomt = …”, annars inget (0).",
    ),
    (
        "text",
        "• Välj djurslag, grödor och typer i listorna. Svenska namn och de engelska koderna "
        "(t.ex. dairy_cow) går båda bra.",
    ),
    (
        "text",
        "• Rubrikerna ska stå kvar; kolumnernas ordning får ändras och egna kolumner "
        "läses inte. Enheten i rubriken måste stämma om den anges.",
    ),
    (
        "text",
        f"• Högst {MAX_ROWS:,} rader per blad och {MAX_BYTES // 2**20} MB per fil. Spara "
        "som Excel-arbetsbok (.xlsx), inte .xls, .xlsm eller CSV, och utan lösenord.".replace(
            ",", " "
        ),
    ),
    ("head", "Kolumnerna"),
)


def example_records(n: int = 8) -> list[dict]:
    """The demo farms of the example template (:func:`farmcalc.demo.demo_records`).

    The first farm also gets a measured soil carbon stock and a change of land
    use, so that every sheet of the example has data.
    """
    from farmcalc.demo import demo_records

    records = demo_records(n, id_prefix="EX")
    first = copy.deepcopy(records[0])
    first["name"] = "Exempelgården"
    first["soil"] = {
        "organic_carbon_t_per_ha": 62.0,
        "soil_type": "high_activity_clay",
        "changes": [
            {
                "area_ha": 6.5,
                "year_of_change": 2019,
                "from": {"land_use": "cropland", "tillage": "full", "input": "medium"},
                "to": {"land_use": "grassland_improved", "tillage": "full", "input": "medium"},
            }
        ],
    }
    records[0] = first
    return records


def write_template(
    target: Target, *, example: bool = False, records: Iterable[Mapping] | None = None
) -> None:
    """Write the Excel template, empty or filled with farms.

    Parameters
    ----------
    target : path or binary file
        Where the .xlsx goes.
    example : bool
        Fill it with :func:`example_records`.
    records : iterable of dict, optional
        Farm records to fill it with instead.
    """
    if records is None and example:
        records = example_records()
    tables = None
    if records is not None:
        tables, _ = records_to_tables(list(records), strict=True)
    write_farms(tables, target)


def write_farms(tables: FarmTables | Iterable[Mapping] | None, target: Target) -> None:
    """Write farms (tables or records) in the template's layout."""
    if tables is not None and not isinstance(tables, FarmTables):
        tables, _ = records_to_tables(list(tables), strict=True)
    frames = sheet_frames(tables) if tables is not None else {}
    n_cells = sum(f.size for f in frames.values())
    wb = new_workbook(target, constant_memory=n_cells > 200_000)
    styles = Styles(wb)
    instructions = wb.add_worksheet(L.INSTRUCTIONS_SHEET)
    data_sheets = {s.key: wb.add_worksheet(s.name) for s in L.SHEETS}
    lists = wb.add_worksheet(L.LISTS_SHEET)
    ranges = _write_lists(lists, styles)
    lists.hide()
    _write_instructions(instructions, styles)
    for s in L.SHEETS:
        _write_sheet(data_sheets[s.key], s, frames.get(s.key), styles, ranges)
    instructions.activate()
    wb.close()


# ---------------------------------------------------------------------------


def sheet_frames(tables: FarmTables) -> dict[str, pd.DataFrame]:
    """The rows of each sheet as a frame: fields as columns, lists as Swedish labels."""
    farms = tables.farms
    out: dict[str, pd.DataFrame] = {}
    f = pd.DataFrame({c.field: farms[c.field].to_numpy() for c in L.FARMS.columns})
    out["farms"] = _labelled(f, L.FARMS)
    ids = farms["farm_id"].to_numpy(dtype=object)
    years = farms["year"].to_numpy()

    lv = tables.livestock
    lidx = lv["farm_idx"].to_numpy()
    d = pd.DataFrame({"farm_id": ids[lidx], "year": years[lidx]})
    for c in L.LIVESTOCK.columns[2:]:
        if not c.field.startswith("manure:"):
            d[c.field] = lv[c.field].to_numpy()
    shares = np.full((len(lv), len(MANURE_SYSTEMS)), np.nan)
    ms = tables.manure_systems
    if len(ms):
        sys_pos = pd.Index(MANURE_SYSTEMS).get_indexer(ms["system"].to_numpy(dtype=object))
        shares[ms["lv_idx"].to_numpy(), sys_pos] = ms["share"].to_numpy()
    for k, fld in enumerate(L.MANURE_FIELDS):
        d[fld] = shares[:, k]
    out["livestock"] = _labelled(d, L.LIVESTOCK)

    for key, sheet, table in (
        ("crops", L.CROPS_SHEET, tables.crops),
        ("soil_changes", L.SOIL_CHANGES, tables.soil_changes),
    ):
        idx = table["farm_idx"].to_numpy()
        d = pd.DataFrame({"farm_id": ids[idx], "year": years[idx]})
        for c in sheet.columns[2:]:
            d[c.field] = table[c.field].to_numpy()
        if key == "crops":  # a yield given as dry matter leaves the delivered weight empty
            d.loc[d["yield_kg_dm_per_ha"].notna(), "yield_kg_per_ha"] = np.nan
        out[key] = _labelled(d, sheet)
    return out


def _labelled(df: pd.DataFrame, sheet: L.Sheet) -> pd.DataFrame:
    for c in sheet.columns:
        if c.kind == L.CATEGORY:
            names = {code: label(code, "sv") for code in L.VOCABULARIES[c.vocabulary or ""]}
            df[c.field] = df[c.field].map(names).astype(object)
    return df[[c.field for c in sheet.columns]]


def _write_lists(ws, styles: Styles) -> dict[str, str]:
    """The hidden sheet: template marker and version, then each list (label, code)."""
    cols: list[list] = []
    ranges: dict[str, str] = {}
    first_data_row = 3
    for k, (voc, codes) in enumerate(L.VOCABULARIES.items()):
        labels = [label(c, "sv") for c in codes]
        cols.append([L.VOCABULARY_TITLES[voc], *labels])
        cols.append(["kod", *codes])
        letter = column_letters(3 + 2 * k)
        last = first_data_row + len(codes)
        ranges[voc] = f"='{L.LISTS_SHEET}'!${letter}${first_data_row + 1}:${letter}${last}"
    ws.write_string(0, 0, L.TEMPLATE_MARKER)
    ws.write_string(0, 1, L.TEMPLATE_VERSION)
    ws.write_string(1, 0, "Mallversion och värden i listorna; ändra inte.")
    height = max(len(c) for c in cols)
    for r in range(height):
        for c, values in enumerate(cols):
            if r < len(values):
                write_text(ws, first_data_row - 1 + r, 3 + c, values[r], styles)
    return ranges


def _write_instructions(ws, styles: Styles) -> None:
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 2, 14)
    ws.set_column(3, 3, 70)
    ws.set_column(4, 4, 60)
    wrap = {"text_wrap": True, "valign": "top"}
    r = 0
    for kind, text in INSTRUCTIONS:
        if kind == "title":
            write_text(ws, r, 0, text, styles, {"bold": True, "font_size": 16})
            r += 2
        elif kind == "head":
            r += 1
            write_text(ws, r, 0, text, styles, {"bold": True, "font_size": 12})
            r += 1
        else:
            ws.merge_range(r, 0, r, 4, "", styles.get(**wrap))
            write_text(ws, r, 0, text, styles, wrap)
            ws.set_row(r, 15 * (1 + len(text) // 150))
            r += 1
    for sheet in L.SHEETS:
        r += 1
        write_text(ws, r, 0, f"Bladet {sheet.name}", styles, {"bold": True, "font_size": 12})
        write_text(ws, r, 3, sheet.note, styles, wrap)
        r += 1
        for c, title in enumerate(("Kolumn", "Enhet", "Obligatorisk", "Förklaring", "Värden")):
            write_text(ws, r, c, title, styles, HEADER_PROPS)
        r += 1
        for col in sheet.columns:
            allowed = ""
            if col.kind == L.CATEGORY:
                allowed = "; ".join(label(v, "sv") for v in L.VOCABULARIES[col.vocabulary or ""])
            elif col.kind == L.SHARE:
                allowed = "0–1"
            write_text(ws, r, 0, col.name, styles, wrap)
            write_text(ws, r, 1, col.unit, styles, wrap)
            write_text(ws, r, 2, "ja" if col.required else "", styles, wrap)
            write_text(ws, r, 3, col.note, styles, wrap)
            write_text(ws, r, 4, allowed, styles, wrap)
            r += 1


def _validation(col: L.Column, ranges: dict[str, str]) -> dict | None:
    """The data validation (drop-down list or number check) of a column."""
    common = {"error_type": "warning", "ignore_blank": True}
    if col.kind == L.CATEGORY:
        return {
            **common,
            "validate": "list",
            "source": ranges[col.vocabulary or ""],
            "error_title": "Okänt värde",
            "error_message": "Välj ett värde i listan.",
        }
    if col.kind == L.SHARE:
        return {
            **common,
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 1,
            "error_title": "Andel",
            "error_message": "Skriv en andel mellan 0 och 1, t.ex. 0,85.",
        }
    if col.kind == L.YEAR:
        return {
            **common,
            "validate": "integer",
            "criteria": "between",
            "minimum": 1800,
            "maximum": 2100,
            "error_title": "År",
            "error_message": "Skriv ett årtal, t.ex. 2025.",
        }
    if col.kind == L.NUMBER and col.spec is not None and col.spec.maximum is not None:
        low = col.spec.minimum if col.spec.minimum is not None else 0
        return {
            **common,
            "validate": "decimal",
            "criteria": "between",
            "minimum": low,
            "maximum": col.spec.maximum,
            "error_title": "Tal",
            "error_message": f"Skriv ett tal mellan {_sv(low)} och {_sv(col.spec.maximum)}.",
        }
    if col.kind == L.NUMBER and col.spec is not None and col.spec.minimum == 0:
        return {
            **common,
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_title": "Tal",
            "error_message": "Skriv ett tal som inte är negativt.",
        }
    return None


def _sv(x: float) -> str:
    """A bound the Swedish way (``1.5`` → ``1,5``, ``12.0`` → ``12``)."""
    return f"{x:g}".replace(".", ",")


def _write_sheet(ws, sheet: L.Sheet, frame: pd.DataFrame | None, styles, ranges) -> None:
    cols = sheet.columns
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width, styles.get(num_format=col.num_format))
        v = _validation(col, ranges)
        if v:
            ws.data_validation(1, c, VALIDATION_ROWS, c, v)
    ws.set_row(0, 48)
    for c, col in enumerate(cols):
        write_text(ws, 0, c, col.header, styles, REQUIRED_PROPS if col.required else HEADER_PROPS)
        note = col.note + (" Obligatorisk." if col.required else "")
        ws.write_comment(0, c, note, {"x_scale": 2, "y_scale": 1.3})
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, 0, len(cols) - 1)
    if frame is None or not len(frame):
        return
    columns = [frame[col.field].tolist() for col in cols]
    number = [col.kind in (L.NUMBER, L.SHARE, L.YEAR) for col in cols]
    fmts = [styles.get(num_format=col.num_format) for col in cols]
    write_number = ws.write_number
    for r in range(len(frame)):
        for c, values in enumerate(columns):
            v = values[r]
            if v is None or v is pd.NA or (isinstance(v, float) and v != v):
                continue  # missing (None, NaN; a text column's too): an empty cell, no "nan"
            if number[c]:
                write_number(r + 1, c, v, fmts[c])
            else:
                write_text(ws, r + 1, c, v, styles, {"num_format": cols[c].num_format})
