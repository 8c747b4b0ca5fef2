"""WTForms forms (Flask-WTF ``FlaskForm``: each carries its CSRF token).

Labels and messages are English msgids through ``lazy_gettext`` so that they
are translated when shown, in the reader's language.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import LazyString, gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.fields import Field
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import TextArea

from web.hostile import problem
from web.services.municipalities import choices_by_name, municipality_name
from web.store.models import Role

EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
REQUIRED = lazy_gettext("Please fill in this field.")
PASSWORD_MIN, PASSWORD_MAX = 10, 200  # characters of a new password


class Form(FlaskForm):
    """The base of every form: a text with a control character or a lone surrogate is
    refused at its field (web/hostile.py), before any other check can reach the database.

    One-line fields refuse tab, newline and carriage return too; a ``TextAreaField``
    may hold them.
    """

    def validate(self, extra_validators: dict | None = None) -> bool:
        extra = {name: list(v) for name, v in (extra_validators or {}).items()}
        for name in self._fields:
            extra.setdefault(name, []).insert(0, no_hostile_text)
        return super().validate(extra)


def no_hostile_text(_form: FlaskForm, field: Field) -> None:
    """Stop a field's validation when its text holds a character that is not allowed."""
    multiline = isinstance(field.widget, TextArea)
    texts = [field.data] if isinstance(field.data, str) else list(field.raw_data or [])
    for text in texts:
        message = problem(text, multiline=multiline)
        if message:
            raise StopValidation(message)


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def email_field(label=None) -> EmailField:
    return EmailField(
        label or lazy_gettext("E-mail address"),
        filters=[strip],
        validators=[
            DataRequired(REQUIRED),
            Length(max=254, message=lazy_gettext("At most %(max)d characters.")),
            Regexp(
                EMAIL_RE, message=lazy_gettext("Write an e-mail address such as namn@example.se.")
            ),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"},
    )


def not_guessable(form: FlaskForm, field: PasswordField) -> None:
    """The password rule (``web.services.passwords.password_problems``): the form's e-mail and name
    (sign-up), else the signed-in user's (password change), are what an attacker knows."""
    from flask_login import current_user

    from web.services.passwords import guessable_inputs, password_problems

    email, name = getattr(form, "email", None), getattr(form, "name", None)
    if email is not None or name is not None:
        known = guessable_inputs(email and email.data, name and name.data)
    elif current_user and current_user.is_authenticated:
        known = guessable_inputs(current_user.email, current_user.name)
    else:
        known = guessable_inputs()
    problems = password_problems(field.data or "", known)
    if problems:
        raise ValidationError(" ".join(problems))


def new_password_field(label: str | LazyString) -> PasswordField:
    """A new password: the one rule of sign-up and of changing the password."""
    return PasswordField(
        label,
        validators=[
            DataRequired(REQUIRED),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=lazy_gettext("Between %(min)d and %(max)d characters."),
            ),
            not_guessable,
        ],
        render_kw={"autocomplete": "new-password"},
    )


def repeat_password_field(label: str | LazyString, other: str) -> PasswordField:
    """The new password typed again; must equal the field named ``other``."""
    return PasswordField(
        label,
        validators=[
            DataRequired(REQUIRED),
            EqualTo(other, message=lazy_gettext("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class SignUpForm(Form):
    name = StringField(
        lazy_gettext("Your name"),
        filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = email_field()
    role = RadioField(
        lazy_gettext("I am"),
        choices=[
            SelectChoice(Role.farmer.value, lazy_gettext("a farmer")),
            SelectChoice(Role.advisor.value, lazy_gettext("an agricultural advisor")),
        ],
        default=Role.farmer.value,
        validators=[DataRequired(lazy_gettext("Choose one."))],
    )
    password = new_password_field(lazy_gettext("Password (at least 10 characters)"))
    password2 = repeat_password_field(lazy_gettext("Password again"), "password")


class SignInForm(Form):
    email = email_field()
    password = PasswordField(
        lazy_gettext("Password"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(Form):
    """Change one's own password on the account page (web/views/account.py)."""

    current_password = PasswordField(
        lazy_gettext("Current password"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field(lazy_gettext("New password (at least 10 characters)"))
    new_password2 = repeat_password_field(lazy_gettext("New password again"), "new_password")


MUNICIPALITY_REQUIRED = lazy_gettext("Choose the farm's municipality in the list.")


def _swedish_municipality(form: FlaskForm, field: Field) -> None:
    """Refuse a code that is none of Sweden's 290 municipalities (``web/data``).

    A plain ValidationError: the base form's check of the text (a control character)
    still runs after it and says so.
    """
    if field.data and municipality_name(field.data) is None:
        raise ValidationError(
            gettext(
                "Choose the farm's municipality in the list: “%(code)s” is none of the "
                "four-digit codes of Sweden's 290 municipalities.",
                code=field.data,
            )
        )


class FarmForm(Form):
    farm_code = StringField(
        lazy_gettext("Farm identifier"),
        filters=[strip],
        description=lazy_gettext(
            "Your own short name or number for the farm, such as SE-123456 or Norrgården. "
            "It must differ between your farms."
        ),
        validators=[
            DataRequired(REQUIRED),
            Length(max=64, message=lazy_gettext("At most %(max)d characters.")),
        ],
    )
    name = StringField(
        lazy_gettext("Farm name"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=200, message=lazy_gettext("At most %(max)d characters.")),
        ],
    )
    municipality_code = SelectField(
        lazy_gettext("Municipality"),
        description=lazy_gettext("The municipality the farm lies in. Its code is stored."),
        choices=lambda: [("", lazy_gettext("Choose municipality")), *choices_by_name()],
        default=lambda: str(current_app.config.get("MUNICIPALITY_CODE") or ""),  # shown, kept
        validate_choice=False,  # the validator below says why, in the reader's language
        validators=[DataRequired(MUNICIPALITY_REQUIRED), _swedish_municipality],
    )


class GrantAccessForm(Form):
    email = email_field(lazy_gettext("The advisor's e-mail address"))


class HandoverForm(Form):
    email = email_field(lazy_gettext("The farmer's e-mail address"))


class ConfirmForm(Form):
    """A form with only the CSRF token, for buttons such as 'Revoke'."""


class LanguageForm(Form):
    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class ApiTokenForm(Form):
    """Name a new personal API token (web/views/account.py)."""

    name = StringField(
        lazy_gettext("Name of the token"),
        filters=[strip],
        description=lazy_gettext(
            "What the token is for, such as the name of the program that will use it."
        ),
        validators=[
            DataRequired(REQUIRED),
            Length(max=100, message=lazy_gettext("At most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    days = IntegerField(
        lazy_gettext("Valid for (days)"),
        description=lazy_gettext(
            "After this many days the token stops working; make a new one then."
        ),
        default=lambda: current_app.config["API_TOKEN_DAYS"],
        validators=[Optional()],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )

    def validate_days(self, field: IntegerField) -> None:
        most = current_app.config["API_TOKEN_MAX_DAYS"]
        if field.data is not None and not 1 <= field.data <= most:
            raise ValidationError(lazy_gettext("Between 1 and %(max)d days.", max=most))


class TwoFactorCodeForm(Form):
    """The six-digit code of the authenticator app, or a recovery code (web/views/twofactor.py)."""

    code = StringField(
        lazy_gettext("Code"),
        filters=[lambda v: "".join(v.split()) if isinstance(v, str) else v],
        validators=[
            DataRequired(REQUIRED),
            Length(max=32, message=lazy_gettext("At most %(max)d characters.")),
        ],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "spellcheck": "false",
        },
    )
