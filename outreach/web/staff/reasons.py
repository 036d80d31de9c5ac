"""Why a step, letter, task or visit ended, moved or stopped, said to a caseworker.

The core writes a short English code as ``reason`` on timeline events; a caseworker
reads Norwegian, never the code. These tables are the one place that knows the
codes' words (the other codes' words are in ``labels``). Bokmål source strings
through gettext (domain ``staff``), lazily, since the tables are built at import.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Why the render kept a letter out of the batch (printing.letter_problem): shown under
# "Brevet stoppet" on the timeline.
LETTER_BLOCK_REASONS = {
    "missing_contact_person": _l("kontaktperson med telefonnummer mangler"),
    "no_postal_address": _l("mottakeren mangler postadresse"),
    "empty_slot": _l("en opplysning brevet skal vise mangler (f.eks. åpningstider)"),
}


# Why a step, letter, task or visit ended, moved or stopped: the codes the core
# writes as ``reason`` on timeline events (outreach.jobs.execute, ladder, printing,
# compose, visits, cases, tasks, the channels' error codes). A caseworker reads
# Norwegian, never the code (issue: "årsak: tenant responded").
REASONS = {
    # The ladder stopped by people (cases, pause, flags).
    "tenant responded": _l("leietaker har tatt kontakt"),
    "case closed": _l("saken er avsluttet"),
    "ladder paused": _l("kontaktstigen er satt på pause"),
    "merged into another case": _l("saken er slått sammen med en annen sak"),
    "flag decided": _l("vurderingen er besluttet"),
    "case forwarded": _l("saken er sendt til en annen bydel"),
    "visit cancelled": _l("hjemmebesøket er avlyst"),
    "task cancelled": _l("oppgaven er avlyst"),
    "moved without a pair": _l("flyttet uten to ansatte"),
    "no free pair in the outreach team in time": _l(
        "ingen to ledige i det oppsøkende teamet i tide"
    ),
    "the district has no outreach team of two": _l("bydelen har ikke et oppsøkende team på to"),
    "the visit is gone": _l("besøket finnes ikke lenger"),
    "too late: the visit is about to start or has started": _l(
        "for sent: besøket begynner snart eller har begynt"
    ),
    "too late: the visit time has passed": _l("for sent: besøkstiden er passert"),
    # Why a channel could not be used (the reach handlers, parties, the letter copy, krr).
    "no_postal_address": _l("mottakeren mangler postadresse"),
    "no postal address": _l("leietaker mangler postadresse"),
    "no address": _l("adresse mangler"),
    "protected address: manual handling": _l("fortrolig adresse: sendes manuelt"),
    "missing_contact_person": _l("kontaktperson med telefonnummer mangler"),
    "no phone number": _l("telefonnummer mangler"),
    "not a mobile number": _l("nummeret er ikke et mobilnummer"),
    "opted out of SMS": _l("leietaker har reservert seg mot SMS"),
    "number cannot receive SMS": _l("nummeret kan ikke motta SMS"),
    "no usable email address": _l("ingen e-postadresse som virker"),
    "no consent to email": _l("ikke samtykke til e-post"),
    "no letter to copy": _l("ingen brev å sende kopi av"),
    "KRR: unknown (no national id)": _l(
        "ukjent i kontakt- og reservasjonsregisteret (mangler fødselsnummer)"
    ),
    "KRR: unknown": _l("ukjent i kontakt- og reservasjonsregisteret"),
    "KRR: reserved against digital mail": _l("reservert mot digital post (KRR)"),
    # Deferrals (ladder.note_deferral).
    "sms_window": _l("utenfor tiden SMS kan sendes"),
    "pacing": _l("mange meldinger i sendekøen"),
    # Failures (jobs.execute, channels' short codes).
    "internal_error": _l("teknisk feil i systemet"),
    "invalid_number": _l("ugyldig telefonnummer"),
    "not_mobile": _l("nummeret er ikke et mobilnummer"),
    "unreachable": _l("nummeret kan ikke nås på SMS nå"),
    "region_disabled": _l("SMS til dette landet er ikke slått på"),
    "opted_out": _l("leietaker har reservert seg mot SMS"),
    "body_too_long": _l("meldingen er for lang"),
    "empty_body": _l("meldingen er tom"),
    "empty_subject": _l("e-posten mangler emne"),
    "invalid_address": _l("ugyldig e-postadresse"),
    "too_large": _l("vedleggene er for store"),
    "rejected": _l("avvist av leverandøren"),
    "config": _l("feil i oppsettet hos oss"),
    "rate_limited": _l("leverandøren ba oss vente"),
    "unavailable": _l("leverandøren svarte ikke"),
    "provider_error": _l("feil hos leverandøren"),
    "ambiguous": _l("uvisst om meldingen ble sendt"),
    "bad_key": _l("teknisk feil i systemet"),
    "wrong_number": _l("feil nummer"),
    # Routing at intake (outreach.intake.routing, accept).
    "active client case at another office": _l("aktiv sosialsak ved et annet NAV-kontor"),
    "passive client case elsewhere: transferred by address": _l(
        "passiv sosialsak i en annen bydel: overføres etter adresse"
    ),
    "passive client case: by address": _l("passiv sosialsak: bydel etter adresse"),
    "address belongs to another district": _l("adressen hører til en annen bydel"),
    "no district given or found": _l("ingen bydel oppgitt eller funnet"),
    "district given in the trigger": _l("bydel oppgitt i meldingen"),
    # letter_email.NO_CODE_REASON
    "the letter's PDF is gone: copied without the booking code, which is on paper": _l(
        "brevets PDF finnes ikke lenger: kopien er sendt uten bestillingskoden "
        "(den står på papirbrevet)"
    ),
}

# Reasons that start with a fixed English text and go on with details for developers.
_REASON_PREFIXES = {
    "no longer applies": _l("gjelder ikke lenger for saken"),
    "protected address": _l("fortrolig adresse: sendes manuelt"),
    "outcome unknown": _l("uvisst om meldingen kom fram"),
}


def reason(code: str | None) -> str:
    """A stored reason in words; an unknown code gives a neutral text, never the code."""
    if not code:
        return ""
    known = REASONS.get(code) or REASONS.get(code.strip())
    if known is not None:
        return str(known)
    lowered = code.lower()
    for prefix, text in _REASON_PREFIXES.items():
        if lowered.startswith(prefix.lower()):
            return str(text)
    return str(_l("annen årsak"))


def reason_or_text(code: str | None) -> str:
    """For reasons a person may have typed (a cancelled visit, a resent letter, a forward).

    A known code is said in words; anything else is the staff member's own text.
    """
    if not code:
        return ""
    if code in REASONS:
        return str(REASONS[code])
    lowered = code.lower()
    for prefix, text in _REASON_PREFIXES.items():
        if lowered.startswith(prefix.lower()):
            return str(text)
    return code
