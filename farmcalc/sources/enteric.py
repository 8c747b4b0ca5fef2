"""Enteric fermentation: CH4 from the digestion of livestock.

Model functions of IPCC 2019 Refinement, Vol. 4, Ch. 10, Section 10.3
(Tier 1 emission factors and the Tier 2 gross-energy method for every
cattle class: maintenance, activity, growth, lactation and pregnancy).
Each function is pure and works on scalars and numpy arrays alike (a
leading axis of draws broadcasts, :mod:`farmcalc.arrays`); every
coefficient is an argument, read from the factor set by the calculator
(:func:`farmcalc.sources.livestock.calc_livestock`).

Names: ``ne_*`` net energy [MJ head-1 d-1], ``de_pct`` digestible energy
[% of gross energy], ``ym_pct`` methane conversion factor [% of gross
energy].
"""

from __future__ import annotations

from farmcalc.arrays import Numeric, power

#: Exponent of metabolic live weight in Eq. 10.3. It is part of the
#: equation's form (the unit of C_fi is MJ d-1 kg-0.75), not a factor.
METABOLIC_WEIGHT_EXPONENT = 0.75
#: Percent to fraction (DE and Ym are tabulated in %).
PERCENT = 100.0


def tier1_ch4(head: Numeric, ef: Numeric) -> Numeric:
    """Enteric CH4 of a livestock population, IPCC 2019 Eq. 10.19.

    Parameters
    ----------
    head : numeric
        Average number of animals over the year [head].
    ef : numeric
        Emission factor, Tier 1 (Tables 10.10, 10.11) or Tier 2 (Eq. 10.21)
        [kg CH4 head-1 yr-1].

    Returns
    -------
    numeric
        Enteric CH4 [kg CH4 yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.19 (without the 10^-6
    conversion to Gg), Tables 10.10 and 10.11.
    """
    return head * ef


def annual_average_population(head: Numeric, months: Numeric, months_per_year: Numeric) -> Numeric:
    """Annual average population of animals present part of the year, IPCC 2019 Eq. 10.1.

    ``AAP = head x months_on_farm / 12`` (Eq. 10.1 counts days alive / 365;
    lambs sold at five months are five twelfths of a year-round animal).

    Parameters
    ----------
    head : numeric
        Animals (places) as the record gives them [head].
    months : numeric
        Months of the year each is on the farm [month].
    months_per_year : numeric
        Months in the year [month yr-1].

    Returns
    -------
    numeric
        Annual average population [head].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.1.
    """
    return head * months / months_per_year


def activity_coefficient(
    pasture_fraction: Numeric, ca_housed: Numeric, ca_pasture: Numeric
) -> Numeric:
    """Activity coefficient Ca weighted by the share of the year on pasture (Table 10.5).

    ``Ca = (1 - pasture_fraction) x Ca_stall + pasture_fraction x Ca_pasture``

    Parameters
    ----------
    pasture_fraction : numeric
        Share of the year on pasture [1].
    ca_housed : numeric
        Ca of animals confined to a stall, Table 10.5 [1].
    ca_pasture : numeric
        Ca of animals on pasture, Table 10.5 [1].

    Returns
    -------
    numeric
        Ca [1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.4, Table 10.5.
    """
    return (1 - pasture_fraction) * ca_housed + pasture_fraction * ca_pasture


def net_energy_maintenance(weight_kg: Numeric, cfi: Numeric) -> Numeric:
    """Net energy for maintenance, IPCC 2019 Eq. 10.3.

    ``NEm = Cfi * weight ** 0.75``

    Parameters
    ----------
    weight_kg : numeric
        Live weight of the animal [kg head-1].
    cfi : numeric
        Maintenance coefficient C_fi, Table 10.4 [MJ d-1 kg-0.75].

    Returns
    -------
    numeric
        NEm [MJ head-1 d-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.3, Table 10.4.
    """
    return cfi * power(weight_kg, METABOLIC_WEIGHT_EXPONENT)


def net_energy_activity(ne_m: Numeric, ca: Numeric) -> Numeric:
    """Net energy for activity of cattle, IPCC 2019 Eq. 10.4.

    ``NEa = Ca * NEm``

    Parameters
    ----------
    ne_m : numeric
        Net energy for maintenance, Eq. 10.3 [MJ head-1 d-1].
    ca : numeric
        Activity coefficient for the feeding situation, Table 10.5 [1].

    Returns
    -------
    numeric
        NEa [MJ head-1 d-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.4, Table 10.5.
    """
    return ca * ne_m


