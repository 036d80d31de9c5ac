"""Everything that flows back in: SMS replies, delivery receipts, the booking page's answers.

A reply, a booking or a call request is a response (``cases.response``); a
receipt settles an attempt (``attempts``). Replies that fit no single case go
to a staff review queue (``review``), never to a guess. May import reach,
cases, ladder and below; never jobs, staff or web.
"""
