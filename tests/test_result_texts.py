"""The texts every result shares (what an intensity covers, what a view counts): left out
of a stored result and put back, in the reader's language, by ``with_texts``."""

from __future__ import annotations

import orjson
import pytest

from farmcalc import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.i18n import gettext_
from farmcalc.outputs.result import INTENSITY_TEXT, with_texts, without_texts


@pytest.fixture(scope="module")
def batch():
    return calculate_batch(demo_records(40, year=2025))


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_the_stored_form_with_its_texts_is_the_result_byte_for_byte(batch, locale) -> None:
    full = batch.to_dicts(locale)
    stored = batch.to_dicts(locale, texts=False)
    for f, s in zip(full, stored, strict=True):
        assert orjson.dumps(with_texts(s, locale)) == orjson.dumps(f)  # key order too
        assert without_texts(f) == s


def test_the_stored_form_has_none_of_the_shared_texts_and_is_a_fifth_smaller_or_more(
    batch,
) -> None:
    full = batch.to_dicts("sv")
    stored = batch.to_dicts("sv", texts=False)
    for s in stored:
        assert all("covers" not in i for i in s["intensities"])
        assert all("includes" not in v and "excludes" not in v for v in s["views"].values())
        assert s["notes"]  # the farm's own notes stay
    size = sum(len(orjson.dumps(d)) for d in stored)
    assert size < 0.8 * sum(len(orjson.dumps(d)) for d in full)


def test_with_texts_gives_the_readers_language_whatever_the_stored_one(batch) -> None:
    sv = batch.to_dicts("sv")[0]
    en = with_texts(sv, "en")
    per_ha = next(i for i in en["intensities"] if i["id"] == "per_ha")
    assert (
        per_ha["covers"]
        == gettext_(INTENSITY_TEXT["per_ha"], "en")
        != gettext_(INTENSITY_TEXT["per_ha"], "sv")
    )
    assert en["views"]["inventory"]["includes"].startswith("Counted as Sweden")
    assert sv["views"]["inventory"]["includes"].startswith("Räknat som")  # not changed


def test_with_texts_leaves_what_it_does_not_know_alone() -> None:
    old = {"totals": {"co2e_kg": 1.0}, "intensities": [{"id": "per_animal", "value": 2.0}]}
    assert with_texts(old, "sv") == old  # an older result without views, an unknown id
    assert without_texts(old) == old
