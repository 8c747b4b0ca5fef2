"""Manure management: CH4 and N2O from manure while it is housed and stored.

Model functions of IPCC 2019 Refinement, Vol. 4, Ch. 10, Sections 10.4
and 10.5. Each function is pure and works on scalars and numpy arrays
alike (a leading axis of draws broadcasts, :mod:`farmcalc.arrays`); every
coefficient is an argument, read from the factor set by the calculator
(:func:`farmcalc.sources.livestock.calc_livestock`).

Names: ``vs_kg`` volatile solids [kg VS yr-1], ``n_kg`` nitrogen
[kg N yr-1], ``frac_*`` fractions of N [kg N kg-1 N], ``ef*`` emission
factors [kg N2O-N kg-1 N].
"""

from __future__ import annotations

from farmcalc.arrays import Numeric

#: The rates of Tables 10.13a and 10.19 are per 1000 kg of animal mass.
PER_1000_KG = 1000.0
#: Percent to fraction (DE and crude protein are given in %).
PERCENT = 100.0
#: Grams per kilogram (Eq. 10.33 gives the protein of gain in g).
G_PER_KG = 1000.0


def volatile_solids_tier1(vs_rate: Numeric, tam_kg: Numeric, days_per_year: Numeric) -> Numeric:
    """Annual volatile-solids excretion per animal, IPCC 2019 Eq. 10.22a.

    ``VS = VS_rate * TAM / 1000 * 365``

    Parameters
    ----------
    vs_rate : numeric
        Default VS excretion rate, Table 10.13a
        [kg VS (1000 kg animal mass)-1 d-1].
    tam_kg : numeric
        Typical animal mass, Table 10A.5 [kg head-1].
    days_per_year : numeric
        Days in the year [d yr-1].

    Returns
    -------
    numeric
        VS excreted [kg VS head-1 yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.22a, Table 10.13a,
    Annex 10A Table 10A.5.
    """
    return vs_rate * tam_kg / PER_1000_KG * days_per_year


def volatile_solids_tier2(
    ge: Numeric,
    de_pct: Numeric,
    ue_fraction: Numeric,
    ash_fraction: Numeric,
    ge_per_kg_dm: Numeric,
    days_per_year: Numeric,
) -> Numeric:
    """Annual volatile-solids excretion from gross energy intake, IPCC 2019 Eq. 10.24.

    ``VS = (GE x (1 - DE/100) + UE x GE) x ((1 - ASH) / 18.45) x 365``

    Parameters
    ----------
    ge : numeric
        Gross energy intake, Eq. 10.16 [MJ head-1 d-1].
    de_pct : numeric
        Digestibility of the feed [% of gross energy].
    ue_fraction : numeric
        Urinary energy as a fraction of GE (0.04 for most ruminants) [1].
    ash_fraction : numeric
        Ash content of the feed [kg kg-1 DM].
    ge_per_kg_dm : numeric
        Gross energy of feed dry matter [MJ kg-1].
    days_per_year : numeric
        Days in the year [d yr-1].

    Returns
    -------
    numeric
        VS excreted [kg VS head-1 yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.24.
    """
    daily = (ge * (1 - de_pct / PERCENT) + ue_fraction * ge) * ((1 - ash_fraction) / ge_per_kg_dm)
    return daily * days_per_year


def n_intake(
    ge: Numeric, crude_protein_pct: Numeric, ge_per_kg_dm: Numeric, n_per_protein: Numeric
) -> Numeric:
    """Daily N intake of cattle from gross energy and crude protein, IPCC 2019 Eq. 10.32.

    ``N_intake = GE / 18.45 x (CP% / 100) / 6.25``

    Parameters
    ----------
    ge : numeric
        Gross energy intake, Eq. 10.16 [MJ head-1 d-1].
    crude_protein_pct : numeric
        Crude protein of the diet [% of dry matter].
    ge_per_kg_dm : numeric
        Gross energy of feed dry matter [MJ kg-1].
    n_per_protein : numeric
        Protein per N (6.25) [kg kg-1].

    Returns
    -------
    numeric
        N intake [kg N head-1 d-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.32.
    """
    return ge / ge_per_kg_dm * (crude_protein_pct / PERCENT) / n_per_protein


