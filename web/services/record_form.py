"""The farm form's model: its fields, record ↔ form, and the core's issues → fields.

The form edits one ``farmcalc.farm/1`` record in steps. Every input is named
after the record path it edits: ``livestock[0].head`` is the input
``livestock-0-head`` (:func:`field_id`), so that an ``Issue.path`` from
``farmcalc.inputs.tables.records_to_tables`` finds its input without a table of
names. Numbers are typed the reader's way and read by
:func:`web.numbers.parse_number`; shares are typed as percent and stored as
fractions (15 % → 0.15).

Views (``web/views/year_form.py``) call :func:`read_step` on a POST, which returns the
updated record, the typed text and the errors; :func:`build_step` makes the
template's view of a step; :func:`step_errors` maps the core's issues to the
inputs of a step; :func:`summary` and :func:`issue_list` serve the last step.
"""

from __future__ import annotations

import copy
import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from flask_babel import gettext, lazy_gettext

from farmcalc.inputs.fields import CHANGE_NUMS
from farmcalc.inputs.issues import ERROR, WARNING, Issue
from farmcalc.inputs.tables import records_to_tables
from farmcalc.inputs.vocabulary import (
    CROPS,
    FORAGE_CROPS,
    INPUT_LEVELS,
    LAND_USES,
    LIVESTOCK_CATEGORIES,
    MANURE_SYSTEMS,
    MINERAL_N_TYPES,
    SOIL_TYPES,
    TILLAGE,
)
from farmcalc.labels import label
from web.numbers import NumberError, format_number_input, parse_number

MAX_ROWS = 100
YEAR_OF_CHANGE_MIN = int(next(n.minimum for n in CHANGE_NUMS if n.key == "year_of_change"))


@dataclass(frozen=True)
class Step:
    key: str
    title: Any


STEPS: tuple[Step, ...] = (
    Step("farm", lazy_gettext("Farm and year")),
    Step("animals", lazy_gettext("Animals")),
    Step("manure", lazy_gettext("Manure")),
    Step("crops", lazy_gettext("Crops and fertiliser")),
    Step("energy", lazy_gettext("Energy and lime")),
    Step("soils", lazy_gettext("Soils")),
    Step("summary", lazy_gettext("Summary")),
)
STEP_KEYS = tuple(s.key for s in STEPS)


@dataclass(frozen=True)
class Spec:
    """One input: the record key it edits, its label (with unit) and help text.

    ``kind`` is ``number``, ``percent`` (typed in %, stored as a share),
    ``year`` (a whole year) or ``choice`` (a drop-down of ``choices``).
    """

    key: str
    label: Any
    hint: Any = None
    kind: str = "number"
    choices: tuple[str, ...] = ()
    default: str | None = None
    blank: Any = None  # text of the empty first option of a required choice
    # the help text on every row, not only the first (an input that only some rows show)
    hint_every_row: bool = False
    # an optional detail, in the row's folded part ("More about the animals (optional)")
    more: bool = False
    # the options' texts where the form says it in other words than the catalogue's label
    # (the soil list in a farmer's words); the stored value stays the code
    choice_labels: Mapping[str, Any] | None = None


# ------------------------------------------------------------------ fields

