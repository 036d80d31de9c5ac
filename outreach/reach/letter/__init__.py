"""Letters on paper: the tenant's letter and the copies, through the district's print batch.

Owns print batches and their items, the booking code printed on the letter
(``codes``), the moves of waiting letters when a case is forwarded (``moves``)
and staff's letter actions (resend, withdraw). May import reach.base, cases,
ladder, letters (the renderer) and below.
"""
