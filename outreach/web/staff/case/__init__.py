"""The case page and its actions (issue 5).

Every handler loads the case through ``page.visible_case`` (another district's
case is a 404, so its existence is not revealed), validates its form, calls
one action and commits; a form with errors re-renders the page with the
errors on the fields and status 400.

``page`` renders the page and holds what the actions share; ``contact``,
``assign``, ``work`` and ``documents`` are the actions and files, each
importing only ``page`` of this package. The modules register their routes on
the staff blueprint and are imported where it is assembled
(``outreach.web.staff``).

May import the core (``outreach.*``), the web-wide modules (``web.context``,
``web.i18n``) and the staff modules below the pages (``auth``, ``forms``,
``labels``, ``actions``, ``timeline_view``, ``letter_preview``); never the other
staff pages, which may import ``page`` (print, visits, the landlord copy).
"""
