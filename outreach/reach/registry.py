"""Which handler serves a step's channel: the one table of channels the job consults.

A plain registry (like redash's destinations): a channel is added by writing
its handler and listing it here; ``jobs.execute`` never branches on a channel
name. The job's own rule kinds (``check``, ``task``) send nothing and are
not channels.
"""

from __future__ import annotations

from outreach.reach.base import Handler
from outreach.reach.email.handler import EmailHandler
from outreach.reach.letter.handler import LetterHandler
from outreach.reach.phone.handler import PhoneTaskHandler
from outreach.reach.sms.handler import SmsHandler
from outreach.reach.visit.handler import VisitHandler

HANDLERS: dict[str, Handler] = {
    h.channel: h
    for h in (LetterHandler(), SmsHandler(), EmailHandler(), PhoneTaskHandler(), VisitHandler())
}


def handler_for(channel: str) -> Handler:
    """The channel's handler; a channel the policy names but nobody handles gets the default."""
    return HANDLERS.get(channel) or Handler()