ANIMAL_FIELDS = (
    Spec(
        "category",
        lazy_gettext("Kind of animal"),
        lazy_gettext("One row for each kind of animal."),
        kind="choice",
        choices=LIVESTOCK_CATEGORIES,
        blank=lazy_gettext("Choose kind of animal"),
    ),
    Spec(
        "head",
        lazy_gettext("Number of animals (head)"),
        lazy_gettext(
            "The average number over the year, that is the animal places in use. "
            "Fattening pigs and broilers: places, not animals sold."
        ),
    ),
    Spec(
        "pasture_fraction",
        lazy_gettext("Time on pasture (% of the year)"),
        lazy_gettext(
            "Share of the whole year, day and night, that the animals are out on pasture. "
            "Out day and night for 4 months is about 33 %. Leave empty if they do not graze."
        ),
        kind="percent",
    ),
    Spec(
        "milk_kg_ecm_per_head",
        lazy_gettext("Milk yield (kg ECM per cow and year)"),
        lazy_gettext(
            "Only for dairy cows: energy-corrected milk per cow and year, for example "
            "from the milk recording. Leave empty for other animals; empty for dairy cows "
            "means the IPCC default per cow (Tier 1)."
        ),
    ),
    Spec(
        "n_excretion_kg_per_head",
        lazy_gettext("Nitrogen in dung and urine (kg N per animal and year), optional"),
        lazy_gettext(
            "If you know it, for example the Swedish Board of Agriculture's standard values. "
            "Leave empty to use the IPCC default."
        ),
    ),
    # issue 11: a class's own data (docs/farm-record.md); empty = the factor set's default
    Spec(
        "live_weight_kg",
        lazy_gettext("Live weight (kg per animal)"),
        lazy_gettext(
            "The animals' mean weight over their time on the farm, for example 650 for a "
            "dairy cow, 400 for a heifer or 25 for a lamb. Empty means the usual weight of "
            "the kind of animal."
        ),
        hint_every_row=True,
        more=True,
    ),
    Spec(
        "weight_gain_kg_per_day",
        lazy_gettext("Growth (kg per day)"),
        lazy_gettext(
            "Mean weight gain per animal and day for growing animals, for example 0.8 for "
            "heifers or 0.3 for lambs. 0 for grown animals. Empty means the usual growth of "
            "the kind of animal."
        ),
        hint_every_row=True,
        more=True,
    ),
    Spec(
        "pregnant_fraction",
        lazy_gettext("Share pregnant (%)"),
        lazy_gettext(
            "Share of the animals that carry a calf or lamb to term during the year, for "
            "example 90 for suckler cows. Empty means the usual share of the kind of animal."
        ),
        kind="percent",
        hint_every_row=True,
        more=True,
    ),
    Spec(
        "months_on_farm",
        lazy_gettext("Months on the farm"),
        lazy_gettext(
            "How many months of the year the animals are on the farm, at most 12. Lambs: "
            "the months they live, from birth to sale or slaughter, for example 5. Empty "
            "means the usual time for the kind of animal."
        ),
        hint_every_row=True,
        more=True,
    ),
    Spec(
        "crude_protein_pct",
        lazy_gettext("Crude protein in the diet (% of dry matter)"),
        lazy_gettext(
            "From the feed plan: crude protein of the whole diet as percent of dry matter, "
            "for example 16. Empty means a default."
        ),
        hint_every_row=True,
        more=True,
    ),
    Spec(
        "digestibility_pct",
        lazy_gettext("Digestibility (DE, % of gross energy)"),
        lazy_gettext(
            "Digestible energy of the diet as percent of its gross energy, for example 70 "
            "for dairy cows fed silage and concentrate. Empty means a default."
        ),
        hint_every_row=True,
        more=True,
    ),
)
# the heading of a livestock row's folded part of optional details
MORE_TITLE = lazy_gettext("More about the animals (optional)")
PRODUCT_FIELDS = (
    Spec(
        "meat_sold_kg_liveweight",
        lazy_gettext("Meat sold (kg live weight per year)"),
        lazy_gettext(
            "Dairy farms: live weight of animals sold for slaughter or breeding, minus animals "
            "bought. It splits the emissions between milk and meat. Leave empty otherwise."
        ),
    ),
)
MANURE_HINT = lazy_gettext(
    "Share of the manure from the time indoors in each kind of storage. "
    "Together they make 100 %. Leave the others empty."
)
CROP_FIELDS = (
    Spec(
        "crop",
        lazy_gettext("Crop"),
        lazy_gettext("One row for each crop. Leys and pastures count too."),
        kind="choice",
        choices=CROPS,
        blank=lazy_gettext("Choose crop"),
    ),
    Spec(
        "area_ha",
        lazy_gettext("Area (ha)"),
        lazy_gettext("Hectares with the crop this year, as in your SAM application."),
    ),
    Spec(
        "yield_kg_per_ha",
        lazy_gettext("Yield as delivered (kg per ha)"),
        lazy_gettext(
            "Cereals, oilseeds, peas and beans: as delivered. Potatoes and sugar beet: "
            "fresh weight. Leys, pasture and maize for silage are given as dry matter "
            "instead. Empty means no harvest."
        ),
        hint_every_row=True,
    ),
    Spec(
        "yield_kg_dm_per_ha",
        lazy_gettext("Yield of leys, pasture and maize for silage (kg dry matter per ha)"),
        lazy_gettext(
            "Kilograms of dry matter per hectare, all cuts of the year together, for example "
            "8,000 for a ley in Skåne. If you only know the fresh weight of the silage, "
            "multiply it by the dry matter content from the feed analysis. Grazed pasture "
            "that is not weighed: leave empty."
        ),
        hint_every_row=True,
    ),
    Spec(
        "residues_removed_fraction",
        lazy_gettext("Crop residues removed (%)"),
        lazy_gettext(
            "How much of the straw or tops is taken off the field, for example baled straw. "
            "0 if everything is worked into the soil."
        ),
        kind="percent",
    ),
    Spec(
        "mineral_n_kg_per_ha",
        lazy_gettext("Nitrogen in mineral fertiliser (kg N per ha)"),
        lazy_gettext(
            "Kilograms of nitrogen, not of product: 300 kg of a fertiliser with 27 % N is 81 kg N."
        ),
    ),
    Spec(
        "mineral_n_type",
        lazy_gettext("Kind of mineral fertiliser"),
        lazy_gettext("The main nitrogen fertiliser on the crop."),
        kind="choice",
        choices=MINERAL_N_TYPES,
        default="unspecified",
    ),
    Spec(
        "manure_n_kg_per_ha",
        lazy_gettext("Nitrogen in manure or digestate (kg N per ha)"),
        lazy_gettext(
            "Total nitrogen spread on the crop. If you leave it empty for every crop, "
            "the farm's own manure is counted as spread evenly over all crops."
        ),
    ),
)
ENERGY_FIELDS = (
    Spec(
        "diesel_l",
        lazy_gettext("Diesel (litres per year)"),
        lazy_gettext("All diesel for tractors, machines and vehicles, from the fuel invoices."),
    ),
    Spec(
        "hvo100_l",
        lazy_gettext("HVO100 (litres per year)"),
        lazy_gettext("Renewable diesel (HVO100) used instead of fossil diesel."),
    ),
    Spec(
        "petrol_l",
        lazy_gettext("Petrol (litres per year)"),
        lazy_gettext("For example small machines, quad bikes and the farm's cars."),
    ),
    Spec(
        "heating_oil_l",
        lazy_gettext("Heating oil (litres per year)"),
        lazy_gettext("For heating, grain drying and other burners."),
    ),
    Spec(
        "electricity_kwh",
        lazy_gettext("Electricity (kWh per year)"),
        lazy_gettext(
            "The farm's use from the electricity bills; not the household if it has "
            "a meter of its own."
        ),
    ),
    Spec(
        "district_heating_kwh",
        lazy_gettext("District heating (kWh per year)"),
        lazy_gettext("Only if the farm buildings are connected to district heating."),
    ),
)
LIME_FIELDS = (
    Spec(
        "limestone_t",
        lazy_gettext("Ground limestone (tonnes per year)"),
        lazy_gettext("Lime spread this year as ground limestone (calcium carbonate)."),
    ),
    Spec(
        "dolomite_t",
        lazy_gettext("Dolomite (tonnes per year)"),
        lazy_gettext("Lime spread this year as dolomite (magnesium lime)."),
    ),
)
ORGANIC_FIELDS = (
    Spec(
        "cropland_ha",
        lazy_gettext("Drained peat or mould soil, arable fields (ha)"),
        lazy_gettext(
            "Arable fields on drained organic soil: mould or peat soil with more than "
            "20 % organic matter. Leave empty if you have none."
        ),
    ),
    Spec(
        "grassland_ha",
        lazy_gettext("Drained peat or mould soil, permanent grassland (ha)"),
        lazy_gettext(
            "Permanent grassland and pasture on drained organic soil. Count each field only once."
        ),
    ),
)
# The soil list in a farmer's words, each mapped to the soil-carbon method's class (IPCC 2019,
# Vol. 4 Ch. 2, Table 2.3); the class stays named in brackets where a farmer may wonder.
# Swedish arable clays, loams and silts are high-activity clays; sand and mo with little clay
# meet IPCC's "sandy" (> 70 % sand, < 8 % clay). Mulljord and torvjord are organic soils:
# asked as hectares under Drained organic soils, not here. Common soils first.
SOIL_CHOICES = (
    "high_activity_clay",
    "sandy",
    "wetland",
    "spodic",
    "low_activity_clay",
    "volcanic",
)
SOIL_LABELS = {
    "high_activity_clay": lazy_gettext(
        "Clay soil, loam or silt – most arable land (mineral soil with high-activity clay)"
    ),
    "sandy": lazy_gettext("Sandy soil, gravel or fine sand with little clay (sandy soil)"),
    "wetland": lazy_gettext("Waterlogged mineral soil, poorly drained (wetland soil)"),
    "spodic": lazy_gettext("Podzol, common under forest (spodic soil)"),
    "low_activity_clay": lazy_gettext(
        "Weathered clay of the tropics – not in Sweden (low-activity clay)"
    ),
    "volcanic": lazy_gettext("Volcanic soil – not in Sweden"),
}
SOIL_FIELDS = (
    Spec(
        "soil_type",
        lazy_gettext("Soil type"),
        lazy_gettext(
            "The soil of most of the farm's arable fields. Clay, loam and silt are the first "
            "choice; sand and fine sand with less than about 8 % clay the second. Peat and "
            "mould soils are given as hectares under Drained organic soils below."
        ),
        kind="choice",
        choices=SOIL_CHOICES,
        default=SOIL_TYPES[0],
        choice_labels=SOIL_LABELS,
    ),
    Spec(
        "organic_carbon_t_per_ha",
        lazy_gettext("Carbon in the topsoil (tonnes C per ha), optional"),
        lazy_gettext(
            "From a soil analysis, topsoil 0–25 cm. Rule of thumb: organic matter in % × 19 "
            "≈ tonnes of carbon per ha, so 3 % gives about 57. Leave empty to use a "
            "Swedish average."
        ),
    ),
)
STATE_HINTS = {
    "land_use": lazy_gettext("Arable land, set-aside or grassland."),
    "tillage": lazy_gettext("Only matters for arable land."),
    "input": lazy_gettext(
        "Low: residues taken away. Medium: residues worked in. High: leys in the rotation, "
        "catch crops or green manure; with manure if it is spread regularly."
    ),
}
STATE_LABELS = {
    "land_use": lazy_gettext("Land use"),
    "tillage": lazy_gettext("Tillage"),
    "input": lazy_gettext("Organic matter returned to the soil"),
}
STATE_CHOICES = {"land_use": LAND_USES, "tillage": TILLAGE, "input": INPUT_LEVELS}
STATE_DEFAULTS = {"land_use": "cropland", "tillage": "full", "input": "medium"}
SIDES = {"from": lazy_gettext("Before"), "to": lazy_gettext("After")}
CHANGE_FIELDS = (
    Spec("area_ha", lazy_gettext("Area (ha)"), lazy_gettext("Hectares that changed.")),
    Spec(
        "year_of_change",
        lazy_gettext("Year of the change"),
        lazy_gettext("The year the new way began, for example 2021."),
        kind="year",
    ),
    *(
        Spec(
            f"{side}.{k}",
            STATE_LABELS[k],
            STATE_HINTS[k],
            kind="choice",
            choices=STATE_CHOICES[k],
            default=STATE_DEFAULTS[k],
        )
        for side in SIDES
        for k in STATE_CHOICES
    ),
)
CHANGES_HINT = lazy_gettext(
    "Have you changed how some of the land is used or tilled in the last 20 years? "
    "For example reduced tillage, or arable land turned into pasture. One row for each "
    "change. Leave this empty if nothing has changed."
)

