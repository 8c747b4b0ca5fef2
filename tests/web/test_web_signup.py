"""Open sign-up made safe (issue 15, finding 3): e-mail verification, a per-IP limit on
sign-ups, the same answer for known and unknown addresses, and caps per account.

Mail is real: the console backend keeps what it sends in the app's outbox
(``app.extensions["farmcalc_outbox"]``), and the tests follow the link in it;
the SMTP backend is tested against a real SMTP server on loopback (aiosmtpd).
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from farmcalc.excel import write_template
from web.store.models import Farm, FarmYear, User, utcnow

PASSWORD = "Blåklint-traktor-47-hö"
CSRF_RE = re.compile(r'name="csrf_token"( type="hidden")? value="[^"]+"')


def signup(client, email="ny.bonde@example.se", password=PASSWORD, **extra):
    data = {
        "name": "Ny Bonde",
        "email": email,
        "role": "farmer",
        "password": password,
        "password2": password,
        **extra,
    }
    return client.post("/auth/signup", data=data)


def outbox(app) -> list:
    return app.extensions["farmcalc_outbox"]


def link_in(message) -> str:
    """The path of the one link to this site in a sent message."""
    body = message.get_content()
    found = re.findall(r"https?://[^/\s]+(/auth/verify/(?!resend\b)[A-Za-z0-9_\-]+)", body)
    assert len(found) == 1, body
    return found[0]


def user_row(app, email: str) -> User | None:
    from web.store.db import get_session

    with app.app_context():
        db = get_session()
        user = db.exec(select(User).where(User.email == email)).scalars().first()
        if user is not None:
            db.expunge(user)
        return user


# ------------------------------------------------------------- verification


def test_a_new_account_cannot_sign_in_until_its_address_is_verified(app, client, login):
    r = signup(client)
    assert r.status_code == 302
    assert r.headers["Location"] == "/auth/signup/sent"
    page = client.get("/auth/signup/sent").get_data(as_text=True)
    assert "Kolla din e-post" in page
    assert client.get("/farms/").status_code == 302  # not signed in
    assert user_row(app, "ny.bonde@example.se").email_verified_at is None

    # the right password does not sign in before the address is verified
    r = login(client, "ny.bonde@example.se", PASSWORD)
    assert r.status_code == 200
    assert "Din e-postadress är inte bekräftad än" in r.get_data(as_text=True)
    assert client.get("/farms/").status_code == 302

    (mail,) = outbox(app)
    assert mail["To"] == "ny.bonde@example.se"
    assert mail["Subject"] == "Bekräfta din e-postadress"
    assert "Hej Ny Bonde" in mail.get_content()
    path = link_in(mail)
    # a GET shows a button (a mail scanner's visit uses nothing up)
    page = client.get(path)
    assert page.status_code == 200
    assert "Bekräfta e-postadressen" in page.get_data(as_text=True)
    assert user_row(app, "ny.bonde@example.se").email_verified_at is None
    r = client.post(path)
    assert r.status_code == 302 and r.headers["Location"] == "/farms/"
    assert client.get("/farms/").status_code == 200  # verified and signed in
    assert user_row(app, "ny.bonde@example.se").email_verified_at is not None

    # single use: the same link again does nothing
    other = app.test_client()
    r = other.post(path)
    assert r.status_code == 400
    assert "Länken gäller inte" in r.get_data(as_text=True)
    assert other.get("/farms/").status_code == 302
    # and the account signs in with its password from now on
    client.post("/auth/signout")
    assert login(client, "ny.bonde@example.se", PASSWORD).status_code == 302


def test_an_expired_or_forged_link_verifies_nothing(app, client):
    from web.store.db import get_session
    from web.store.models import EmailToken

    signup(client)
    path = link_in(outbox(app)[0])
    with app.app_context():
        db = get_session()
        db.exec(update(EmailToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.commit()
    r = client.post(path)
    assert r.status_code == 400
    assert "Länken gäller inte" in r.get_data(as_text=True)
    forged = path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB")
    assert client.post(forged).status_code == 400
    for hostile in ("/auth/verify/" + "x" * 5000, "/auth/verify/%00abc", "/auth/verify/%C3%A5"):
        assert client.post(hostile).status_code in (400, 404), hostile
    assert user_row(app, "ny.bonde@example.se").email_verified_at is None
    assert client.get("/farms/").status_code == 302


def test_resend_sends_a_new_link_only_to_an_unverified_account_and_answers_the_same(
    app, client, seed
):
    from web.store.db import get_session
    from web.store.models import EmailToken

    signup(client)
    outbox(app).clear()
    # a link was just sent: asking again at once sends no second one (no mail floods)
    assert client.post("/auth/verify/resend", data={"email": "ny.bonde@example.se"}).status_code
    assert outbox(app) == []
    with app.app_context():
        db = get_session()
        db.exec(update(EmailToken).values(created_at=utcnow() - timedelta(minutes=5)))
        db.commit()
    answers = []
    for email in ("ny.bonde@example.se", "ingen.alls@example.se", seed.emails["owner"]):
        r = client.post("/auth/verify/resend", data={"email": email})
        assert r.status_code == 302
        answers.append(r.headers["Location"])
    assert len(set(answers)) == 1
    assert [m["To"] for m in outbox(app)] == ["ny.bonde@example.se"]
    r = client.post(link_in(outbox(app)[0]))
    assert r.status_code == 302
    assert user_row(app, "ny.bonde@example.se").email_verified_at is not None


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "VERIFY_RESEND_RATE_LIMIT": "2/hour"}]
)
def test_resend_is_rate_limited(client):
    assert client.get("/auth/verify/resend").status_code == 200
    for _ in range(2):
        r = client.post("/auth/verify/resend", data={"email": "x@example.se"})
        assert r.status_code == 302
    r = client.post("/auth/verify/resend", data={"email": "x@example.se"})
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0


def test_operator_and_demo_accounts_are_verified(app, runner, login):
    r = runner(
        "user", "create", "--email", "ops@example.se", "--name", "Ops", "--role", "admin",
        "--password", PASSWORD,
    )  # fmt: skip
    assert r.exit_code == 0, r.errors
    assert user_row(app, "ops@example.se").email_verified_at is not None
    from web.commands import DEMO_PASSWORD, DEMO_USERS, create_demo_data

    with app.app_context():
        create_demo_data(n_farms=12, years=(2023, 2024, 2025))
    for email, _name, _role in DEMO_USERS:
        assert user_row(app, email).email_verified_at is not None
        c = app.test_client()
        assert login(c, email, DEMO_PASSWORD).status_code == 302, email


# ------------------------------------------------------------ SMTP, for real


class Collect:
    """An aiosmtpd handler that keeps what it is sent."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"farmcalc" and auth_data.password == b"hemligt-smtp"
        return AuthResult(success=ok)

    handler = Collect()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def smtp_config(smtp_server) -> dict:
    controller, _ = smtp_server
    return {
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": controller.port,
        "SMTP_USER": "farmcalc",
        "SMTP_PASSWORD": "hemligt-smtp",
        "SMTP_STARTTLS": False,
        "MAIL_FROM": "Klimatkollen <noreply@example.se>",
    }


