"""farmcalc's web app: a Flask application factory (``create_app``) à la flaskr.

Blueprints, one per concern: ``main`` (start page, language), ``auth``
(accounts), ``farms`` (the user's farms and advisor access), ``farmyear``
(the farm form, step by step), ``account`` (the account page, password
change, API tokens), ``imports`` (Excel template, upload, results workbook), ``api``
(the JSON API under /api/v1), ``municipality`` (the municipality's protected
aggregates), ``privacy`` (download everything, delete a farm or the account,
the change log), ``twofactor`` (two-step sign-in), ``exports`` (the results
workbook as a background job). Cross-cutting
parts: ``db`` (engine, request session), ``models`` (SQLModel),
``access`` (which farms a user may see), ``crud`` (persistence),
``errors`` (error pages), ``security`` (headers, HSTS), ``hostile`` (control
characters, bounded ids), ``jobs`` (the durable job queue), ``i18n`` (language,
numbers). See docs/web.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported when an app is made: `farmcalc calc` stays light
    from flask import Flask


def create_app(
    test_config: Mapping[str, Any] | None = None, *, instance_path: str | Path | None = None
) -> Flask:
    """Build the app.

    Parameters
    ----------
    test_config : mapping, optional
        Settings that override those from the environment (web/config.py).
    instance_path : path, optional
        Folder for the default SQLite file and the secret key
        (default: ``FARMCALC_INSTANCE_PATH`` or ``instance/``).
    """
    from flask import Flask

    from farmcalc.i18n import compile_catalogs, translations_dir
    from web import config, hostile, security
    from web import language as i18n
    from web.extensions import babel, csrf, limiter, login_manager
    from web.services import jobs
    from web.store import db
    from web.views import (
        account,
        auth,
        confirmations,
        home,
        imports,
        municipality,
        privacy,
        twofactor,
    )
    from web.views import action_plan_pages as action_plan
    from web.views import api_v1 as api
    from web.views import downloads as exports
    from web.views import error_pages as errors
    from web.views import factor_pages as factors
    from web.views import farm_pages as farms
    from web.views import plan_pages as investment_plan
    from web.views import result_pages as results
    from web.views import year_form as farmyear

    folder = Path(instance_path).resolve() if instance_path else config.instance_path()
    app = Flask(__name__, instance_path=str(folder), instance_relative_config=True)
    hostile.register_converter(app)  # <int:…> is 0…2**31-1, before any route is added
    app.config.from_mapping(config.from_env(folder))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations_dir())
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(folder)

    compile_catalogs()  # Flask-Babel reads .mo files only
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    hostile.init_app(app)  # refuse control characters, print stored ones safely
    security.init_app(app)

    app.register_blueprint(home.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(farms.bp)
    app.register_blueprint(farmyear.bp)
    app.register_blueprint(results.bp)
    app.register_blueprint(action_plan.bp)
    app.register_blueprint(factors.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(privacy.bp)  # a farmer's data: download, delete, change log
    app.register_blueprint(twofactor.bp)  # two-factor sign-in (web/views/twofactor.py)
    app.register_blueprint(municipality.bp)
    app.register_blueprint(investment_plan.bp)
    app.register_blueprint(confirmations.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(exports.bp)
    jobs.init_app(app)  # durable import/export jobs (web/services/jobs.py)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # bearer tokens, never cookies: nothing to forge (web/views/api_v1.py)

    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    return app
