"""The advisor workbook's layout: sheets, columns, headers, units and lists.

This module is the **one table** that the template writer, the reader and
the documentation (``docs/excel.md``) all use. Each :class:`Column` binds a
Swedish header (with its unit) to a column of :class:`farmcalc.inputs.tables.FarmTables`
and to the bounds of that field in :mod:`farmcalc.inputs.fields`.

The headers are part of the file format, not of the user interface: they
are kept here as literal Swedish text (not in the Babel catalogue) so that a
changed translation never stops an old workbook from being read. The reader
matches them loosely (case, spacing, Unicode normal form, the unit is
optional) and also accepts the English field names of the farm record.
The drop-down lists show the Swedish labels of :mod:`farmcalc.labels`; the
reader maps them back to codes and also accepts the codes themselves.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from farmcalc.inputs.fields import CHANGE_NUMS, CROP_NUMS, FARM_OBJECTS, LIVESTOCK_NUMS, Num
from farmcalc.inputs.vocabulary import (
    CROPS,
    INPUT_LEVELS,
    LAND_USES,
    LIVESTOCK_CATEGORIES,
    MANURE_SYSTEMS,
    MINERAL_N_TYPES,
    SOIL_TYPES,
    TILLAGE,
)
from farmcalc.labels import label

TEMPLATE_VERSION = "1"
TEMPLATE_MARKER = "farmcalc-mall"

# Column kinds
ID, YEAR, TEXT, CODE, NUMBER, SHARE, CATEGORY = (
    "id",
    "year",
    "text",
    "code",
    "number",
    "share",
    "category",
)

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "livestock": LIVESTOCK_CATEGORIES,
    "crop": CROPS,
    "mineral_n_type": MINERAL_N_TYPES,
    "soil_type": SOIL_TYPES,
    "land_use": LAND_USES,
    "tillage": TILLAGE,
    "input": INPUT_LEVELS,
}
# Swedish names of the lists on the hidden sheet (and on Instruktioner)
VOCABULARY_TITLES = {
    "livestock": "Djurslag",
    "crop": "Grödor",
    "mineral_n_type": "Typ av mineralgödsel",
    "soil_type": "Jordtyp",
    "land_use": "Markanvändning",
    "tillage": "Jordbearbetning",
    "input": "Tillförsel av organiskt material",
}


def _num(nums: tuple[Num, ...], column: str) -> Num:
    """The bounds of a numeric field, taken from farmcalc.inputs.fields."""
    for n in nums:
        if n.column == column:
            return n
    raise KeyError(column)


_FARM_NUMS = tuple(n for nums in FARM_OBJECTS.values() for n in nums)
_SHARE = Num("share", "share", maximum=1.0)


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    Attributes
    ----------
    field : str
        Column of the FarmTables table (``head``, ``diesel_l``); for a manure
        system ``manure:<system>``.
    header : str
        The Swedish header written in the template, unit in parentheses.
    kind : str
        ``id``, ``year``, ``text``, ``code`` (municipality code), ``number``,
        ``share`` (0–1) or ``category``.
    required : bool
        A value must be given on every row.
    spec : Num or None
        Bounds of a number, from :mod:`farmcalc.inputs.fields`.
    vocabulary : str or None
        Key of :data:`VOCABULARIES` for a category.
    default : str or None
        Code used when a category cell is empty.
    units : tuple of str
        Units accepted in the header besides the template's own.
    aliases : tuple of str
        Other headers accepted for this column.
    note : str
        Plain Swedish help, shown as a cell note and on the Instruktioner sheet.
    num_format : str
        Excel number format of the data cells.
    width : float
        Column width in characters.
    """

    field: str
    header: str
    kind: str
    required: bool = False
    spec: Num | None = None
    vocabulary: str | None = None
    default: str | None = None
    units: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    note: str = ""
    num_format: str = "General"
    width: float = 14.0

    @property
    def name(self) -> str:
        """The header without its unit (``Antal djur``)."""
        return split_header(self.header)[0]

    @property
    def unit(self) -> str:
        """The unit of the header (``st``), or ``""``."""
        return split_header(self.header)[1]


