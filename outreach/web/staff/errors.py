"""Error pages in the staff's language for everything under ``/staff`` and ``/utleier``.

Blueprint error handlers only see errors raised inside a blueprint's views;
an unknown URL, a wrong method, a body over ``MAX_CONTENT_LENGTH`` or a crash
would otherwise get Flask's English default page. These app-level handlers
answer with the same page as the rest of the surface (bokmål, English through
the staff catalog). Other paths (the JSON API, webhooks, the booking page)
keep their own handling.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("outreach.staff.errors")


def _surface() -> str | None:
    path = request.path
    for prefix, name in (("/staff", "staff"), ("/utleier", "landlord")):
        if path == prefix or path.startswith(prefix + "/"):
            return name
    return None


def _page(surface: str, title: str, message: str, status: int) -> Any:
    template = "landlord/error.html" if surface == "landlord" else "staff/error.html"
    try:
        return render_template(template, title=title, message=message), status
    except Exception:  # the page itself failed (a broken database): plain words
        log.exception("error page could not be rendered")
        return f"{title}\n\n{message}\n", status, {"Content-Type": "text/plain; charset=utf-8"}


def _not_found(exc: HTTPException) -> Any:
    surface = _surface()
    if surface is None:
        return exc
    message = (
        _("Siden finnes ikke, eller du har ikke tilgang til den.")
        if surface == "staff"
        else _("Siden finnes ikke.")
    )
    return _page(surface, _("Fant ikke siden"), message, 404)


def _method_not_allowed(exc: HTTPException) -> Any:
    surface = _surface()
    if surface is None:
        return exc
    response = current_app.make_response(
        _page(
            surface,
            _("Siden kan ikke brukes slik"),
            _(
                "Siden tar ikke imot denne typen forespørsel. "
                "Gå tilbake og bruk lenkene eller skjemaet."
            ),
            405,
        )
    )
    allow = dict(exc.get_headers()).get("Allow")
    if allow:
        response.headers["Allow"] = allow  # RFC 9110 § 15.5.6
    return response


def _too_large(exc: HTTPException) -> Any:
    surface = _surface()
    if surface is None:
        return exc
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return _page(
        surface,
        _("Filen er for stor"),
        _(
            "Det du prøvde å sende er større enn %(mb)d MB. Skann dokumentet med lavere "
            "oppløsning, eller del det i flere filer, og prøv igjen.",
            mb=limit // (1024 * 1024),
        ),
        413,
    )


def _server_error(exc: InternalServerError) -> Any:
    surface = _surface()
    if surface is None:
        return exc
    return _page(
        surface,
        _("Noe gikk galt"),
        _(
            "Det oppstod en feil hos oss, og handlingen ble kanskje ikke fullført. "
            "Sjekk saken før du prøver igjen, og kontakt brukerstøtte hvis det skjer igjen."
        ),
        500,
    )


def _too_many(exc: HTTPException) -> Any:
    """A rate limit (``web.limits``); ``Retry-After`` is set on every 429 there."""
    surface = _surface()
    if surface is None:
        return exc
    return _page(
        surface,
        _("For mange forsøk"),
        _("Det har kommet for mange forespørsler fra deg på kort tid. Vent litt og prøv igjen."),
        429,
    )


def _unavailable(exc: HTTPException) -> Any:
    surface = _surface()
    if surface is None:
        return exc
    response = current_app.make_response(
        _page(
            surface,
            _("Midlertidig utilgjengelig"),
            _("Tjenesten kan ikke ta imot dette akkurat nå. Prøv igjen om litt."),
            503,
        )
    )
    retry = dict(exc.get_headers()).get("Retry-After")
    if retry:
        response.headers["Retry-After"] = retry
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(429, _too_many)
    app.register_error_handler(503, _unavailable)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(405, _method_not_allowed)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(500, _server_error)
