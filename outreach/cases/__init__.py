"""What people do to a case: a response, a close, a forward, a caseworker, a merge, tasks, flags.

Each action is one transaction: the state change, its timeline event and the
cancelled steps commit together (STYLE.md habit 4). Views, API handlers and
webhooks call these; they don't change rows themselves. May import ladder and
everything below it; never a channel (reach/): a channel's part of an action
(a booked visit cancelled, a waiting letter moved) is an event it subscribes to.
"""
