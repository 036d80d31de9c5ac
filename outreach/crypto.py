"""National ids at rest: Fernet for the value, a keyed HMAC for look-ups.

TECH-NOTES.md: sqlalchemy-utils' AesEngine has a fixed IV and no integrity.
Fernet (AES-CBC + HMAC, random IV) protects the value; the HMAC column lets
intake find "the person with this id" without storing or scanning clear text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class DataProtector:
    def __init__(self, data_key: str) -> None:
        raw = base64.urlsafe_b64decode(data_key.encode("ascii"))
        if len(raw) != 32:
            raise ValueError("OUTREACH_DATA_KEY must be 32 bytes, urlsafe-base64 encoded")
        # Two keys from one secret so a leaked look-up key cannot decrypt.
        enc_key = hmac.new(raw, b"outreach:encrypt", hashlib.sha256).digest()
        self._mac_key = hmac.new(raw, b"outreach:lookup", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(enc_key))

    def encrypt(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken as exc:
            raise ValueError("cannot decrypt: wrong OUTREACH_DATA_KEY?") from exc

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._mac_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """API tokens are random and long, so a plain SHA-256 is enough to store."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