def net_energy_growth(
    weight_kg: Numeric,
    mature_weight_kg: Numeric,
    c_growth: Numeric,
    gain_kg_per_day: Numeric,
    neg_a: Numeric,
    neg_b: Numeric,
) -> Numeric:
    """Net energy for growth of cattle, IPCC 2019 Eq. 10.6.

    ``NEg = 22.02 x (BW / (C x MW)) ** 0.75 x WG ** 1.097`` with
    ``neg_a = 22.02`` and ``neg_b = 1.097``; 0 when WG is 0.

    Parameters
    ----------
    weight_kg : numeric
        Average live weight BW [kg head-1].
    mature_weight_kg : numeric
        Mature live weight of an adult female in moderate body condition MW [kg head-1].
    c_growth : numeric
        C of Eq. 10.6: 0.8 females, 1.0 castrates, 1.2 bulls [1].
    gain_kg_per_day : numeric
        Average daily weight gain WG [kg head-1 d-1].
    neg_a : numeric
        Coefficient of Eq. 10.6 [MJ d-1].
    neg_b : numeric
        Exponent of the gain in Eq. 10.6 [1].

    Returns
    -------
    numeric
        NEg [MJ head-1 d-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.6.
    """
    ratio = weight_kg / (c_growth * mature_weight_kg)
    return neg_a * power(ratio, METABOLIC_WEIGHT_EXPONENT) * power(gain_kg_per_day, neg_b)


def net_energy_lactation(
    milk_kg_per_day: Numeric, fat_pct: Numeric, nel_a: Numeric, nel_b: Numeric
) -> Numeric:
    """Net energy for lactation of cattle, IPCC 2019 Eq. 10.8.

    ``NEl = Milk * (1.47 + 0.40 * Fat)`` with ``nel_a = 1.47``,
    ``nel_b = 0.40``.

    Parameters
    ----------
    milk_kg_per_day : numeric
        Milk produced [kg head-1 d-1].
    fat_pct : numeric
        Fat content of the milk [% by weight].
    nel_a : numeric
        Constant term of Eq. 10.8 [MJ kg-1].
    nel_b : numeric
        Fat coefficient of Eq. 10.8 [MJ kg-1 %-1].

    Returns
    -------
    numeric
        NEl [MJ head-1 d-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.8.
    """
    return milk_kg_per_day * (nel_a + nel_b * fat_pct)


def net_energy_pregnancy(ne_m: Numeric, c_pregnancy: Numeric, frac_pregnant: Numeric) -> Numeric:
    """Net energy for pregnancy, IPCC 2019 Eq. 10.13.

    ``NEp = Cpregnancy * NEm``, applied to the share of the animals that
    are pregnant (give birth) during the year.

    Parameters
    ----------
    ne_m : numeric
        Net energy for maintenance, Eq. 10.3 [MJ head-1 d-1].
    c_pregnancy : numeric
        Pregnancy coefficient, Table 10.7 [1].
    frac_pregnant : numeric
        Share of the animals that calve in the year [1].

    Returns
    -------
    numeric
        NEp averaged over all animals [MJ head-1 d-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.13, Table 10.7.
    """
    return c_pregnancy * ne_m * frac_pregnant


def rem(
    de_pct: Numeric, rem_a: Numeric, rem_b: Numeric, rem_c: Numeric, rem_d: Numeric
) -> Numeric:
    """Ratio of net energy available for maintenance to digestible energy, Eq. 10.14.

    ``REM = 1.123 - 4.092e-3 * DE + 1.126e-5 * DE**2 - 25.4 / DE`` with
    the four coefficients ``rem_a .. rem_d`` in this order.

    Parameters
    ----------
    de_pct : numeric
        Digestible energy [% of gross energy].
    rem_a : numeric
        Constant [1].
    rem_b : numeric
        Linear coefficient [%-1].
    rem_c : numeric
        Quadratic coefficient [%-2].
    rem_d : numeric
        Reciprocal coefficient [%].

    Returns
    -------
    numeric
        REM [1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.14.
    """
    return rem_a - rem_b * de_pct + rem_c * de_pct**2 - rem_d / de_pct


