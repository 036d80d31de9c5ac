"""HTTP surfaces: the JSON API, the staff app, the landlords' portal, the booking page, webhooks.

The top layer with the entry points: may import everything below; nothing
below imports it (only ``outreach.create_app``, which builds the app).
"""
