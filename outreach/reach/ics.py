"""What every iCalendar file the service writes shares (a visit's, a booked appointment's).

Calendars match updates by PRODID and UID; both writers must name the same product.
"""

ICS_PRODID = "-//Oslo kommune NAV sosialtjenesten//outreach//NO"
