"""Home visits: booked into the district outreach team's calendar, two staff per visit.

Issue 4, "Home visits": a visit is scheduled in working hours, within the
policy's ``schedule_within`` (``crisis_schedule_within`` in a crisis), with
two staff, no double booking and travel time between visits; staff can move
or cancel it and receive an iCalendar invitation; the tenant is told by SMS
when the policy says so (``notify_tenant``). "Not home" plans one more visit.

The case layer never calls in here: a response, a close, a forward or a
re-plan reaches the visits through the events in ``subscribers``. May import
reach.sms, reach.base, cases, ladder and below.
"""
