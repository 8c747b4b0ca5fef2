"""The corpus of bad workbooks (tests/data/bad/, made by tests/data/make_bad_workbooks.py).

Each gets its Swedish message and no tables: nothing of it may be stored.
"""

from pathlib import Path

import pytest

from farmcalc.excel import read_workbook, write_error_report
from farmcalc.excel.safety import inspect_package
from farmcalc.excel.sheet_issues import WorkbookRefused

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"

DJUR_HEAD = 'Blad "Djur", rad 2, kolumn "Antal djur (st)": '
HOSTILE_XML = (
    "Filen innehåller en XML-dokumenttypdeklaration (DOCTYPE), som Excel aldrig skriver; "
    "den avvisas av säkerhetsskäl."
)
DAMAGED = "Filen är skadad och kan inte läsas som Excel-arbetsbok."

# file → (expected Swedish message (a part of it for long ones), read_workbook options)
EXPECTED: dict[str, tuple[str, dict]] = {
    # cells
    "negative_head": (DJUR_HEAD + '"−3" är negativt', {}),
    "text_in_number": (DJUR_HEAD + '"många" är inte ett tal', {}),
    "div0": (DJUR_HEAD + '"#DIV/0!" är ett formelfel; rätta formeln eller skriv in ett värde', {}),
    "value_error": ('Blad "Grödor", rad 2, kolumn "Areal (ha)": "#VALUE!" är ett formelfel', {}),
    "unknown_crop": (
        'Blad "Grödor", rad 3, kolumn "Gröda": "Banan" finns inte i listan; tillåtna: Höstvete,',
        {},
    ),
    "unknown_livestock": ('Blad "Djur", rad 3, kolumn "Djurslag": "Elefanter" finns inte', {}),
    "unknown_n_type": ('kolumn "Typ av mineralgödsel": "Guano" finns inte i listan', {}),
    "unknown_land_use": ('kolumn "Tidigare markanvändning": "Golfbana" finns inte i listan', {}),
    "shares_not_one": (
        'Blad "Djur", rad 2: andelarna för gödselsystem på raden summerar till 0,8, inte 1',
        {},
    ),
    "shares_in_percent": (
        'kolumn "Gödsel: Flytgödsel med svämtäcke (andel 0–1)": "85" är ingen andel mellan 0 '
        "och 1 (skriv 85 % som 0,85)",
        {},
    ),
    "text_share": ('kolumn "Gödsel: Djupströ (andel 0–1)": "mycket" är inte ett tal', {}),
    "pasture_over_one": ('kolumn "Andel på bete (andel 0–1)": "1,5" är ingen andel', {}),
    "residues_over_one": ('"Bortförda skörderester (andel 0–1)": "2" är ingen andel', {}),
    "manure_missing": (
        'Blad "Djur", rad 3: inget gödselsystem är angivet fast inte all gödsel hamnar på bete',
        {},
    ),
    "duplicate_farm": (
        'Blad "Gårdar", rad 4, kolumn "Gård-id": gården K-1, år 2025 finns redan på rad 2',
        {},
    ),
    "orphan_animal": (
        'Blad "Djur", rad 3, kolumn "Gård-id": gården K-9 finns inte på bladet "Gårdar"',
        {},
    ),
    "orphan_crop": ('Blad "Grödor", rad 4, kolumn "Gård-id": gården K-7 finns inte på bladet', {}),
    "orphan_year": ('gården K-1 har ingen rad för år 2023 på bladet "Gårdar"', {}),
    # one message for the two rows with the same problem (issue 9)
    "year_ambiguous": (
        'Blad "Djur", rader 2–3, kolumn "Gård-id": gården K-1 har flera år på bladet "Gårdar": '
        "ange år på den här raden",
        {},
    ),
    "year_text": ('Blad "Gårdar", rad 3, kolumn "År": "tjugo" är inte ett tal', {}),
    "fractional_year": ('Blad "Gårdar", rad 2, kolumn "År": "2025,5" är inte ett heltal', {}),
    "farm_id_missing": ('Blad "Gårdar", rad 3, kolumn "Gård-id": är tom men måste fyllas i', {}),
    "municipality_code": ('"12a0" är ingen fyrsiffrig kommunkod som 1290', {}),
    "bool_in_number": ('kolumn "Diesel (liter)": "SANT" är inte ett tal', {}),
    "date_in_number": ('kolumn "Areal (ha)": "2025-03-01" är inte ett tal', {}),
    "negative_area": ('Blad "Grödor", rad 3, kolumn "Areal (ha)": "−5" är negativt', {}),
    "soil_carbon_zero": ('"Markkol i matjorden (ton C per ha)": "0" måste vara större än 0', {}),
    "change_too_early": ('kolumn "År för förändringen": "1700" är mindre än 1800', {}),
    # sheets and columns
    "missing_sheet": ('arbetsboken saknar bladet "Gårdar"', {}),
    "missing_column": ('Blad "Djur", rad 1: kolumnen "Antal djur (st)" saknas', {}),
    "duplicate_column": ('kolumnen "Antal djur (st)" finns två gånger (även i kolumn D)', {}),
    "unit_mismatch": (
        'kolumn "Diesel (m3)": kolumnen "Diesel (m3)" har enheten "m3" men ska vara i "liter"',
        {},
    ),
    "no_farms": ('Blad "Gårdar": bladet har inga gårdar', {}),
    "too_many_rows": (
        'Blad "Gårdar": bladet har 72 datarader; högst 50 tillåts',
        {"max_rows": 50},
    ),
    # hostile or unreadable files, refused before parsing
    "empty": ("Filen är tom.", {}),
    "too_large": ("Filen är 0,008 MB; högst 0,001 MB tas emot.", {"max_bytes": 1000}),
    "not_a_zip": ("Filen är inte en Excel-arbetsbok (.xlsx).", {}),
    "csv_renamed": ("Filen är en textfil (till exempel CSV), inte en Excel-arbetsbok.", {}),
    "xls_renamed": ("Filen är i det gamla Excel-formatet (.xls).", {}),
    "encrypted": ("Filen är lösenordsskyddad (krypterad).", {}),
    "xlsm": ("Arbetsboken innehåller makron (.xlsm).", {}),
    "docx_renamed": ("Filen är ett zip-arkiv men ingen Excel-arbetsbok (.xlsx)", {}),
    "truncated": (DAMAGED, {}),
    "lying_sizes": (DAMAGED, {}),
    "zip_bomb_declared": ("Filen skulle packas upp till 2861 MB, mer än de 400 MB", {}),
    "zip_bomb_ratio": (
        "En del av filen är packad 1028 gånger, misstänkt hårt (en zip-bomb?)",
        {},
    ),
    "xxe": (HOSTILE_XML, {}),
    "xxe_workbook": (HOSTILE_XML, {}),
    "billion_laughs": (HOSTILE_XML, {}),
    "doctype_after_comment": (HOSTILE_XML, {}),
    "absurd_dimension": (
        'Blad "Gårdar": bladet anger området A1:XFD1048576, större än vad som tas emot',
        {},
    ),
}
REFUSED_BEFORE_PARSING = {
    "empty", "too_large", "not_a_zip", "csv_renamed", "xls_renamed", "encrypted", "xlsm",
    "docx_renamed", "truncated", "lying_sizes", "zip_bomb_declared", "zip_bomb_ratio", "xxe",
    "xxe_workbook", "billion_laughs", "doctype_after_comment", "absurd_dimension",
    "too_many_rows",
}  # fmt: skip


