"""The municipality's pages: who may see them, Swedish, and that nothing they
give out (page, CSV, Excel, `farmcalc aggregate`) names a farm or shows a
figure below the disclosure limits."""

import io
import json
import zipfile

import pytest
from sqlalchemy import delete, func, select, update

from farmcalc.municipality.summary import Rule, _rule_fails, aggregate, contributions
from tests.web.conftest import answer_twofactor
from web.commands import DEMO_PASSWORD, create_demo_data
from web.store.db import get_session
from web.store.models import Farm, FarmYear, FarmYearTotals, User
from web.store.totals_query import load_frame

PAGES = [
    "/municipality/",
    "/municipality/?year=2023&base=2021",
    "/municipality/export.csv",
    "/municipality/export.xlsx?year=2024&base=2022",
]
DEMO_FARMS = 30


@pytest.fixture
def demo(app):
    """30 demo farms reporting 2021–2025 in municipality 1290 (and the demo users)."""
    with app.app_context():
        create_demo_data(n_farms=DEMO_FARMS)
        db = get_session()
        farms = db.execute(select(Farm.farm_code, Farm.name)).all()
    return {"codes": [c for c, _n in farms], "names": [n for _c, n in farms if n]}


def demo_login(client, email="kommun@example.se"):
    r = answer_twofactor(
        client, client.post("/auth/signin", data={"email": email, "password": DEMO_PASSWORD})
    )  # TOTP: pyotp
    assert r.status_code == 302
    return client


def xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(
            z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))
        )


def text_of(response) -> str:
    if response.mimetype.endswith("spreadsheetml.sheet"):
        return xlsx_text(response.data)
    return response.get_data(as_text=True)


# ------------------------------------------------------------------- access


@pytest.mark.parametrize("role", ["owner", "other_farmer", "advisor_with", "advisor_without"])
@pytest.mark.parametrize("url", PAGES)
def test_farmers_and_advisors_get_404(client, seed, login, role, url):
    assert login(client, seed.emails[role]).status_code == 302
    r = client.get(url)
    assert r.status_code == 404
    assert "Jordbrukets klimatpåverkan" not in r.get_data(as_text=True)


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r.headers["Location"].startswith("/auth/signin")


@pytest.mark.parametrize("role", ["municipality", "admin"])
@pytest.mark.parametrize("url", PAGES)
def test_municipality_and_admin_may(client, seed, login, role, url):
    assert login(client, seed.emails[role]).status_code == 302
    assert client.get(url).status_code == 200


def test_nav_link_only_for_the_municipality(client, seed, login):
    login(client, seed.emails["municipality"])
    assert "/municipality/" in client.get("/farms/").get_data(as_text=True)
    client.post("/auth/signout")
    login(client, seed.emails["owner"])
    assert "/municipality/" not in client.get("/farms/").get_data(as_text=True)


# ---------------------------------------------------------------- dashboard


