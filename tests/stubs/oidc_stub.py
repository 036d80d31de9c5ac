"""Enough of an OpenID Connect provider for Authlib's client, on 127.0.0.1.

- ``GET /.well-known/openid-configuration``: discovery, issuer = the stub's URL;
- ``GET /jwks``: the public half of an RSA key;
- ``GET /authorize``: auto-consents for :attr:`OidcStub.username` and redirects
  back to ``redirect_uri`` with a code and the state (it checks the client id,
  ``response_type=code`` and an S256 PKCE challenge);
- ``POST /token``: checks the client's secret (HTTP Basic, Authlib's default),
  the code, the redirect URI and the PKCE verifier, and answers with an access
  token and an RS256-signed ID token carrying the nonce it was given.

Faults for the next token only: ``claims_next(nonce="x", aud="other",
exp=past)`` overrides claims (``None`` removes one); ``sign_next_with_foreign_key()``
signs with a key the JWKS does not hold.

Usage::

    with OidcStub(username="kari") as stub:
        app = create_app({"oidc_issuer": stub.issuer, "oidc_client_id": stub.client_id,
                          "oidc_client_secret": stub.client_secret, ...})
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey

from ._server import RecordedRequest, Response, StubServer

CLIENT_ID = "outreach-staff"
CLIENT_SECRET = "stub-client-secret-0123456789"


class OidcStub(StubServer):
    def __init__(
        self,
        username: str = "kari",
        *,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        username_claim: str = "preferred_username",
    ) -> None:
        super().__init__()
        self.username: str | None = username
        self.client_id = client_id
        self.client_secret = client_secret
        self.username_claim = username_claim
        self.key = RSAKey.generate_key(2048, parameters={"kid": "stub-1", "use": "sig"})
        self._codes: dict[str, dict[str, Any]] = {}
        self._next_claims: dict[str, Any] = {}
        self._foreign_key: RSAKey | None = None
        #: The ID tokens' claims, in the order they were issued.
        self.issued: list[dict[str, Any]] = []

    @property
    def issuer(self) -> str:
        return self.base_url

    # -- faults --------------------------------------------------------------
    def claims_next(self, **claims: Any) -> None:
        """Override (or, with ``None``, remove) claims of the next ID token."""
        with self._lock:
            self._next_claims.update(claims)

    def sign_next_with_foreign_key(self) -> None:
        with self._lock:
            self._foreign_key = RSAKey.generate_key(2048, parameters={"kid": "stub-1"})

    # -- endpoints -----------------------------------------------------------
    def respond(self, request: RecordedRequest) -> Response:
        if request.method == "GET" and request.path == "/.well-known/openid-configuration":
            return Response.json(200, self._metadata())
        if request.method == "GET" and request.path == "/jwks":
            return Response.json(200, {"keys": [self.key.as_dict(private=False)]})
        if request.method == "GET" and request.path == "/authorize":
            return self._authorize(request)
        if request.method == "POST" and request.path == "/token":
            return self._token(request)
        return Response.json(404, {"error": "not_found"})

    def _metadata(self) -> dict[str, Any]:
        base = self.base_url
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": ["openid", "profile"],
        }

    def _authorize(self, request: RecordedRequest) -> Response:
        q = {k: v[0] for k, v in request.query.items()}
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            return Response.json(400, {"error": "invalid_request"})
        if "openid" not in q.get("scope", "").split():
            return Response.json(400, {"error": "invalid_scope"})
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return Response.json(400, {"error": "invalid_request", "error_description": "PKCE"})
        redirect_uri = q.get("redirect_uri", "")
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = {
                "redirect_uri": redirect_uri,
                "nonce": q.get("nonce"),
                "challenge": q["code_challenge"],
                "username": self.username,
            }
        query = urlencode({"code": code, "state": q.get("state", "")})
        return Response(302, headers={"Location": f"{redirect_uri}?{query}"})

    def _client_ok(self, request: RecordedRequest) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        expected = f"{self.client_id}:{self.client_secret}".encode()
        return secrets.compare_digest(base64.b64decode(header[6:]), expected)

    def _token(self, request: RecordedRequest) -> Response:
        if not self._client_ok(request):
            return Response.json(401, {"error": "invalid_client"})
        if request.form_value("grant_type") != "authorization_code":
            return Response.json(400, {"error": "unsupported_grant_type"})
        with self._lock:
            grant = self._codes.pop(request.form_value("code") or "", None)
        if grant is None or grant["redirect_uri"] != request.form_value("redirect_uri"):
            return Response.json(400, {"error": "invalid_grant"})
        verifier = request.form_value("code_verifier") or ""
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return Response.json(400, {"error": "invalid_grant", "error_description": "PKCE"})
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": f"sub-{grant['username']}",
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
        }
        if grant["username"] is not None:
            claims[self.username_claim] = grant["username"]
        with self._lock:
            overrides, self._next_claims = self._next_claims, {}
            key, self._foreign_key = self._foreign_key or self.key, None
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        self.issued.append(claims)
        id_token = jwt.encode({"alg": "RS256", "kid": "stub-1"}, claims, key)
        return Response.json(
            200,
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            },
            headers={"Cache-Control": "no-store"},
        )
