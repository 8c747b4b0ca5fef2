"""The same farm typed into the web form and into the Excel template, with the same
cells left empty, is the same record and the same result (issue 9, section 3:
"an empty cell means 0 in Excel but 'not given' on the web")."""

from __future__ import annotations

import io

import openpyxl
import pytest

import farmcalc
from farmcalc.excel import layout as L  # noqa: N812
from farmcalc.excel.reader import read_workbook
from farmcalc.excel.template import write_template
from farmcalc.excel.to_records import tables_to_records
from farmcalc.inputs.tables import records_to_tables
from web.services.record_form import ANIMAL_FIELDS, CROP_FIELDS, read_step

FARM = {"schema": "farmcalc.farm/1", "farm_id": "E-1", "municipality_code": "1290", "year": 2025}
# (category, head, pasture %, milk, N excretion, then the optional class data of issue 11:
# live weight, growth, pregnant %, months on the farm, crude protein %, DE %) — empty = not given
ANIMALS = [
    ("dairy_cow", "60", "", "", "", "", "", "90", "", "", ""),
    ("heifer", "30", "25", "", "", "380", "0,8", "", "12", "15,5", "68"),
]
MANURE = {("dairy_cow", "liquid_slurry_crust"): "100", ("heifer", "deep_bedding"): "100"}
# (crop, area, yield as delivered, yield dry matter, residues %, mineral N, type, manure N)
CROPS = [
    ("winter_wheat", "20", "8 000", "", "", "150", "", ""),
    ("grass_clover_ley", "15", "", "8 000", "", "60", "", ""),
    ("pasture", "10", "", "", "", "", "", ""),
]


def form_record() -> dict:
    record = dict(FARM)
    form = {}
    for i, row in enumerate(ANIMALS):
        for spec, text in zip(ANIMAL_FIELDS, row, strict=True):
            form[f"livestock-{i}-{spec.key}"] = text
    record = read_step("animals", form, record, "sv").record
    form = {}
    for i, (cat, _h, *_r) in enumerate(ANIMALS):
        for (c, system), pct in MANURE.items():
            if c == cat:
                form[f"livestock-{i}-manure_systems-{system}"] = pct
    record = read_step("manure", form, record, "sv").record
    form = {}
    for i, row in enumerate(CROPS):
        for spec, text in zip(CROP_FIELDS, row, strict=True):
            form[f"crops-{i}-{spec.key}"] = text
    posted = read_step("crops", form, record, "sv")
    assert posted.errors == {}
    return posted.record


def excel_record() -> dict:
    buf = io.BytesIO()
    write_template(buf)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))

    def put(sheet: L.Sheet, values: dict) -> None:
        ws = wb[sheet.name]
        headers = [c.value for c in ws[1]]
        r = ws.max_row + 1 if ws.max_row > 1 or ws.cell(2, 1).value else 2
        for fld, v in values.items():
            if v != "":  # an empty cell is left empty
                ws.cell(r, headers.index(sheet.by_field[fld].header) + 1, v)

    put(L.FARMS, {"farm_id": "E-1", "year": 2025, "municipality_code": "1290"})
    for cat, head, pasture, milk, nex, weight, gain, pregnant, months, cp, de in ANIMALS:
        cells = {
            "farm_id": "E-1",
            "category": cat,
            "head": head,
            "pasture_fraction": f"{pasture} %" if pasture else "",
            "milk_kg_ecm_per_head": milk,
            "n_excretion_kg_per_head": nex,
            "live_weight_kg": weight,
            "weight_gain_kg_per_day": gain,
            "pregnant_fraction": f"{pregnant} %" if pregnant else "",
            "months_on_farm": months,
            "crude_protein_pct": cp,
            "digestibility_pct": de,
        }
        for (c, system), pct in MANURE.items():
            if c == cat:
                cells[f"manure:{system}"] = f"{pct} %"
        put(L.LIVESTOCK, cells)
    for crop, area, fresh, dm, residues, n, ntype, manure in CROPS:
        put(
            L.CROPS_SHEET,
            {
                "farm_id": "E-1",
                "crop": crop,
                "area_ha": area,
                "yield_kg_per_ha": fresh,
                "yield_kg_dm_per_ha": dm,
                "residues_removed_fraction": residues,
                "mineral_n_kg_per_ha": n,
                "mineral_n_type": ntype,
                "manure_n_kg_per_ha": manure,
            },
        )
    out = io.BytesIO()
    wb.save(out)
    tables, issues = read_workbook(out.getvalue())
    assert tables is not None, [str(i) for i in issues]
    return tables_to_records(tables)[0]


def stored(record: dict) -> dict:
    """A record as the core reads it back (what an import stores)."""
    tables, _ = records_to_tables([record])
    return tables_to_records(tables)[0]


def test_same_farm_through_form_and_excel_is_the_same_record():
    web, xl = form_record(), excel_record()
    assert stored(web) == stored(xl)
    # "not given" stays not given on both ways: Tier 1 milk, IPCC N excretion, farm manure
    for rec in (stored(web), stored(xl)):
        assert all("milk_kg_ecm_per_head" not in a for a in rec["livestock"])
        assert all("n_excretion_kg_per_head" not in a for a in rec["livestock"])
        assert all("manure_n_kg_per_ha" not in c for c in rec["crops"])
        ley = rec["crops"][1]
        assert ley["yield_kg_dm_per_ha"] == 8000 and "yield_kg_per_ha" not in ley
        # the class data given on one row reach the record; those left empty stay out
        cow, heifer = rec["livestock"]
        assert cow["pregnant_fraction"] == 0.9 and "live_weight_kg" not in cow
        assert (heifer["live_weight_kg"], heifer["weight_gain_kg_per_day"]) == (380, 0.8)
        assert (heifer["months_on_farm"], heifer["crude_protein_pct"]) == (12, 15.5)
        assert heifer["digestibility_pct"] == 68 and "pregnant_fraction" not in heifer


def test_same_farm_through_form_and_excel_gives_the_same_result():
    a = farmcalc.calculate(form_record(), factors="sweden")
    b = farmcalc.calculate(excel_record(), factors="sweden")
    assert a["totals"] == pytest.approx(b["totals"], rel=1e-12)
    assert a["emissions"] == b["emissions"]
    assert a["notes"] == b["notes"]


def test_every_column_with_a_default_says_what_empty_means():
    # a field whose absence means a default (not 0) says so in the template and on the form
    for sheet in L.SHEETS:
        for col in sheet.columns:
            if col.spec is not None and col.spec.missing != col.spec.missing:  # NaN
                assert "Tomt" in col.note or "tomt" in col.note, col.header
    for spec in (*ANIMAL_FIELDS, *CROP_FIELDS):
        if spec.more or spec.key in (
            "milk_kg_ecm_per_head",
            "n_excretion_kg_per_head",
            "manure_n_kg_per_ha",
        ):
            assert "empty" in str(spec.hint).lower(), spec.key
    assert sum(spec.more for spec in ANIMAL_FIELDS) == 6  # the class data of issue 11
