"""The ladder: the pure plan (``outreach.policy.plan``) carried into step rows.

Owns the ``steps`` table's lifecycle: ``steps`` is the one writer of a step's final
status and of ``step_planned``/``step_cancelled`` events. May import attempts,
runtime, hooks, policy, timeline, models and the foundation; never a channel
(reach/) or a case action (cases/): what a channel must do when a step ends is
published as an event (``outreach.hooks``).
"""
