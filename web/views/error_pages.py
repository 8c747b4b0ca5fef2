"""Friendly error pages in the reader's language that tell nothing of the inside.

Under ``/api/`` the same errors answer as JSON ``{"error": code, "message": …}``.
A CSRF failure is a 400 with its own explanation.
"""

from __future__ import annotations

import time

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from web.hostile import HostileInput
from web.store.db import rollback_session

MESSAGES = {
    400: (
        lazy_gettext("The request could not be understood"),
        lazy_gettext("Something in what was sent was not right. Go back and try again."),
    ),
    403: (
        lazy_gettext("Not allowed"),
        lazy_gettext(
            "Your account may not do this. Sign in with another account if you have one."
        ),
    ),
    404: (
        lazy_gettext("Page not found"),
        lazy_gettext(
            "There is no page here, or you may not see it. Check the address or start over."
        ),
    ),
    405: (
        lazy_gettext("Not allowed"),
        lazy_gettext("This page cannot be used that way. Go back and try again."),
    ),
    413: (
        lazy_gettext("Too much data"),
        lazy_gettext("What you sent is larger than the service accepts. Send a smaller file."),
    ),
    429: (
        lazy_gettext("Too many attempts"),
        lazy_gettext(
            "You have tried too many times in a short while. Wait a minute and try again."
        ),
    ),
    500: (
        lazy_gettext("Something went wrong"),
        lazy_gettext(
            "An error happened on our side and has been logged. Nothing you did caused it. "
            "Try again in a little while."
        ),
    ),
}
CSRF_MESSAGE = lazy_gettext(
    "The form had expired or was sent from another page. Go back, reload the page and try again."
)


def error_response(code: int, message: str | None = None, **extra: str):
    """The error page (or JSON under /api/) for status ``code``.

    The request's database session is rolled back first: after a failed
    statement (PostgreSQL then refuses every other one in the transaction) the
    page can still ask who is signed in. ``extra`` goes into the JSON answer.
    """
    rollback_session()
    title, text = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    text = message or text
    if request.path.startswith("/api/"):
        return jsonify(error=code, message=str(text), **extra), code
    return render_template("errors/error.html", code=code, title=title, text=text), code


def retry_after() -> int | None:
    """Seconds until the rate limit this request broke lets it through again (Flask-Limiter)."""
    from web.extensions import limiter

    try:
        current = limiter.current_limit
    except Exception:
        return None
    if current is None:
        return None
    return max(1, int(current.reset_at - time.time()))


def handle_http_exception(exc: HTTPException):
    code = exc.code or 500
    if isinstance(exc, CSRFError):
        return error_response(400, str(CSRF_MESSAGE))
    if isinstance(exc, HostileInput):  # a refused character: the message names the field
        return error_response(400, exc.message, path=exc.path)
    if code in (400, 404) and exc.description != type(exc).description:
        body, status = error_response(code, str(exc.description))  # a view's own explanation
    else:
        body, status = error_response(code)
    if code == 429 and (seconds := retry_after()) is not None:
        body = make_response(body)
        body.headers["Retry-After"] = str(seconds)
    allowed = getattr(exc, "valid_methods", None)
    if code == 405 and allowed:
        body = make_response(body)
        body.headers["Allow"] = ", ".join(allowed)
    return body, status


def handle_internal_error(_exc: InternalServerError):
    return error_response(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    # unhandled exceptions arrive here as InternalServerError (Flask logs them first)
    app.register_error_handler(InternalServerError, handle_internal_error)
