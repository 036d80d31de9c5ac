"""The HTTP edge: the only package that knows Flask.

Four surfaces, each a package or module of its own: the JSON API (``api/``),
the staff pages (``staff/``), the landlord portal (``landlord/``) and the
tenant's booking page (``booking``); beside them the signed webhooks, health
and metrics, and the app factory (``app``). What the surfaces share lives in
modules here that import no surface: ``context`` (runtime, database session),
``sessions`` (logins), ``i18n``, ``form_input`` and ``login_limit``.

May import anything in ``outreach``; nothing outside ``outreach.web`` imports it
except the entry points (``outreach.create_app``, the dev tools).
"""