def reg(
    de_pct: Numeric, reg_a: Numeric, reg_b: Numeric, reg_c: Numeric, reg_d: Numeric
) -> Numeric:
    """Ratio of net energy available for growth to digestible energy, Eq. 10.15.

    ``REG = 1.164 - 5.160e-3 * DE + 1.308e-5 * DE**2 - 37.4 / DE`` with the
    four coefficients ``reg_a .. reg_d`` in this order.

    Parameters
    ----------
    de_pct : numeric
        Digestible energy [% of gross energy].
    reg_a : numeric
        Constant [1].
    reg_b : numeric
        Linear coefficient [%-1].
    reg_c : numeric
        Quadratic coefficient [%-2].
    reg_d : numeric
        Reciprocal coefficient [%].

    Returns
    -------
    numeric
        REG [1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.15.
    """
    return reg_a - reg_b * de_pct + reg_c * de_pct**2 - reg_d / de_pct


def gross_energy(
    ne_m: Numeric,
    ne_a: Numeric,
    ne_l: Numeric,
    ne_p: Numeric,
    rem: Numeric,
    de_pct: Numeric,
    ne_g: Numeric = 0.0,
    reg: Numeric = 1.0,
) -> Numeric:
    """Gross energy intake of cattle, IPCC 2019 Eq. 10.16.

    ``GE = ((NEm + NEa + NEl + NEwork + NEp) / REM + (NEg + NEwool) / REG)
    / (DE / 100)`` with ``NEwork = NEwool = 0`` (no draught cattle, no wool);
    ``NEg = 0`` for mature cows (the default).

    Parameters
    ----------
    ne_m : numeric
        Net energy for maintenance, Eq. 10.3 [MJ head-1 d-1].
    ne_a : numeric
        Net energy for activity, Eq. 10.4 [MJ head-1 d-1].
    ne_l : numeric
        Net energy for lactation, Eq. 10.8 [MJ head-1 d-1].
    ne_p : numeric
        Net energy for pregnancy, Eq. 10.13 [MJ head-1 d-1].
    rem : numeric
        Ratio of net energy for maintenance to digestible energy, Eq. 10.14 [1].
    de_pct : numeric
        Digestible energy [% of gross energy].
    ne_g : numeric, optional
        Net energy for growth, Eq. 10.6 [MJ head-1 d-1].
    reg : numeric, optional
        Ratio of net energy for growth to digestible energy, Eq. 10.15 [1].

    Returns
    -------
    numeric
        GE [MJ head-1 d-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.16.
    """
    return ((ne_m + ne_a + ne_l + ne_p) / rem + ne_g / reg) / (de_pct / PERCENT)


def tier2_emission_factor(
    ge: Numeric, ym_pct: Numeric, days_per_year: Numeric, ch4_energy: Numeric
) -> Numeric:
    """Tier 2 enteric CH4 emission factor, IPCC 2019 Eq. 10.21.

    ``EF = GE * (Ym / 100) * 365 / 55.65``

    Parameters
    ----------
    ge : numeric
        Gross energy intake, Eq. 10.16 [MJ head-1 d-1].
    ym_pct : numeric
        Methane conversion factor, Table 10.12 [% of gross energy].
    days_per_year : numeric
        Days in the year [d yr-1].
    ch4_energy : numeric
        Energy content of methane [MJ kg-1 CH4].

    Returns
    -------
    numeric
        EF [kg CH4 head-1 yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Eq. 10.21, Table 10.12.
    """
    return ge * (ym_pct / PERCENT) * days_per_year / ch4_energy


def feed_additive_ch4(
    ch4: Numeric, housed_fraction: Numeric, fed_fraction: Numeric, reduction: Numeric
) -> Numeric:
    """Enteric CH4 with a methane-reducing feed additive (3-NOP) fed while housed.

    ``CH4' = CH4 × (1 − (1 − pasture_fraction) × fed_fraction × reduction)``:
    the year's enteric CH4 is taken as spread evenly over the year, and the
    additive removes ``reduction`` of it on the housed days it is fed.

    Parameters
    ----------
    ch4 : numeric
        Enteric CH4 without the additive [kg CH4 yr-1].
    housed_fraction : numeric
        Share of the year housed, ``1 − pasture_fraction`` [-].
    fed_fraction : numeric
        Share of the housed days on which the additive is fed [-].
    reduction : numeric
        Share of enteric CH4 the additive removes while fed [-].

    Returns
    -------
    numeric
        Enteric CH4 [kg CH4 yr-1].

    References
    ----------
    No IPCC Tier 1 value: EFSA FEEDAP (2021) on Bovaer 10 and Dijkstra et
    al. (2018) for the reduction (``enteric.reduction_3nop``).
    """
    return ch4 * (1.0 - housed_fraction * fed_fraction * reduction)
