"""Honest labels: the pages say how much rests on Swedish values, never call a set Swedish."""

from __future__ import annotations

import html as html_lib
import re

from farmcalc.demo import demo_records
from farmcalc.factors import available_factor_sets, load_factor_set
from farmcalc.labels import label
from farmcalc.provenance import set_basis
from web.services.factor_basis import origins_of, percent_parts


def _text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True)).replace("\xa0", " ")


def test_footer_states_each_sets_share_and_never_says_swedish_factors(client):
    page = _text(client.get("/factors/sweden"))
    assert "svenska faktorer" not in page.lower()
    for name in available_factor_sets():
        b = set_basis(load_factor_set(name))
        sw, ipcc, other = percent_parts([b[o] / b["total"] for o in ("sweden", "ipcc", "other")])
        assert (
            f"Faktoruppsättningen {label(name)}: {sw} % av dess {b['total']} värden är svenska, "
            f"{ipcc} % är IPCC:s standardvärden och {other} % kommer från andra källor."
        ) in page


def value_tags(page: str) -> dict[str, set[str]]:
    """Each factor row's tags: its own and those of its kind's heading (said once over the
    rows of a kind that all have them, issue 14's light factor page)."""
    out: dict[str, set[str]] = {}
    for body in re.findall(r"<tbody>(.*?)</tbody>", page, re.S):
        head = re.search(r'<tr class="factor-kind">(.*?)</tr>', body, re.S)
        shared = (
            set(re.findall(r'<span class="tag">([^<]*)</span>', head.group(1))) if head else set()
        )
        for fid, cells in re.findall(r'<tr id="f-([^"]+)">(.*?)</tr>', body, re.S):
            out[fid] = shared | set(re.findall(r'<span class="tag">([^<]*)</span>', cells))
    return out


def test_factor_page_tags_every_value_by_origin(client):
    fs = load_factor_set("sweden")
    b = set_basis(fs)
    page = _text(client.get("/factors/sweden"))
    words = {"sweden": "svenskt värde", "ipcc": "IPCC:s standardvärde", "other": "annan källa"}
    tags = value_tags(page)
    assert sorted(tags) == sorted(fs.rows.index)  # every value, and each has its origin
    origins = origins_of(fs)
    for fid, got in tags.items():
        assert words[origins[fid]] in got, fid
        assert len(got & set(words.values())) == 1, fid
        assert ("från IPCC 2019, standardvärden" in got) == bool(fs.rows.at[fid, "fell_back"])
    for origin, word in words.items():
        assert sum(word in t for t in tags.values()) == b[origin]
    assert f"Av uppsättningens {b['total']} värden kommer {b['sweden']} (" in page
    assert "IPCC 2019 med svenska värden där en svensk källa har lästs" in page  # the title


def test_result_page_says_what_the_result_rests_on(app, client, seed, login):
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        fy = crud.save_farm_year(
            session=db, farm=farm, year=2024, record=demo_records(2, year=2024)[1]
        )
        result = crud.calculate_farm_year(session=db, farm_year=fy, factors="sweden")
    fb = result["factor_basis"]
    sw, ipcc, other = percent_parts([fb["swedish_share"], fb["ipcc_share"], fb["other_share"]])
    assert sw + ipcc + other == 100
    login(client, seed.emails["owner"])
    page = _text(client.get(f"/farms/{seed.farms['own']}/years/2024/result"))
    assert (
        f"{ipcc} % av resultatet bygger på IPCC:s standardvärden, {sw} % på svenska värden "
        f"och {other} % på andra källor."
    ) in page
    assert "Svenska värden och IPCC:s standardvärden, per utsläppskälla" in page
    assert 'id="factor-basis"' in page


def test_an_old_result_without_the_basis_still_shows(app, client, seed, login):
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        fy = crud.save_farm_year(
            session=db, farm=farm, year=2024, record=demo_records(2, year=2024)[1]
        )
        result = crud.calculate_farm_year(session=db, farm_year=fy, factors="sweden")
        fy.result = {k: v for k, v in result.items() if k != "factor_basis"}
        db.add(fy)
        db.commit()
    login(client, seed.emails["owner"])
    r = client.get(f"/farms/{seed.farms['own']}/years/2024/result")
    assert r.status_code == 200
    assert 'id="factor-basis"' not in _text(r)
    assert 'id="basis-by-source"' not in _text(r)