@dataclass(frozen=True)
class Sheet:
    """One data sheet of the workbook."""

    key: str  # farms, livestock, crops, soil_changes (the FarmTables table)
    name: str  # Swedish sheet name
    columns: tuple[Column, ...]
    required: bool = False
    aliases: tuple[str, ...] = ()
    note: str = ""
    by_field: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_field", {c.field: c for c in self.columns})


FMT_INT = "#,##0"
FMT_DEC = "#,##0.0##"
FMT_SHARE = "0.00"
FMT_TEXT = "@"
FMT_YEAR = "0"

_FARM_ID = Column(
    "farm_id",
    "Gårds-id",
    ID,
    required=True,
    # "Gård-id" was the header of templates made before issue 16: they still import
    aliases=("gård-id", "gårdsid", "gårds-id", "gårds id", "gård id", "farm id", "id"),
    note="Gårdens id, t.ex. SE-nummer eller egen kod. Samma id på alla blad.",
    num_format=FMT_TEXT,
    width=14,
)
_YEAR_FARMS = Column(
    "year",
    "År",
    YEAR,
    required=True,
    aliases=("år", "verksamhetsår"),
    note="Året uppgifterna gäller, t.ex. 2025.",
    num_format=FMT_YEAR,
    width=8,
)
_YEAR_CHILD = Column(
    "year",
    "År",
    YEAR,
    aliases=("år", "verksamhetsår"),
    note="Året på bladet Gårdar. Får lämnas tomt om gården bara har ett år där.",
    num_format=FMT_YEAR,
    width=8,
)


def _number(nums, fld, header, note, fmt=FMT_DEC, width=14.0, units=(), aliases=(), kind=NUMBER):
    spec = _num(nums, fld)
    return Column(
        fld,
        header,
        kind,
        required=spec.required,
        spec=spec,
        units=units,
        aliases=aliases,
        note=note,
        num_format=fmt,
        width=width,
    )


_LITER = ("l", "liter", "litre", "litres", "liters")
_TON = ("t", "ton", "tonnes", "tonnes")
_SHARE_UNITS = ("andel", "andel 0-1", "0-1", "share", "fraction")

