"""The service's shared codes: what kinds of notice, sender and step status exist.

The plan (``policy``), the renderers (``letters``, ``parties``) and the tables
(``models``) all speak these words; they live here, below all of them, so the
pure layers never import the tables to learn a code.
"""

from __future__ import annotations

TRIGGER_KINDS = (
    "unpaid_rent_warning",
    "eviction_petition",
    "forced_sale_notice",
    "eviction_scheduled",
    "eviction_completed",
    "lacks_capacity",
)
SOURCE_TYPES = ("landlord", "municipal_landlord", "bailiff", "court", "staff")
CLIENT_STATUSES = ("none", "passive", "active")

# Step statuses. ``planned`` rows are what the tick looks for; ``queued`` and
# ``running`` are in the hands of RQ; ``waiting`` is a letter in a print batch
# not yet posted; the rest are final.
STEP_OPEN = ("planned", "queued", "running", "waiting")
STEP_FINAL = ("done", "skipped", "failed", "cancelled")

#: Senders that are themselves the landlord (a copy to the landlord goes back to them).
LANDLORD_SOURCES = frozenset({"landlord", "municipal_landlord"})

#: How far a source of contact data and household facts is trusted (issue 13, item 1).
#: What staff, the tenant, the population register or the bailiff and the court
#: recorded is never replaced by a landlord's notice; a landlord's data is kept
#: as "reported by the landlord" for staff to confirm. A field with no recorded
#: source (written before sources were kept) counts as trusted.
TRUSTED = 2
REPORTED = 1
SOURCE_TRUST = {
    "staff": TRUSTED,
    "tenant": TRUSTED,
    "register": TRUSTED,
    "bailiff": TRUSTED,
    "court": TRUSTED,
    "landlord": REPORTED,
    "municipal_landlord": REPORTED,
}


#: ``Trigger.review`` values of a notice that counts: as it came, or confirmed by staff.
COUNTING = (None, "confirmed")


def trust_of(source: str | None) -> int:
    """The trust of a recorded source; an unknown or missing one is trusted (see above)."""
    return SOURCE_TRUST.get(source or "", TRUSTED)


# The mapping of every incoming case (issue 15; the peer review, seeds/004:
# "kartlegge alle innkomne begjæringer", with the bailiff's counts by plaintiff).
#: Who asks for the eviction, as the bailiff's statistics group them.
PLAINTIFF_TYPES = (
    "private_landlord",
    "housing_cooperative",  # borettslag / boligsameie
    "municipal_landlord",  # Boligbygg and other municipal housing
    "bank",  # a bank or lender (forced sale)
    "other",
)
#: Why the notice was sent.
NOTICE_REASONS = ("arrears", "end_of_lease", "breach_of_contract", "forced_sale")
#: What became of a petition, when known later (a later notice, or staff).
PETITION_OUTCOMES = ("withdrawn", "postponed", "evicted")
