"""Intake: validate, deduplicate, identify the person, route, open or extend a case."""