FARMS = Sheet(
    "farms",
    "Gårdar",
    (
        _FARM_ID,
        _YEAR_FARMS,
        Column(
            "name",
            "Gårdens namn",
            TEXT,
            aliases=("namn", "name"),
            note="Valfritt.",
            num_format=FMT_TEXT,
            width=24,
        ),
        Column(
            "municipality_code",
            "Kommunkod",
            CODE,
            required=True,
            aliases=("kommun", "municipality code"),
            note="Kommunen där gården ligger: fyra siffror, t.ex. 1290 för Kristianstad. Måste "
            "fyllas i.",
            num_format=FMT_TEXT,
            width=11,
        ),
        _number(
            _FARM_NUMS,
            "limestone_t",
            "Kalksten (ton)",
            "Kalkstensmjöl spritt under året.",
            units=_TON,
            aliases=("limestone",),
        ),
        _number(
            _FARM_NUMS,
            "dolomite_t",
            "Dolomitkalk (ton)",
            "Dolomitkalk spritt under året.",
            units=_TON,
            aliases=("dolomit", "dolomite"),
        ),
        _number(
            _FARM_NUMS,
            "diesel_l",
            "Diesel (liter)",
            "Fossil diesel (även låginblandad).",
            FMT_INT,
            units=_LITER,
        ),
        _number(
            _FARM_NUMS,
            "hvo100_l",
            "HVO100 (liter)",
            "Förnybar diesel HVO100.",
            FMT_INT,
            units=_LITER,
        ),
        _number(
            _FARM_NUMS,
            "petrol_l",
            "Bensin (liter)",
            "Bensin till maskiner och fordon.",
            FMT_INT,
            units=_LITER,
            aliases=("petrol",),
        ),
        _number(
            _FARM_NUMS,
            "heating_oil_l",
            "Eldningsolja (liter)",
            "Eldningsolja till uppvärmning och torkning.",
            FMT_INT,
            units=_LITER,
            aliases=("heating oil",),
        ),
        _number(
            _FARM_NUMS,
            "electricity_kwh",
            "El (kWh)",
            "Köpt el under året.",
            FMT_INT,
            aliases=("elektricitet", "electricity"),
        ),
        _number(
            _FARM_NUMS,
            "district_heating_kwh",
            "Fjärrvärme (kWh)",
            "Köpt fjärrvärme.",
            FMT_INT,
            aliases=("district heating",),
        ),
        _number(
            _FARM_NUMS,
            "organic_cropland_ha",
            "Dikad organogen åkermark (ha)",
            "Dikad torv- och mulljord som brukas som åker.",
            width=16,
        ),
        _number(
            _FARM_NUMS,
            "organic_grassland_ha",
            "Dikad organogen betesmark och vall (ha)",
            "Dikad torv- och mulljord med bete eller vall.",
            width=16,
        ),
        _number(
            _FARM_NUMS,
            "organic_rewetted_ha",
            "Återvätt organogen jord (ha)",
            "Torv- och mulljord där diket har lagts igen eller pumpningen stoppats så att "
            "grundvattnet står nära markytan året runt. Tomt = ingen.",
            aliases=("återvätt organogen jord", "rewetted organic soil"),
            width=16,
        ),
        _number(
            _FARM_NUMS,
            "wetland_mineral_soil_ha",
            "Anlagd våtmark på mineraljord (ha)",
            "Våtmark som anlagts på tidigare åker med mineraljord (inte torv). Räkna inte "
            "med arealen bland grödorna. Tomt = ingen.",
            aliases=("anlagd våtmark", "våtmark", "wetland on mineral soil"),
            width=16,
        ),
        _number(
            _FARM_NUMS,
            "soil_organic_carbon_t_per_ha",
            "Markkol i matjorden (ton C per ha)",
            "Kolförråd i matjorden (0–25 cm). Lämna tomt för svenskt standardvärde.",
            aliases=("markkol",),
            width=16,
        ),
        Column(
            "soil_type",
            "Jordtyp",
            CATEGORY,
            vocabulary="soil_type",
            default=SOIL_TYPES[0],
            aliases=("soil type",),
            note="Välj i listan. Tomt = mineraljord med högaktiv lera (de flesta svenska "
            "åkerjordar).",
            width=30,
        ),
        _number(
            _FARM_NUMS,
            "meat_sold_kg_liveweight",
            "Sålda djur (kg levandevikt)",
            "Levandevikt av sålda djur (slakt och livdjur) minus köpta. Används för att "
            "fördela mjölkgårdens utsläpp mellan mjölk och kött. Tomt = allt räknas på mjölken.",
            FMT_INT,
            aliases=("sålt kött", "meat sold"),
            width=16,
        ),
    ),
    required=True,
    aliases=("gardar", "gård", "farms", "farm"),
    note="En rad per gård och år: kalk, energi, organogena jordar och markkol.",
)

_MANURE_HEADERS = {
    "liquid_slurry_crust": "Flytgödsel med svämtäcke",
    "liquid_slurry_no_crust": "Flytgödsel utan täckning",
    "liquid_slurry_cover": "Flytgödsel med tak eller tält",
    "pit_storage": "Lagring under spaltgolv",
    "solid_storage": "Fastgödsel",
    "deep_bedding": "Djupströ",
    "anaerobic_digester": "Biogasrötning",
    "daily_spread": "Daglig spridning",
    "composting": "Kompostering",
}
assert tuple(_MANURE_HEADERS) == MANURE_SYSTEMS
MANURE_PREFIX = "Gödsel: "