def test_the_corpus_is_complete():
    files = {p.stem for p in BAD.glob("*.xlsx")}
    assert len(files) >= 30
    assert files == set(EXPECTED), "every bad workbook needs its expected message"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_workbook_gets_its_swedish_message(name):
    expected, options = EXPECTED[name]
    tables, issues = read_workbook(BAD / f"{name}.xlsx", **options)
    assert tables is None, "a workbook with errors must give nothing to store"
    messages = [i.message("sv") for i in issues if i.severity == "error"]
    assert any(expected in m for m in messages), messages
    for issue in issues:  # English too, through the catalogue
        assert issue.message("en")


@pytest.mark.parametrize("name", sorted(REFUSED_BEFORE_PARSING))
def test_hostile_files_are_refused_before_parsing(name, monkeypatch):
    """The checks alone refuse them: no spreadsheet parser is ever called."""
    from farmcalc.excel import reader

    def no_parser(*args, **kwargs):  # pragma: no cover - must not run
        raise AssertionError("a parser was reached")

    monkeypatch.setattr(reader, "_read_calamine", no_parser)
    monkeypatch.setattr(reader, "_read_openpyxl", no_parser)
    data = (BAD / f"{name}.xlsx").read_bytes()
    options = EXPECTED[name][1]
    with pytest.raises(WorkbookRefused):
        inspect_package(data, **options)
    tables, issues = read_workbook(data, **options)
    assert tables is None and len(issues) == 1


def test_error_report_lists_every_issue(tmp_path):
    import openpyxl

    _tables, issues = read_workbook(BAD / "year_ambiguous.xlsx")
    path = tmp_path / "fel.xlsx"
    write_error_report(issues, path)
    ws = openpyxl.load_workbook(path).active
    assert ws.title == "Fel"
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert len(rows) == len(issues) == 1  # rows 2 and 3 had the same problem: one line
    assert rows[0][:5] == ("Fel", "Djur", "2–3", "Gård-id", "K-1")
    assert rows[0][5] == 'gården K-1 har flera år på bladet "Gårdar": ange år på den här raden'
    assert [c.value for c in ws[4]] == [
        "Allvarlighet",
        "Blad",
        "Rad",
        "Kolumn",
        "Värde",
        "Meddelande",
    ]
