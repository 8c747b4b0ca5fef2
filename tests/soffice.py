"""LibreOffice in the tests: re-save a workbook the way a user's office suite would.

On CI LibreOffice is installed by ``.ci/run`` and a test that needs it never
skips; on a developer's machine without it, the test is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

needs_soffice = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed"
)


def resave_with_libreoffice(path: Path, tmp_path: Path, to: str = "xlsx") -> Path:
    """``path`` opened and saved again by LibreOffice (headless), as ``to``; the new file."""
    assert SOFFICE, "soffice must be installed on CI (see .ci/run)"
    out = tmp_path / "lo"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out / (Path(path).stem + "." + to)