LIVESTOCK = Sheet(
    "livestock",
    "Djur",
    (
        _FARM_ID,
        _YEAR_CHILD,
        Column(
            "category",
            "Djurslag",
            CATEGORY,
            required=True,
            vocabulary="livestock",
            aliases=("djurkategori", "category"),
            note="Välj i listan.",
            width=24,
        ),
        _number(
            LIVESTOCK_NUMS,
            "head",
            "Antal djur (st)",
            "Genomsnittligt antal djur (djurplatser) under året.",
            FMT_DEC,
            units=("st", "antal", "djur"),
            aliases=("antal", "head"),
        ),
        _number(
            LIVESTOCK_NUMS,
            "milk_kg_ecm_per_head",
            "Mjölk (kg ECM per ko och år)",
            "Bara för mjölkkor: energikorrigerad mjölk per ko. Ger en noggrannare metanberäkning. "
            "Tomt = IPCC:s standardvärde per ko (Tier 1).",
            FMT_INT,
            aliases=("mjölk", "milk"),
            width=16,
        ),
        _number(
            LIVESTOCK_NUMS,
            "n_excretion_kg_per_head",
            "Kväve i träck och urin (kg N per djur och år)",
            "Valfritt, t.ex. Jordbruksverkets schablon. Tomt = IPCC:s standardvärde.",
            aliases=("n excretion",),
            width=18,
        ),
        _number(
            LIVESTOCK_NUMS,
            "pasture_fraction",
            "Andel på bete (andel 0–1)",
            "Andel av årets gödsel som hamnar på bete, t.ex. 0,15.",
            FMT_SHARE,
            units=_SHARE_UNITS,
            aliases=("bete", "pasture fraction"),
            kind=SHARE,
        ),
        *(
            Column(
                f"manure:{s}",
                f"{MANURE_PREFIX}{h} (andel 0–1)",
                SHARE,
                spec=_SHARE,
                units=_SHARE_UNITS,
                aliases=(h, s, f"gödselsystem: {h}", label(s, "en")),
                note="Andel av gödseln från stallet som hanteras så. Andelarna på en rad "
                "ska summera till 1.",
                num_format=FMT_SHARE,
                width=16,
            )
            for s, h in _MANURE_HEADERS.items()
        ),
        _number(
            LIVESTOCK_NUMS,
            "feed_3nop_fraction",
            "Andel av stallperioden med 3-NOP i fodret (andel 0–1)",
            "Fodertillsatsen 3-NOP (Bovaer) minskar metanet från våmmen. Ange hur stor del "
            "av tiden i stall djuren får den, t.ex. 1. Tomt = ingen.",
            FMT_SHARE,
            units=_SHARE_UNITS,
            aliases=("3-nop", "bovaer", "feed 3nop fraction"),
            kind=SHARE,
            width=18,
        ),
        # issue 11: a class's own data, all optional (an older workbook without these
        # columns still reads: empty = the factor set's default for the kind of animal)
        _number(
            LIVESTOCK_NUMS,
            "live_weight_kg",
            "Levande vikt (kg/djur)",
            "Valfritt: djurens medelvikt under tiden på gården, t.ex. 650 för en mjölkko, "
            "400 för en kviga eller 25 för ett lamm. Tomt = djurslagets vanliga vikt.",
            FMT_INT,
            units=("kg", "kg per djur", "kg/head", "kg per head"),
            aliases=("levandevikt", "live weight"),
            width=14,
        ),
        _number(
            LIVESTOCK_NUMS,
            "weight_gain_kg_per_day",
            "Tillväxt (kg/dag)",
            "Valfritt: tillväxt per djur och dag för djur som växer, t.ex. 0,8 för kvigor "
            "eller 0,3 för lamm; 0 för vuxna djur. Tomt = djurslagets vanliga tillväxt.",
            FMT_DEC,
            units=("kg per dag", "kg/d", "kg/day", "kg per day"),
            aliases=("daglig tillväxt", "weight gain"),
            width=12,
        ),
        _number(
            LIVESTOCK_NUMS,
            "pregnant_fraction",
            "Andel dräktiga (andel 0–1)",
            "Valfritt: andel av djuren som bär en kalv eller ett lamm fullgången under året, "
            "t.ex. 0,9 för dikor. Tomt = djurslagets vanliga andel.",
            FMT_SHARE,
            units=_SHARE_UNITS,
            aliases=("dräktiga", "pregnant fraction"),
            kind=SHARE,
            width=14,
        ),
        _number(
            LIVESTOCK_NUMS,
            "months_on_farm",
            "Månader på gården",
            "Valfritt: hur många av årets månader djuren finns på gården, högst 12. Lamm: "
            "månaderna de lever, från födsel till försäljning eller slakt, t.ex. 5. Tomt = "
            "djurslagets vanliga tid.",
            FMT_DEC,
            units=("månader", "mån", "months"),
            aliases=("månader", "months on farm"),
            width=12,
        ),
        _number(
            LIVESTOCK_NUMS,
            "crude_protein_pct",
            "Råprotein i foderstaten (% av ts)",
            "Valfritt: foderstatens råprotein i procent av torrsubstansen, t.ex. 16. Skriv "
            "talet utan procenttecken. Tomt = standardvärde.",
            FMT_DEC,
            units=("%", "% ts", "procent av ts", "% of dm"),
            aliases=("råprotein", "crude protein"),
            width=16,
        ),
        _number(
            LIVESTOCK_NUMS,
            "digestibility_pct",
            "Smältbarhet (DE, % av bruttoenergi)",
            "Valfritt: foderstatens smältbara energi (DE) i procent av bruttoenergin, t.ex. "
            "70 för mjölkkor på ensilage och kraftfoder. Skriv talet utan procenttecken. "
            "Tomt = standardvärde.",
            FMT_DEC,
            units=("%", "de %", "% de", "% of ge"),
            aliases=("smältbarhet", "digestibility"),
            width=16,
        ),
    ),
    aliases=("livestock", "djurhållning"),
    note="En rad per djurslag och gård. Andelarna för gödselsystem summerar till 1 per rad.",
)

