"""Bit for bit: every example, demo farm and test farm gives the numbers it gave before.

The golden file was made (``python -m tests.golden.make``) before the core
was rebuilt on arrays (issue 12); a rebuild that changes any number, text or
order of any result, on either factor set and any GWP set, fails here.
Remake the file only in a commit that says which number changes and why.
"""

from __future__ import annotations

import gzip
import json
import math

import pytest

import farmcalc
from tests.golden.farms import FACTOR_SETS, GWPS, golden_records
from tests.golden.make import GOLDEN, compute

METHODS = [f"{fs}/{g}" for fs in FACTOR_SETS for g in GWPS]


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(gzip.decompress(GOLDEN.read_bytes()))


@pytest.fixture(scope="module")
def now() -> dict:
    return compute()


def differences(old, new, path: str = "", out: list | None = None) -> list[str]:
    """Paths where ``new`` differs from ``old`` (floats compared exactly)."""
    out = [] if out is None else out
    if len(out) >= 20:
        return out
    if isinstance(old, dict) and isinstance(new, dict):
        for k in sorted(old.keys() | new.keys()):
            if k not in old or k not in new:
                out.append(f"{path}/{k}: only in {'new' if k in new else 'golden'}")
            else:
                differences(old[k], new[k], f"{path}/{k}", out)
    elif isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            out.append(f"{path}: {len(old)} items in golden, {len(new)} now")
        for i, (a, b) in enumerate(zip(old, new, strict=False)):
            differences(a, b, f"{path}[{i}]", out)
    elif isinstance(old, float) and isinstance(new, float):
        if old != new and not (math.isnan(old) and math.isnan(new)):
            out.append(f"{path}: {old!r} in golden, {new!r} now")
    elif type(old) is not type(new) or old != new:
        out.append(f"{path}: {old!r} in golden, {new!r} now")
    return out


def test_the_differ_sees_a_change_in_the_last_bit():
    x = 0.1 + 0.2
    assert differences({"a": [x]}, {"a": [0.30000000000000004]}) == []
    assert differences({"a": [x]}, {"a": [0.3]}) == [
        "/a[0]: 0.30000000000000004 in golden, 0.3 now"
    ]
    assert differences({"a": 1}, {"b": 1}) == ["/a: only in golden", "/b: only in new"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("part", ["results", "long", "totals", "savings"])
def test_same_numbers_as_before(golden, now, method, part):
    assert golden[method][part], "the golden file holds this part"
    assert differences(golden[method][part], now[method][part]) == []


@pytest.mark.parametrize("method", METHODS)
def test_one_farm_alone_gives_its_batch_result(golden, method):
    fs, gwp = method.split("/")
    records = golden_records()[:4]
    for i, record in enumerate(records):
        alone = json.loads(
            json.dumps(farmcalc.calculate(record, factors=fs, gwp=gwp, locale="sv"))
        )
        assert differences(golden[method]["results"][i], alone) == [], record["farm_id"]
