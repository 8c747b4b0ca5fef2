"""A farm-year's ranges (issue 13) on the result page and in the API
(web/services/farm_ranges.py, views/result_pages.py, views/api_v1.py).

Every number is checked against :func:`farmcalc.uncertainty.run` on the same stored
record with the same draws and seed, never against a number written here.
"""

from __future__ import annotations

import pytest
from babel.numbers import format_decimal

from farmcalc.inputs.tables import records_to_tables
from farmcalc.steering.costs import with_cost_draws
from farmcalc.steering.measures import ALL_MEASURES
from farmcalc.uncertainty import run
from tests.web.test_web_action_plan import YEAR, api_token, dairy_record, validate
from web.services import farm_ranges

PATH = "/api/v1/farms/{farm_id}/years/{year}/uncertainty"


@pytest.fixture
def calculated(app, seed):
    """The owner's and the other farmer's farm, each with a demo dairy farm's year calculated."""
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        for target in ("own", "other"):
            farm = db.get(Farm, seed.farms[target])
            fy = crud.save_farm_year(session=db, farm=farm, year=YEAR, record=dairy_record())
            crud.calculate_farm_year(session=db, farm_year=fy, factors="sweden", locale="sv")
    return seed


@pytest.fixture(autouse=True)
def _fresh_cache():
    farm_ranges.clear_cache()
    yield
    farm_ranges.clear_cache()


def stored(app, seed, target="own"):
    """The farm-year's record, factor set and GWP as stored."""
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import FarmYear

    with app.app_context():
        fy = (
            get_session()
            .exec(
                select(FarmYear).where(
                    FarmYear.farm_id == seed.farms[target], FarmYear.year == YEAR
                )
            )
            .one()
        )
        return fy.record, fy.result["factor_set"], fy.result["gwp"]


def core(app, seed, draws, rng_seed, target="own"):
    record, fset, gwp = stored(app, seed, target)
    tables = records_to_tables([record], strict=True)[0]
    result = run(
        [record], draws=draws, seed=rng_seed, factors=fset, gwp=gwp, measures=list(ALL_MEASURES)
    )
    return with_cost_draws(result, tables).to_dict(0)  # SEK per tonne with the costs drawn


def url(cast, target="own", **query) -> str:
    q = "&".join(f"{k}={v}" for k, v in query.items())
    return PATH.format(farm_id=cast.farms[target], year=YEAR) + (f"?{q}" if q else "")


def t_sv(kg: float) -> str:
    """Tonnes as the Swedish page writes them (one decimal, decimal comma, U+2212 minus)."""
    return format_decimal(kg / 1000.0, format="#,##0.0", locale="sv").replace("-", "\u2212")


def test_api_gives_the_cores_ranges_for_the_stored_record(app, client, calculated):
    seed = calculated
    headers = api_token(app, seed)
    res = client.get(url(seed, draws=200, seed=7), headers=headers)
    assert res.status_code == 200, res.get_data(as_text=True)
    validate(client, res, "/api/v1/farms/{farm_id}/years/{year}/uncertainty", "get")
    body = res.get_json()
    want = core(app, seed, 200, 7)
    u = body["uncertainty"]
    assert (u["draws"], u["seed"]) == (200, 7)
    assert u["totals"] == want["totals"]
    assert u["by_source"] == want["by_source"]
    assert u["sensitivity"] == want["sensitivity"]
    assert u["measures"] == want["measures"]
    lo, mid, hi = (u["totals"]["co2e_kg"][p] for p in ("p2_5", "p50", "p97_5"))
    assert lo < mid < hi
    # a measure's saving is a paired difference: its range sits inside the savings' sign
    hvo = next(m for m in u["measures"] if m["measure"] == "hvo100")
    assert hvo["applies"] and 0 < hvo["saving_co2e_kg"]["p2_5"] <= hvo["saving_co2e_kg"]["p97_5"]


def test_api_same_seed_same_numbers_other_seed_other_numbers(app, client, calculated):
    seed = calculated
    headers = api_token(app, seed)
    first = client.get(url(seed, draws=100, seed=3), headers=headers).get_json()
    farm_ranges.clear_cache()  # worked out again, not read from the process's cache
    again = client.get(url(seed, draws=100, seed=3), headers=headers).get_json()
    other = client.get(url(seed, draws=100, seed=4), headers=headers).get_json()
    assert first["uncertainty"] == again["uncertainty"]
    assert first["uncertainty"]["totals"] != other["uncertainty"]["totals"]