CROPS_SHEET = Sheet(
    "crops",
    "Grödor",
    (
        _FARM_ID,
        _YEAR_CHILD,
        Column(
            "crop",
            "Gröda",
            CATEGORY,
            required=True,
            vocabulary="crop",
            aliases=("crop", "grödor"),
            note="Välj i listan.",
            width=24,
        ),
        _number(CROP_NUMS, "area_ha", "Areal (ha)", "Odlad areal.", aliases=("areal", "area")),
        _number(
            CROP_NUMS,
            "yield_kg_per_ha",
            "Skörd, levererad vikt (kg per ha)",
            "Spannmål, oljeväxter, ärter och bönor: skörd per hektar som levererad. Potatis och "
            "sockerbetor: färskvikt. Vall, bete och majsensilage: lämna tomt och ange "
            "torrsubstans i nästa kolumn. Tomt = ingen skörd.",
            FMT_INT,
            aliases=("skörd", "yield", "skörd, färskvikt"),
            width=16,
        ),
        _number(
            CROP_NUMS,
            "yield_kg_dm_per_ha",
            "Skörd, torrsubstans (kg ts per ha)",
            "Vall, bete och majsensilage: skörd i kilo torrsubstans (ts) per hektar, alla "
            "skördar under året tillsammans, t.ex. 8 000 för en slåttervall i Skåne. Vet du "
            "bara ensilagets färskvikt: multiplicera med ts-halten i foderanalysen. Ange "
            "antingen levererad vikt eller torrsubstans, inte båda. Tomt = skörden i "
            "kolumnen före gäller.",
            FMT_INT,
            units=("kg ts/ha", "kg torrsubstans per ha", "kg dm per ha"),
            aliases=("skörd ts", "skörd, ts", "yield dm", "yield kg dm per ha"),
            width=18,
        ),
        _number(
            CROP_NUMS,
            "residues_removed_fraction",
            "Bortförda skörderester (andel 0–1)",
            "Andel av halm/blast som förs bort, t.ex. 0,5.",
            FMT_SHARE,
            units=_SHARE_UNITS,
            aliases=("bortförd halm",),
            kind=SHARE,
            width=16,
        ),
        _number(
            CROP_NUMS,
            "mineral_n_kg_per_ha",
            "Mineralgödselkväve (kg N per ha)",
            "Kväve i handelsgödsel per hektar.",
            FMT_INT,
            aliases=("mineralgödsel-n",),
            width=16,
        ),
        Column(
            "mineral_n_type",
            "Typ av mineralgödsel",
            CATEGORY,
            vocabulary="mineral_n_type",
            default="unspecified",
            aliases=("gödseltyp", "mineral n type"),
            note="Välj i listan. Tomt = ej specificerad.",
            width=26,
        ),
        _number(
            CROP_NUMS,
            "manure_n_kg_per_ha",
            "Kväve i stallgödsel och rötrest (kg N per ha)",
            "Totalkväve i spridd stallgödsel eller rötrest. Tomt på alla rader = "
            "beräknas från gårdens djur.",
            FMT_INT,
            aliases=("stallgödsel-n",),
            width=18,
        ),
        _number(
            CROP_NUMS,
            "catch_crop_fraction",
            "Fånggröda efter grödan (andel 0–1)",
            "Andel av arealen där en fånggröda sås in eller sås efter skörd och får växa "
            "till hösten, t.ex. 0,5. Tomt = ingen.",
            FMT_SHARE,
            units=_SHARE_UNITS,
            aliases=("fånggröda", "catch crop fraction"),
            kind=SHARE,
            width=16,
        ),
        _number(
            CROP_NUMS,
            "nitrification_inhibitor_fraction",
            "Mineralkväve med nitrifikationshämmare (andel 0–1)",
            "Andel av grödans mineralgödselkväve som sprids med nitrifikationshämmare, "
            "t.ex. 1. Tomt = ingen.",
            FMT_SHARE,
            units=_SHARE_UNITS,
            aliases=("nitrifikationshämmare", "nitrification inhibitor fraction"),
            kind=SHARE,
            width=18,
        ),
    ),
    aliases=("grodor", "gröda", "crops"),
    note="En rad per gröda och gård.",
)

