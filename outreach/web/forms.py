"""The forms and choices both people's surfaces use: login, language, a bare CSRF form.

The staff app and the landlords' portal log in, switch language and post
plain buttons the same way; they share these instead of one importing the
other (the four HTTP surfaces are independent, ``.importlinter``).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    PasswordField,
    StringField,
)
from wtforms.validators import DataRequired

try:  # WTForms >= 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice as _SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    _SelectChoice = None


def options(pairs: Any) -> list[Any]:
    """(value, label) pairs as the installed WTForms wants them."""
    if _SelectChoice is None:
        return [(str(v), label) for v, label in pairs]
    return [_SelectChoice(str(v), label) for v, label in pairs]


# Languages offered on the intake form: the letters' languages (DOMAIN.md "Languages").
LANGUAGE_CHOICES = [
    ("nb", "norsk bokmål"),
    ("nn", "norsk nynorsk"),
    ("en", "engelsk / English"),
    ("pl", "polsk / polski"),
    ("uk", "ukrainsk / українська"),
    ("lt", "litauisk / lietuvių"),
    ("so", "somali / Soomaali"),
    ("ar", "arabisk / العربية"),
    ("ur", "urdu / اردو"),
    ("ti", "tigrinja / ትግርኛ"),
    ("ru", "russisk / русский"),
    ("fa", "persisk / فارسی"),
    ("prs", "dari / دری"),
    ("ps", "pashto / پښتو"),
    ("ckb", "sorani / کوردی"),
    ("tr", "tyrkisk / Türkçe"),
    ("ta", "tamil / தமிழ்"),
    ("vi", "vietnamesisk / Tiếng Việt"),
    ("am", "amharisk / አማርኛ"),
]


def language_choices() -> list[Any]:
    """The intake languages named in the UI language, each beside its own name.

    "Somali / Soomaali" in the English UI, "somali / Soomaali" in bokmål (review, point 10).
    """
    from outreach.web.i18n import language_name, ui_language

    ui = ui_language()
    pairs = []
    for code, text in LANGUAGE_CHOICES:
        native = text.split(" / ", 1)[1] if " / " in text else ""
        name = language_name(code, ui)
        if native and native.lower() != name.lower():
            name = f"{name} / {native}"
        pairs.append((code, name))
    return options(pairs)


def blank_required(form: Any) -> None:
    """An empty required field says "Må fylles ut", not the format rule (review, point 10).

    The schema checks "" against its pattern ("Must be four digits."), which is
    true but reads oddly for a field left empty.
    """
    for name in getattr(form, "REQUIRED", ()):
        f = getattr(form, name)
        if f.errors and not (f.data or "").strip():
            f.errors = [str(_l("Må fylles ut."))]


class LoginForm(FlaskForm):
    # autocomplete lets password managers fill the right fields (WCAG 2.1 SC 1.3.5).
    username = StringField(
        _l("Brukernavn"),
        validators=[DataRequired(_l("Skriv brukernavnet."))],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Passord"),
        validators=[DataRequired(_l("Skriv passordet."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class PlainForm(FlaskForm):
    """A form with nothing but the CSRF token: logout, resume, mark done."""


class LanguageForm(FlaskForm):
    lang = HiddenField()
    next = HiddenField()
