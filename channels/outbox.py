"""The outbox backend: every message becomes a JSON file under ``var/outbox/``.

It is the default for ``make run``, ``simulate`` and the tests, so the whole
ladder runs without any provider. Files are written atomically and named by
the idempotency key, which makes :meth:`lookup` exact: a message is sent if and
only if its file exists.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from channels.base import Delivery, Message, PermanentChannelError
from channels.segments import count_segments


def _segments(message: Message) -> int | None:
    """What the SMS would cost, recorded like Twilio's (issue 4: segments are recorded)."""
    return count_segments(message.body).segments if message.channel == "sms" else None


class OutboxChannel:
    def __init__(self, name: str, directory: str | os.PathLike[str]) -> None:
        self.name = name
        self.directory = Path(directory) / name

    def _path(self, key: str) -> Path:
        if not key or "/" in key or key.startswith("."):
            raise PermanentChannelError("bad idempotency key", code="bad_key")
        return self.directory / f"{key}.json"

    def send(self, message: Message) -> Delivery:
        path = self._path(message.idempotency_key)
        self.directory.mkdir(parents=True, exist_ok=True)
        document = {
            "key": message.idempotency_key,
            "channel": message.channel,
            "to": message.to,
            "subject": message.subject,
            "body": message.body,
            "language": message.language,
            "metadata": dict(message.metadata),
            "attachments": [
                {
                    "filename": a.filename,
                    "mime_type": a.mime_type,
                    "content_base64": base64.b64encode(a.content).decode("ascii"),
                }
                for a in message.attachments
            ],
            "written_at": datetime.now(UTC).isoformat(),
        }
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        return Delivery(
            status="sent", provider_ref=f"outbox:{path.name}", segments=_segments(message)
        )

    def lookup(
        self,
        idempotency_key: str,
        to: str,
        *,
        attempted_at: datetime | None = None,
        body_sha256: str | None = None,
    ) -> Delivery | None:
        path = self._path(idempotency_key)
        if path.exists():
            body = str(json.loads(path.read_text(encoding="utf-8")).get("body") or "")
            segments = count_segments(body).segments if self.name == "sms" else None
            return Delivery(status="sent", provider_ref=f"outbox:{path.name}", segments=segments)
        return None

    def read(self, idempotency_key: str) -> dict[str, object]:
        """For tests and the simulator: the message as it was written."""
        with self._path(idempotency_key).open(encoding="utf-8") as handle:
            data: dict[str, object] = json.load(handle)
        return data