def n_retention_cattle(
    milk_kg_per_day: Numeric,
    milk_protein_pct: Numeric,
    milk_n_per_protein: Numeric,
    gain_kg_per_day: Numeric,
    ne_g: Numeric,
    gain_protein_a: Numeric,
    gain_protein_b: Numeric,
    n_per_protein: Numeric,
) -> Numeric:
    """Daily N retained in milk and live-weight gain of cattle, IPCC 2019 Eq. 10.33.

    ``N_retention = Milk x (PR% / 100) / 6.38
    + WG x (268 - 7.03 x NEg / WG) / (1000 x 6.25)``, written as
    ``(268 x WG - 7.03 x NEg) / (1000 x 6.25)`` so that WG = 0 gives 0.

    Parameters
    ----------
    milk_kg_per_day : numeric
        Milk produced [kg head-1 d-1].
    milk_protein_pct : numeric
        Protein content of the milk [%].
    milk_n_per_protein : numeric
        Milk protein per N (6.38) [kg kg-1].
    gain_kg_per_day : numeric
        Live-weight gain WG [kg head-1 d-1].
    ne_g : numeric
        Net energy for growth, Eq. 10.6 [MJ head-1 d-1].
    gain_protein_a : numeric
        Protein in gain, constant of Eq. 10.33 (268) [g kg-1].
    gain_protein_b : numeric
        Protein in gain per NEg, coefficient of Eq. 10.33 (7.03) [g MJ-1].
    n_per_protein : numeric
        Protein per N (6.25) [kg kg-1].

    Returns
    -------
    numeric
        N retained [kg N head-1 d-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.33.
    """
    in_milk = milk_kg_per_day * (milk_protein_pct / PERCENT) / milk_n_per_protein
    in_gain = (gain_protein_a * gain_kg_per_day - gain_protein_b * ne_g) / (
        G_PER_KG * n_per_protein
    )
    return in_milk + in_gain


def n_excretion_tier2(
    n_intake_kg_per_day: Numeric, n_retention_kg_per_day: Numeric, days_per_year: Numeric
) -> Numeric:
    """Annual N excretion from intake and retention, IPCC 2019 Eq. 10.31.

    ``Nex = (N_intake - N_retention) x 365``

    Parameters
    ----------
    n_intake_kg_per_day : numeric
        N intake, Eq. 10.32 [kg N head-1 d-1].
    n_retention_kg_per_day : numeric
        N retained, Eq. 10.33 [kg N head-1 d-1].
    days_per_year : numeric
        Days in the year [d yr-1].

    Returns
    -------
    numeric
        N excreted [kg N head-1 yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.31.
    """
    return (n_intake_kg_per_day - n_retention_kg_per_day) * days_per_year


def ch4_manure(
    vs_kg: Numeric, b0: Numeric, mcf: Numeric, awms: Numeric, ch4_density: Numeric
) -> Numeric:
    """CH4 from one manure management system, IPCC 2019 Eq. 10.23.

    ``CH4 = VS * B0 * 0.67 * MCF * AWMS``; sum the result over the systems
    of an animal category to get Eq. 10.23's Σ.

    Parameters
    ----------
    vs_kg : numeric
        Volatile solids excreted by the population, annual (Eq. 10.22a
        times head) [kg VS yr-1].
    b0 : numeric
        Maximum methane producing capacity, Table 10.16a [m3 CH4 kg-1 VS].
    mcf : numeric
        Methane conversion factor of the system, Table 10.17 [1].
    awms : numeric
        Share of the VS managed in the system [1].
    ch4_density : numeric
        Density of CH4 [kg m-3].

    Returns
    -------
    numeric
        CH4 [kg CH4 yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.23, Tables 10.16a, 10.17.
    """
    return vs_kg * b0 * ch4_density * mcf * awms


def n_excretion_tier1(n_rate: Numeric, tam_kg: Numeric, days_per_year: Numeric) -> Numeric:
    """Annual N excretion per animal, IPCC 2019 Eq. 10.30.

    ``Nex = N_rate * TAM / 1000 * 365``

    Parameters
    ----------
    n_rate : numeric
        Default N excretion rate, Table 10.19
        [kg N (1000 kg animal mass)-1 d-1].
    tam_kg : numeric
        Typical animal mass, Table 10A.5 [kg head-1].
    days_per_year : numeric
        Days in the year [d yr-1].

    Returns
    -------
    numeric
        Nex [kg N head-1 yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.30, Table 10.19.
    """
    return n_rate * tam_kg / PER_1000_KG * days_per_year


