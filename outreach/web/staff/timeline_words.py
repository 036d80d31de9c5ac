"""The words of a timeline line: who did it, and each fact of an event, in the UI's language.

Issue 12, item 14: the timeline showed "av tenant", "av landlord:1", logins
instead of names, "method: REQUEST", "tries: 3" and the matcher's English
("similar name (a name missing on one side)"). Every fact an event carries is
said here through the catalog; a fact with no words here is left out rather
than shown as a code (``detail`` returns None), and a test renders every event
kind the code writes to keep it so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from outreach.web.i18n import format_day, format_when, language_name
from outreach.web.staff import labels, reasons
from outreach.web.staff.labels import label

# Actors that are not staff logins (outreach.staff.tokens.Principal.label, the CLI, booking).
ACTORS = {
    "tenant": _l("leietaker"),
    "cli": _l("kommandolinjen"),
    "simulation": _l("simulering"),
    "system": _l("systemet"),
    "seed-demo": _l("demodata"),
}

# Event data that name a staff member by login: shown by name.
USER_KEYS = frozenset(
    {"caseworker", "previous", "unassigned", "caseworker_removed", "raised_to", "owner"}
)

# The facts about the person or household a notice or staff changed (names, never values).
FIELDS = {
    "name": _l("navn"),
    "address": _l("adresse"),
    "national_id": _l("fødselsnummer"),
    "birth_date": _l("fødselsdato"),
    "phone": _l("telefon"),
    "email": _l("e-post"),
    "email_consent": _l("samtykke til e-post"),
    "language": _l("språk"),
    "protected_address": _l("fortrolig adresse"),
    "vulnerable": _l("sårbar"),
    "children": _l("barn"),
    "adults": _l("voksne"),
    "client_status": _l("sosialsak"),
    "client_district": _l("sosialsakens bydel"),
    "eviction_date": _l("utkastelsesdato"),
}

# How a district was chosen (outreach.intake.routing.RoutingDecision.method).
ROUTING_METHODS = {
    "given": _l("bydel oppgitt i meldingen"),
    "address": _l("etter adressen"),
    "client_active": _l("aktiv sosialsak"),
    "client_passive": _l("passiv sosialsak"),
    "unrouted": _l("ingen bydel funnet"),
    "staff_override": _l("valgt av ansatt"),
}

INTENTS = {
    "call_me": _l("vil bli ringt"),
    "appointment": _l("vil ha time"),
    "appointment_booked": _l("bekreftet den tilbudte timen"),
    "other": _l("annet svar"),
}

CALL_TIMES = {
    "any": _l("når som helst"),
    "morning": _l("formiddag"),
    "midday": _l("midt på dagen"),
    "afternoon": _l("ettermiddag"),
}

ROLES = {
    "caseworker": _l("saksbehandler"),
    "district_lead": _l("leder i bydelen"),
    "medical_officer": _l("bydelsoverlege"),
    "central_intake": _l("sentralt mottak"),
    "outreach_team": _l("oppsøkende team"),
    "admin": _l("administrator"),
}

# A calendar invitation's iTIP method (outreach.reach.visit.invitations).
INVITATION_METHODS = {"REQUEST": _l("invitasjon"), "CANCEL": _l("avlysning")}

# The matcher's reasons (outreach.intake.matching), phrase by phrase.
MATCH_PHRASES = {
    "name, birth date, address": _l("navn, fødselsdato og adresse"),
    "name and birth date": _l("navn og fødselsdato"),
    "name and address": _l("navn og adresse"),
    "no birth date to compare": _l("ingen fødselsdato å sammenligne"),
    "address differs": _l("adressen er en annen"),
    "same phone": _l("samme telefonnummer"),
    "birth date, address, phone": _l("fødselsdato, adresse og telefonnummer"),
    "birth date, address": _l("fødselsdato og adresse"),
    "birth date, phone": _l("fødselsdato og telefonnummer"),
    "a name missing on one side": _l("et navn mangler på den ene siden"),
    "letters written differently (ø/o, å/aa, accents)": _l(
        "bokstaver skrevet ulikt (ø/o, å/aa, aksenter)"
    ),
    "spelling variant": _l("annen stavemåte"),
    "one letter differs": _l("én bokstav er ulik"),
    "initial for a name": _l("forbokstav for et navn"),
    "names in another order": _l("navnene i en annen rekkefølge"),
}

_SIMILAR = "similar name ("


def _phrases(text: str) -> list[str]:
    """The known phrases in ``text``, in their order (some hold commas themselves)."""
    found = [(text.find(p), p) for p in MATCH_PHRASES if p in text]
    return [str(MATCH_PHRASES[p]) for _pos, p in sorted(found)]


def match_reasons(text: str | None) -> str:
    """The matcher's English reasons in words; an unknown phrase is left out, not shown.

    The matcher writes "similar name (<differences>), <what agrees>" or "<what
    agrees>", then "; address differs" and "; same phone" (outreach.intake.matching).
    """
    if not text:
        return ""
    said = []
    for part in (p.strip() for p in text.split(";")):
        if part.startswith(_SIMILAR):
            close = part.rfind(")")
            how = ", ".join(_phrases(part[len(_SIMILAR) : close]))
            said.append(_("lignende navn (%(how)s)", how=how) if how else _("lignende navn"))
            agree = part[close + 1 :].strip(" ,")
            if agree in MATCH_PHRASES:
                said.append(_("samme %(what)s", what=MATCH_PHRASES[agree]))
        elif part in MATCH_PHRASES:
            said.append(str(MATCH_PHRASES[part]))
    return "; ".join(said)


def actor_name(actor: str | None, people: Mapping[str, str], landlords: Mapping[int, str]) -> str:
    """Who did it, as a person reads it: a name, "leietaker", the landlord's name."""
    if not actor:
        return ""
    if actor in people:
        return people[actor]
    if actor in ACTORS:
        return str(ACTORS[actor])
    kind, _sep, rest = actor.partition(":")
    if kind == "landlord":
        try:
            name = landlords.get(int(rest.split(":")[0]))
        except ValueError:
            name = None
        return _("utleier %(name)s", name=name) if name else _("utleier")
    if kind == "system" and rest:
        return _("integrasjonen «%(name)s»", name=rest)
    if kind in {"user", "token"}:
        return _("en ansatt")
    return actor  # a login with no user row (a removed account): still who it was


