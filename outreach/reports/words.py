"""The bokmål words of the figures: titles, columns and category names.

Plain bokmål constants (the reports layer is below the web and its catalogue);
the dashboard shows them as they are, as the printable report and the CSV do.
"""

from __future__ import annotations

PERIOD = "Periode"
TOTAL = "Totalt"
UNKNOWN = "Ukjent"

TRIGGER_KINDS = {
    "unpaid_rent_warning": "Varsel om husleierestanse",
    "eviction_petition": "Begjæring om utkastelse",
    "forced_sale_notice": "Varsel om tvangssalg",
    "eviction_scheduled": "Berammet utkastelse",
    "eviction_completed": "Gjennomført utkastelse",
    "lacks_capacity": "Mangler prosessevne",
}

PLAINTIFF_TYPES = {
    "private_landlord": "Privat utleier",
    "housing_cooperative": "Borettslag/sameie",
    "municipal_landlord": "Kommunal utleier",
    "bank": "Bank/långiver",
    "other": "Annen",
}

PETITION_OUTCOMES = {
    "withdrawn": "Trukket",
    "postponed": "Utsatt",
    "evicted": "Utkastelse gjennomført",
}

#: The issue's outcomes, from ``outreach.cases.response.CLOSE_OUTCOMES``.
CASE_OUTCOMES = {
    "paid": "Betalt",
    "payment_plan": "Nedbetalingsavtale",
    "rent_covered_by_nav": "Dekket av NAV",
    "moved": "Flyttet",
    "evicted": "Utkastet",
    "withdrawn": "Begjæring trukket",
    "other": "Annet",
}

#: How the first contact came (reach.py sorts ``response_registered`` events into these).
CONTACT_ROUTES = {
    "tenant": "Henvendelse (brev, telefon, oppmøte)",
    "sms_reply": "Svar på SMS",
    "phone_task": "Telefon fra NAV",
    "home_visit": "Hjemmebesøk",
    "booking": "Timebestilling på nett",
}

FLAG_KINDS = {
    "child_welfare_assessment": "Barnevern",
    "special_followup": "Særskilt oppfølging",
}

FLAG_DECISIONS = {
    "no_report": "Ikke melding",
    "seek_parent_consent": "Samtykke fra foreldre",
    "report": "Melding",
    "no_special_followup": "Ikke særskilt oppfølging",
    "special_followup_started": "Særskilt oppfølging startet",
    "referred": "Henvist",
}
