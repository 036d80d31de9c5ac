"""How many SMS segments a text costs: the one counter, ``channels.segments``.

There used to be a second counter here; at a segment boundary (an escape or a
surrogate pair at a part's edge) the two could disagree, so what we recorded,
what we paced and what the channel reported were not the same number. The
channel's counter is the one kept (``channels`` never imports ``outreach``);
these names stay for the callers that used them.
"""

from __future__ import annotations

from channels.segments import SegmentInfo as SmsLength
from channels.segments import count_segments as sms_length

__all__ = ["SmsLength", "sms_length"]
