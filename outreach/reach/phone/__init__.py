"""Phone calls: a task for a caseworker, with a call script, retried until reached or used up.

The call itself is a person's; the system plans it, reminds and records how it
went (``cases.tasks``). May import reach.base, cases and below.
"""
