"""Landlords who opt in to warn early: accounts, warnings, tenants' reservations.

What a landlord gets back is a receipt and nothing else, whether or not the
tenant is known to NAV (DESIGN.md principle 6). May import intake, reach,
cases and below; never web.
"""
