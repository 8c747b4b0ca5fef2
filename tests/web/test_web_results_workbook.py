"""The advisor's results workbook from the web (web/services/result_exports.py) carries each
farm's plausibility warnings and its measures with costs (issue 14 item 5)."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import openpyxl

from farmcalc.api import calculate_batch
from web.services.result_exports import results_workbook
from web.store import crud
from web.store.db import get_session
from web.store.models import FarmCreate, Role, UserCreate
from web.store.writer import store_results

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "exempelgarden.json"


def test_the_web_workbook_lists_warnings_and_measures(app):
    with app.app_context():
        db = get_session()
        advisor = crud.create_user(
            session=db,
            user_in=UserCreate(
                email="radgivare@example.se", name="R", role=Role.advisor, password="x" * 12
            ),
        )
        base = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        for code, wheat in (("OK-1", 8500), ("W-1", 30000)):
            rec = copy.deepcopy(base)
            rec["farm_id"], rec["name"] = code, f"Gård {code}"
            rec["crops"][0]["yield_kg_per_ha"] = wheat
            farm = crud.create_farm(
                session=db,
                farm_in=FarmCreate(farm_code=code, name=rec["name"], municipality_code="1290"),
                owner=advisor,
            )
            store_results(
                db, [{"farm_id": farm.id, "year": 2025, "record": rec}], calculate_batch([rec])
            )
        data, n = results_workbook(db, advisor, 2025, "sv")
    assert n == 2
    wb = openpyxl.load_workbook(io.BytesIO(data))
    warnings = [r for r in wb["Varningar"].iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[3]) for r in warnings] == [("W-1", "crops[0].yield_kg_per_ha")]
    measures = [r for r in wb["Åtgärder"].iter_rows(min_row=2, values_only=True)]
    assert {r[0] for r in measures} == {"OK-1", "W-1"}
    assert all(isinstance(r[8], float) for r in measures)  # SEK per tonne
