"""Sign webhook requests the way the providers do, without their SDKs.

Written from the providers' documented algorithms rather than by calling the
SDK helpers, so a test that verifies with ``channels.signatures`` checks the
SDK against an independent implementation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SENDGRID_SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
SENDGRID_TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str | Sequence[str]]) -> str:
    """``X-Twilio-Signature``: base64(HMAC-SHA1(token, url + sorted name+value pairs)).

    Repeated names contribute every value, values sorted (what Twilio and the
    SDK's ``compute_signature`` do).
    """
    data = url
    for name in sorted(params):
        value = params[name]
        values = [value] if isinstance(value, str) else list(value)
        for v in sorted(set(values)):
            data += name + v
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


class SendGridSigner:
    """A fresh ECDSA P-256 key pair standing in for SendGrid's signing key."""

    def __init__(self) -> None:
        self._private = ec.generate_private_key(ec.SECP256R1())
        der = self._private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        #: What SendGrid's settings page shows: base64 DER, no PEM armour.
        self.public_key_base64 = base64.b64encode(der).decode("ascii")
        self.public_key_pem = (
            self._private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    def sign(self, raw_body: bytes, timestamp: str) -> str:
        """base64(DER ECDSA-SHA256 signature over timestamp + raw body)."""
        signature = self._private.sign(
            timestamp.encode("utf-8") + raw_body, ec.ECDSA(hashes.SHA256())
        )
        return base64.b64encode(signature).decode("ascii")

    def headers(self, raw_body: bytes, timestamp: str) -> dict[str, str]:
        """The two headers SendGrid sends with an Event Webhook POST."""
        return {
            SENDGRID_SIGNATURE_HEADER: self.sign(raw_body, timestamp),
            SENDGRID_TIMESTAMP_HEADER: timestamp,
        }
