"""SMS: the handler, per-number opt-outs and unusable numbers, and the provider's pace.

May import reach.base, cases, ladder, messages and below.
"""
