"""The staff side's own data: read-side queries for the queue and lists, users, the access log.

Nothing here changes a case (actions are ``cases``); queries only read, and
every view of a case is logged (DESIGN.md principle 6). May import inbound,
reach, cases and below; never web.
"""