def test_api_default_draws_and_seed(app, client, calculated):
    seed = calculated
    body = client.get(url(seed), headers=api_token(app, seed)).get_json()
    u = body["uncertainty"]
    assert (u["draws"], u["seed"]) == (farm_ranges.DEFAULT_DRAWS, farm_ranges.DEFAULT_SEED)
    assert u["totals"] == core(app, seed, farm_ranges.DEFAULT_DRAWS, 0)["totals"]


@pytest.mark.parametrize(
    "query, parameter",
    [
        ({"draws": 10_001}, "draws"),
        ({"draws": 9}, "draws"),
        ({"draws": "abc"}, "draws"),
        ({"draws": "1e3"}, "draws"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**32}, "seed"),
    ],
)
def test_api_bounds_are_400_and_say_them(app, client, calculated, query, parameter):
    seed = calculated
    res = client.get(url(seed, **query), headers=api_token(app, seed))
    assert res.status_code == 400
    body = res.get_json()
    assert body["parameter"] == parameter
    assert str(body["maximum"]) in body["message"].replace("\u00a0", "")
    assert parameter in body["message"]


def test_api_access_another_users_farm_is_404(app, client, calculated):
    seed = calculated
    assert client.get(url(seed)).status_code == 401
    for who, target, status in (
        ("owner", "own", 200),
        ("advisor_with", "own", 200),
        ("other_farmer", "own", 404),
        ("advisor_without", "own", 404),
        ("owner", "other", 404),
        ("owner", "missing", 404),
    ):
        res = client.get(url(seed, target, draws=50), headers=api_token(app, seed, who))
        assert res.status_code == status, (who, target)


def test_api_a_draft_is_409(app, client, calculated):
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    seed = calculated
    record, _f, _g = stored(app, seed)
    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        changed = {**record, "name": "Ändrad"} if "name" in record else dict(record)
        changed["notes"] = "ändrad"
        crud.save_farm_year(session=db, farm=farm, year=YEAR, record=changed)
    res = client.get(url(seed, draws=50), headers=api_token(app, seed))
    assert res.status_code == 409
    assert "beräkna det igen" in res.get_json()["message"]


def test_the_page_shows_the_cores_ranges_in_swedish(app, client, calculated, login):
    seed = calculated
    login(client, seed.emails["owner"])
    html = client.get(f"/farms/{seed.farms['own']}/years/{YEAR}/result").get_data(as_text=True)
    want = core(app, seed, farm_ranges.DEFAULT_DRAWS, farm_ranges.DEFAULT_SEED)
    tot = want["totals"]["co2e_kg"]
    assert f"troligen mellan {t_sv(tot['p2_5'])} och {t_sv(tot['p97_5'])} ton" in html
    net = want["totals"]["net_co2e_kg"]
    assert f"{t_sv(net['p2_5'])} och {t_sv(net['p97_5'])} ton" in html
    assert "Vad betyder intervallet?" in html
    soil = next(r for r in want["by_source"] if r["source"] == "soil_carbon")
    low, high = soil["p2_5"], soil["p97_5"]  # negative: the soil binds
    if high <= 0:  # binds in the whole range: said as how much it binds, no minus signs
        soil_text = f"(binder troligen mellan {t_sv(-high)} och {t_sv(-low)} ton CO₂ per år)"
    elif low >= 0:
        soil_text = f"(förlorar troligen mellan {t_sv(low)} och {t_sv(high)} ton CO₂ per år)"
    else:
        soil_text = f"(någonstans mellan att binda {t_sv(-low)} och att förlora {t_sv(high)} ton"
    assert soil_text in html
    assert "Det här gör resultatet osäkert" in html
    # each source's range; the largest source's middle value and bounds
    for row in want["by_source"]:
        if row["source"] != "soil_carbon":
            assert f"{t_sv(row['p2_5'])}–{t_sv(row['p97_5'])}" in html, row
    # the factors that make it wide, in the factor pages' words, with what to measure
    from web.services.factor_guide import common_key
    from web.views.factor_pages import describe

    with app.test_request_context(headers={"Accept-Language": "sv"}):
        for item in want["sensitivity"]:
            if item["kind"] == "activity":  # a figure of the farm's own, in words
                words = item["label"][:1].upper() + item["label"][1:]  # heads its line
                assert item["label"] and words in html, item
                continue
            ids = item["factor_ids"]
            # a table drawn together: the table's words; correlated factors: each one's words
            key = ids[0] if len(ids) == 1 else common_key(ids)
            words = [describe(key)] if describe(key) else [describe(i) for i in ids]
            for w in words:
                assert w and w in html.replace("&#39;", "'"), item
    assert f"{farm_ranges.DEFAULT_DRAWS:,}".replace(",", "\u00a0") in html  # draws said
    # the same numbers on the next view
    again = client.get(f"/farms/{seed.farms['own']}/years/{YEAR}/result").get_data(as_text=True)
    assert f"{t_sv(tot['p2_5'])} och {t_sv(tot['p97_5'])} ton" in again