_STATE_TEXT = {
    "land_use": "markanvändning",
    "tillage": "jordbearbetning",
    "input": "tillförsel av organiskt material",
}
_STATE_DEFAULT = {"land_use": "cropland", "tillage": "full", "input": "medium"}

SOIL_CHANGES = Sheet(
    "soil_changes",
    "Markförändringar",
    (
        _FARM_ID,
        _YEAR_CHILD,
        _number(
            CHANGE_NUMS,
            "area_ha",
            "Areal (ha)",
            "Arealen som bytte brukning.",
            aliases=("areal", "area"),
        ),
        _number(
            CHANGE_NUMS,
            "year_of_change",
            "År för förändringen",
            "Året brukningen ändrades, t.ex. 2019.",
            FMT_YEAR,
            aliases=("förändringsår", "year of change"),
        ),
        *(
            Column(
                f"{side}_{k}",
                f"{word} {text}",
                CATEGORY,
                vocabulary=k,
                default=_STATE_DEFAULT[k],
                aliases=(f"{side} {k}",),
                note=f"Välj i listan. Tomt = {label(_STATE_DEFAULT[k], 'sv').lower()}.",
                width=28,
            )
            for side, word in (("from", "Tidigare"), ("to", "Ny"))
            for k, text in _STATE_TEXT.items()
        ),
    ),
    aliases=("markforandringar", "soil changes", "markförändring"),
    note="Valfritt: ändrad brukning (t.ex. åker till vall) för markkolsberäkningen.",
)

