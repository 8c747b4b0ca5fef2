"""The example template, re-saved by LibreOffice Calc, imports with the same results."""

import os
import shutil
import subprocess

import numpy as np
import pytest

import farmcalc
from farmcalc.excel import read_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

needs_soffice = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) is not installed; .ci/run installs it",
)


@needs_soffice
def test_libreoffice_resave_imports_with_the_same_results(example_xlsx, tmp_path):
    assert SOFFICE, "soffice must be installed on CI (see .ci/run)"
    out = tmp_path / "lo"
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(example_xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    resaved = out / example_xlsx.name
    assert resaved.read_bytes() != example_xlsx.read_bytes()
    original, issues = read_workbook(example_xlsx)
    again, issues_again = read_workbook(resaved)
    assert again is not None, [str(i) for i in issues_again]
    assert issues == issues_again == []
    for name in ("farms", "livestock", "manure_systems", "crops", "soil_changes"):
        assert getattr(again, name).equals(getattr(original, name)), name
    a = farmcalc.calculate_batch(original)
    b = farmcalc.calculate_batch(again)
    np.testing.assert_allclose(
        b.totals.select_dtypes("number"), a.totals.select_dtypes("number"), rtol=1e-12
    )
    assert b.to_dicts("sv") == a.to_dicts("sv")
