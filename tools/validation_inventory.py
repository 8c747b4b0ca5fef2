"""Reconcile farmcalc with Sweden's inventory: the national herd of 2023 through each factor set.

The national herd (``tools/data/national_herd_2023.csv``: Jordbruksverket's June census 2023 and
the manure-system shares assumed for it) is run through :func:`farmcalc.calculate` as one
record per factor set; its enteric and manure-management CH4 are set beside the categories
3.A and 3.B(a) of Sweden's inventory for 2023. The table of ``docs/validation.md`` between
the markers is written by this script (``--write``) and checked by
``tests/test_validation_inventory.py``.

Usage::

    .venv/bin/python tools/validation_inventory.py            # print the table
    .venv/bin/python tools/validation_inventory.py --write    # rewrite docs/validation.md
    .venv/bin/python tools/validation_inventory.py --check    # exit 1 if the doc is stale
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from any directory
    sys.path.insert(0, str(ROOT))

from farmcalc import calculate  # noqa: E402
from tools import generated_doc  # noqa: E402

HERD_CSV = ROOT / "tools" / "data" / "national_herd_2023.csv"
INVENTORY_CSV = ROOT / "tools" / "data" / "inventory_2023.csv"
DOC = ROOT / "docs" / "validation.md"
BEGIN = "<!-- BEGIN GENERATED: tools/validation_inventory.py -->"
END = "<!-- END GENERATED: tools/validation_inventory.py -->"
SETS = ("sweden", "ipcc2019")
GWP = "AR5"  # the GWP of Sweden's UNFCCC reporting, used to turn the inventory's CO2e into CH4


@dataclass(frozen=True)
class Reference:
    """One inventory category: central value and the range its rounding allows, in kg CH4."""

    key: str
    label: str
    kg: float
    low_kg: float
    high_kg: float
    source: str


def national_record() -> dict:
    """The national herd 2023 as one farm record (``farmcalc.farm/1``)."""
    livestock = []
    with HERD_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            systems = {}
            for part in row["manure_systems"].split(";"):
                name, share = part.split(":")
                systems[name.strip()] = float(share)
            item = {
                "category": row["category"],
                "head": float(row["head"]),
                "pasture_fraction": float(row["pasture_fraction"]),
                "manure_systems": systems,
            }
            if row["milk_kg_ecm_per_head"]:
                item["milk_kg_ecm_per_head"] = float(row["milk_kg_ecm_per_head"])
            livestock.append(item)
    return {
        "schema": "farmcalc.farm/1",
        "farm_id": "SE-2023",
        "name": "Sveriges djurbesättning juni 2023",
        "year": 2023,
        "livestock": livestock,
        "crops": [],
    }


def inventory() -> dict[str, Reference]:
    """The inventory's categories for 2023 (``tools/data/inventory_2023.csv``), in kg CH4."""
    out = {}
    with INVENTORY_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            gwp = float(row["gwp_ch4"])
            t = 1e9 / gwp  # Mt CO2e -> kg CH4
            out[row["key"]] = Reference(
                key=row["key"],
                label=row["label"],
                kg=float(row["co2e_mt"]) * t,
                low_kg=float(row["co2e_mt_low"]) * t,
                high_kg=float(row["co2e_mt_high"]) * t,
                source=row["source"],
            )
    return out


def farmcalc_ch4(factor_set: str) -> dict[str, float]:
    """Enteric and manure-management CH4 (kg) of the national herd with one factor set."""
    result = calculate(national_record(), factors=factor_set, gwp=GWP)
    sums = {"enteric_fermentation": 0.0, "manure_management": 0.0}
    for e in result["emissions"]:
        if e["gas"] == "CH4" and e["source"] in sums:
            sums[e["source"]] += e["kg"]
    return sums


def comparison() -> list[dict]:
    """One row per (category, factor set): farmcalc kg CH4, inventory kg CH4 and their ratio."""
    refs = inventory()
    rows = []
    for fs in SETS:
        ours = farmcalc_ch4(fs)
        for key, ref in refs.items():
            rows.append(
                {
                    "category": key,
                    "label": ref.label,
                    "factor_set": fs,
                    "farmcalc_kg": ours[key],
                    "inventory_kg": ref.kg,
                    "inventory_low_kg": ref.low_kg,
                    "inventory_high_kg": ref.high_kg,
                    "ratio": ours[key] / ref.kg,
                }
            )
    return rows


def _kt(kg: float) -> str:
    return f"{kg / 1e6:,.1f}".replace(",", " ")


def table_markdown() -> str:
    """The generated part of docs/validation.md (herd, inventory and comparison tables)."""
    lines = ["National herd (one record; `tools/data/national_herd_2023.csv`):", ""]
    lines.append("| category | head | milk kg ECM | pasture | manure systems (housed) |")
    lines.append("|---|---:|---:|---:|---|")
    for item in national_record()["livestock"]:
        systems = ", ".join(f"{k} {v:.2f}" for k, v in item["manure_systems"].items())
        milk = f"{item['milk_kg_ecm_per_head']:.0f}" if "milk_kg_ecm_per_head" in item else ""
        head = f"{item['head']:,.0f}".replace(",", " ")
        lines.append(
            f"| {item['category']} | {head} | {milk} | "
            f"{item['pasture_fraction']:.2f} | {systems} |"
        )
    lines += ["", "Inventory 2023 (`tools/data/inventory_2023.csv`):", ""]
    lines.append("| category | kt CH4 | range (rounding) | source |")
    lines.append("|---|---:|---|---|")
    for ref in inventory().values():
        lines.append(
            f"| {ref.label} | {_kt(ref.kg)} | {_kt(ref.low_kg)}–{_kt(ref.high_kg)} | "
            f"{ref.source} |"
        )
    lines += ["", "farmcalc against the inventory (GWP AR5):", ""]
    lines.append(
        "| category | factor set | farmcalc kt CH4 | inventory kt CH4 | farmcalc / inventory |"
    )
    lines.append("|---|---|---:|---:|---:|")
    for r in comparison():
        lines.append(
            f"| {r['label']} | `{r['factor_set']}` | {_kt(r['farmcalc_kg'])} | "
            f"{_kt(r['inventory_kg'])} | {r['ratio']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def render(doc_text: str) -> str:
    """``doc_text`` with the part between the markers replaced by :func:`table_markdown`."""
    return generated_doc.render(doc_text, BEGIN, END, table_markdown(), DOC)


def main(argv: list[str] | None = None) -> int:
    """Print, write or check the generated table of docs/validation.md."""
    return generated_doc.main(
        argv,
        doc=DOC,
        render_doc=render,
        body=table_markdown,
        script="tools/validation_inventory.py",
        description=__doc__.splitlines()[0],
    )


if __name__ == "__main__":
    raise SystemExit(main())