SHEETS: tuple[Sheet, ...] = (FARMS, LIVESTOCK, CROPS_SHEET, SOIL_CHANGES)
SHEET_BY_KEY = {s.key: s for s in SHEETS}
INSTRUCTIONS_SHEET = "Instruktioner"
LISTS_SHEET = "Listor"
MANURE_FIELDS = tuple(f"manure:{s}" for s in MANURE_SYSTEMS)


# ---------------------------------------------------------------------------
# normalisation and matching

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_UNIT = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


def norm(text: object) -> str:
    """Loose key of a header, sheet name or list value.

    Unicode NFC (so Å typed as A + ring matches Å), case-folded, dashes
    unified, runs of any space (also no-break) collapsed, underscores as spaces.
    """
    s = unicodedata.normalize("NFC", str(text)).translate(_DASHES).casefold()
    s = s.replace("_", " ")
    return _SPACES.sub(" ", s).strip()


def split_header(header: str) -> tuple[str, str]:
    """``"Antal djur (st)"`` → ``("Antal djur", "st")``; no unit → ``(header, "")``."""
    m = _UNIT.match(header.strip())
    if not m:
        return header.strip(), ""
    return m.group(1).strip(), m.group(2).strip()


def header_keys(col: Column) -> tuple[set[str], set[str]]:
    """(names, units) accepted for ``col``, normalised."""
    names = {norm(col.name), norm(col.field), *(norm(a) for a in col.aliases)}
    if col.field.startswith("manure:"):
        names.add(norm(col.field.split(":", 1)[1]))
    units = {norm(col.unit), *(norm(u) for u in col.units)} - {""}
    return names, units


def vocabulary_lookup(vocabulary: str) -> dict[str, str]:
    """Normalised Swedish label, English label and code → code."""
    out: dict[str, str] = {}
    for code in VOCABULARIES[vocabulary]:
        for key in (code, label(code, "en"), label(code, "sv")):
            out.setdefault(norm(key), code)
    return out


def sheet_lookup() -> dict[str, Sheet]:
    """Normalised sheet name (Swedish, English, without å/ä/ö) → sheet."""
    out: dict[str, Sheet] = {}
    for s in SHEETS:
        for key in (s.name, s.key, *s.aliases):
            out.setdefault(norm(key), s)
    return out


def layout_markdown() -> str:
    """The sheets and columns as Markdown tables (kept in ``docs/excel.md``)."""
    kinds = {
        ID: "text",
        YEAR: "heltal",
        TEXT: "text",
        CODE: "fyra siffror",
        NUMBER: "tal",
        SHARE: "andel 0–1",
        CATEGORY: "lista",
    }
    lines: list[str] = []
    for s in SHEETS:
        lines += [f"### {s.name} (`{s.key}`)", "", s.note, ""]
        lines += ["| rubrik | fält | typ | obligatorisk | gränser |", "|---|---|---|---|---|"]
        for c in s.columns:
            bounds = ""
            if c.spec is not None:
                parts = []
                if c.spec.minimum is not None:
                    op = ">" if c.spec.exclusive_minimum else "≥"
                    parts.append(f"{op} {c.spec.minimum:g}")
                if c.spec.maximum is not None:
                    parts.append(f"≤ {c.spec.maximum:g}")
                bounds = ", ".join(parts)
            if c.kind == CATEGORY:
                bounds = f"`{c.vocabulary}`" + (f", tomt = `{c.default}`" if c.default else "")
            req = "ja" if c.required else ""
            lines.append(f"| {c.header} | `{c.field}` | {kinds[c.kind]} | {req} | {bounds} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