# rows of each step: (list path in the record, fields, required choice)
ROW_SECTIONS = {
    "animals": ("livestock", ANIMAL_FIELDS),
    "crops": ("crops", CROP_FIELDS),
    "soils": ("soil.changes", CHANGE_FIELDS),
}
# objects of each step: (record key, fields)
OBJECT_SECTIONS = {
    "animals": (("products", PRODUCT_FIELDS),),
    "energy": (("energy", ENERGY_FIELDS), ("lime", LIME_FIELDS)),
    "soils": (("soil", SOIL_FIELDS), ("organic_soils", ORGANIC_FIELDS)),
}
SECTION_TITLES = {
    "products": lazy_gettext("Animals sold (dairy farms)"),
    "energy": lazy_gettext("Fuel and energy"),
    "lime": lazy_gettext("Lime"),
    "soil": lazy_gettext("The farm's soil"),
    "organic_soils": lazy_gettext("Drained organic soils"),
    "livestock": lazy_gettext("Animals"),
    "crops": lazy_gettext("Crops"),
    "soil.changes": lazy_gettext("Changes in land use or tillage"),
}

# ------------------------------------------------------------------ paths


def field_id(path: str) -> str:
    """The input id (and name) of a record path: ``crops[1].area_ha`` → ``crops-1-area_ha``."""
    return re.sub(r"[\[\].]+", "-", path).strip("-")


