"""farmcalc template / calc F.xlsx / export on the command line."""

import json
from pathlib import Path

import openpyxl

from farmcalc.cli import main

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


def test_template_and_calc_json(tmp_path, capsys):
    path = tmp_path / "exempel.xlsx"
    assert main(["template", "--out", str(path), "--example"]) == 0
    assert path.is_file()
    capsys.readouterr()
    assert main(["calc", str(path), "--format", "json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 8
    assert results[0]["farm_id"] == "EX-000001"
    assert results[0]["schema"] == "farmcalc.result/1"


def test_calc_table(example_xlsx, capsys):
    assert main(["calc", str(example_xlsx), "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "Klimatresultat för Exempelgården (EX-000001), 2025" in out


def test_calc_bad_workbook_exits_2_with_swedish_messages(capsys):
    assert main(["calc", str(BAD / "negative_head.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "arbetsboken har 1 fel; inget har beräknats" in err
    assert 'Blad "Djur", rad 2, kolumn "Antal djur (st)": "−3" är negativt' in err


def test_calc_hostile_file_exits_2(capsys):
    assert main(["calc", str(BAD / "xls_renamed.xlsx")]) == 2
    assert "gamla Excel-formatet (.xls)" in capsys.readouterr().err


def test_export_from_workbook_and_json(example_xlsx, tmp_path, capsys):
    out = tmp_path / "resultat.xlsx"
    assert main(["export", str(example_xlsx), "--out", str(out), "--gwp", "AR6"]) == 0
    wb = openpyxl.load_workbook(out)
    assert "Sammanfattning" in wb.sheetnames
    flat = [v for row in wb["Källor"].iter_rows(values_only=True) for v in row]
    assert "AR6" in flat
    record = Path(__file__).resolve().parents[2] / "examples" / "exempelgarden.json"
    out2 = tmp_path / "resultat2.xlsx"
    assert main(["export", str(record), "--out", str(out2), "--locale", "en"]) == 0
    assert openpyxl.load_workbook(out2).sheetnames[0] == "Summary"


def test_export_invalid_json_records_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "farmcalc.farm/1", "farm_id": "X", "year": "x"}))
    assert main(["export", str(bad), "--out", str(tmp_path / "r.xlsx")]) == 2
    assert "fel" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "missing.xlsx"), "--out", "r.xlsx"]) == 2
