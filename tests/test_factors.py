"""FactorSet.lookup and lookup2: categorical keys give what names give, and the same errors."""

import numpy as np
import pandas as pd
import pytest

from farmcalc.errors import FactorError
from farmcalc.factors import as_keys, is_key, load_factor_set


@pytest.fixture(scope="module")
def fs():
    return load_factor_set("ipcc2019")


NAMES = np.array(["sheep", "dairy_cow", "sheep", "broiler", "dairy_cow"], dtype=object)
SYSTEMS = np.array(
    ["solid_storage", "liquid_slurry_crust", "pit_storage", "deep_bedding", "solid_storage"],
    dtype=object,
)


@pytest.mark.parametrize(
    "keys",
    [
        as_keys(NAMES),
        pd.Categorical(NAMES, categories=["dairy_cow", "heifer", "sheep", "broiler"]),
        pd.Series(pd.Categorical(NAMES), index=[5, 6, 7, 8, 9]),
    ],
    ids=["factorised", "categorical", "categorical series"],
)
def test_lookup_of_categorical_keys_equals_lookup_of_names(fs, keys):
    expected = np.array([fs.value(f"enteric.ef.{k}") for k in NAMES])
    got = fs.lookup("enteric.ef", keys)
    assert isinstance(got, np.ndarray)
    assert np.array_equal(got, expected)
    assert np.array_equal(fs.lookup("enteric.ef", NAMES), expected)


def test_lookup2_of_categorical_keys_equals_lookup2_of_names(fs):
    expected = np.array(
        [fs.value(f"manure.frac_gas.{a}.{b}") for a, b in zip(NAMES, SYSTEMS, strict=True)]
    )
    assert np.array_equal(fs.lookup2("manure.frac_gas", NAMES, SYSTEMS), expected)
    got = fs.lookup2("manure.frac_gas", as_keys(NAMES), pd.Series(pd.Categorical(SYSTEMS)))
    assert np.array_equal(got, expected)


def test_empty_keys(fs):
    assert fs.lookup("enteric.ef", pd.Categorical([], categories=["sheep"])).shape == (0,)
    empty = as_keys(np.array([], dtype=object))
    assert fs.lookup2("manure.frac_gas", empty, empty).shape == (0,)


def test_missing_factor_names_the_keys(fs):
    # an unknown name, and a NaN: the same message whatever the kind of keys
    keys = np.array(["sheep", "unicorn", None, "unicorn"], dtype=object)
    for k in (keys, as_keys(keys)):
        with pytest.raises(FactorError, match=r"enteric\.ef\.\{nan, unicorn\}"):
            fs.lookup("enteric.ef", k)
    # a category without factor counts only when it is used
    cat = pd.Categorical(["sheep", None], categories=["sheep", "unicorn"])
    with pytest.raises(FactorError, match=r"enteric\.ef\.\{nan\}$"):
        fs.lookup("enteric.ef", cat)
    assert fs.lookup("enteric.ef", cat[:1])[0] == fs.value("enteric.ef.sheep")


def test_lookup2_missing_pairs(fs):
    a = pd.Categorical(["dairy_cow", None, "sheep"])
    b = as_keys(np.array(["solid_storage", "pit_storage", "swamp"], dtype=object))
    with pytest.raises(FactorError, match=r"manure\.frac_gas\.\{nan\.pit_storage, sheep\.swamp\}"):
        fs.lookup2("manure.frac_gas", a, b)


def test_as_keys_and_is_key():
    cat = pd.Categorical(["a", "b"], categories=["b", "a"])
    assert as_keys(cat) is cat
    assert as_keys(pd.Series(cat)).categories.tolist() == ["b", "a"]
    keys = as_keys(np.array(["x", None, "y", "x"], dtype=object))
    assert keys.codes.tolist() == [0, -1, 1, 0]
    assert is_key(keys, "x").tolist() == [True, False, False, True]
    assert is_key(keys, ("x", "y", "z")).tolist() == [True, False, True, True]
    assert is_key(keys, "z").tolist() == [False] * 4


def test_take2_gives_lookup2_of_every_pair_and_names_missing_keys(fs):
    """take2 by codes equals lookup2 by names, pair by pair; a code -1 or an absent pair raises."""
    from farmcalc.inputs.vocabulary import LIVESTOCK_CATEGORIES, MANURE_SYSTEMS

    c1 = np.repeat(np.arange(len(LIVESTOCK_CATEGORIES), dtype=np.int16), len(MANURE_SYSTEMS))
    c2 = np.tile(np.arange(len(MANURE_SYSTEMS), dtype=np.int16), len(LIVESTOCK_CATEGORIES))
    names1 = np.array(LIVESTOCK_CATEGORIES, dtype=object)[c1]
    names2 = np.array(MANURE_SYSTEMS, dtype=object)[c2]
    got = fs.take2("manure.frac_gas", LIVESTOCK_CATEGORIES, c1, MANURE_SYSTEMS, c2)
    want = fs.lookup2("manure.frac_gas", names1, names2)
    assert got.tolist() == want.tolist()
    one = fs.take("livestock.livestock_units", LIVESTOCK_CATEGORIES, c1)
    assert one.tolist() == fs.lookup("livestock.livestock_units", names1).tolist()
    for bad1, bad2 in ((-1, 0), (0, -1)):
        codes1, codes2 = np.array([0, bad1]), np.array([0, bad2])
        with pytest.raises(FactorError, match=r"manure\.frac_gas\.\{nan\}"):
            fs.take2("manure.frac_gas", LIVESTOCK_CATEGORIES, codes1, MANURE_SYSTEMS, codes2)
