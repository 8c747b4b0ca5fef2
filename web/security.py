"""Security headers on every response (pages, errors and static files alike).

With ``FARMCALC_TLS=1`` (config ``TLS``) a response to a secure request also carries
``Strict-Transport-Security`` (HSTS, ``HSTS_MAX_AGE`` seconds, sub-domains included):
browsers then use HTTPS only. A request is secure when it came over TLS, or, behind
nginx with ``FARMCALC_PROXY_FIX=1``, when the proxy says ``X-Forwarded-Proto: https``.
Plain HTTP never gets the header (RFC 6797 §7.2).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def set_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    # pages may hold a farm's private figures: no copies in shared caches
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure and current_app.config.get("TLS"):
        response.headers.setdefault(
            "Strict-Transport-Security",
            f"max-age={current_app.config['HSTS_MAX_AGE']}; includeSubDomains",
        )
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_headers)
