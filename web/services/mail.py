"""Sending e-mail: an SMTP backend for production and a console backend for development.

The backend is the app's ``MAIL_BACKEND`` (web/config.py):

- ``smtp``: ``smtplib`` to ``SMTP_HOST``:``SMTP_PORT``, ``STARTTLS`` when
  ``SMTP_STARTTLS`` is on (port 465 speaks TLS from the start), a login when
  ``SMTP_USER`` is set; the sender is ``MAIL_FROM``. A failure raises
  :class:`MailError` (logged by the caller), never passes silently.
- ``console``: the message is logged (and printed in the development server's
  terminal), so that a developer can open the link. With ``TESTING`` the
  messages are also kept in ``app.extensions["farmcalc_outbox"]``, so tests
  follow the real link.

Messages are plain text (``email.message.EmailMessage``), in the reader's
language: the callers build them with ``gettext``.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app

log = logging.getLogger(__name__)

OUTBOX = "farmcalc_outbox"


class MailError(Exception):
    """The message could not be handed to the SMTP server."""


def build(*, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from ``MAIL_FROM`` to ``to``."""
    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies
    message.set_content(body)
    return message


def send(*, to: str, subject: str, body: str) -> EmailMessage:
    """Send one message by the configured backend; returns it."""
    message = build(to=to, subject=subject, body=body)
    backend = current_app.config.get("MAIL_BACKEND", "console")
    if backend == "smtp":
        _send_smtp(message)
    elif backend == "console":
        _send_console(message)
    else:
        raise MailError(f"unknown MAIL_BACKEND {backend!r} (smtp or console)")
    return message


def _send_console(message: EmailMessage) -> None:
    # decoded, as a person reads it (as_string() would be quoted-printable: "Bekr=C3=A4fta")
    text = (
        f"From: {message['From']}\nTo: {message['To']}\nSubject: {message['Subject']}\n\n"
        f"{message.get_content()}"
    )
    log.info("e-mail (console backend, not sent):\n%s", text)
    if current_app.testing:
        current_app.extensions.setdefault(OUTBOX, []).append(message)
    else:
        print(f"--- e-mail (console backend, not sent) ---\n{text}", file=sys.stderr)


def _send_smtp(message: EmailMessage) -> None:
    cfg = current_app.config
    host, port = cfg["SMTP_HOST"], int(cfg["SMTP_PORT"])
    if not host:
        raise MailError("MAIL_BACKEND is smtp but SMTP_HOST is not set")
    timeout = cfg.get("SMTP_TIMEOUT", 20)
    context = ssl.create_default_context()
    try:
        if port == 465:
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            client.ehlo()
            if cfg.get("SMTP_STARTTLS") and port != 465:
                client.starttls(context=context)
                client.ehlo()
            if cfg.get("SMTP_USER"):
                client.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD", ""))
            sender = parseaddr(cfg["MAIL_FROM"])[1] or str(Address(addr_spec=cfg["MAIL_FROM"]))
            client.send_message(message, from_addr=sender, to_addrs=[message["To"]])
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP {host}:{port}: {exc}") from exc
