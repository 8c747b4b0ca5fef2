"""Sensitivity of ICBM's soil-carbon result to re and to the root inputs.

Writes the table of ``docs/soil-carbon.md`` (between the markers
``<!-- sensitivity:start -->`` and ``<!-- sensitivity:end -->``); the numbers are
computed with the ``sweden`` factor set, each variant changing the factors named
in its row and nothing else. ``tests/test_soil_carbon_sensitivity.py`` checks
that the doc holds the table this script makes.

Usage: ``.venv/bin/python tools/soil_carbon_sensitivity.py --write`` (rewrites the block;
``--check`` exits 1 when it is stale, no option prints it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from any directory
    sys.path.insert(0, str(ROOT))

from farmcalc.excel.template import example_records  # noqa: E402
from farmcalc.factors import FactorSet, load_factor_set  # noqa: E402
from farmcalc.inputs.tables import records_to_tables  # noqa: E402
from farmcalc.soil_carbon import calc_soil_carbon_icbm  # noqa: E402
from tools import generated_doc  # noqa: E402

DOC = ROOT / "docs" / "soil-carbon.md"
START, END = "<!-- sensitivity:start -->", "<!-- sensitivity:end -->"
CO2_PER_C = 44.0 / 12.0
"""Mass ratio CO2 / C [kg CO2 kg-1 C]."""

ARABLE = {
    "schema": "farmcalc.farm/1",
    "farm_id": "ARABLE",
    "year": 2025,
    "crops": [
        {"crop": "winter_wheat", "area_ha": 40, "yield_kg_per_ha": 8500},
        {
            "crop": "barley",
            "area_ha": 20,
            "yield_kg_per_ha": 6000,
            "residues_removed_fraction": 0.5,
        },
        {"crop": "winter_rapeseed", "area_ha": 15, "yield_kg_per_ha": 3800},
        {"crop": "sugar_beet", "area_ha": 15, "yield_kg_per_ha": 65000},
        {"crop": "grass_clover_ley", "area_ha": 10, "yield_kg_dm_per_ha": 7000},
    ],
    "soil": {"organic_carbon_t_per_ha": 70},
}
"""A Skåne-type arable farm: 100 ha, 10 % ley, no manure, 70 t C/ha in the topsoil."""


def with_values(fs: FactorSet, change: Callable[[str, float], float]) -> FactorSet:
    """A copy of ``fs`` whose values are ``change(factor_id, value)``."""
    rows = fs.rows.copy()
    rows["value"] = [
        repr(float(change(fid, float(v))))
        for fid, v in zip(rows.index, rows["value"], strict=True)
    ]
    return replace(fs, rows=rows)


def _scale(prefixes: tuple[str, ...], factor: float) -> Callable[[str, float], float]:
    def change(fid: str, v: float) -> float:
        return v * factor if fid.startswith(prefixes) else v

    return change


def _set(factor_id: str, value: float) -> Callable[[str, float], float]:
    return lambda fid, v: value if fid == factor_id else v


VARIANTS: list[tuple[str, Callable[[str, float], float]]] = [
    ("As built: re 1.0 (Ultuna), Bolinder S:R, h root 0.35", lambda fid, v: v),
    ("re × 0.8", _scale(("icbm.re",), 0.8)),
    ("re × 1.2 (a warmer, moister site than Ultuna)", _scale(("icbm.re",), 1.2)),
    ("root:shoot + 20 % (every S:R ÷ 1.2)", _scale(("icbm.sr.",), 1 / 1.2)),
    ("root:shoot − 20 % (every S:R ÷ 0.8)", _scale(("icbm.sr.",), 1 / 0.8)),
    (
        "ley and pasture: all roots every year (icbm.root_turnover.perennial 1, as before)",
        _set("icbm.root_turnover.perennial", 1.0),
    ),
    ("no extra-root C (icbm.root_extra 0)", _set("icbm.root_extra", 0.0)),
    ("h root 0.125 (= straw, as before issue 11)", _set("icbm.h.below_ground", 0.125)),
]


def farms() -> list[tuple[str, dict]]:
    """The farms of the table: the arable farm and the Excel example (EX-000001)."""
    return [
        ("arable farm, 100 ha, 10 % ley", ARABLE),
        ("EX-000001 (example workbook), 186 ha, 35 % ley", example_records()[0]),
    ]


def sensitivity() -> pd.DataFrame:
    """ICBM soil-carbon result [t CO2 yr-1] (negative = removal) per variant and farm."""
    base = load_factor_set("sweden")
    out = {}
    for farm_name, rec in farms():
        tables, _ = records_to_tables([rec])
        col = []
        for _name, change in VARIANTS:
            res = calc_soil_carbon_icbm(tables, with_values(base, change))
            col.append(-res.delta_c_kg_per_yr[0] * CO2_PER_C / 1000)
        out[farm_name] = col
    return pd.DataFrame(out, index=[name for name, _ in VARIANTS])


def table_markdown() -> str:
    """The markdown table: t CO2/yr and its relative change from the built method.

    A positive change is a larger result in absolute terms (a larger removal when the
    result is a removal)."""
    df = sensitivity()
    cols = list(df.columns)
    lines = [
        "| variant | " + " | ".join(f"{c}: t CO₂/yr (relative change)" for c in cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]
    for i, name in enumerate(df.index):
        cells = []
        for c in cols:
            v, b = df[c].iat[i], df[c].iat[0]
            rel = "" if i == 0 else f" ({(v - b) / b * 100:+.0f} %)"
            cells.append(f"{v:.1f}{rel}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def body() -> str:
    """The table with its closing newline, as it stands between the markers."""
    return table_markdown() + "\n"


def block() -> str:
    """The markers and the table, as they stand in the doc."""
    return f"{START}\n{body()}{END}"


def render(doc_text: str) -> str:
    """``doc_text`` with the part between the markers replaced by the table."""
    return generated_doc.render(doc_text, START, END, body(), DOC)


def main(argv: list[str] | None = None) -> int:
    """Print, write (``--write``) or check (``--check``) the table of docs/soil-carbon.md."""
    return generated_doc.main(
        argv,
        doc=DOC,
        render_doc=render,
        body=body,
        script="tools/soil_carbon_sensitivity.py",
        description=__doc__.splitlines()[0],
    )


if __name__ == "__main__":
    sys.exit(main())