def direct_n2o_n(n_kg: Numeric, ef3: Numeric) -> Numeric:
    """Direct N2O-N from one manure management system, IPCC 2019 Eq. 10.25.

    ``N2O-N = N * EF3``; multiply by 44/28 for N2O.

    Parameters
    ----------
    n_kg : numeric
        N excreted into the system [kg N yr-1].
    ef3 : numeric
        Direct emission factor of the system, Table 10.21 [kg N2O-N kg-1 N].

    Returns
    -------
    numeric
        N2O-N [kg N2O-N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.25, Table 10.21.
    """
    return n_kg * ef3


def volatilised_n(n_kg: Numeric, frac_gas: Numeric) -> Numeric:
    """N volatilised as NH3 and NOx from manure management, IPCC 2019 Eq. 10.26.

    Parameters
    ----------
    n_kg : numeric
        N excreted into the system [kg N yr-1].
    frac_gas : numeric
        FracGasMS of the animal category and system, Table 10.22 [kg N kg-1 N].

    Returns
    -------
    numeric
        N volatilised [kg N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.26, Table 10.22.
    """
    return n_kg * frac_gas


def leached_n(n_kg: Numeric, frac_leach: Numeric) -> Numeric:
    """N lost by leaching and run-off from manure management, IPCC 2019 Eq. 10.27.

    Parameters
    ----------
    n_kg : numeric
        N excreted into the system [kg N yr-1].
    frac_leach : numeric
        FracLeachMS of the system, Table 10.22 [kg N kg-1 N].

    Returns
    -------
    numeric
        N leached [kg N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.27, Table 10.22.
    """
    return n_kg * frac_leach


def indirect_n2o_n(
    n_volatilised: Numeric, n_leached: Numeric, ef4: Numeric, ef5: Numeric
) -> Numeric:
    """Indirect N2O-N of manure management, IPCC 2019 Eqs. 10.28 and 10.29.

    ``N2O-N = N_volatilised * EF4 + N_leached * EF5``; multiply by 44/28
    for N2O.

    Parameters
    ----------
    n_volatilised : numeric
        N volatilised, Eq. 10.26 [kg N yr-1].
    n_leached : numeric
        N leached, Eq. 10.27 [kg N yr-1].
    ef4 : numeric
        EF4, N2O from atmospheric deposition, Table 11.3 [kg N2O-N kg-1 N].
    ef5 : numeric
        EF5, N2O from leaching and run-off, Table 11.3 [kg N2O-N kg-1 N].

    Returns
    -------
    numeric
        Indirect N2O-N [kg N2O-N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eqs. 10.28, 10.29; Ch. 11,
    Table 11.3.
    """
    return n_volatilised * ef4 + n_leached * ef5


def frac_loss(frac_gas: Numeric, frac_leach: Numeric, ef3: Numeric, rn2_n2o: Numeric) -> Numeric:
    """Share of managed manure N lost before it is spread, IPCC 2019 Eqs. 10.34a-b.

    ``FracLoss = FracGas + FracLeach + FracN2 + EF3`` with
    ``FracN2 = R_N2(N2O) * EF3``.

    Parameters
    ----------
    frac_gas : numeric
        FracGasMS, Table 10.22 [kg N kg-1 N].
    frac_leach : numeric
        FracLeachMS, Table 10.22 [kg N kg-1 N].
    ef3 : numeric
        EF3 of the system, Table 10.21 [kg N2O-N kg-1 N].
    rn2_n2o : numeric
        Ratio of N2 to N2O emitted, Table 10.23 [kg N2-N kg-1 N2O-N].

    Returns
    -------
    numeric
        FracLossMS [kg N kg-1 N].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eqs. 10.34a, 10.34b, Table 10.23.
    """
    return frac_gas + frac_leach + rn2_n2o * ef3 + ef3


def n_available(n_kg: Numeric, frac_loss: Numeric) -> Numeric:
    """Managed manure N left for application to soils, IPCC 2019 Eq. 10.34.

    ``N_avb = N * (1 - FracLossMS)``, without N from bedding or
    co-digestates.

    Parameters
    ----------
    n_kg : numeric
        N excreted into the system [kg N yr-1].
    frac_loss : numeric
        FracLossMS of the animal category and system, Eq. 10.34a [kg N kg-1 N].

    Returns
    -------
    numeric
        N available for application (F_AM, part of F_ON) [kg N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.34.
    """
    return n_kg * (1 - frac_loss)