@pytest.fixture
def app_config(request) -> dict:
    if "smtp_server" in request.fixturenames:
        return request.getfixturevalue("smtp_config")
    return {}


def test_the_smtp_backend_delivers_the_link_through_a_real_smtp_server(app, smtp_server):
    import email
    from email import policy

    _, handler = smtp_server
    client = app.test_client()
    assert signup(client, email="smtp.bonde@example.se").status_code == 302
    (envelope,) = handler.envelopes
    assert envelope.mail_from == "noreply@example.se"
    assert envelope.rcpt_tos == ["smtp.bonde@example.se"]
    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "Bekräfta din e-postadress"
    assert "farmcalc_outbox" not in app.extensions or not app.extensions["farmcalc_outbox"]
    r = client.post(link_in(message))
    assert r.status_code == 302
    assert user_row(app, "smtp.bonde@example.se").email_verified_at is not None


def test_smtp_with_a_wrong_password_fails_loudly_not_silently(app, smtp_server):
    from web.services import mail

    app.config["SMTP_PASSWORD"] = "fel"
    with app.test_request_context(), pytest.raises(mail.MailError):
        mail.send(to="x@example.se", subject="Test", body="Hej")


# ---------------------------------------------------------------- the limit


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "SIGNUP_RATE_LIMIT": "5/hour"}]
)
def test_twelve_sign_ups_in_a_row_from_one_ip_the_later_ones_are_refused(app, client):
    codes = []
    for i in range(12):
        r = signup(client, email=f"bot{i}@example.se")
        codes.append(r.status_code)
        if r.status_code == 429:
            html = r.get_data(as_text=True)
            assert "För många försök" in html
            assert 0 < int(r.headers["Retry-After"]) <= 3600
    assert codes == [302] * 5 + [429] * 7
    from web.store.db import get_session

    with app.app_context():
        assert get_session().exec(select(func.count()).select_from(User)).one()[0] == 5
    assert client.get("/auth/signup").status_code == 200  # only POST counts
    # another IP is not held up
    other = app.test_client()
    data = {"name": "Granne", "email": "granne@example.se", "role": "farmer"}
    data |= {"password": PASSWORD, "password2": PASSWORD}
    r = other.post("/auth/signup", data=data, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert r.status_code == 302


# ----------------------------------------------------- known or unknown: same


def _comparable(r) -> tuple:
    body = CSRF_RE.sub("", r.get_data(as_text=True))
    headers = sorted((k, v) for k, v in r.headers.items() if k.lower() != "set-cookie")
    return r.status_code, headers, body


def test_signing_up_with_a_known_address_answers_exactly_as_with_a_new_one(app, seed):
    known, fresh = app.test_client(), app.test_client()
    r_known = signup(known, email=seed.emails["owner"].upper())
    r_new = signup(fresh, email="helt.ny@example.se")
    assert _comparable(r_known) == _comparable(r_new)
    assert _comparable(known.get(r_known.headers["Location"])) == _comparable(
        fresh.get(r_new.headers["Location"])
    )
    # the account holder is told, and nothing of the account changed
    by_to = {m["To"]: m for m in outbox(app)}
    warning = by_to[seed.emails["owner"]]
    assert warning["Subject"] == "Någon försökte skapa ett konto med din e-postadress"
    text = warning.get_content()
    assert "Du har redan ett konto" in text and "/auth/signin" in text
    assert "/auth/verify/" not in text
    assert user_row(app, seed.emails["owner"]).name == "owner"
    c = app.test_client()
    r = c.post("/auth/signin", data={"email": seed.emails["owner"], "password": PASSWORD})
    assert r.status_code == 200  # the sign-up's password is not the account's


def test_known_and_new_addresses_take_about_the_same_time(app, seed):
    """Both paths hash the password once (argon2 at its production cost here)."""
    app.config["ARGON2_PARAMS"] = {}
    app.extensions.pop("farmcalc_hasher", None)

    def timed(email: str) -> float:
        start = time.perf_counter()
        assert signup(app.test_client(), email=email).status_code == 302
        return time.perf_counter() - start

    timed("uppvarmning@example.se")
    known = sorted(timed(seed.emails["owner"]) for _ in range(3))[1]
    new = sorted(timed(f"ny{i}@example.se") for i in range(3))[1]
    assert 0.5 < known / new < 2.0, (known, new)


def test_signup_with_an_unverified_known_address_sends_a_fresh_link(app):
    from web.store.db import get_session
    from web.store.models import EmailToken

    signup(app.test_client())
    signup(app.test_client(), password="Vetefält-skördar-83-råg")  # at once: no second mail
    assert len(outbox(app)) == 1
    with app.app_context():
        db = get_session()
        db.exec(update(EmailToken).values(created_at=utcnow() - timedelta(minutes=5)))
        db.commit()
    signup(app.test_client(), password="Vetefält-skördar-83-råg")
    mails = [m for m in outbox(app) if m["To"] == "ny.bonde@example.se"]
    assert len(mails) == 2
    assert all(m["Subject"] == "Bekräfta din e-postadress" for m in mails)


def test_signin_says_the_same_for_a_wrong_password_and_an_unknown_user(client, seed, login):
    bodies = []
    for email, pw in ((seed.emails["owner"], "fel-losenord-123"), ("okand@example.se", PASSWORD)):
        r = login(client, email, pw)
        assert r.status_code == 200
        html = CSRF_RE.sub("", r.get_data(as_text=True))
        bodies.append(html.replace(email, "EMAIL"))
    assert bodies[0] == bodies[1]
    assert "Fel e-postadress eller lösenord." in bodies[0]


# ------------------------------------------------------------------- caps


def _farm_count(app, user_id: int) -> int:
    from web.store.db import get_session

    with app.app_context():
        stmt = select(func.count()).select_from(Farm).where(Farm.owner_id == user_id)
        return get_session().exec(stmt).one()[0]


def _new_farm(client, code: str):
    return client.post(
        "/farms/new", data={"farm_code": code, "name": code, "municipality_code": "1290"}
    )


def _token(client) -> dict:
    html = client.post("/account/tokens", data={"name": "app"}).get_data(as_text=True)
    token = re.search(r'id="new-token"[^>]*value="(fc_[^"]+)"', html).group(1)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("app_config", [{"MAX_FARMS_FARMER": 2}])
def test_farm_cap_on_the_form_and_the_api(app, client, seed, login):
    login(client, seed.emails["owner"])  # owns one farm already
    assert _new_farm(client, "F-2").status_code == 302
    r = _new_farm(client, "F-3")
    assert r.status_code == 200
    assert "Du har redan 2 gårdar" in r.get_data(as_text=True)
    auth = _token(client)
    r = client.post(
        "/api/v1/farms",
        json={"farm_code": "F-4", "municipality_code": "1290"},
        headers=auth,
    )
    assert r.status_code == 403
    assert "Du har redan 2 gårdar" in r.get_json()["message"]
    assert _farm_count(app, seed.users["owner"]) == 2


@pytest.mark.parametrize("app_config", [{"MAX_FARMS_FARMER": 1, "MAX_FARMS": 3}])
def test_the_farm_cap_is_per_role(app, client, seed, login):
    login(client, seed.emails["advisor_without"])
    for code in ("A-1", "A-2", "A-3"):
        assert _new_farm(client, code).status_code == 302
    assert _new_farm(client, "A-4").status_code == 200
    assert _farm_count(app, seed.users["advisor_without"]) == 3


@pytest.mark.parametrize("app_config", [{"MAX_FARM_YEARS": 2}])
def test_farm_year_cap_on_the_form_and_the_api(app, client, seed, login, example_record):
    login(client, seed.emails["owner"])
    fid = seed.farms["own"]
    this_year = utcnow().year
    for y in (this_year - 1, this_year - 2):
        r = client.post(f"/farms/{fid}/years/new", data={"year": y, "copy_from": ""})
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
    r = client.post(f"/farms/{fid}/years/new", data={"year": this_year - 3, "copy_from": ""})
    assert r.status_code == 403
    assert "Gården har redan 2 år" in r.get_data(as_text=True)
    # a step page of a year not yet started does not start it past the cap either
    r = client.post(f"/farms/{fid}/years/{this_year - 4}/farm", data={"action": "next"})
    assert r.status_code == 403 and "Gården har redan 2 år" in r.get_data(as_text=True)
    auth = _token(client)
    body = {**example_record, "farm_id": "F-own", "year": 2015}
    r = client.put(f"/api/v1/farms/{fid}/years/2015", json=body, headers=auth)
    assert r.status_code == 403
    assert "Gården har redan 2 år" in r.get_json()["message"]
    # an existing year can still be changed
    body = {**example_record, "farm_id": "F-own", "year": this_year - 1}
    r = client.put(f"/api/v1/farms/{fid}/years/{this_year - 1}", json=body, headers=auth)
    assert r.status_code == 200
    from web.store.db import get_session

    with app.app_context():
        stmt = select(func.count()).select_from(FarmYear).where(FarmYear.farm_id == fid)
        assert get_session().exec(stmt).one()[0] == 2


def _workbook(records=None, *, example=False) -> bytes:
    buf = io.BytesIO()
    write_template(buf, example=example, records=records)
    return buf.getvalue()


def _upload(client, data: bytes):
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(data), filename="g.xlsx", content_type=xlsx)}
    )
    return client.post(
        "/import/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


@pytest.mark.parametrize("app_config", [{"IMPORT_SYNC": True, "MAX_FARMS": 5}])
def test_farm_cap_on_the_excel_import(app, client, seed, login):
    login(client, seed.emails["advisor_without"])
    r = _upload(client, _workbook(example=True))  # eight new farms
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "du har redan 0 gårdar och arbetsboken skulle lägga till 8" in page
    assert "Gårdar" in page and "EX-000006" in page
    assert _farm_count(app, seed.users["advisor_without"]) == 0


@pytest.mark.parametrize("app_config", [{"IMPORT_SYNC": True, "MAX_FARM_YEARS": 1}])
def test_farm_year_cap_on_the_excel_import(app, client, seed, login):
    from farmcalc.excel import example_records

    login(client, seed.emails["advisor_without"])
    first = example_records()[0]
    records = [first, {**first, "year": 2024}]
    r = _upload(client, _workbook(records=records))
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "skulle få 2 år" in page and "högst 1" in page
    assert _farm_count(app, seed.users["advisor_without"]) == 0


def test_daily_upload_bytes_cap(app, client, seed, login):
    data = _workbook(example=True)
    app.config["IMPORT_SYNC"] = True
    app.config["MAX_UPLOAD_BYTES_PER_DAY"] = int(len(data) * 1.5)
    login(client, seed.emails["advisor_without"])
    r = _upload(client, data)
    assert r.headers["Location"].startswith("/import/jobs/")
    r = _upload(client, data)
    assert r.status_code == 302 and r.headers["Location"] == "/import/"
    page = client.get("/import/").get_data(as_text=True)
    assert "Du har laddat upp" in page and "senaste dygnet" in page
    from web.store.db import get_session
    from web.store.models import ImportJob

    with app.app_context():
        assert get_session().exec(select(func.count()).select_from(ImportJob)).one()[0] == 1


def test_the_migration_marks_existing_users_verified(db_url):
    """Accounts made before e-mail verification existed keep signing in."""
    from alembic import command
    from sqlalchemy import text

    from web.store.db import alembic_config, make_engine

    cfg = alembic_config(db_url)
    command.upgrade(cfg, "0008")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (email, name, role, password_hash, created_at) "
                    "VALUES ('gammal@example.se', 'Gammal', 'farmer', 'x', :t)"
                ),
                {"t": utcnow()},
            )
        command.upgrade(cfg, "0009")
        with engine.connect() as conn:
            verified = conn.execute(
                text("SELECT email_verified_at FROM users WHERE email = 'gammal@example.se'")
            ).scalar()
        assert verified is not None
    finally:
        engine.dispose()


def test_threads_signing_up_the_same_address_make_one_account(app):
    """Two sign-ups of one new address at once: one account, the same answer to both."""
    results = []

    def go():
        results.append(signup(app.test_client(), email="samtidig@example.se").status_code)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [302, 302]
    from web.store.db import get_session

    with app.app_context():
        stmt = select(func.count()).select_from(User).where(User.email == "samtidig@example.se")
        assert get_session().exec(stmt).one()[0] == 1


def test_the_console_backend_prints_the_mail_as_a_person_reads_it(app, capsys):
    """Development: the link and the Swedish subject are readable in the terminal (the
    raw MIME text was quoted-printable: "Bekr=C3=A4fta", links broken at '=')."""
    from web.services.mail import send

    app.testing = False  # the development server prints; tests keep an outbox instead
    link = "http://127.0.0.1:5000/auth/verify/" + "a" * 60
    with app.app_context():
        send(to="karin@example.se", subject="Bekräfta din e-postadress", body=f"Öppna {link}")
    printed = capsys.readouterr().err
    assert "Subject: Bekräfta din e-postadress" in printed
    assert f"Öppna {link}" in printed and "=C3" not in printed
