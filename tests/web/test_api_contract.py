"""The API does what its OpenAPI document says (web/views/openapi.py against web/views/api_v1.py).

- ``test_document_examples_run_against_the_app``: every operation's documented
  examples (path parameters, request bodies) are sent to the app in a fixed
  order (create the farm, store a year, read it, plan it, calculate, delete),
  and each answer must be a documented success whose body, headers and content
  type are as documented.
- ``test_fuzz_the_api``: a bounded schemathesis run, on SQLite and on
  PostgreSQL, of every operation with data that fits the document (positive)
  and data that does not (negative). Checked: no 5xx; only documented status
  codes, content types and headers; bodies as documented; data the document
  forbids is refused; and data it allows is refused only by a rule the
  document states in words and a JSON Schema cannot (``SEMANTIC_CODES``).
"""

from __future__ import annotations

import collections
import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import ignored_auth, positive_data_acceptance
from schemathesis.generation import GenerationMode

from tests.web.conftest import PASSWORD

# The order the examples run in: each builds on the ones before it (the farm the first
# POST makes gets id 1, the id in the document's examples).
EXAMPLE_ORDER = [
    ("GET", "/api/v1/"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/farms"),
    ("GET", "/api/v1/farms"),
    ("GET", "/api/v1/farms/{farm_id}"),
    ("PUT", "/api/v1/farms/{farm_id}/years/{year}"),
    ("GET", "/api/v1/farms/{farm_id}/years"),
    ("GET", "/api/v1/farms/{farm_id}/years/{year}"),
    ("PUT", "/api/v1/farms/{farm_id}/years/{year}/plan"),
    ("GET", "/api/v1/farms/{farm_id}/years/{year}/plan"),
    ("GET", "/api/v1/farms/{farm_id}/years/{year}/report.pdf"),
    ("GET", "/api/v1/farms/{farm_id}/years/{year}/uncertainty"),
    ("POST", "/api/v1/calculate"),
    ("DELETE", "/api/v1/farms/{farm_id}/years/{year}"),
]

# The 422 issue codes of rules the document states in words but a JSON Schema cannot:
# shares that sum to 1, manure systems needed unless all manure is on pasture, a yield
# given one way only, a record's farm_id/year equal to the address, a farm once per list,
# and the action plan's rules (each measure once, applicable, start year in range).
SEMANTIC_CODES = {
    "shares_sum",
    "manure_systems_missing",
    "yield_both",
    "mismatch",
    "duplicate_farm",
    "measure",
    "start_year",
}
# per operation and generation mode: ~600 requests a database (more for a longer run:
# FARMCALC_FUZZ_EXAMPLES=200 pytest tests/web/test_api_contract.py -k fuzz -s)
MAX_EXAMPLES = int(os.environ.get("FARMCALC_FUZZ_EXAMPLES", "25"))


def _user_with_token(app, email: str, role: str = "farmer") -> str:
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Role, UserCreate

    with app.app_context():
        db = get_session()
        user = crud.create_user(
            session=db,
            user_in=UserCreate(email=email, name=email, role=Role(role), password=PASSWORD),
        )
        return crud.create_api_token(session=db, user=user, name="contract")[1]


def _schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _operations(schema) -> dict[tuple[str, str], Any]:
    out = {}
    for result in schema.get_all_operations():
        op = result.ok()
        out[(op.method.upper(), op.path)] = op
    return out


def _example_params(doc: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    item = doc["paths"][path]
    params = item.get("parameters", []) + item[method.lower()].get("parameters", [])
    values = {}
    for p in params:
        if "$ref" in p:
            p = doc["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]
        if p["in"] == "path":
            values[p["name"]] = p["example"]
    return values


def _example_body(doc: dict[str, Any], path: str, method: str) -> Any:
    body = doc["paths"][path][method.lower()].get("requestBody")
    if body is None:
        return None
    return body["content"]["application/json"]["example"]


def test_every_operation_is_in_the_example_order(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {
        (m.upper(), p) for p, item in doc["paths"].items() for m in item if m != "parameters"
    }
    assert documented == set(EXAMPLE_ORDER)


def test_document_examples_run_against_the_app(app):
    token = _user_with_token(app, "exempel@example.se")
    schema = _schema(app)
    doc = schema.raw_schema
    ops = _operations(schema)
    statuses = {}
    for method, path in EXAMPLE_ORDER:
        if (method, path) == ("GET", "/api/v1/openapi.json"):  # schemathesis skips its source
            answer = app.test_client().get(path)
            assert answer.status_code == 200 and answer.get_json() == doc
            continue
        op = ops[(method, path)]
        kwargs: dict[str, Any] = {"path_parameters": _example_params(doc, path, method)}
        body = _example_body(doc, path, method)
        if body is not None:
            kwargs["body"] = body
            kwargs["media_type"] = "application/json"
        case = op.Case(headers={"Authorization": f"Bearer {token}"}, **kwargs)
        response = case.call()
        documented = op.definition.raw["responses"]
        assert 200 <= response.status_code < 300, (method, path, response.text[:500])
        assert str(response.status_code) in documented, (method, path, response.status_code)
        case.validate_response(response, excluded_checks=[positive_data_acceptance])
        statuses[(method, path)] = response.status_code
    # the first PUT of the year makes it, the farm is the example's id 1
    assert statuses[("POST", "/api/v1/farms")] == 201
    assert statuses[("PUT", "/api/v1/farms/{farm_id}/years/{year}")] == 201
    assert statuses[("DELETE", "/api/v1/farms/{farm_id}/years/{year}")] == 204


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_plan_routes_refuse_an_unknown_language_as_documented(app, method):
    """The document gives ?lang= an enum on the plan routes: ?lang=false is a 400 (was 200)."""
    token = _user_with_token(app, "lang@example.se")
    farm_id = _seed_farm_year(app, token)
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    answer = app.test_client().open(
        f"/api/v1/farms/{farm_id}/years/2025/plan?lang=false",
        method=method,
        json=_example_body(doc, "/api/v1/farms/{farm_id}/years/{year}/plan", "PUT"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400
    assert answer.get_json()["parameter"] == "lang"


def _has_inputs(doc: dict[str, Any], key: tuple[str, str]) -> bool:
    method, path = key
    item = doc["paths"][path]
    operation = item[method.lower()]
    return bool(
        item.get("parameters") or operation.get("parameters") or operation.get("requestBody")
    )


def _refused_by_semantics(response) -> bool:
    """A schema-valid request refused for a rule the document states in words."""
    if response.status_code in (403, 404, 409):  # documented: whose farm, which year, state
        return True
    if response.status_code != 422:
        return False
    issues = response.json().get("issues", [])
    return bool(issues) and {i["code"] for i in issues} <= SEMANTIC_CODES


def _seed_farm_year(app, token: str) -> int:
    """The fuzzing user's farm with a calculated 2025 (so reads and plans find data)."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    doc = client.get("/api/v1/openapi.json").get_json()
    farm = client.post(
        "/api/v1/farms", json=_example_body(doc, "/api/v1/farms", "POST"), headers=headers
    )
    assert farm.status_code == 201, farm.text
    farm_id = farm.get_json()["id"]
    record = _example_body(doc, "/api/v1/farms/{farm_id}/years/{year}", "PUT")
    put = client.put(
        f"/api/v1/farms/{farm_id}/years/{record['year']}", json=record, headers=headers
    )
    assert put.status_code == 201, put.text
    return farm_id


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzz_the_api(app, mode):
    token = _user_with_token(app, "fuzz@example.se")
    _user_with_token(app, "someone.else@example.se")
    farm_id = _seed_farm_year(app, token)
    schema = _schema(app)
    counts: collections.Counter[int] = collections.Counter()
    server_errors = []

    def fuzz(op) -> None:
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy(generation_mode=mode), own_farm=st.booleans())
        def run(case, own_farm):
            if own_farm and "farm_id" in (case.path_parameters or {}):
                case.path_parameters["farm_id"] = farm_id
            # explicit credentials: schemathesis then also checks that the operation
            # refuses the same request without them and with a made-up token (401)
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
            response = case.call()
            counts[response.status_code] += 1
            if response.status_code >= 500:
                server_errors.append((op.label, case.path_parameters, str(case.body)[:300]))
            if mode is GenerationMode.POSITIVE and response.status_code >= 400:
                assert _refused_by_semantics(response), (op.label, response.text[:500])
            excluded = [positive_data_acceptance]
            if mode is GenerationMode.NEGATIVE:
                # its cases may carry made-up credentials that ours replace: whether the
                # operation refuses a missing or made-up token is checked in positive mode
                excluded.append(ignored_auth)
            case.validate_response(response, excluded_checks=excluded)

        run()

    ops = _operations(schema)
    for key in EXAMPLE_ORDER:  # the delete last
        op = ops.get(key)
        if op is None:
            continue  # the document itself: schemathesis does not fuzz its own source
        if mode is GenerationMode.NEGATIVE and not _has_inputs(schema.raw_schema, key):
            continue  # nothing to send wrong
        fuzz(op)

    print(f"\nfuzzed {mode.value}: {sum(counts.values())} requests, status {dict(counts)}")
    assert not server_errors, server_errors
    assert sum(counts.values()) >= 5 * MAX_EXAMPLES, counts  # the run was not empty


def test_too_many_calculations_answer_as_documented(migrated_db_url, tmp_path):
    """The 429 of POST /calculate carries the documented Retry-After (seconds) and body."""
    from tests.web.conftest import make_test_app
    from web.store.db import dispose

    app = make_test_app(
        migrated_db_url,
        tmp_path / "instance",
        RATELIMIT_ENABLED=True,
        API_CALCULATE_RATE_LIMIT="2/minute",
    )
    try:
        schema = _schema(app)
        op = _operations(schema)[("POST", "/api/v1/calculate")]
        body = _example_body(schema.raw_schema, "/api/v1/calculate", "POST")
        answers = [op.Case(body=body, media_type="application/json").call() for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        headers = {k.lower(): v for k, v in answers[-1].headers.items()}
        assert 0 < int(headers["retry-after"][0]) <= 60
        case = op.Case(body=body, media_type="application/json")
        case.validate_response(answers[-1], excluded_checks=[positive_data_acceptance])
    finally:
        dispose(app)
