"""Human words for the codes the core stores: trigger kinds, channels, events, outcomes.

Bokmål source strings through gettext (domain ``staff``), lazily, since
these tables are built at import. The reasons written on timeline events
have their own module (``reasons``).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

TRIGGER_KINDS = {
    "unpaid_rent_warning": _l("Varsel om husleierestanse"),
    "eviction_petition": _l("Begjæring om utkastelse (kopi fra namsfogden)"),
    "forced_sale_notice": _l("Varsel om tvangssalg (borettslagsleilighet)"),
    "eviction_scheduled": _l("Utkastelse berammet (varsel dagen før)"),
    "eviction_completed": _l("Utkastelse gjennomført"),
    "lacks_capacity": _l("Utkastelse utsatt – mangler prosessevne"),
}

SOURCE_TYPES = {
    "bailiff": _l("Namsfogden"),
    "landlord": _l("Utleier"),
    "municipal_landlord": _l("Kommunal utleier (Boligbygg)"),
    "court": _l("Tingretten (byfogden)"),
    "staff": _l("NAV (registrert av ansatt)"),
}

# Fields a less trusted sender may report for staff to confirm (templates/staff/_reported.html).
REPORTED_FIELDS = {
    "name": _l("Navn"),
    "address": _l("Adresse"),
    "birth_date": _l("Fødselsdato"),
    "phone": _l("Telefon"),
    "email": _l("E-post"),
    "language": _l("Språk"),
    "children": _l("Barn"),
    "adults": _l("Voksne"),
}

CLIENT_STATUSES = {
    "none": _l("Ingen sosialsak / ukjent"),
    "passive": _l("Passiv sosialsak"),
    "active": _l("Aktiv sosialsak"),
}

CONTACT_CHANNELS = {
    "phone": _l("Telefon"),
    "sms_reply": _l("Svar på SMS"),
    "visit": _l("Hjemmebesøk – traff leietaker"),
    "walk_in": _l("Kom innom NAV-kontoret"),
    "appointment": _l("Møtte til avtale"),
    "letter": _l("Brev fra leietaker"),
    "email": _l("E-post"),
    "booking": _l("Bestilte time"),
    "other": _l("Annet"),
}

CLOSE_OUTCOMES = {
    "paid": _l("Restansen er betalt"),
    "payment_plan": _l("Nedbetalingsavtale inngått"),
    "rent_covered_by_nav": _l("Husleien dekket av NAV"),
    "moved": _l("Flyttet"),
    "evicted": _l("Utkastet"),
    "withdrawn": _l("Begjæringen trukket"),
    "other": _l("Annet"),
    # Set by the service, not chosen by staff (``landlords.reservations``).
    "reserved": _l("Leietakeren har reservert seg mot utleierens varsel"),
}

# The mapping (issue 15; vocabulary.PLAINTIFF_TYPES, NOTICE_REASONS, PETITION_OUTCOMES).
PLAINTIFF_TYPES = {
    "private_landlord": _l("Privat utleier"),
    "housing_cooperative": _l("Borettslag eller sameie"),
    "municipal_landlord": _l("Kommunal utleier"),
    "bank": _l("Bank eller långiver"),
    "other": _l("Annen"),
}

NOTICE_REASONS = {
    "arrears": _l("Husleierestanse"),
    "end_of_lease": _l("Leieforholdet er slutt"),
    "breach_of_contract": _l("Mislighold av leiekontrakten"),
    "forced_sale": _l("Tvangssalg"),
}

PETITION_OUTCOMES = {
    "withdrawn": _l("Begjæringen trukket"),
    "postponed": _l("Utkastelsen utsatt"),
    "evicted": _l("Utkastelsen gjennomført"),
    "unknown": _l("Ikke kjent"),
}

FLAG_KINDS = {
    "child_welfare_assessment": _l("Vurdering: melding til barneverntjenesten"),
    "special_followup": _l("Vurdering: særskilt oppfølging (høy alder / særskilte forhold)"),
}

FLAG_DECISIONS = {
    "no_report": _l("Ikke melding"),
    "seek_parent_consent": _l("Be om foreldrenes samtykke"),
    "report": _l("Send melding til barneverntjenesten"),
    "no_special_followup": _l("Ingen særskilt oppfølging"),
    "special_followup_started": _l("Særskilt oppfølging startet"),
    "referred": _l("Henvist til annen tjeneste"),
}

CHANNELS = {
    "letter": _l("Brev"),
    "sms": _l("SMS"),
    "email": _l("E-post"),
    "phone_task": _l("Telefonoppgave"),
    "phone": _l("Telefon"),
    "home_visit": _l("Hjemmebesøk"),
    "visit": _l("Hjemmebesøk"),
    "task": _l("Oppgave"),
    "check": _l("Kontroll"),
}

# What a planned step means, said to a caseworker.
STEP_RULES = {
    "letter": _l("Brev til leietaker"),
    "manual_letter": _l("Brev sendes manuelt (fortrolig adresse)"),
    "copy_bailiff": _l("Kopi av brevet til namsfogden"),
    "copy_plaintiff": _l("Kopi av brevet til saksøker"),
    "letter_overdue_check": _l("Frist for brevet (tre virkedager)"),
    "assess_followup": _l("Vurder individuell oppfølging"),
    "sms": _l("SMS"),
    "email": _l("E-post"),
    "phone_task": _l("Ring leietaker"),
    "home_visit": _l("Hjemmebesøk (to ansatte)"),
    "unreachable_check": _l("Vurder om leietaker er uten kontakt (barn, høy alder)"),
    "eviction_review": _l("Gå gjennom saken og skriv konklusjon"),
    "medical_officer": _l("Bydelsoverlegen følger opp"),
    "inform_bailiff": _l("Orienter namsfogden om konklusjonen"),
    "flag_overdue": _l("Frist for vurderingen"),
    "visit_notice": _l("SMS om hjemmebesøket"),
    "visit_cancelled_notice": _l("SMS: hjemmebesøket er avlyst"),
    "letter_email": _l("Brevet som e-post (samtykke)"),
    "appointment_email": _l("Bekreftelse av timen på e-post"),
}

# A step's status, said to a district lead (lead.html).
STEP_STATUSES = {
    "planned": _l("planlagt"),
    "queued": _l("i kø"),
    "running": _l("pågår"),
    "waiting": _l("venter"),
    "done": _l("utført"),
    "skipped": _l("hoppet over"),
    "failed": _l("mislyktes"),
    "cancelled": _l("avlyst"),
    "blocked": _l("stoppet"),
}

TASK_KINDS = {
    "phone_call": _l("Ring leietaker"),
    "sms_reply_followup": _l("Svar på SMS: ta kontakt"),
    "notice_while_paused": _l("Ny melding på en sak som er satt på pause"),
    "notice_review": _l("Melding fra en som ikke er part i saken: bekreft eller avvis"),
    "home_visit": _l("Hjemmebesøk"),
    "assess_followup": _l("Vurder individuell oppfølging"),
    "manual_letter": _l("Send brevet manuelt"),
    "eviction_review": _l("Gjennomgang etter utkastelse"),
    "medical_officer_followup": _l("Bydelsoverlege: oppfølging"),
    "inform_bailiff": _l("Orienter namsfogden"),
    "inform_parent": _l("Fortell forelderen om kontakten med barneverntjenesten"),
    "seek_parent_consent": _l("Be foreldrene om samtykke til å kontakte barneverntjenesten"),
    "office_appointment": _l("Timeavtale på kontoret (bestilt av leietaker)"),
    "check_sorted": _l("Kontroller at saken er ordnet (svar fra leietaker)"),
}

TASK_OUTCOMES = {
    "reached": _l("Fikk snakke med leietaker"),
    "no_answer": _l("Ingen svar"),
    "voicemail": _l("Talepostkasse (nøytral beskjed)"),
    "wrong_number": _l("Feil nummer"),
    "refused": _l("Ønsket ikke kontakt"),
    "met": _l("Traff leietaker"),
    "not_home": _l("Ikke hjemme"),
    "moved_out": _l("Flyttet ut"),
    "done": _l("Utført"),
    "cancelled": _l("Avlyst"),
    "confirmed": _l("Bekreftet: meldingen gjelder saken"),
    "dismissed": _l("Avvist: meldingen endrer ikke saken"),
}

# Solution alternatives (seeds/001, «fase 2») and follow-up after help (seeds/000).
FOLLOWUP_KINDS = {
    "debt_counselling": _l("Gjeldsrådgivning"),
    "payment_deferral": _l("Betalingsutsettelse"),
    "refinancing": _l("Refinansiering"),
    "repayment_plan": _l("Nedbetalingsplan / avtale med utleier"),
    "deduction": _l("Trekk i lønn eller trygd"),
    "cheaper_housing": _l("Finne billigere bolig"),
    "nav_covers_arrears": _l("NAV dekker restansen"),
    "regular_talks": _l("Regelmessige samtaler"),
    "rent_payment_check": _l("Kontroll av at husleien blir betalt"),
    "financial_advice": _l("Økonomisk rådgivning"),
    "housing_followup": _l("Booppfølging"),
    "income_management": _l("Forvaltning av inntekter"),
    "individual_plan": _l("Individuell plan"),
}

# How intake matched the person (``case_opened``'s ``match``; outreach.intake.matching).
MATCH_METHODS = {
    "national_id": _l("samme fødselsnummer"),
    "name_birth_date_address": _l("samme navn, fødselsdato og adresse"),
    "name_birth_date": _l("samme navn og fødselsdato, annen adresse"),
    "name_address": _l("samme navn og adresse, ingen fødselsdato å sammenligne"),
    "review": _l("usikker – må kontrolleres"),
    "new": _l("ny person"),
}

# The flag thresholds of ``outreach.cases.flags.THRESHOLD_TEXT``, through gettext so the
# English UI says them in English; a test keeps the two texts equal.
THRESHOLDS = {
    "child_welfare_assessment": _l(
        "Meld bare når det er grunn til å tro at et barn blir alvorlig skadelidende "
        "(barnevernsloven § 13-2, sosialtjenesteloven § 45). At familien ikke svarer før en "
        "utkastelse er ikke nok alene. Mindre alvorlig bekymring: be om foreldrenes samtykke. "
        "En melding skal være minimal, og forelderen skal få vite om den."
    ),
    "special_followup": _l(
        "Vurder særskilt oppfølging fordi leietaker har høy alder eller opplysninger tyder "
        "på at vedkommende trenger hjelp (rundskrivet: «Barn, høy alder eller andre "
        "særskilte forhold»)."
    ),
}


def threshold(kind: str) -> str:
    """The flag's threshold in the UI language; the core's text if the two ever differ."""
    from outreach.cases.flags import THRESHOLD_TEXT

    source = THRESHOLD_TEXT.get(kind, "")
    entry = THRESHOLDS.get(kind)
    if entry is None or entry._args[0] != source:  # type: ignore[attr-defined]
        return source
    return str(entry)


# The core's English messages about home visits (outreach.reach.visit.VisitError).
VISIT_ERRORS = {
    "The time must have a time zone.": _l("Skriv dato og klokkeslett."),
    "Visits are on working days only.": _l("Besøk legges bare på virkedager."),
    "The visit must lie within working hours.": _l("Besøket må ligge innenfor arbeidstiden."),
    "The new time must be in the future.": _l("Det nye tidspunktet må være frem i tid."),
    "Only a scheduled visit can be moved.": _l("Bare et planlagt besøk kan flyttes."),
    "Choose two people from the district's outreach team.": _l(
        "Velg to ansatte fra bydelens oppsøkende team."
    ),
    "Already booked then.": _l("Opptatt på det tidspunktet."),
    "Only a scheduled visit can be cancelled.": _l("Bare et planlagt besøk kan avlyses."),
    "Write why the visit is cancelled.": _l("Skriv hvorfor besøket avlyses."),
}


def visit_error(message: str) -> str:
    if message in VISIT_ERRORS:
        return str(VISIT_ERRORS[message])
    prefix = "Already booked then (travel time included): "
    if message.startswith(prefix):
        names = message[len(prefix) :].rstrip(".")
        return str(_l("Opptatt på det tidspunktet (med reisetid): %(names)s.", names=names))
    return message


DELIVERY_STATUSES = {
    "sending": _l("sendes"),
    "queued": _l("i kø"),
    "sent": _l("sendt"),
    "delivered": _l("levert"),
    "undelivered": _l("ikke levert"),
    "failed": _l("feilet"),
    "error": _l("feil, prøves igjen"),
    "unknown": _l("ukjent om den kom fram"),
    "printed": _l("skrevet ut"),
    "outbox": _l("lagt i utboks"),
}

ACCESS_PURPOSES = {
    "queue": _l("Åpnet fra køen"),
    "search": _l("Åpnet fra søk"),
    "my_work": _l("Åpnet fra Mitt arbeid"),
    "lead": _l("Åpnet fra lederoversikten"),
    "intake": _l("Registrerte ny melding"),
    "link": _l("Åpnet fra lenke"),
    "action": _l("Etter en handling i saken"),
    "api": _l("Lest gjennom API-et"),
    "document": _l("Åpnet kildedokumentet"),
    "letter": _l("Åpnet brevet slik det ble sendt (PDF)"),
    "letter_preview": _l("Forhåndsviste brevet"),
    "call_sheet": _l("Åpnet samtalearket"),
    "visit": _l("Åpnet besøkssiden"),
    "match_review": _l("Kontrollerte mulig samme person"),
    "inbound_sms": _l("Åpnet SMS-svar fra ukjent nummer"),
    "case_work": _l("Saksbehandling"),
    "inquiry": _l("Henvendelse fra personen"),
    "new_notice": _l("Ny melding mottatt"),
    "other": _l("Annet"),
}

QUERY_KINDS = {
    "name": _l("navn"),
    "national_id": _l("fødselsnummer"),
    "reference": _l("saksnummer"),
}

EVENTS = {
    "case_opened": _l("Sak opprettet"),
    "trigger_received": _l("Melding mottatt"),
    "person_updated": _l("Opplysninger om leietaker endret av ny melding"),
    "contact_reported": _l("Avsenderen oppga andre opplysninger – vist som ikke bekreftet"),
    "notice_held": _l("Melding fra en som ikke er part i saken – venter på bekreftelse"),
    "notice_reviewed": _l("Melding fra en som ikke er part i saken er vurdert"),
    "household_updated": _l("Husstand, klientforhold eller utkastelsesdato endret av ny melding"),
    "arrears_updated": _l("Restansen endret av utleiers nye restanseliste"),
    "routed": _l("Sendt til bydel"),
    "forwarded": _l("Videresendt til annen bydel"),
    "forward": _l("Videresendt til annen bydel"),
    "unrouted": _l("Ingen bydel funnet – til sentralt mottak"),
    "match_review_requested": _l("Mulig samme person som en annen sak – må kontrolleres"),
    "crisis": _l("Krise: utkastelsesdatoen er nær – stigen er komprimert"),
    "crisis_ended": _l("Ikke lenger krise: utkastelsesdatoen er flyttet eller passert"),
    "step_planned": _l("Planlagt"),
    "step_rescheduled": _l("Flyttet frem"),
    "step_cancelled": _l("Avlyst"),
    "step_failed": _l("Mislyktes"),
    "step_retry": _l("Prøves igjen"),
    "step_deferred": _l("Utsatt til senere (utenfor SMS-tiden eller i sendekø)"),
    "step_skipped": _l("Hoppet over"),
    "attempt_settled": _l("Avbrutt forsøk avklart"),
    "attempt_unsettled": _l("Uvisst om meldingen kom fram – sjekk før ny kontakt"),
    "sms_number_unusable": _l("Nummeret kan ikke motta SMS"),
    "contact_started": _l("Kontaktforsøk startet (en uke uten svar på brevet)"),
    "letter_sent": _l("Brev sendt til leietaker"),
    "letter_copy_sent": _l("Kopi av brevet sendt"),
    "sms_sent": _l("SMS sendt"),
    "email_sent": _l("E-post sendt"),
    "phone_task_created": _l("Telefonoppgave opprettet"),
    "home_visit_scheduled": _l("Hjemmebesøk planlagt"),
    "task_created": _l("Oppgave opprettet"),
    "task_cancelled": _l("Oppgave avlyst"),
    "task_done": _l("Oppgave utført"),
    "phone_task_outcome": _l("Telefonforsøk"),
    "home_visit_outcome": _l("Hjemmebesøk"),
    "response_registered": _l("Kontakt med leietaker registrert – stigen stoppet"),
    "case_closed": _l("Sak avsluttet"),
    "reservation_registered": _l(
        "Leietakerens reservasjon mot varsel fra utleier registrert (husleieloven § 9-11)"
    ),
    "reservation_withdrawn": _l("Leietakerens reservasjon mot varsel fra utleier trukket"),
    "warning_refused": _l(
        "Varsel fra utleier avvist: leietakeren har reservert seg – ingenting av det er lagret"
    ),
    "letter_overdue": _l("Brevet er ikke sendt innen tre virkedager"),
    "unreachable": _l("Leietaker er ikke nådd"),
    "flag_raised": _l("Vurdering må gjøres"),
    "flag_overdue": _l("Vurderingen er ikke gjort i tide – sendt til leder"),
    "flag_decided": _l("Vurdering besluttet"),
    "note_added": _l("Notat"),
    "document_added": _l("Dokument lagt til"),
    "ladder_paused": _l("Kontaktstigen satt på pause"),
    "ladder_resumed": _l("Kontaktstigen startet igjen"),
    "followup_planned": _l("Oppfølgingstiltak planlagt"),
    "followup_done": _l("Oppfølgingstiltak utført"),
    "followup_due": _l("Oppfølgingstiltak har frist i dag"),
    "sms_delivered": _l("SMS levert"),
    "sms_failed": _l("SMS ikke levert"),
    "sms_reply": _l("Svar på SMS"),
    "sms_reply_received": _l("Svar på SMS mottatt"),
    "sms_reply_attached": _l("Svar på SMS fra ukjent nummer knyttet til saken"),
    "sms_reply_attached_elsewhere": _l("Svar på SMS fra samme nummer knyttet til en annen sak"),
    "sms_reply_dismissed": _l("Svar på SMS fra dette nummeret avvist"),
    "sms_undelivered": _l("SMS kunne ikke leveres"),
    "sms_opted_out": _l("Leietaker har reservert seg mot SMS"),
    "email_delivered": _l("E-post levert"),
    "email_bounced": _l("E-post kom i retur"),
    "email_dropped": _l("E-post ble ikke sendt av leverandøren"),
    "client_file_transfer": _l("Passiv sak: overføres etter adresse"),
    "letter_batched": _l("Brev lagt i utskriftsbunken"),
    "letter_rendered": _l("Brev laget som PDF"),
    "letter_withdrawn": _l("Brev tatt ut av utskriftsbunken"),
    "letter_blocked": _l("Brevet stoppet"),
    "letter_resend_requested": _l("Nytt brev bestilt"),
    "landlord_copy_requested": _l("Kopi til utleier bestilt"),
    "case_merged": _l("Saker slått sammen"),
    "match_review_decided": _l("Mulig samme person: kontrollert"),
    "booking_appointment": _l("Leietaker bestilte time på bestillingssiden"),
    "booking_call_me": _l("Leietaker ba om å bli ringt"),
    "booking_sorted": _l("Leietaker sier at saken er ordnet"),
    "booking_code_issued": _l("Personlig kode til bestillingssiden laget"),
    "letter_copy_without_code": _l("Brevkopi på e-post sendt uten bestillingskoden"),
    "contact_card_left": _l("Ikke hjemme – kontaktkort lagt igjen"),
    "contact_refused": _l("Leietaker ønsket ikke kontakt"),
    "email_marked_invalid": _l("E-postadressen virker ikke"),
    "phone_number_cleared": _l("Feil telefonnummer – fjernet"),
    "phone_retry_planned": _l("Nytt telefonforsøk planlagt"),
    "phone_tries_exhausted": _l("Ingen svar etter tre telefonforsøk"),
    "tenant_moved_out": _l("Leietaker har flyttet"),
    "visit_booked": _l("Hjemmebesøk booket med to ansatte"),
    "visit_cancelled": _l("Hjemmebesøk avlyst"),
    "visit_invitation_sent": _l("Kalenderinvitasjon sendt"),
    "visit_moved": _l("Hjemmebesøk flyttet"),
    "visit_needs_staffing": _l("Hjemmebesøk mangler ansatte – må bemannes"),
    "visit_tenant_not_told": _l("Leietaker kunne ikke varsles om hjemmebesøket"),
    "caseworker_assigned": _l("Saksbehandler tildelt"),
    "task_moved": _l("Oppgave flyttet til ny bydel"),
    "letter_moved": _l("Brev flyttet til den nye bydelens utskriftsbunke"),
    "followup_settled": _l("Oppfølgingstiltak avsluttet sammen med saken"),
    "sms_opted_in": _l("Leietaker vil ha SMS igjen"),
    "visit_invitation_failed": _l("Kalenderinvitasjonen kunne ikke sendes"),
    "email_failed": _l("E-post kunne ikke sendes"),
    "email_undelivered": _l("E-post ble ikke levert"),
    "case_reopened": _l("Sak åpnet igjen"),
    "contact_corrected": _l("Kontaktopplysninger rettet av ansatt"),
    "petition_outcome_set": _l("Utfall av begjæringen registrert"),
    "notice_mapping_set": _l("Saksøker eller grunn rettet av ansatt"),
    "system_failure_marked": _l("Merket som systemsvikt"),
    "system_failure_cleared": _l("Merket systemsvikt fjernet"),
}


def label(table: dict[str, Any], code: str | None) -> str:
    if code is None:
        return ""
    value = table.get(code)
    return str(value) if value is not None else code.replace("_", " ")


AUDIENCES = {
    "tenant": _l("leietaker"),
    "copy_bailiff": _l("kopi til namsfogden"),
    "copy_plaintiff": _l("kopi til saksøker"),
    "copy_landlord": _l("kopi til utleier"),
}

STAFFING = {
    "staffed": _l("to ansatte satt opp"),
    "pool": _l("må bemannes"),
}

# Names of the details shown under a timeline entry.
DETAIL_KEYS = {
    "audience": _l("mottaker"),
    "starts_at": _l("tidspunkt"),
    "due_at": _l("tidspunkt"),
    "was": _l("var"),
    "try_no": _l("forsøk nr."),
    "staffing": _l("bemanning"),
    "reason": _l("årsak"),
    "pull_from_printed_batch": _l("ta ut av utskrevet bunke"),
    "into": _l("slått sammen med"),
    "from_case": _l("fra sak"),
    "decision": _l("beslutning"),
    "intent": _l("leietaker ønsker"),
    "keyword": _l("nøkkelord"),
    "language": _l("språk"),
    "channel": _l("kanal"),
    "notice": _l("melding"),
    "district": _l("bydel"),
    "number": _l("nummer"),
    "caseworker": _l("saksbehandler"),
    "previous": _l("før"),
    "unassigned": _l("ikke lenger tildelt"),
    "caseworker_removed": _l("saksbehandler fjernet"),
    "raised_to": _l("sendt til"),
    "owner": _l("ansvarlig"),
}


# Why an uploaded file was refused (``cases.documents.check_pdf``): the intake
# form and the case page's "add a document" say the same.
UPLOAD_PROBLEMS = {
    "too_large": _l("Filen er for stor. Høyst 10 MB."),
    "active_content": _l(
        "Filen inneholder aktivt innhold (JavaScript, handlinger eller innebygde filer) og "
        "lagres ikke. Skriv den ut til PDF på nytt, eller skann papirdokumentet."
    ),
}


def upload_problem(problem: str) -> str:
    return str(UPLOAD_PROBLEMS.get(problem, _l("Filen må være en PDF.")))
