"""E-mail verification of new accounts: single-use, expiring links, and the sign-up's mails.

A link carries a random token (``secrets.token_urlsafe``, 256 bits); only its
SHA-256 is stored (``EmailToken``), with an expiry (``EMAIL_TOKEN_HOURS``).
Using it is one ``UPDATE … WHERE used_at IS NULL AND expires_at > now``, so
two clicks at the same moment verify once. The views are in web/views/auth.py.

Sign-up answers the same whether or not the address has an account
(web/views/auth.py); what differs is only the mail sent to the address:
:func:`send_verification` for a new (or still unverified) account,
:func:`send_signup_notice` for an address with a verified account.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta

from flask import current_app, request, url_for
from flask_babel import gettext
from sqlalchemy import update
from sqlmodel import Session, col, select

from web.services import mail
from web.store.models import EmailToken, User, utcnow

log = logging.getLogger(__name__)

VERIFY = "verify"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
"""What a token in a link looks like; anything else is refused before the database."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    return bool(TOKEN_RE.match(token))


def issue_token(*, session: Session, user: User, purpose: str = VERIFY) -> str:
    """A new link token for ``user``; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    hours = float(current_app.config["EMAIL_TOKEN_HOURS"])
    session.add(
        EmailToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash(token),
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    session.commit()
    return token


def token_usable(*, session: Session, token: str, purpose: str = VERIFY) -> bool:
    """Whether the link would work now (used neither up nor expired)."""
    if not well_formed(token):
        return False
    row = session.exec(
        select(EmailToken.id).where(
            EmailToken.token_hash == _hash(token),
            EmailToken.purpose == purpose,
            col(EmailToken.used_at).is_(None),
            col(EmailToken.expires_at) > utcnow(),
        )
    ).first()
    return row is not None


def verify_email(*, session: Session, token: str) -> User | None:
    """Use a verification link: the user, now verified, or None (nothing changed).

    The token is spent in the same statement that checks it; the user's other
    verification links are spent too.
    """
    if not well_formed(token):
        return None
    now = utcnow()
    spent = session.execute(
        update(EmailToken)
        .where(
            col(EmailToken.token_hash) == _hash(token),
            col(EmailToken.purpose) == VERIFY,
            col(EmailToken.used_at).is_(None),
            col(EmailToken.expires_at) > now,
        )
        .values(used_at=now)
        .returning(EmailToken.user_id)
    ).first()
    if spent is None:
        session.rollback()
        return None
    user = session.get(User, spent[0])
    if user is None:  # pragma: no cover - the token's row goes with its user (CASCADE)
        session.rollback()
        return None
    if user.email_verified_at is None:
        user.email_verified_at = now
        session.add(user)
    session.execute(
        update(EmailToken)
        .where(
            col(EmailToken.user_id) == user.id,
            col(EmailToken.purpose) == VERIFY,
            col(EmailToken.used_at).is_(None),
        )
        .values(used_at=now)
    )
    session.commit()
    session.refresh(user)
    return user


def external_url(endpoint: str, **values: str) -> str:
    """An absolute link to this site for a mail: ``BASE_URL`` if set, else the request's."""
    path = url_for(endpoint, **values)
    base = current_app.config.get("BASE_URL") or request.host_url.rstrip("/")
    return base + path


def _send(*, to: str, subject: str, body: str) -> None:
    """Send, or log why not: the page the person sees is the same either way."""
    try:
        mail.send(to=to, subject=subject, body=body)
    except mail.MailError:
        log.exception("e-mail to %s not sent", to)


def send_verification(*, session: Session, user: User) -> None:
    """Mail ``user`` a new link that verifies the address (and signs in)."""
    token = issue_token(session=session, user=user)
    hours = round(float(current_app.config["EMAIL_TOKEN_HOURS"]))
    body = "\n\n".join(
        (
            gettext("Hello %(name)s,", name=user.name),
            gettext("Open this link to confirm your e-mail address and start using your account:"),
            external_url("auth.verify", token=token),
            gettext(
                "The link works once, for %(hours)d hours. If it has expired, ask for a new "
                "one here: %(url)s",
                hours=hours,
                url=external_url("auth.resend"),
            ),
            gettext(
                "If you did not create an account, you need not do anything: without the "
                "link the account cannot be used."
            ),
        )
    )
    _send(to=user.email, subject=gettext("Confirm your e-mail address"), body=body + "\n")


def send_signup_notice(*, user: User) -> None:
    """Tell the holder of an account that someone tried to sign up with their address."""
    body = "\n\n".join(
        (
            gettext("Hello %(name)s,", name=user.name),
            gettext(
                "Someone, perhaps you, tried to create an account with this e-mail address. "
                "You already have an account, so no new one was made and nothing was changed."
            ),
            gettext("Sign in here: %(url)s", url=external_url("auth.signin")),
            gettext(
                "If you have forgotten your password, ask the service's administrator to "
                "set a new one. If it was not you, you need not do anything."
            ),
        )
    )
    subject = gettext("Someone tried to create an account with your e-mail address")
    _send(to=user.email, subject=subject, body=body + "\n")


def recently_sent(*, session: Session, user: User, seconds: int = 60) -> bool:
    """Whether a verification link went to ``user`` in the last ``seconds`` (no mail floods)."""
    since = utcnow() - timedelta(seconds=seconds)
    row = session.exec(
        select(EmailToken.id).where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == VERIFY,
            col(EmailToken.created_at) > since,
        )
    ).first()
    return row is not None