def step_of(path: str) -> str:
    """The step whose page holds the record path ``path``."""
    if re.match(r"livestock\[\d+\]\.manure_systems", path):
        return "manure"
    head = re.split(r"[\[.]", path, maxsplit=1)[0]
    return {
        "livestock": "animals",
        "products": "animals",
        "crops": "crops",
        "energy": "energy",
        "lime": "energy",
        "organic_soils": "soils",
        "soil": "soils",
    }.get(head, "farm")


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(part)
    return obj


def _set(obj: dict, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        child = obj.get(part)
        if not isinstance(child, dict):
            child = obj[part] = {}
        obj = child
    obj[last] = value


def _mapping(value: Any) -> dict:
    return dict(value) if isinstance(value, Mapping) else {}


def _rows(record: Mapping, list_path: str) -> list:
    value = _get(record, list_path)
    return list(value) if isinstance(value, list) else []


# ------------------------------------------------------------------ values


def share_to_percent(share: Any) -> Any:
    if isinstance(share, bool) or not isinstance(share, int | float):
        return share
    return round(share * 100, 8)


def _clean(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def display(spec: Spec, value: Any, locale: str) -> str:
    """A stored value as it stands in its input (``0.15`` → ``15`` for percent)."""
    if spec.kind == "choice":
        return value if isinstance(value, str) else ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if spec.kind == "percent":
        value = share_to_percent(value)
    return format_number_input(value, locale, group=spec.kind != "year")


def read_value(spec: Spec, text: str, locale: str) -> tuple[Any, str | None]:
    """(value, error message) of what was typed into one input."""
    text = (text or "").strip()
    if spec.kind == "choice":
        if not text:
            return spec.default, None
        if text not in spec.choices:
            return None, gettext("Choose one of the options in the list.")
        return text, None
    if spec.kind == "percent":
        text = text.removesuffix("%").strip()
    try:
        value = parse_number(text, locale)
    except NumberError:
        if spec.kind == "year":
            return None, gettext("Write a year, for example 2021.")
        return None, gettext("Write a number, for example 12.5.")
    if value is None:
        return None, None
    if value < 0:
        return None, gettext("The number cannot be negative.")
    if spec.kind == "percent":
        if value > 100:
            return None, gettext("Write a percentage between 0 and 100.")
        return _clean(round(value / 100, 10)), None
    if spec.kind == "year" and not isinstance(value, int):
        return None, gettext("Write a year, for example 2021.")
    return value, None


# ------------------------------------------------------------------ reading a POST


@dataclass
class Posted:
    """What a step's POST gave: the new record, the typed text and the errors (by input id)."""

    record: dict
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    # the posted row number (form index) of each kept row, per list path
    kept: dict[str, list[int]] = field(default_factory=dict)


def _indices(form: Mapping[str, str], list_path: str) -> list[int]:
    prefix = re.escape(field_id(list_path)) + r"-(\d+)-"
    found = {int(m.group(1)) for k in form if (m := re.match(prefix, k))}
    return sorted(i for i in found if i < MAX_ROWS)


def _is_blank(specs: tuple[Spec, ...], raw: Mapping[str, str]) -> bool:
    return all(
        not raw.get(s.key, "").strip()
        for s in specs
        if not (s.kind == "choice" and s.default is not None)
    )


def _read_object(
    form: Mapping[str, str], key: str, specs: tuple[Spec, ...], old: Mapping, locale: str
) -> tuple[dict, dict[str, str], dict[str, list[str]]]:
    obj = _mapping(old)
    raw: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for spec in specs:
        fid = field_id(f"{key}.{spec.key}")
        raw[fid] = text = form.get(fid, "")
        value, error = read_value(spec, text, locale)
        if error:
            errors[fid] = [error]
            value = obj.get(spec.key)  # keep what was saved before
        obj[spec.key] = value
    return obj, raw, errors


def _read_rows(
    form: Mapping[str, str],
    list_path: str,
    specs: tuple[Spec, ...],
    old_rows: list,
    locale: str,
    out: Posted,
    *,
    record_year: int,
) -> list[dict]:
    """The posted rows (blank ones dropped), renumbered; raw text and errors go to ``out``."""
    rows: list[dict] = []
    kept: list[int] = []
    base = field_id(list_path)
    for i in _indices(form, list_path):
        old = _mapping(old_rows[i]) if i < len(old_rows) else {}
        row = copy.deepcopy(old)
        raw: dict[str, str] = {}
        errors: dict[str, list[str]] = {}
        for spec in specs:
            raw[spec.key] = text = form.get(f"{base}-{i}-{field_id(spec.key)}", "")
            value, error = read_value(spec, text, locale)
            if error:
                errors[spec.key] = [error]
                value = _get(old, spec.key)
            if spec.more and value is None:
                row.pop(spec.key, None)  # an empty detail is left out: the set's default
            else:
                _set(row, spec.key, value)
        if _is_blank(specs, raw) and not errors:
            continue
        _row_checks(list_path, row, errors, record_year)
        n = len(rows)
        rows.append(row)
        kept.append(i)
        for spec in specs:
            fid = f"{base}-{n}-{field_id(spec.key)}"
            out.raw[fid] = raw[spec.key]
            if spec.key in errors:
                out.errors[fid] = errors[spec.key]
    out.kept[list_path] = kept
    return rows


def _row_checks(list_path: str, row: dict, errors: dict[str, list[str]], year: int) -> None:
    """The form's own rules beyond the core's (friendlier, or about the form itself)."""
    if list_path == "livestock":
        if row.get("milk_kg_ecm_per_head") is not None and row.get("category") != "dairy_cow":
            errors.setdefault("milk_kg_ecm_per_head", []).append(
                gettext("Milk yield is only for dairy cows. Leave it empty.")
            )
            row["milk_kg_ecm_per_head"] = None
    elif list_path == "soil.changes":
        y = row.get("year_of_change")
        if isinstance(y, int) and not YEAR_OF_CHANGE_MIN <= y <= year:
            errors.setdefault("year_of_change", []).append(
                gettext(
                    "Write a year between %(low)s and %(high)s.",
                    low=YEAR_OF_CHANGE_MIN,
                    high=year,
                )
            )
            row["year_of_change"] = None


def _read_manure(form: Mapping[str, str], record: dict, locale: str, out: Posted) -> None:
    for i, row in enumerate(_rows(record, "livestock")):
        if not isinstance(row, dict):
            continue
        old = _mapping(row.get("manure_systems"))
        shares: dict[str, Any] = {}
        posted = False
        for system in MANURE_SYSTEMS:
            fid = field_id(f"livestock[{i}].manure_systems.{system}")
            if fid not in form:
                continue
            posted = True
            out.raw[fid] = text = form.get(fid, "")
            value, error = read_value(MANURE_SPEC, text, locale)
            if error:
                out.errors[fid] = [error]
                value = old.get(system)
            if value:
                shares[system] = value
        if not posted:
            continue
        if shares:
            row["manure_systems"] = shares
        else:
            row.pop("manure_systems", None)


MANURE_SPEC = Spec("share", "", kind="percent")

# the common combinations of manure storage the manure step offers as one-click buttons
MANURE_PRESETS_CSV = Path(__file__).resolve().parents[1] / "data" / "manure_presets.csv"


@dataclass(frozen=True)
class ManurePreset:
    """A common combination of manure storage: shares in percent, for some kinds of animal."""

    key: str
    shares: tuple[tuple[str, float], ...]  # (manure system, percent), together 100
    animals: frozenset[str] | None  # None: every kind of animal
    why: str


@cache
def manure_presets() -> tuple[ManurePreset, ...]:
    """The combinations of ``web/data/manure_presets.csv``, checked (known systems, 100 %)."""
    presets = []
    with MANURE_PRESETS_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            shares = tuple(
                (system, float(pct))
                for system, pct in (part.split("=") for part in row["shares"].split())
            )
            unknown = [s for s, _ in shares if s not in MANURE_SYSTEMS]
            if unknown or abs(sum(p for _, p in shares) - 100) > 1e-9:
                raise ValueError(f"manure_presets.csv, {row['key']}: {row['shares']!r}")
            animals = None if row["animals"].strip() == "*" else frozenset(row["animals"].split())
            presets.append(ManurePreset(row["key"], shares, animals, row["why"]))
    return tuple(presets)


def preset_text(preset: ManurePreset, locale: str) -> str:
    """The button's text: "Flytgödsel med svämtäcke 100 %", parts joined by " + "."""
    return " + ".join(
        f"{label(system, locale)} {format_number_input(pct, locale)}\u00a0%"
        for system, pct in preset.shares
    )


def apply_manure_preset(posted: Posted, row: int, key: str) -> None:
    """Fill a livestock row's manure shares with the combination ``key`` (the no-JS button).

    Raises ``ValueError`` for an unknown row or combination.
    """
    preset = next((p for p in manure_presets() if p.key == key), None)
    rows = posted.record.get("livestock")
    if preset is None or not isinstance(rows, list) or not 0 <= row < len(rows):
        raise ValueError(key)
    rows[row]["manure_systems"] = {system: pct / 100 for system, pct in preset.shares}
    for system in MANURE_SYSTEMS:
        fid = field_id(f"livestock[{row}].manure_systems.{system}")
        posted.raw.pop(fid, None)
        posted.errors.pop(fid, None)
    posted.errors.pop(field_id(f"livestock[{row}].manure_systems"), None)


def share_sum_text(total: float | None, locale: str) -> str:
    """The running sum under a kind of animal's manure shares, in words."""
    if total is None:
        total = 0.0
    fmt = format_number_input(round(total, 1), locale)
    if abs(total - 100) < 0.05:
        return gettext("Total: %(sum)s %% – complete", sum=fmt)
    if total < 100:
        left = format_number_input(round(100 - total, 1), locale)
        return gettext("Total: %(sum)s %% – %(left)s %% left", sum=fmt, left=left)
    over = format_number_input(round(total - 100, 1), locale)
    return gettext("Total: %(sum)s %% – %(over)s %% too much", sum=fmt, over=over)


def read_step(step: str, form: Mapping[str, str], record: Mapping, locale: str) -> Posted:
    """Read a step's POST into a copy of ``record``; see :class:`Posted`."""
    new = copy.deepcopy(dict(record))
    out = Posted(record=new)
    year = int(new.get("year") or 0) or 2100
    if step in ROW_SECTIONS:
        list_path, specs = ROW_SECTIONS[step]
        rows = _read_rows(
            form, list_path, specs, _rows(new, list_path), locale, out, record_year=year
        )
        if list_path == "soil.changes":
            soil = _mapping(new.get("soil"))
            soil["changes"] = rows
            new["soil"] = soil
        else:
            new[list_path] = rows
    for key, specs in OBJECT_SECTIONS.get(step, ()):
        obj, raw, errors = _read_object(form, key, specs, _mapping(new.get(key)), locale)
        if key == "soil" and "changes" in _mapping(new.get("soil")):
            obj["changes"] = new["soil"]["changes"]
        new[key] = obj
        out.raw.update(raw)
        out.errors.update(errors)
    if step == "manure":
        _read_manure(form, new, locale, out)
    return out


def remove_row(posted: Posted, step: str, form_index: int) -> None:
    """Drop the row that had number ``form_index`` in the posted form."""
    if step not in ROW_SECTIONS:
        return
    list_path = ROW_SECTIONS[step][0]
    kept = posted.kept.get(list_path, [])
    if form_index not in kept:
        return
    pos = kept.index(form_index)
    rows = _rows(posted.record, list_path)
    del rows[pos]
    del kept[pos]
    if list_path == "soil.changes":
        posted.record["soil"]["changes"] = rows
    else:
        posted.record[list_path] = rows
    base = field_id(list_path)
    # renumber the typed text and errors of the rows after it
    for store in (posted.raw, posted.errors):
        moved = {}
        for fid in list(store):
            m = re.fullmatch(rf"{re.escape(base)}-(\d+)-(.+)", fid)
            if m and int(m.group(1)) >= pos:
                value = store.pop(fid)
                if int(m.group(1)) > pos:
                    moved[f"{base}-{int(m.group(1)) - 1}-{m.group(2)}"] = value
        store.update(moved)


# ------------------------------------------------------------------ issues → fields


def core_issues(record: Mapping) -> list[Issue]:
    """Every error and warning the core finds in the record (nothing raised)."""
    _tables, issues = records_to_tables([dict(record)], strict=False)
    return issues


def issue_text(issue: Issue, locale: str) -> str:
    """The issue in words for a form field (percent where the form asks for percent)."""
    if issue.code == "shares_sum":
        total = format_number_input(share_to_percent(issue.params.get("value", 0)), locale)
        return gettext("The shares must make 100 %%; now they make %(total)s %%.", total=total)
    if issue.code == "manure_systems_missing":
        return gettext(
            "Say how the manure from the time indoors is stored, or set the time on "
            "pasture to 100 % in the step Animals."
        )
    if issue.code == "unknown_value":
        return gettext("Choose one of the options in the list.")
    text = issue.text(locale)
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def step_errors(
    issues: list[Issue], step: str, record: Mapping, locale: str, errors: dict[str, list[str]]
) -> list[str]:
    """Add the errors of ``step`` to ``errors`` (by input id; typing errors win).

    Returns the messages that belong to the step but to no single input.
    """
    general: list[str] = []
    known = set(errors)
    for issue in issues:
        if issue.severity != ERROR or step_of(issue.path) != step:
            continue
        fid = field_id(issue.path)
        if fid in known:
            continue
        if fid.endswith("-manure_systems") or _is_input(step, fid):
            msgs = errors.setdefault(fid, [])
            text = issue_text(issue, locale)
            if text not in msgs:
                msgs.append(text)
        else:
            general.append(f"{describe(issue.path, record, locale)}: {issue_text(issue, locale)}")
    return general


def _is_input(step: str, fid: str) -> bool:
    if step in ROW_SECTIONS:
        list_path, specs = ROW_SECTIONS[step]
        base = field_id(list_path)
        if any(re.fullmatch(rf"{re.escape(base)}-\d+-{field_id(s.key)}", fid) for s in specs):
            return True
    for key, specs in OBJECT_SECTIONS.get(step, ()):
        if any(fid == field_id(f"{key}.{s.key}") for s in specs):
            return True
    return step == "manure" and bool(re.fullmatch(r"livestock-\d+-manure_systems-\w+", fid))


# ------------------------------------------------------------------ the view of a step


@dataclass
class Input:
    """One input as the template shows it."""

    id: str
    spec: Spec
    value: str
    errors: list[str]
    locale: str
    label_text: Any = None

    @property
    def label(self) -> Any:
        return self.label_text or self.spec.label

    @property
    def hint(self) -> Any:
        return self.spec.hint

    @property
    def options(self) -> list[tuple[str, str]]:
        own = self.spec.choice_labels or {}
        return [(c, str(own[c]) if c in own else label(c, self.locale)) for c in self.spec.choices]

    @property
    def selected(self) -> str:
        return self.value or (self.spec.default or "")

    @property
    def inputmode(self) -> str:
        return "numeric" if self.spec.kind == "year" else "decimal"


@dataclass
class Group:
    """Inputs under one heading: an object of the record, one row, or a row's state."""

    id: str
    title: Any
    inputs: list[Input]
    hint: Any = None
    errors: list[str] = field(default_factory=list)
    index: int | None = None
    subgroups: list[Group] = field(default_factory=list)
    note: Any = None
    # optional details of a row, shown folded under ``more_title`` (Spec.more)
    more: list[Input] = field(default_factory=list)
    more_title: Any = None
    # the manure step: the running sum in words and the one-click combinations
    # (key, the button's text, the shares as "system=percent …" for farmform.js)
    total: str | None = None
    presets: list[tuple[str, str, str]] = field(default_factory=list)
    complete: bool = False  # the shares as typed make 100 %

    @property
    def more_open(self) -> bool:
        """Whether the folded part is shown open: it holds a value or an error."""
        return any(i.value.strip() or i.errors for i in self.more)


def _input(
    path: str, spec: Spec, stored: Any, raw, errors, locale: str, label_text: Any = None
) -> Input:
    fid = field_id(path)
    value = raw[fid] if raw is not None and fid in raw else display(spec, stored, locale)
    return Input(fid, spec, value, errors.get(fid, []), locale, label_text)


def _row_title(list_path: str, row: Mapping, n: int, locale: str) -> str:
    key = {"livestock": "category", "crops": "crop"}.get(list_path)
    name = row.get(key) if key else None
    if isinstance(name, str) and name:
        return gettext("Row %(n)s: %(name)s", n=n, name=label(name, locale))
    return gettext("Row %(n)s", n=n)


def build_step(
    step: str,
    record: Mapping,
    *,
    locale: str,
    raw: Mapping[str, str] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    extra_row: bool = False,
) -> dict[str, Any]:
    """The template's view of ``step``: groups of inputs, filled from ``raw`` or ``record``."""
    errors = errors or {}
    view: dict[str, Any] = {
        "objects": [],
        "rows": None,
        "manure": [],
        "objects_first": step == "soils",
        # crops whose yield is asked for as dry matter (farmform.js shows one yield input)
        "forage_crops": FORAGE_CROPS,
    }
    if step in ROW_SECTIONS:
        list_path, specs = ROW_SECTIONS[step]
        rows = [r if isinstance(r, Mapping) else {} for r in _rows(record, list_path)]
        if extra_row or (not rows and list_path != "soil.changes"):
            rows.append({})
        groups = []
        for n, row in enumerate(rows):
            prefix = f"{list_path}[{n}]"
            inputs = [
                _input(f"{prefix}.{s.key}", s, _get(row, s.key), raw, errors, locale)
                for s in specs
                if "." not in s.key
            ]
            g = Group(
                field_id(prefix),
                _row_title(list_path, row, n + 1, locale),
                [i for i in inputs if not i.spec.more],
                index=n,
                errors=errors.get(field_id(prefix), []),
                more=[i for i in inputs if i.spec.more],
                more_title=MORE_TITLE if any(i.spec.more for i in inputs) else None,
            )
            for side, side_title in SIDES.items():
                side_specs = [s for s in specs if s.key.startswith(side + ".")]
                if side_specs:
                    g.subgroups.append(
                        Group(
                            field_id(f"{prefix}.{side}"),
                            side_title,
                            [
                                _input(
                                    f"{prefix}.{s.key}", s, _get(row, s.key), raw, errors, locale
                                )
                                for s in side_specs
                            ],
                        )
                    )
            groups.append(g)
        view["rows"] = {
            "id": field_id(list_path),
            "title": SECTION_TITLES[list_path],
            "groups": groups,
            "new": len(groups) - 1 if extra_row else None,
            "hint": CHANGES_HINT if list_path == "soil.changes" else None,
        }
    for key, specs in OBJECT_SECTIONS.get(step, ()):
        obj = _mapping(record.get(key))
        view["objects"].append(
            Group(
                field_id(key),
                SECTION_TITLES[key],
                [_input(f"{key}.{s.key}", s, obj.get(s.key), raw, errors, locale) for s in specs],
            )
        )
    if step == "manure":
        view["manure"] = _manure_groups(record, raw, errors, locale)
    return view


def _manure_groups(record: Mapping, raw, errors, locale: str) -> list[Group]:
    groups = []
    for i, row in enumerate(_rows(record, "livestock")):
        row = _mapping(row)
        prefix = f"livestock[{i}]"
        category = row.get("category")
        name = label(category, locale) if isinstance(category, str) and category else None
        head = row.get("head")
        if name and isinstance(head, int | float):
            title = gettext(
                "%(animal)s, %(head)s head",
                animal=name,
                head=format_number_input(head, locale),
            )
        else:
            title = name or gettext("Row %(n)s", n=i + 1)
        shares = _mapping(row.get("manure_systems"))
        pasture = row.get("pasture_fraction")
        all_out = isinstance(pasture, int | float) and pasture >= 1
        inputs = []
        if not all_out:
            inputs = [
                _input(
                    f"{prefix}.manure_systems.{system}",
                    MANURE_SPEC,
                    shares.get(system),
                    raw,
                    errors,
                    locale,
                    label_text=gettext("%(system)s (%%)", system=label(system, locale)),
                )
                for system in MANURE_SYSTEMS
            ]
        total = None
        complete = False
        presets: list[tuple[str, str, str]] = []
        if not all_out:
            typed = _typed_total(inputs, locale)
            total = share_sum_text(typed, locale)
            complete = abs(typed - 100) < 0.05
            presets = [
                (p.key, preset_text(p, locale), " ".join(f"{s}={v:g}" for s, v in p.shares))
                for p in manure_presets()
                if p.animals is None or not category or category in p.animals
            ]
        note = gettext("On pasture all year: no manure to store.") if all_out else None
        if not all_out and isinstance(pasture, int | float) and 0 < pasture < 1:
            note = gettext(
                "On pasture %(share)s %% of the year; the shares are of the manure indoors.",
                share=format_number_input(round(pasture * 100, 1), locale),
            )
        groups.append(
            Group(
                field_id(f"{prefix}.manure_systems"),
                title,
                inputs,
                hint=MANURE_HINT,
                errors=errors.get(field_id(f"{prefix}.manure_systems"), []),
                index=i,
                note=note,
                total=total,
                complete=complete,
                presets=presets,
            )
        )
    return groups


def _typed_total(inputs: list[Input], locale: str) -> float:
    """The sum of the shares as typed (in %); what cannot be read counts as 0."""
    total = 0.0
    for i in inputs:
        try:
            value = parse_number(i.value, locale)
        except NumberError:
            value = None
        total += value or 0.0
    return total


def error_list(view: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(input id, "where – label: message") of every error in a step's view, in page order."""
    out: list[tuple[str, str]] = []

    def walk(group: Group, where: str) -> None:
        for msg in group.errors:
            out.append((group.id, f"{where}: {msg}" if where else msg))
        for inp in [*group.inputs, *group.more]:
            for msg in inp.errors:
                out.append(
                    (inp.id, f"{where} – {inp.label}: {msg}" if where else f"{inp.label}: {msg}")
                )
        for sub in group.subgroups:
            walk(sub, f"{where}, {sub.title}" if where else str(sub.title))

    rows = [(g, str(g.title)) for g in (view["rows"]["groups"] if view.get("rows") else [])]
    objects = [(g, "") for g in view.get("objects", [])]
    for g, where in (objects + rows) if view.get("objects_first") else (rows + objects):
        walk(g, where)
    for g in view.get("manure", []):
        walk(g, str(g.title))
    return out


# ------------------------------------------------------------------ summary


def has_content(record: Mapping) -> bool:
    """Whether anything has been filled in (animals, crops, energy, lime, soils)."""
    if _rows(record, "livestock") or _rows(record, "crops") or _rows(record, "soil.changes"):
        return True
    for key in ("energy", "lime", "organic_soils", "products"):
        if any(v not in (None, 0) for v in _mapping(record.get(key)).values()):
            return True
    return _get(record, "soil.organic_carbon_t_per_ha") is not None


def _value_text(spec: Spec, value: Any, locale: str) -> str | None:
    if value is None or value == "":
        return None
    if spec.kind == "choice":
        return label(value, locale) if isinstance(value, str) else str(value)
    text = display(spec, value, locale)
    return text or None


def summary(record: Mapping, locale: str) -> list[dict[str, Any]]:
    """Per step: groups of (label, value) of what has been filled in."""
    out = []
    for step in STEP_KEYS[1:-1]:
        groups: list[dict[str, Any]] = []
        if step == "manure":
            for i, row in enumerate(_rows(record, "livestock")):
                row = _mapping(row)
                shares = _mapping(row.get("manure_systems"))
                items = [
                    (label(s, locale), format_number_input(share_to_percent(v), locale) + " %")
                    for s, v in shares.items()
                    if isinstance(v, int | float)
                ]
                if items:
                    cat = row.get("category")
                    title = label(cat, locale) if isinstance(cat, str) else str(i + 1)
                    groups.append({"title": title, "items": items})
        if step in ROW_SECTIONS:
            list_path, specs = ROW_SECTIONS[step]
            for n, row in enumerate(_rows(record, list_path)):
                row = _mapping(row)
                items = []
                for s in specs:
                    if s.key in ("category", "crop"):
                        continue  # it is in the title
                    text = _value_text(s, _get(row, s.key), locale)
                    if text is not None:
                        side = s.key.split(".")[0]
                        name = f"{SIDES[side]}: {s.label}" if side in SIDES else str(s.label)
                        items.append((name, text))
                groups.append({"title": _row_title(list_path, row, n + 1, locale), "items": items})
        for key, specs in OBJECT_SECTIONS.get(step, ()):
            obj = _mapping(record.get(key))
            items = [
                (str(s.label), text)
                for s in specs
                if (text := _value_text(s, obj.get(s.key), locale)) is not None
            ]
            if items:
                groups.append({"title": SECTION_TITLES[key], "items": items})
        out.append({"step": step, "groups": groups, "total": _step_total(step, record, locale)})
    return out


def _step_total(step: str, record: Mapping, locale: str) -> str | None:
    """The summary's sum of a step (issue 16): hectares of the crops, to check against the SAM
    application, and the animals, in all and per kind. None where there is nothing to add."""
    if step == "crops":
        areas = [
            a
            for row in _rows(record, "crops")
            if isinstance(a := _mapping(row).get("area_ha"), int | float)
            and not isinstance(a, bool)
        ]
        if not areas:
            return None
        return gettext(
            "Area in all: %(ha)s ha – compare with your SAM application.",
            ha=format_number_input(sum(areas), locale),
        )
    if step == "animals":
        kinds: list[tuple[str, float]] = []
        for row in _rows(record, "livestock"):
            row = _mapping(row)
            head, cat = row.get("head"), row.get("category")
            if isinstance(head, int | float) and not isinstance(head, bool) and head > 0:
                kinds.append((label(cat, locale) if isinstance(cat, str) else "", head))
        if not kinds:
            return None
        each = ", ".join(f"{format_number_input(h, locale)} {name.lower()}" for name, h in kinds)
        return gettext(
            "Animals in all: %(n)s (%(each)s).",
            n=format_number_input(sum(h for _, h in kinds), locale),
            each=each,
        )
    return None


def describe(path: str, record: Mapping, locale: str) -> str:
    """Where a record path is, in the reader's words: ``Animals, row 2 (Heifers): …``."""
    step = step_of(path)
    title = str(next(s.title for s in STEPS if s.key == step))
    parts = [title]
    m = re.match(r"(livestock|crops|soil\.changes)\[(\d+)\](?:\.(.+))?", path)
    if m:
        list_path, n, rest = m.group(1), int(m.group(2)), m.group(3) or ""
        rows = _rows(record, list_path)
        row = _mapping(rows[n]) if n < len(rows) else {}
        parts.append(_row_title(list_path, row, n + 1, locale))
        if rest.startswith("manure_systems"):
            system = rest.split(".")[1] if "." in rest else None
            if system in MANURE_SYSTEMS:
                parts.append(label(system, locale))
        else:
            specs = ROW_SECTIONS[
                {"livestock": "animals", "crops": "crops"}.get(list_path, "soils")
            ][1]
            spec = next((s for s in specs if s.key == rest), None)
            if spec is not None:
                side = rest.split(".")[0]
                parts.append(f"{SIDES[side]}: {spec.label}" if side in SIDES else str(spec.label))
    else:
        key, _, rest = path.partition(".")
        for k, specs in OBJECT_SECTIONS.get(step, ()):
            spec = next((s for s in specs if k == key and s.key == rest), None)
            if spec is not None:
                parts.append(str(spec.label))
    return " – ".join(parts)


@dataclass
class Problem:
    severity: str
    where: str
    text: str
    step: str
    anchor: str


def issue_list(record: Mapping, locale: str) -> list[Problem]:
    """Every error and warning of the record, each with its step and input id."""
    out = []
    for issue in core_issues(record):
        step = step_of(issue.path)
        out.append(
            Problem(
                issue.severity,
                describe(issue.path, record, locale),
                issue_text(issue, locale) if issue.severity == ERROR else _sentence(issue, locale),
                step,
                field_id(issue.path),
            )
        )
    return out


def _sentence(issue: Issue, locale: str) -> str:
    text = issue.text(locale)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


__all__ = [
    "ERROR",
    "STEPS",
    "STEP_KEYS",
    "WARNING",
    "build_step",
    "core_issues",
    "error_list",
    "field_id",
    "has_content",
    "issue_list",
    "read_step",
    "remove_row",
    "step_errors",
    "step_of",
    "summary",
]
