"""The Flask extensions, created once and bound to each app in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = (
    CSRFProtect()
)  # every POST/PUT/PATCH/DELETE needs the token; exempt a JSON API with csrf.exempt(bp)
limiter = Limiter(key_func=get_remote_address)  # storage and switches from RATELIMIT_* config
login_manager = LoginManager()
