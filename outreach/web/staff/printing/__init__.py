"""The print page («Utskrift») and the case page's «send the letter now» (issue 3).

Letters are collected per district into a print batch (``outreach.reach.letter.batches``).
Staff see their districts' unposted batches with each letter's deadline, ask for
the PDF (an RQ job: the request only enqueues, and the page says «Lager PDF …»
until the batch is rendered), download it, and mark the batch posted; the posting
time is the «letter sent» time that starts the one-week clock.

``page`` shows and renders the batches, ``post`` marks one posted, ``resend``
puts a case's letter in the batch now, ``translation_review`` says which letter texts no
qualified translator has checked. The modules register their routes on the staff
blueprint and are imported where it is assembled (``outreach.web.staff``).

May import the core (``outreach.*``), the web-wide modules (``web.context``,
``web.i18n``), the staff modules below the pages (``auth``, ``timeline_view``)
and the case page (``case.page``, to show a failed resend on it); no other
staff pages.
"""