def test_the_page_of_another_users_farm_is_404(app, client, calculated, login):
    seed = calculated
    login(client, seed.emails["owner"])
    assert client.get(f"/farms/{seed.farms['other']}/years/{YEAR}/result").status_code == 404
    assert len(farm_ranges._CACHE) == 0  # nothing of the other farm was worked out


def test_a_farm_without_animals_gets_its_ranges(app, client, seed, login):
    """A farm without animals (empty livestock arrays with a draws axis) gets the core's
    ranges in the API and on the page (never a 500)."""
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    record = {**dairy_record(), "livestock": []}
    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        fy = crud.save_farm_year(session=db, farm=farm, year=YEAR, record=record)
        crud.calculate_farm_year(session=db, farm_year=fy, factors="sweden", locale="sv")
    res = client.get(url(seed, draws=50), headers=api_token(app, seed))
    assert res.status_code == 200
    assert res.get_json()["uncertainty"]["totals"] == core(app, seed, 50, 0)["totals"]
    login(client, seed.emails["owner"])
    page = client.get(f"/farms/{seed.farms['own']}/years/{YEAR}/result")
    assert page.status_code == 200
    assert "Vad betyder intervallet?" in page.get_data(as_text=True)


def test_the_action_plan_shows_each_measures_paired_ranges(app, client, calculated, login):
    """The plan's measures, each on its own: the core's paired saving and kr per tonne."""
    import re

    seed = calculated
    login(client, seed.emails["owner"])
    plan = f"/farms/{seed.farms['own']}/years/{YEAR}/plan"
    page = client.get(plan).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    data = {"measure-0": "hvo100", "start-0": str(YEAR + 1)}
    data |= {"measure-1": "cover_slurry", "start-1": str(YEAR + 2)}
    if token:
        data["csrf_token"] = token.group(1)
    assert client.post(plan, data=data).status_code == 302
    html = client.get(plan).get_data(as_text=True)
    assert "Hur säkra är minskningarna?" in html
    want = {m["measure"]: m for m in core(app, seed, 1000, 0)["measures"]}
    for measure in ("hvo100", "cover_slurry"):
        sv = want[measure]["saving_co2e_kg"]
        assert f"{t_sv(sv['p2_5'])} till {t_sv(sv['p97_5'])} ton" in html, measure
        pt = want[measure]["sek_per_t_co2e"]
        kr = [
            format_decimal(pt[p], format="#,##0", locale="sv").replace("-", "\u2212")
            for p in ("p2_5", "p97_5")
        ]
        assert f"{kr[0]}\u00a0kr till {kr[1]}\u00a0kr" in html, measure
    # paired draws: the saving's range is narrower than two independent runs' difference
    from numpy import percentile

    record, fset, gwp = stored(app, seed)
    a = run([record], draws=1000, seed=0, factors=fset, gwp=gwp, measures=["cover_slurry"])
    b = run([record], draws=1000, seed=1, factors=fset, gwp=gwp, measures=["cover_slurry"])
    after_b = b.co2e_kg[:, 0] - b.measure_savings["cover_slurry"][:, 0]
    independent = a.co2e_kg[:, 0] - after_b
    lo, hi = percentile(independent, [2.5, 97.5])
    sv = want["cover_slurry"]["saving_co2e_kg"]
    assert sv["p97_5"] - sv["p2_5"] < (hi - lo) / 2


def test_api_names_the_farms_own_figures_in_the_readers_language(app, client, calculated):
    """An activity input of the ranking is named in ``?lang=`` (the core's labels of that
    language); the numbers are the same in both."""
    seed = calculated
    headers = api_token(app, seed)
    record, fset, gwp = stored(app, seed)
    result = with_cost_draws(
        run([record], draws=200, seed=7, factors=fset, gwp=gwp, measures=list(ALL_MEASURES)),
        records_to_tables([record], strict=True)[0],
    )
    got = {}
    for lang in ("sv", "en"):
        body = client.get(url(seed, draws=200, seed=7, lang=lang), headers=headers).get_json()
        got[lang] = body["uncertainty"]["sensitivity"]
        assert got[lang] == result.to_dict(0, locale=lang)["sensitivity"]
    labels = {lang: [i["label"] for i in got[lang] if i["kind"] == "activity"] for lang in got}
    assert labels["en"] and labels["sv"] != labels["en"]  # e.g. antal mjölkkor / number of …
    assert [i["share"] for i in got["sv"]] == [i["share"] for i in got["en"]]
