"""``farmcalc demo``: the demo municipality gets the example scenario of its climate
investment plan saved (not an empty list on a strategist's first visit), once."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tests.web.test_web_municipality import demo_login
from web.commands import DEMO_SCENARIO, create_demo_data, create_demo_scenario
from web.store.db import get_session
from web.store.models import ClimateScenario


def test_the_demo_municipality_has_the_example_scenario_once(app, client):
    with app.app_context():
        create_demo_data(n_farms=30)
        assert create_demo_scenario() is True
        assert create_demo_scenario() is False  # running the demo again adds nothing
        rows = get_session().execute(select(ClimateScenario)).scalars().all()
        n = get_session().execute(select(func.count()).select_from(ClimateScenario)).scalar()
    want = json.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))
    assert n == 1 and rows[0].name == want["name"]
    assert (
        rows[0].definition["shares_pct"]["hvo100"]["2030"] == want["shares_pct"]["hvo100"]["2030"]
    )
    assert rows[0].municipality_code == app.config.get("MUNICIPALITY_CODE", "1290")
    demo_login(client)
    page = client.get("/municipality/plan/").get_data(as_text=True)
    assert want["name"] in page
    shown = client.get(f"/municipality/plan/{rows[0].id}")
    assert shown.status_code == 200
    assert want["name"] in shown.get_data(as_text=True)


def test_no_example_file_no_scenario(app, tmp_path):
    with app.app_context():
        assert create_demo_scenario(tmp_path / "missing.json") is False
        n = get_session().execute(select(func.count()).select_from(ClimateScenario)).scalar()
    assert n == 0
