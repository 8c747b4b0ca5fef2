"""A farm's numbers are the same on every machine, to the last bit.

numpy runs AVX-512 kernels of ``exp``, ``log`` and ``power`` where the processor
has them; they round differently in the last bit from the C library that other
machines use. The golden numbers (``tests/golden``) were once made on a machine
without AVX-512 and failed on one with it. The core therefore uses
:func:`farmcalc.arrays.power` and :func:`farmcalc.arrays.exp`, which always call
the C library.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from farmcalc.arrays import exp, power

ROOT = Path(__file__).resolve().parents[1]
# numpy's ufuncs whose AVX-512 kernels round differently from the C library
# (measured: exp, log, log10, log1p, expm1, cbrt, arctan, power differ in the last
# bit on 0.01-46 % of random inputs; sqrt, sin, cos, tanh, divide do not)
MACHINE_DEPENDENT = ("exp", "log", "log10", "log2", "log1p", "expm1", "cbrt", "arctan", "power")


def test_power_is_the_c_library_pow_elementwise():
    rng = np.random.default_rng(7)
    base = rng.uniform(0.01, 1000.0, 20_000)
    exponent = rng.uniform(-2.0, 2.0, 20_000)
    want = np.array([math.pow(b, e) for b, e in zip(base, exponent, strict=True)])
    np.testing.assert_array_equal(power(base, exponent), want)
    # a scalar exponent and a drawn (D, 1) exponent broadcast as ** does
    assert power(base, 0.75).shape == base.shape
    assert power(base, exponent[:3, None]).shape == (3, base.size)
    assert power(2.0, 0.5) == math.sqrt(2.0)


def test_exp_is_the_c_library_exp_elementwise():
    rng = np.random.default_rng(8)
    x = rng.uniform(-30.0, 5.0, 20_000)
    np.testing.assert_array_equal(exp(x), np.array([math.exp(v) for v in x]))
    assert exp(x.reshape(100, 200)).shape == (100, 200)
    assert exp(0.0) == 1.0


def test_the_core_calls_no_machine_dependent_numpy_function():
    pattern = re.compile(r"\bnp\.(" + "|".join(MACHINE_DEPENDENT) + r")\(")
    offenders = []
    for path in sorted((ROOT / "farmcalc").rglob("*.py")):
        if path.name == "arrays.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from farms import golden_records
import farmcalc
from farmcalc.cluster import draws_digest
from farmcalc.factors import load_factor_set
from farmcalc.uncertainty import run, shared_draws
out = [farmcalc.calculate(r, factors=f) for f in ("sweden", "ipcc2019") for r in golden_records()]
# the uncertainty run's shared draws and a run's ranges: the same on every machine too
out.append(draws_digest(shared_draws(load_factor_set("sweden"), 500, seed=3)))
out.append(run(golden_records()[:5], draws=200, seed=1).to_dict(0))
print(json.dumps(out))
"""


def _results(disable: str | None) -> list:
    env = dict(os.environ)
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    if disable:
        env["NPY_DISABLE_CPU_FEATURES"] = disable
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(ROOT / "tests" / "golden")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


def test_results_do_not_depend_on_the_processors_vector_units():
    """Every golden farm, with numpy's AVX-512 kernels on and off: the same bits.

    On a machine without AVX-512 both runs take the same path (the test then
    only shows that switching is harmless); on one with it, the first run
    uses the AVX-512 kernels wherever numpy has them.
    """
    with_simd = _results(None)
    without = _results("X86_V4 AVX512_ICL AVX512_SPR")
    assert len(with_simd) == len(without) > 10
    assert with_simd == without
