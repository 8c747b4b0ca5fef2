"""calculate_many and the uncertainty run on a Dask cluster (issue 13 item 5).

A real local cluster of two worker processes; 200 demo farms in 4 partitions.
The tests skip only where the extra ``farmcalc[dask]`` is not installed and
``CI`` is not set: in CI (``make test`` installs the extra) they must run.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from farmcalc import api, cluster, uncertainty
from farmcalc.demo import demo_records

try:
    import dask
    import dask.bag as db
    import dask.dataframe as dd
    import distributed
except ImportError:
    if os.environ.get("CI"):
        raise
    pytest.skip("the extra farmcalc[dask] is not installed", allow_module_level=True)

N_FARMS = 200
N_PARTS = 4
N_DRAWS = 200


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",  # loopback only; any free port (two test workers run at once)
            scheduler_port=0,
            dashboard_address="127.0.0.1:0",
        ) as lc,
        distributed.Client(lc) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def records():
    return demo_records(N_FARMS)


def _frame(pdf: pd.DataFrame, n: int = N_PARTS):
    # dicts and lists stay objects (Dask would turn object columns into text)
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_pandas(pdf, npartitions=n)


def test_the_core_imports_and_calculates_without_dask():
    code = (
        "import sys\n"
        "sys.modules['dask'] = None\n"  # import dask -> ImportError, as without the extra
        "import farmcalc, farmcalc.api, farmcalc.cluster, farmcalc.uncertainty\n"
        "from farmcalc.demo import demo_records\n"
        "out = farmcalc.api.calculate_many(demo_records(3))\n"
        "assert len(out) > 0, out\n"
        "assert farmcalc.cluster.is_dask(out) is False\n"
        "r = farmcalc.uncertainty.run(demo_records(2), draws=5, seed=1)\n"
        "assert r.co2e_kg.shape == (5, 2)\n"
        "assert sys.modules['dask'] is None and 'distributed' not in sys.modules\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_core_does_not_import_dask_even_when_installed():
    code = (
        "import sys\n"
        "import farmcalc.api, farmcalc.uncertainty\n"
        "from farmcalc.demo import demo_records\n"
        "farmcalc.api.calculate_many(demo_records(3))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_calculate_many_on_a_dask_dataframe_is_the_in_memory_result(client, records):
    want = api.calculate_many(records)
    ddf = _frame(pd.DataFrame(records))
    out = api.calculate_many(ddf)
    assert isinstance(out, dd.DataFrame)
    assert out.npartitions == N_PARTS
    # the meta has the dtypes of the pandas result (categories included)
    assert out.dtypes.to_dict() == want.dtypes.to_dict()
    assert list(out.columns) == list(want.columns)
    got = out.compute()
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want)
    # each partition's rows carry their own RangeIndex
    assert (got.index == 0).sum() == N_PARTS


def test_calculate_many_on_a_dask_bag_is_the_in_memory_result(client, records):
    want = api.calculate_many(records, factors="ipcc2019", gwp="AR6")
    bag = db.from_sequence(records, npartitions=N_PARTS)
    out = api.calculate_many(bag, factors="ipcc2019", gwp="AR6")
    assert isinstance(out, dd.DataFrame)
    assert out.npartitions == bag.npartitions
    pd.testing.assert_frame_equal(out.compute().reset_index(drop=True), want)
    # and the factor set was used: another set gives other numbers
    other = api.calculate_many(records[:5])
    assert not np.array_equal(other["co2e_kg"], want["co2e_kg"][: len(other)])


def test_dotted_columns_and_empty_partitions(client, records):
    # energy.diesel_l etc. as dotted columns; the lists stay nested
    pdf = pd.json_normalize(records)
    assert "energy.diesel_l" in pdf.columns
    ddf = _frame(pdf)
    # the farms of the first two partitions filtered away: two empty partitions
    keep = pdf["farm_id"] > pdf["farm_id"].iloc[N_FARMS // 2]
    out = api.calculate_many(ddf[ddf["farm_id"] > pdf["farm_id"].iloc[N_FARMS // 2]])
    want = api.calculate_many(pdf[keep].reset_index(drop=True))
    pd.testing.assert_frame_equal(out.compute().reset_index(drop=True), want)
    # nothing left at all: an empty frame of the result's dtypes
    none = api.calculate_many(ddf[ddf["year"] < 0]).compute()
    assert len(none) == 0
    assert none.dtypes.to_dict() == want.dtypes.to_dict()


def test_records_turned_into_text_by_dask_are_refused_with_the_remedy(records):
    ddf = dd.from_pandas(pd.DataFrame(records), npartitions=2)  # Dask's default: text
    with pytest.raises(TypeError, match=r"livestock.*dataframe\.convert-string"):
        api.calculate_many(ddf)
    with pytest.raises(TypeError, match="Dask DataFrame or a Dask Bag"):
        api.calculate_many(dask.delayed(records))


def _assert_same_run(got, want, parts):
    pd.testing.assert_frame_equal(got.totals, want.totals)
    pd.testing.assert_frame_equal(got.sensitivity, want.sensitivity)
    if want.by_source is None:
        assert got.by_source is None
    else:
        pd.testing.assert_frame_equal(got.by_source, want.by_source)
    pd.testing.assert_frame_equal(got.measures, want.measures)
    assert (got.n_draws, got.seed, got.factor_set, got.gwp, got.n_farms) == (
        want.n_draws,
        want.seed,
        want.factor_set,
        want.gwp,
        want.n_farms,
    )
    # the sum over farms, draw by draw: the sum of the partitions' D-vectors, bit for bit
    # (each partition run in memory here), and the whole run's sum up to the order of
    # adding 200 floats (numpy's pairwise sum over one row vs. four partial sums)
    by_part = [uncertainty.run(p, draws=want.n_draws, seed=want.seed) for p in parts]
    assert_array_equal(got.sum_co2e_kg, sum(r.sum_co2e_kg for r in by_part))
    assert_array_equal(got.sum_net_co2e_kg, sum(r.sum_net_co2e_kg for r in by_part))
    np.testing.assert_allclose(got.sum_co2e_kg, want.sum_co2e_kg, rtol=1e-13)
    np.testing.assert_allclose(got.sum_net_co2e_kg, want.sum_net_co2e_kg, rtol=1e-13)
    assert got.sum_dict()["farms"] == want.n_farms


def test_the_uncertainty_run_on_a_dask_dataframe_is_the_in_memory_run(client, records):
    want = uncertainty.run(records, draws=N_DRAWS, seed=7)
    ddf = _frame(pd.DataFrame(records))
    got = uncertainty.run(ddf, draws=N_DRAWS, seed=7)
    assert isinstance(got, cluster.ClusterUncertaintyResult)
    parts = [p.reset_index(drop=True) for p in ddf.partitions]
    _assert_same_run(got, want, [p.compute() for p in parts])
    # the shared draws matter: another seed gives another range
    assert not np.array_equal(
        uncertainty.run(records[:3], draws=N_DRAWS, seed=8).totals["co2e_kg_p97_5"],
        want.totals["co2e_kg_p97_5"][:3],
    )


def test_the_uncertainty_run_on_a_bag_with_measures(client, records):
    few = records[:60]
    measures = ["cover_slurry", "hvo100"]
    want = uncertainty.run(few, draws=N_DRAWS, seed=3, measures=measures)
    bag = db.from_sequence(few, npartitions=3)
    got = uncertainty.run(bag, draws=N_DRAWS, seed=3, measures=measures)
    parts = [p.compute() for p in bag.to_delayed()]
    _assert_same_run(got, want, parts)
    for m in measures:
        by_part = [uncertainty.run(p, draws=N_DRAWS, seed=3, measures=[m]) for p in parts]
        assert_array_equal(
            got.sum_saving_co2e_kg[m], sum(r.measure_savings[m].sum(axis=1) for r in by_part)
        )
        np.testing.assert_allclose(
            got.sum_saving_co2e_kg[m], want.measure_savings[m].sum(axis=1), rtol=1e-12
        )


def test_workers_that_draw_other_numbers_are_refused(client, records, monkeypatch):
    ddf = _frame(pd.DataFrame(records[:20]), n=2)
    real = uncertainty.shared_draws
    # this machine's draws differ from the workers' (which keep the real function)
    monkeypatch.setattr(uncertainty, "shared_draws", lambda fs, d, seed: real(fs, d, seed + 1))
    with pytest.raises(RuntimeError, match="2 of 2 partitions drew other factor values"):
        cluster.uncertainty_run(ddf, draws=50, seed=1, by_source=False)


def _assert_same_dict(a, b, where="uncertainty"):
    """Equal shapes, equal text, numbers equal to 1e-12 relative (None where None)."""
    assert type(a) is type(b), where
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            _assert_same_dict(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for j, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same_dict(x, y, f"{where}[{j}]")
    elif isinstance(a, float):
        assert a == pytest.approx(b, rel=1e-12, abs=0.0), where
    else:
        assert a == b, where


def test_a_farm_of_the_cluster_run_as_a_dict_is_the_in_memory_farm(client, records):
    """ClusterUncertaintyResult.to_dict(i): the in-memory to_dict(i), shape and numbers."""
    few = records[:40]
    measures = ["hvo100", "cover_slurry"]
    want = uncertainty.run(few, draws=N_DRAWS, seed=5, measures=measures)
    got = uncertainty.run(
        db.from_sequence(few, npartitions=3), draws=N_DRAWS, seed=5, measures=measures
    )
    # a farm of each partition (13/13/14 farms), the first and the last: the whole run's
    # dict up to the last bits of the sensitivity's matrix product over another number of
    # farms, and bit for bit the dict of the in-memory run of the farm's own partition
    bag = db.from_sequence(few, npartitions=3)
    parts = [p.compute() for p in bag.to_delayed()]
    starts = np.cumsum([0] + [len(p) for p in parts])
    for i in (0, 13, 27, len(few) - 1):
        _assert_same_dict(got.to_dict(i), want.to_dict(i))
        _assert_same_dict(got.to_dict(i, top=2), want.to_dict(i, top=2))
        k = int(np.searchsorted(starts, i, side="right") - 1)
        own = uncertainty.run(parts[k], draws=N_DRAWS, seed=5, measures=measures)
        assert got.to_dict(i) == own.to_dict(i - int(starts[k]))
    # the dict is each farm's own: two farms of different partitions differ
    assert got.to_dict(0)["totals"] != got.to_dict(27)["totals"]
    assert set(got.to_dict(0)) == {
        "draws",
        "seed",
        "factor_set",
        "gwp",
        "totals",
        "by_source",
        "sensitivity",
        "activity",
        "measures",
    }
    # the farm's own figures drawn (activity data): which uncertainty, per farm, in words
    assert got.to_dict(27)["activity"] == want.to_dict(27)["activity"]
    assert got.to_dict(27)["activity"]["inputs"]
    _assert_same_dict(got.to_dict(13, locale="en"), want.to_dict(13, locale="en"))
    with pytest.raises(IndexError, match="farm_idx 40 is not a farm"):
        got.to_dict(len(few))
    # without per-source ranges, as the in-memory run: an empty list
    lean = uncertainty.run(
        db.from_sequence(few[:6], npartitions=2), draws=50, seed=5, by_source=False
    )
    mem = uncertainty.run(few[:6], draws=50, seed=5, by_source=False)
    assert lean.to_dict(4) == mem.to_dict(4)
    assert lean.to_dict(4)["by_source"] == []