def test_dashboard_in_swedish_with_charts_and_tables(client, demo):
    demo_login(client)
    r = client.get("/municipality/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert '<html lang="sv">' in html
    assert "Jordbrukets klimatpåverkan" in html and "Kristianstads kommun" in html
    assert "Fossil koldioxid" in html and "Metan" in html and "Markkol" in html
    assert html.count('role="img"') >= 8  # every chart an accessible SVG …
    assert html.count("<table") >= 8  # … with its table
    assert "<script" not in html and "style=" not in html  # the CSP allows neither
    assert 'href="/municipality/export.xlsx?year=2025&amp;base=2021"' in html
    assert "Content-Security-Policy" in r.headers


def test_year_and_base_year_are_chosen_by_get_form(client, demo):
    demo_login(client)
    html = client.get("/municipality/?year=2023&base=2022").get_data(as_text=True)
    assert '<option value="2023" selected>' in html and '<option value="2022" selected>' in html
    # nonsense falls back to the latest year and the first base year
    html = client.get("/municipality/?year=1999&base=x").get_data(as_text=True)
    assert '<option value="2025" selected>' in html and '<option value="2021" selected>' in html


def test_no_data_yet(client, seed, login):
    login(client, seed.emails["municipality"])
    html = client.get("/municipality/").get_data(as_text=True)
    assert "Ingen gård i kommunen har ett beräknat år ännu." in html
    csv = client.get("/municipality/export.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"


# ------------------------------------------------- nothing names any farm


def test_no_output_names_a_farm(app, client, demo, runner, tmp_path):
    demo_login(client)
    outputs = {}
    for url in [
        *PAGES,
        "/municipality/?year=2021&base=2021",
        "/municipality/export.csv?year=2022",
    ]:
        r = client.get(url)
        assert r.status_code == 200, url
        outputs[url] = text_of(r)
    cli = runner("aggregate", "--year", "2025", "--base-year", "2021", "--format", "json")
    assert cli.exit_code == 0, cli.errors
    outputs["cli json"] = cli.output
    out = tmp_path / "agg.xlsx"
    cli = runner("aggregate", "--year", "2024", "--format", "xlsx", "--out", str(out))
    assert cli.exit_code == 0, cli.errors
    outputs["cli xlsx"] = xlsx_text(out.read_bytes())
    assert len(demo["codes"]) == DEMO_FARMS
    for where, text in outputs.items():
        for code in demo["codes"]:
            assert code not in text, (where, code)
        for name in demo["names"]:
            assert name not in text, (where, name)
        assert "Demogård" not in text and "lantbrukare@example.se" not in text, where


def test_no_output_shows_a_figure_below_the_limits(app, client, demo, runner):
    """Every figure given out is one that passes the rule on its own farms."""
    with app.app_context():
        frame = load_frame(session=get_session(), municipality_code="1290")
    rule = Rule()
    agg = aggregate(frame, year=2025, base_year=2021, rule=rule)
    n_primary = 0
    for y in agg.years:
        cells = contributions(frame[frame["year"] == y])
        _n, few, dom = _rule_fails(cells.to_numpy(float), 5, 0.5, 0.85)
        primary = set(cells.columns[few | dom])
        n_primary += len(primary)
        shown = agg.cells[(agg.cells["year"] == y) & agg.cells["shown"].astype(bool)]
        assert primary.isdisjoint(shown["cell"]), (y, primary & set(shown["cell"]))
    assert n_primary > 0  # 30 farms: some cells are too small, and they are hidden
    # what the CLI gives out is exactly the protected aggregate
    cli = runner("aggregate", "--year", "2025", "--base-year", "2021")
    data = json.loads(cli.output)
    assert data["tables"] == json.loads(json.dumps(agg.tables("sv")))
    hidden = [r for t in data["tables"].values() for r in t if not r["shown"]]
    assert hidden and all(r["value"] is None and r["farms"] is None for r in hidden)
    assert {r["reason"] for r in hidden} <= {"few_farms", "dominance", "secondary"}


@pytest.mark.parametrize("app_config", [{"DISCLOSURE_MIN_FARMS": 1000}])
def test_the_rule_is_configuration_and_hides_everything_of_a_small_population(
    app, client, demo, runner
):
    demo_login(client)
    html = client.get("/municipality/").get_data(as_text=True)
    assert "minst 1000 gårdar" in html or "minst 1\u00a0000 gårdar" in html
    csv = client.get("/municipality/export.csv").get_data(as_text=True)
    rows = [line.split(";") for line in csv.strip().splitlines()[1:]]
    # no value at all, but for a source no farm has (0, from no farm)
    assert rows and all(r[4] == "" or (r[4] == "0" and r[6] == "0") for r in rows)
    # the same from the command line, with the rule given as flags
    data = json.loads(runner("aggregate", "--year", "2025", "--min-farms", "1000").output)
    assert all(r["value"] in (None, 0) for t in data["tables"].values() for r in t)
    assert all(r["farms"] in (None, 0) for t in data["tables"].values() for r in t)
    assert all(r["fossil_co2_t"] is None and r["farms"] is None for r in data["trend"])
    data = json.loads(runner("aggregate", "--year", "2025", "--min-farms", "3").output)
    assert data["tables"]["summary"][0]["value"] is not None


# -------------------------------------------------------------- exports


def test_csv_export(client, demo):
    demo_login(client)
    r = client.get("/municipality/export.csv?year=2024&base=2021")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert 'filename="jordbruk-1290-2024.csv"' in r.headers["Content-Disposition"]
    body = r.get_data(as_text=True)
    assert body.startswith("\ufeffÅr;Tabell;Rad;Mått;Värde;Enhet;Gårdar;")
    lines = body.strip().splitlines()
    assert any(line.startswith("2024;Per gas;Metan") for line in lines)
    assert any(";Trend;2021;" in ";" + line for line in lines)
    for line in lines[1:]:
        assert not line.split(";")[2].startswith(("=", "+", "@"))


def test_xlsx_export(client, demo):
    import openpyxl

    demo_login(client)
    r = client.get("/municipality/export.xlsx?year=2025&base=2022")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["Tabeller", "Trend", "Diagram", "Data", "Metod"]
    trend = wb["Trend"]
    assert trend["A1"].value == "Basår: 2022"
    years = [trend.cell(row=i, column=1).value for i in range(4, 9)]
    assert years == [2021, 2022, 2023, 2024, 2025]
    assert not any(
        isinstance(c.value, str) and c.value.startswith("=")
        for ws in wb
        for row in ws.iter_rows()
        for c in row
    )


def test_cli_aggregate_errors(runner, demo):
    r = runner("aggregate", "--year", "1999")
    assert r.exit_code == 2 and "1999" in r.errors
    r = runner("aggregate", "--year", "2025", "--base-year", "2010")
    assert r.exit_code == 2 and "2010" in r.errors
    r = runner("aggregate", "--year", "2025", "--municipality", "0180")
    assert r.exit_code == 2


# -------------------------------------------------- the per-farm totals


def test_totals_are_written_with_results_and_equal_them(app, demo):
    with app.app_context():
        db = get_session()
        n_years = db.scalar(select(func.count()).select_from(FarmYear))
        n_totals = db.scalar(select(func.count()).select_from(FarmYearTotals))
        assert n_years == n_totals > DEMO_FARMS
        frame = load_frame(session=db, municipality_code="1290")
        results = db.execute(select(FarmYear.year, FarmYear.result)).all()
    assert len(frame) == n_years
    for y in sorted({y for y, _r in results}):
        raw = contributions(frame[frame["year"] == y]).sum()
        res = [r for yy, r in results if yy == y]
        assert raw["total"] * 1000 == pytest.approx(sum(r["totals"]["co2e_kg"] for r in res))
        assert raw["net"] * 1000 == pytest.approx(sum(r["totals"]["net_co2e_kg"] for r in res))
        assert raw["mass:CH4"] * 1000 == pytest.approx(sum(r["totals"]["CH4_kg"] for r in res))


def test_reading_the_totals_writes_nothing(app, demo):
    """The reader only reads: a farm-year whose row is gone is not counted, and not remade."""
    with app.app_context():
        db = get_session()
        before = load_frame(session=db, municipality_code="1290")
        fy = db.execute(select(FarmYear.farm_id, FarmYear.year).limit(1)).one()
        db.execute(
            delete(FarmYearTotals).where(
                FarmYearTotals.farm_id == fy[0], FarmYearTotals.year == fy[1]
            )
        )
        db.commit()
        after = load_frame(session=db, municipality_code="1290")
        assert len(after) == len(before) - 1
        assert db.get(FarmYearTotals, (fy[0], fy[1])) is None


def test_calculating_a_changed_record_updates_and_delete_removes_the_totals(app, demo):
    """The writer stores the changed record's result and totals together (no diesel, no
    petrol: no fuel CO2); deleting the farm-year deletes its totals."""
    from farmcalc import calculate_batch
    from web.store import crud
    from web.store.models import TOTALS_COLUMNS
    from web.store.writer import totals_rows

    with app.app_context():
        db = get_session()
        fy = db.scalars(select(FarmYear).where(FarmYear.year == 2025)).first()
        assert db.get(FarmYearTotals, (fy.farm_id, 2025)).fuel_co2_co2e_kg > 0
        record = {**fy.record, "energy": {**fy.record["energy"], "diesel_l": 0, "petrol_l": 0}}
        fy = crud.save_farm_year(
            session=db, farm=db.get(Farm, fy.farm_id), year=2025, record=record
        )
        result = crud.calculate_farm_year(session=db, farm_year=fy)
        row = db.execute(
            select(FarmYearTotals.__table__).where(
                FarmYearTotals.farm_id == fy.farm_id, FarmYearTotals.year == 2025
            )
        ).one()
        assert row.calculated_at == fy.calculated_at and row.fuel_co2_co2e_kg == 0
        assert row.factor_set == result["factor_set"] and not fy.is_draft
        want = totals_rows(calculate_batch([fy.record]))[0]
        assert [row._mapping[c] for c in TOTALS_COLUMNS] == [want[c] for c in TOTALS_COLUMNS]
        crud.delete_farm_year(session=db, farm_year=fy)
        assert db.get(FarmYearTotals, (fy.farm_id, 2025)) is None


def test_the_json_api_gives_the_municipality_no_farm(app, client, demo):
    from web.store import crud

    with app.app_context():
        db = get_session()
        user = crud.get_user_by_email(session=db, email="kommun@example.se")
        _row, token = crud.create_api_token(session=db, user=user, name="test")
        farm_ids = list(db.scalars(select(Farm.id)))
    auth = {"Authorization": f"Bearer {token}"}
    answers = [client.get("/api/v1/farms", headers=auth)]
    for fid in farm_ids[:5]:
        answers += [
            client.get(f"/api/v1/farms/{fid}", headers=auth),
            client.get(f"/api/v1/farms/{fid}/years", headers=auth),
            client.get(f"/api/v1/farms/{fid}/years/2025", headers=auth),
        ]
    assert answers[0].status_code == 200
    assert all(r.status_code == 404 for r in answers[1:])
    for r in answers:
        text = r.get_data(as_text=True)
        assert not any(code in text for code in demo["codes"])
        assert "Demogård" not in text


# ------------------------------------------- the disclosure audit, per output


def _cell_by_label(locale: str = "sv") -> dict[str, str]:
    """The reader's label of every row → its cell (tables of the selected year)."""
    from farmcalc.municipality.summary import FARM_TYPES, GASES, ITEMS, SECTORS, label

    out = {label(k, locale): k for k in ("total", "net", "fossil_co2")}
    out |= {label("gas:CO2e" if g == "CO2e" else g, locale): f"gas:{g}" for g in GASES}
    out |= {label(i, locale): f"item:{i}" for i in ITEMS}
    out |= {label(s, locale): f"sector:{s}" for s in SECTORS}
    out |= {label(t, locale): f"type:{t}" for t in FARM_TYPES}
    return out


def _gas_of_label(locale: str = "sv") -> dict[str, str]:
    from farmcalc.municipality.summary import GASES, label

    return {label(g, locale): g for g in GASES}


def _number(text) -> float | None:
    if text is None or text == "" or text == "–":
        return None
    if isinstance(text, int | float):
        return float(text)
    return float(
        str(text)
        .replace("\u00a0", "")
        .replace("\u202f", "")
        .replace(" ", "")
        .replace(",", ".")
        .replace("\u2212", "-")  # the Swedish minus sign (issue 16)
    )


def _from_long_rows(rows, year: int) -> dict[str, float | None]:
    """Cells from the exports' long rows (year, table, row, measure, value, unit, farms …)."""
    by_label, gas_of = _cell_by_label(), _gas_of_label()
    out: dict[str, float | None] = {}
    for r in rows:
        if str(r[0]) != str(year) or r[1] in (
            "Trend",
            "Åtgärder som skulle minska utsläppen mest",
        ):
            continue
        cell = by_label.get(r[2])
        if cell is None:
            continue
        unit = str(r[5] or "")
        if unit in ("t CH4", "t N2O"):
            cell = f"mass:{unit[2:]}"
        elif r[3] in gas_of and cell.startswith("item:"):
            cell = f"atom:{cell[5:]}:{gas_of[r[3]]}"
        v = _number(r[4])
        assert out.get(cell, v) == v, (cell, v, out.get(cell))  # one figure per cell
        out[cell] = v
    return out


def _attack_output(app, published: dict[str, float | None], year: int) -> None:
    """Recompute the LP attack on what an output published; no primary cell pinned."""
    from disclosure_attack import attack

    with app.app_context():
        frame = load_frame(session=get_session(), municipality_code="1290")
    sub = frame[frame["year"] == year]
    names = set(contributions(sub).columns)
    assert names - {"net"} <= set(published), names - set(published)  # every cell read
    a = attack(sub, {c: published.get(c) for c in names})
    assert a.true, "no primary cell: the check would be empty"
    assert a.passed, (year, a.pinned, {c: a.interval(c) for c in a.pinned})


def test_csv_export_passes_the_audit(app, client, demo):
    demo_login(client)
    for year in (2023, 2025):
        body = client.get(f"/municipality/export.csv?year={year}").get_data(as_text=True)
        rows = [line.split(";") for line in body.lstrip("\ufeff").strip().splitlines()[1:]]
        rows = [[c.strip('"') for c in r] for r in rows]
        _attack_output(app, _from_long_rows(rows, year), year)


def test_xlsx_export_passes_the_audit(app, client, demo):
    import openpyxl

    demo_login(client)
    r = client.get("/municipality/export.xlsx?year=2025")
    ws = openpyxl.load_workbook(io.BytesIO(r.data))["Data"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    _attack_output(app, _from_long_rows(rows, 2025), 2025)


def test_cli_json_passes_the_audit(app, runner, demo):
    data = json.loads(runner("aggregate", "--year", "2024").output)
    pub: dict[str, float | None] = {}
    for table, rows in data["tables"].items():
        for r in rows:
            k = r["key"]
            cell = {
                "summary": {"soil_carbon": "item:soil_carbon"}.get(k, k),
                "gas": k if k.startswith("gas:") or k == "total" else f"gas:{k}",
                "source": "total" if k == "total" else f"item:{k}",
                "sector": "total" if k == "total" else f"sector:{k}",
                "farm_type": "total" if k == "total" else f"type:{k}",
            }[table]
            pub[cell] = r["value"]
            if "mass_t" in r:
                pub[f"mass:{k}"] = r["mass_t"]
            if table == "source" and len(r.get("by_gas", {})) > 1:
                for g, v in r["by_gas"].items():
                    pub[f"atom:{k}:{g}"] = v
    _attack_output(app, pub, 2024)


def test_dashboard_passes_the_audit(app, client, demo):
    """The page's tables (source × gas, gases, sectors, farm types, summary) parsed from HTML."""
    from html.parser import HTMLParser

    from farmcalc.municipality.summary import ITEM_GASES

    class Tables(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tables, self.cell, self.row = [], None, None

        def handle_starttag(self, tag, attrs):
            if tag == "table":
                self.tables.append([])
            elif tag == "tr" and self.tables:
                self.row = []
                self.tables[-1].append(self.row)
            elif tag in ("td", "th") and self.row is not None:
                self.cell = ""

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.row.append(self.cell.strip())
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    demo_login(client)
    html = client.get("/municipality/?year=2025").get_data(as_text=True)
    p = Tables()
    p.feed(html)
    by_label, gas_of = _cell_by_label(), _gas_of_label()
    pub: dict[str, float | None] = {}
    trend_columns = {  # the trend tables' columns: the selected year's row is published too
        "Fossil koldioxid (ton)": "fossil_co2",
        "ton CH₄": "mass:CH4",
        "ton N₂O": "mass:N2O",
        "Förändring av markkol (ton CO₂)": "item:soil_carbon",
        "Utsläpp (ton CO₂e)": "total",
        "Netto (ton CO₂e)": "net",
    }
    for table in p.tables:
        header = table[0]
        if header[0] == "År":
            for row in table[1:]:
                if row[0] == "2025":
                    for h, text in zip(header, row, strict=True):
                        if h in trend_columns:
                            cell = trend_columns[h]
                            assert pub.get(cell, _number(text)) == _number(text), cell
                            pub[cell] = _number(text)
            continue
        for row in table[1:]:
            cell = by_label.get(row[0])
            if cell is None or len(row) < 2:
                continue
            v = _number(row[1]) if row[1] not in ("",) else None
            if cell not in pub or pub[cell] is None:
                pub[cell] = v
            for h, text in zip(header[2:], row[2:], strict=False):
                if h in gas_of and cell.startswith("item:") and text != "":
                    one_gas = len(ITEM_GASES[cell[5:]]) == 1  # its gas is the item itself
                    target = cell if one_gas else f"atom:{cell[5:]}:{gas_of[h]}"
                    assert pub.get(target, _number(text)) == _number(text)
                    pub[target] = _number(text)
    with app.app_context():
        from web.views.municipality import rule_from_config

        frame = load_frame(session=get_session(), municipality_code="1290")
        agg = aggregate(frame, year=2025, rule=rule_from_config())
    shown = {c for c, v in pub.items() if v is not None}
    model = set(agg.cells[(agg.cells["year"] == 2025) & agg.cells["shown"].astype(bool)]["cell"])
    assert shown <= model, shown - model  # the page shows nothing the audit has not passed
    _attack_output(app, pub, 2025)


def test_measures_are_hidden_with_the_items_they_act_on(app, demo):
    from farmcalc.municipality.summary import measure_cells_of

    with app.app_context():
        frame = load_frame(session=get_session(), municipality_code="1290")
    agg = aggregate(frame)
    checked = 0
    for y in agg.years:
        hidden = set(
            agg.cells[(agg.cells["year"] == y) & ~agg.cells["shown"].astype(bool)]["cell"]
        )
        m = agg.measures[agg.measures["year"] == y]
        for key, shown in zip(m["measure"], m["shown"].astype(bool), strict=True):
            if hidden.intersection(measure_cells_of(key)):
                assert not shown, (y, key)
                checked += 1
    assert checked  # the demo has hidden items with measures on them


# -------------------------------------------------------------- like for like


def _panel_fossil(frame, members, year):
    sub = frame[(frame["year"] == year) & frame["farm_key"].isin(members)]
    return round((sub["fuel_co2_co2e_kg"] + sub["heating_oil_co2_co2e_kg"]).sum() / 1000)


def test_headline_compares_the_same_farms_and_says_how_many(app, client):
    """Issue 9 §4: the headline's change and path come from the farms of every year."""
    with app.app_context():
        create_demo_data()  # `farmcalc demo`'s default: enough farms join and leave to show both
        frame = load_frame(session=get_session(), municipality_code="1290")
    every = frame.groupby("farm_key")["year"].nunique()
    members = set(every.index[every == frame["year"].nunique()])
    assert 0 < len(members) < frame["farm_key"].nunique()  # the demo's coverage changes
    agg = aggregate(frame)
    first, last = _panel_fossil(frame, members, 2021), _panel_fossil(frame, members, 2025)
    change = round(100 * ((last / first) ** (1 / 4) - 1), 1)
    assert agg.panel.farms == len(members)
    assert agg.panel.row(2025)["fossil_co2_t"] == last
    assert agg.panel.change_pct == change
    html = demo_login(client).get("/municipality/").get_data(as_text=True)
    text = " ".join(html.replace("\u00a0", " ").split())
    assert f"Samma {len(members)} gårdar varje år 2021–2025:" in text
    assert f"{last:,} ton".replace(",", " ") in text
    assert f"{abs(change):.1f} %".replace(".", ",") in text
    assert 'id="like-for-like"' in html and 'id="chart-like-for-like"' in html
    assert "Alla rapporterande gårdar" in html  # the all-farms series stays beside it


def test_headline_says_why_when_the_same_farms_cannot_be_shown(client, demo):
    """30 demo farms: the 3 that joined or left would be revealed by all − same farms."""
    html = demo_login(client).get("/municipality/").get_data(as_text=True)
    text = " ".join(html.replace("\u00a0", " ").split())
    assert "Samma gårdar varje år kan inte jämföras" in text
    assert "för få för att visas för sig" in text


def test_exports_carry_the_same_farms_series(app, client):
    with app.app_context():
        create_demo_data(n_farms=150)
        frame = load_frame(session=get_session(), municipality_code="1290")
    agg = aggregate(frame)
    last = agg.panel.row(2025)["fossil_co2_t"]
    assert last is not None
    demo_login(client)
    csv = client.get("/municipality/export.csv").get_data(as_text=True)
    rows = [r.split(";") for r in csv.splitlines() if r.startswith("2025;Samma gårdar varje år;")]
    fossil = [r for r in rows if r[3] == "Fossil koldioxid"]
    assert len(fossil) == 1 and fossil[0][4].replace("\u00a0", "") == f"{last:.0f}"
    assert fossil[0][6] == str(agg.panel.farms)
    book = xlsx_text(client.get("/municipality/export.xlsx").data)
    assert "Samma gårdar varje år" in book


def test_the_issues_data_set_demo_plus_the_example_workbook_passes_the_audit(app, client, demo):
    """Issue 9's finding, on its own data: demo farms plus the 8 farms of the example
    workbook (imported by an advisor, confirmed by the municipality), year 2025: heating
    oil and the drained organic soils of 4 farms must not be worked out from the CSV."""
    from farmcalc.excel.template import write_template
    from web.services.workbook_import import import_workbook

    example = io.BytesIO()
    write_template(example, example=True)  # the site's example workbook (/import/example.xlsx)
    demo_login(client)
    with app.app_context():
        db = get_session()
        advisor = db.execute(select(User).where(User.email == "radgivare@example.se")).scalar_one()
        result = import_workbook(session=db, user=advisor, source=example.getvalue())
        assert result.ok
        db.execute(update(Farm).values(confirmation="confirmed"))
        db.commit()
        frame = load_frame(session=db, municipality_code="1290")
    assert (frame["year"] == 2025).sum() == DEMO_FARMS - 1 + 8  # 29 demo farms report in 2025
    body = client.get("/municipality/export.csv?year=2025").get_data(as_text=True)
    rows = [line.split(";") for line in body.lstrip("\ufeff").strip().splitlines()[1:]]
    _attack_output(app, _from_long_rows([[c.strip('"') for c in r] for r in rows], 2025), 2025)
