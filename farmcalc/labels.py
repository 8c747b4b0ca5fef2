"""Human names of the record's and result's identifiers (English msgids).

Shown through :func:`label`, which translates them with the Babel catalogs.
"""

from __future__ import annotations

from farmcalc.i18n import _, gettext_

LABELS: dict[str, str] = {
    # sources
    "enteric_fermentation": _("Enteric fermentation"),
    "manure_management": _("Manure management"),
    "soils_direct_n2o": _("Soils, direct N2O"),
    "soils_indirect_n2o": _("Soils, indirect N2O"),
    "organic_soils": _("Drained organic soils"),
    "liming": _("Liming"),
    "urea": _("Urea"),
    "fuel": _("Fuel for machinery"),
    "electricity": _("Electricity"),
    "heating": _("Heating"),
    "fertiliser_production": _("Fertiliser manufacture"),
    "soil_carbon": _("Soil carbon change"),
    # livestock
    "dairy_cow": _("Dairy cows"),
    "heifer": _("Heifers"),
    "bull_steer": _("Bulls and steers"),
    "suckler_cow": _("Suckler cows"),
    "calf": _("Calves"),
    "sheep": _("Sheep (ewes and rams)"),
    "lamb": _("Lambs"),
    "goat": _("Goats"),
    "horse": _("Horses"),
    "sow": _("Sows"),
    "fattening_pig": _("Fattening pigs"),
    "laying_hen": _("Laying hens"),
    "broiler": _("Broilers"),
    # manure systems
    "liquid_slurry_crust": _("Slurry with natural crust"),
    "liquid_slurry_no_crust": _("Slurry without crust"),
    "liquid_slurry_cover": _("Slurry with cover (roof or tent)"),
    "pit_storage": _("Pit storage below animal confinement"),
    "solid_storage": _("Solid manure storage"),
    "deep_bedding": _("Deep bedding"),
    "anaerobic_digester": _("Biogas digester"),
    "daily_spread": _("Daily spread"),
    "composting": _("Composting"),
    # crops
    "winter_wheat": _("Winter wheat"),
    "spring_wheat": _("Spring wheat"),
    "barley": _("Barley"),
    "oats": _("Oats"),
    "rye": _("Rye"),
    "triticale": _("Triticale"),
    "winter_rapeseed": _("Winter rapeseed"),
    "spring_rapeseed": _("Spring rapeseed"),
    "peas": _("Peas"),
    "faba_beans": _("Faba beans"),
    "potatoes": _("Potatoes"),
    "sugar_beet": _("Sugar beet"),
    "maize_silage": _("Maize for silage"),
    "grass_clover_ley": _("Grass-clover ley"),
    "grass_ley": _("Grass ley"),
    "pasture": _("Pasture"),
    "fallow": _("Fallow"),
    # fertiliser types
    "unspecified": _("Unspecified mineral fertiliser"),
    "ammonium_nitrate": _("Ammonium nitrate"),
    "calcium_ammonium_nitrate": _("Calcium ammonium nitrate"),
    "ammonium_sulphate": _("Ammonium sulphate"),
    "npk": _("NPK compound fertiliser"),
    # soils-N2O categories
    "synthetic_fertiliser": _("Mineral fertiliser"),
    "manure": _("Manure"),
    "crop_residues": _("Crop residues"),
    "grazing": _("Dung and urine on pasture"),
    "mineralisation": _("Mineralised soil organic matter"),
    "volatilisation": _("Ammonia volatilisation"),
    "leaching": _("Nitrogen leaching"),
    # organic soils, lime, energy
    "cropland": _("Cropland"),
    "grassland": _("Grassland"),
    "rewetted": _("Rewetted organic soil"),
    "wetland_mineral_soil": _("Wetland on mineral soil"),
    "limestone": _("Limestone"),
    "dolomite": _("Dolomite"),
    "diesel": _("Diesel"),
    "hvo100": _("HVO100"),
    "petrol": _("Petrol"),
    "heating_oil": _("Heating oil"),
    "district_heating": _("District heating"),
    # soil types, land uses, tillage and carbon input (soil-carbon method)
    "high_activity_clay": _("Mineral soil, high-activity clay"),
    "low_activity_clay": _("Mineral soil, low-activity clay"),
    "sandy": _("Sandy soil"),
    "spodic": _("Spodic soil (podzol)"),
    "volcanic": _("Volcanic soil"),
    "wetland": _("Wetland soil"),
    "set_aside": _("Set-aside"),
    "grassland_nominal": _("Grassland, nominally managed"),
    "grassland_improved": _("Grassland, improved"),
    "full": _("Full tillage (ploughing)"),
    "reduced": _("Reduced tillage"),
    "no_till": _("No tillage (direct drilling)"),
    "low": _("Low carbon input"),
    "medium": _("Medium carbon input"),
    "high_without_manure": _("High carbon input, without manure"),
    "high_with_manure": _("High carbon input, with manure"),
    "icbm": _("ICBM soil carbon model"),
    # factor sets (factors/<name>/set.toml): the id stays in links and what machines read
    "sweden": _("Swedish values (IPCC 2019 with Swedish sources)"),
    "ipcc2019": _("IPCC 2019 default values"),
    "ipcc_tier1": _("IPCC stock-change method"),
    # gases
    "CH4": _("Methane (CH4)"),
    "N2O": _("Nitrous oxide (N2O)"),
    "CO2": _("Carbon dioxide (CO2)"),
    # not a gas: upstream figures published only as CO2-equivalents (one name everywhere,
    # the municipality's tables too)
    "CO2e": _("Reported as CO2e (electricity, district heating, fertiliser)"),
}


def label(key: str, locale: str = "sv") -> str:
    """The reader's name for an identifier; the identifier itself if unknown."""
    msgid = LABELS.get(key)
    return gettext_(msgid, locale) if msgid else key