def _fields(value: Any) -> str:
    names = value if isinstance(value, list | tuple) else [value]
    return ", ".join(str(FIELDS[n]) for n in names if n in FIELDS)


def _when(value: Any) -> str:
    try:
        return format_when(datetime.fromisoformat(str(value)))
    except ValueError:
        return ""


def _day(value: Any) -> str:
    try:
        return format_day(date.fromisoformat(str(value)))
    except ValueError:
        return ""


def _yes(text: Any) -> Any:
    return lambda v: str(text) if v else None


def _coded(table: Mapping[str, Any]) -> Any:
    return lambda v: str(table[v]) if isinstance(v, str) and v in table else None


# Each fact an event may carry, with its words: key -> (name or None, how to say the value).
# A key not here is not shown; a value its formatter cannot say (None or "") is not shown.
_FACTS: dict[str, tuple[Any, Any]] = {
    "audience": (_l("mottaker"), _coded(labels.AUDIENCES)),
    "starts_at": (_l("tidspunkt"), _when),
    "due_at": (_l("tidspunkt"), _when),
    "scheduled_for": (_l("tidspunkt"), _when),
    "received_at": (_l("mottatt"), _when),
    "expires_at": (_l("gjelder til"), _when),
    "was": (_l("var"), _when),
    "try_no": (_l("forsøk nr."), str),
    "tries": (_l("antall forsøk"), str),
    "staffing": (_l("bemanning"), _coded(labels.STAFFING)),
    "pull_from_printed_batch": (None, _yes(_l("ta brevet ut av bunken som er skrevet ut"))),
    "into": (_l("slått sammen med"), str),
    "from_case": (_l("fra sak"), str),
    "candidate_case": (_l("sak"), str),
    "decision": (
        _l("beslutning"),
        _coded({**labels.FLAG_DECISIONS, **labels.TASK_OUTCOMES}),
    ),
    "intent": (_l("leietaker ønsker"), _coded(INTENTS)),
    "keyword": (_l("nøkkelord"), str),
    "keyword_language": (_l("språk"), language_name),
    "language": (_l("språk"), language_name),
    "channel": (_l("kanal"), _coded(labels.CHANNELS)),
    "notice": (_l("melding"), _coded(labels.STEP_RULES)),
    "number": (_l("nummer"), str),
    "method": (_l("måte"), _coded({**ROUTING_METHODS, **INVITATION_METHODS})),
    "call_time": (_l("når"), _coded(CALL_TIMES)),
    "number_given": (None, _yes(_l("leietakeren oppga et nummer å ringe"))),
    "emailed": (None, _yes(_l("sendt på e-post"))),
    "manual": (None, _yes(_l("sendt manuelt"))),
    "tenant_was_notified": (None, _yes(_l("leietakeren var varslet"))),
    "repeat_case": (None, _yes(_l("gjenganger: personen har hatt sak før"))),
    "fields": (_l("endret"), _fields),
    "reported_fields": (_l("oppgitt, ikke bekreftet"), _fields),
    "source_type": (_l("fra"), _coded(labels.SOURCE_TYPES)),
    "assignee_role": (_l("til"), _coded(ROLES)),
    "task_kind": (None, _coded(labels.TASK_KINDS)),
    "rule": (None, _coded(labels.STEP_RULES)),
    "source": (_l("fra"), _coded({"tenant": ACTORS["tenant"], "staff": _l("ansatt")})),
    "trigger_kind": (None, _coded(labels.TRIGGER_KINDS)),
    "measure": (None, _coded(labels.FOLLOWUP_KINDS)),
    "outcome": (None, _coded({**labels.TASK_OUTCOMES, **labels.CLOSE_OUTCOMES})),
    "outcome_was": (_l("var avsluttet som"), _coded(labels.CLOSE_OUTCOMES)),
    "eviction_date": (_l("utkastelse"), _day),
    "due_on": (_l("dato"), _day),
    "revived": (_l("steg hentet tilbake"), str),
    "step_status": (_l("steget"), _coded(labels.STEP_STATUSES)),
    "email_confirmation": (
        _l("bekreftelse på e-post"),
        lambda v: str(_l("planlagt")) if v == "planned" else str(_l("sendes ikke")),
    ),
    "error_code": (_l("årsak"), reasons.reason),
    "flags": (None, lambda v: ", ".join(label(labels.FLAG_KINDS, f) for f in v or ())),
    "reasons": (_l("grunnlag"), match_reasons),
    "confidence": (_l("sikkerhet"), lambda v: f"{round(float(v) * 100)} %"),
    "petition_outcome": (_l("utfall"), _coded(labels.PETITION_OUTCOMES)),
    "petition_outcome_was": (_l("var"), _coded(labels.PETITION_OUTCOMES)),
    "plaintiff_type": (
        _l("saksøker"),
        _coded({**labels.PLAINTIFF_TYPES, "unknown": labels.PETITION_OUTCOMES["unknown"]}),
    ),
    "notice_reason": (
        _l("grunn"),
        _coded({**labels.NOTICE_REASONS, "unknown": labels.PETITION_OUTCOMES["unknown"]}),
    ),
    "failure_reason": (_l("begrunnelse"), str),
    "landlord": (_l("utleier"), str),
}


def detail(key: str, value: Any, people: Mapping[str, str]) -> str | None:
    """One fact of an event in words, "name: value"; None when it is internal or unsayable."""
    if value in (None, "", [], False):
        return None
    if key in USER_KEYS:
        return f"{label(labels.DETAIL_KEYS, key)}: {people.get(str(value), str(value))}"
    fact = _FACTS.get(key)
    if fact is None:
        return None
    name, say = fact
    try:
        text = say(value)
    except (TypeError, ValueError):
        return None
    if not text:
        return None
    return f"{name}: {text}" if name is not None else str(text)
