"""Reaching the tenant: one package per channel (letter, sms, email, phone, visit).

Each channel's handler (``<channel>/handler.py``, listed in ``registry``) turns
a step into a recipient and a message; ``jobs.execute`` looks it up by the
step's channel. A channel's clean-up when the case layer stops or moves a case
(a letter withdrawn from its batch, a visit cancelled or re-booked) is an
event it subscribes to (``outreach.hooks``, wired in ``outreach.wiring``).

Layers inside: ``registry`` > ``visit | email | phone`` > ``sms | letter`` >
``ics | base``. May import cases, ladder and everything below; never inbound,
intake, jobs, staff or web.
"""
