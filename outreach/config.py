"""Typed settings, read from the environment here and nowhere else.

Every variable is listed in README.md ("Configuration"). Defaults are the
embedded ones that ``make run`` and the tests use; production sets
``OUTREACH_ENV=production``, which refuses the development secrets.

The development secrets are written in this file, so they are allowed only
where nothing real can be behind them (issue 13, item 4): when development is
explicit (``OUTREACH_ENV=development`` or ``test``), or when ``OUTREACH_ENV``
is unset and the embedded SQLite default is in use. ``OUTREACH_ENV`` unset in
front of a ``DATABASE_URL`` (the README's gunicorn line, a forgotten variable)
is production: with the committed keys a forged cookie would read any case
and the data key would decrypt the stored national ids.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

# Only for development and tests: production refuses to start with these.
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"  # noqa: S105
MIN_SECRET_LENGTH = 32
DEV_DATA_KEY = "ZGV2LW9ubHktZGF0YS1rZXktbm90LWZvci1wcm9kISE="  # base64 of 32 bytes


#: The values ``OUTREACH_ENV`` may take; development secrets only in the first two.
ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    var_dir: Path = REPO_ROOT / "var"
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = DEV_SECRET_KEY
    # Fernet key for national ids at rest; a separate HMAC derived from it is
    # used for look-ups so the id itself is never stored in clear.
    data_key: str = DEV_DATA_KEY
    queue_name: str = "outreach"
    tick_seconds: float = 15.0
    # A step a worker started but did not finish within this lease is handed
    # out again; the attempt row keeps the second run from sending twice.
    step_lease_seconds: int = 600
    max_step_tries: int = 5
    worker_class: str = "fork"  # fork | simple
    policy_file: Path | None = None
    # The street/house-number table that routes addresses to districts
    # (``outreach districts import``); None: var/address-table.csv when an
    # import put one there, else the shipped demo table.
    address_table: Path | None = None
    public_base_url: str = "http://127.0.0.1:5000"
    timezone: str = "Europe/Oslo"
    provider_settings: Mapping[str, str] = field(default_factory=dict)
    testing: bool = False
    log_level: str = "INFO"
    # Development and tests only: the service's clock starts at this instant
    # and runs in real time from there (principle 4), so a demo or a worker in
    # a test can live on a chosen working day. Refused in production.
    clock_start: datetime | None = None
    # OpenID Connect single sign-on for staff (outreach.web.staff.oidc): on
    # when issuer, client id and secret are all set. Roles and districts stay
    # in our users table; the claim only says which user it is.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_username_claim: str = "preferred_username"
    # Refuse local passwords once every account signs in through the provider.
    oidc_only: bool = False
    # How many reverse proxies in front of the app may be believed about the
    # client's address, scheme and host (X-Forwarded-*). 0: none – the headers
    # are ignored, so nobody can rotate them to slip past the per-address
    # limits on logins and booking codes (issue 13, item 9).
    trusted_proxies: int = 0
    # /metrics shows city-wide counts: a bearer token, or only from this machine.
    metrics_token: str = ""
    # Request rates, shared by all web processes through Redis (``web.limits``),
    # in Flask-Limiter's notation ("30 per minute; 300 per hour"). Login forms:
    # every POST per client address (the failed-login count per user name is
    # ``web.login_limit``'s). A NAV office behind one address shares it: the
    # defaults leave room for a whole office signing in at eight.
    login_rate_limit: str = "30 per minute; 300 per hour"
    # The landlord API, per landlord (all its keys together), so a second key
    # does not double the allowance. An arrears list is one request.
    landlord_api_rate_limit: str = "120 per minute"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def redis_namespace(self) -> str:
        """Prefix of this deployment's Redis keys, so deployments (and test
        runs) can share one Redis without touching each other's counters."""
        return self.queue_name

    @property
    def outbox_dir(self) -> Path:
        return self.var_dir / "outbox"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'outreach.sqlite3'}"

    def with_overrides(self, overrides: Mapping[str, Any]) -> Settings:
        return replace(self, **overrides)

    def check(self) -> None:
        if self.env not in ENVIRONMENTS:
            raise ConfigError(
                f"OUTREACH_ENV must be one of {', '.join(ENVIRONMENTS)}, got {self.env!r}"
            )
        if self.env == "production":
            committed = [
                name
                for name, value, dev in (
                    ("OUTREACH_SECRET_KEY", self.secret_key, DEV_SECRET_KEY),
                    ("OUTREACH_DATA_KEY", self.data_key, DEV_DATA_KEY),
                )
                if value == dev
            ]
            if committed:
                raise ConfigError(
                    f"{' and '.join(committed)} must be set: the development values are "
                    "committed to the repository. They are allowed only with "
                    "OUTREACH_ENV=development (or test), or with OUTREACH_ENV unset and "
                    "no DATABASE_URL (the embedded SQLite database)"
                )
            if len(self.secret_key) < MIN_SECRET_LENGTH:
                # A short key can be guessed offline from one signed cookie.
                raise ConfigError(
                    f"OUTREACH_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters"
                )
            if not self.database_url:
                raise ConfigError("DATABASE_URL must be set in production")
            if not self.redis_url:
                raise ConfigError("REDIS_URL must be set in production")
        if self.env == "production" and self.clock_start is not None:
            raise ConfigError("OUTREACH_CLOCK_START must not be set in production")
        if self.worker_class not in {"fork", "simple"}:
            raise ConfigError("OUTREACH_WORKER_CLASS must be 'fork' or 'simple'")
        rate = self.provider_settings.get("SMS_RATE_PER_SECOND")
        if rate is not None and not _positive_number(rate):
            # Read by the SMS job (outreach.jobs.execute): refuse it at start-up.
            raise ConfigError(f"SMS_RATE_PER_SECOND must be a positive number, got {rate!r}")
        self._check_oidc()
        self._check_rate_limits()

    def _check_rate_limits(self) -> None:
        from limits import parse_many

        for name, value in (
            ("OUTREACH_LOGIN_RATE_LIMIT", self.login_rate_limit),
            ("OUTREACH_LANDLORD_API_RATE_LIMIT", self.landlord_api_rate_limit),
        ):
            try:
                parsed = parse_many(value)
            except ValueError:
                parsed = []
            if not parsed:
                raise ConfigError(
                    f"{name} must be rates such as '30 per minute; 300 per hour', got {value!r}"
                )

    def _check_oidc(self) -> None:
        parts = (self.oidc_issuer, self.oidc_client_id, self.oidc_client_secret)
        if any(parts) and not all(parts):
            raise ConfigError(
                "OUTREACH_OIDC_ISSUER, OUTREACH_OIDC_CLIENT_ID and OUTREACH_OIDC_CLIENT_SECRET "
                "are set together or not at all"
            )
        if self.oidc_only and not self.oidc_enabled:
            raise ConfigError("OUTREACH_OIDC_ONLY=1 needs OUTREACH_OIDC_ISSUER and the client")
        if self.oidc_enabled and not self.oidc_username_claim:
            raise ConfigError("OUTREACH_OIDC_USERNAME_CLAIM must not be empty")
        if (
            self.env == "production"
            and self.oidc_enabled
            and not self.oidc_issuer.startswith("https://")
        ):
            raise ConfigError("OUTREACH_OIDC_ISSUER must be an https:// URL in production")


_PROVIDER_VARIABLES = (
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM_NUMBER",
    "TWILIO_MESSAGING_SERVICE_SID",
    "TWILIO_BASE_URL",
    "TWILIO_STATUS_CALLBACK_URL",
    "TWILIO_TIMEOUT_S",
    "TWILIO_VALIDITY_PERIOD_S",
    "SENDGRID_API_KEY",
    "SENDGRID_FROM_EMAIL",
    "SENDGRID_FROM_NAME",
    "SENDGRID_HOST",
    "SENDGRID_TIMEOUT_S",
    "SENDGRID_WEBHOOK_PUBLIC_KEY",
    "SMS_RATE_PER_SECOND",
)


def _positive_number(raw: str) -> bool:
    try:
        value = float(raw)
    except ValueError:
        return False
    return math.isfinite(value) and value > 0


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _instant(environ: Mapping[str, str], name: str) -> datetime | None:
    raw = environ.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an ISO 8601 time, got {raw!r}") from exc
    if value.tzinfo is None:
        raise ConfigError(f"{name} needs a UTC offset, e.g. 2026-12-08T10:00+01:00")
    return value


def _flag(environ: Mapping[str, str], name: str) -> bool:
    raw = environ.get(name, "").strip().lower()
    if raw in {"", "0", "false", "no"}:
        return False
    if raw in {"1", "true", "yes"}:
        return True
    raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")


def _proxies(raw: str) -> int:
    if not raw.strip().isdigit() or int(raw) > 5:
        raise ConfigError(f"OUTREACH_TRUSTED_PROXIES must be a whole number 0-5, got {raw!r}")
    return int(raw)


def _environment(environ: Mapping[str, str]) -> str:
    """``OUTREACH_ENV``, or when unset: development on the embedded SQLite
    default, production in front of any ``DATABASE_URL`` (see the module doc)."""
    explicit = environ.get("OUTREACH_ENV", "").strip()
    if explicit:
        return explicit
    return "production" if environ.get("DATABASE_URL") else "development"


def load_settings(environ: Mapping[str, str] | None = None, *, check: bool = True) -> Settings:
    """The settings from the environment; ``check=False`` when the caller overrides
    some and checks the result (``web.app.build_app``)."""
    env = os.environ if environ is None else environ
    var_dir = Path(env.get("OUTREACH_VAR_DIR", str(REPO_ROOT / "var")))
    policy = env.get("OUTREACH_POLICY_FILE")
    address_table = env.get("OUTREACH_ADDRESS_TABLE")
    settings = Settings(
        env=_environment(env),
        var_dir=var_dir,
        database_url=env.get("DATABASE_URL", ""),
        redis_url=env.get("REDIS_URL", ""),
        secret_key=env.get("OUTREACH_SECRET_KEY", DEV_SECRET_KEY),
        data_key=env.get("OUTREACH_DATA_KEY", DEV_DATA_KEY),
        queue_name=env.get("OUTREACH_QUEUE", "outreach"),
        tick_seconds=_float(env, "OUTREACH_TICK_SECONDS", 15.0),
        step_lease_seconds=int(_float(env, "OUTREACH_STEP_LEASE_SECONDS", 600)),
        max_step_tries=int(_float(env, "OUTREACH_MAX_STEP_TRIES", 5)),
        worker_class=env.get("OUTREACH_WORKER_CLASS", "fork"),
        policy_file=Path(policy) if policy else None,
        address_table=Path(address_table) if address_table else None,
        public_base_url=env.get("OUTREACH_PUBLIC_URL", "http://127.0.0.1:5000"),
        provider_settings={k: env[k] for k in _PROVIDER_VARIABLES if env.get(k)},
        log_level=env.get("OUTREACH_LOG_LEVEL", "INFO"),
        clock_start=_instant(env, "OUTREACH_CLOCK_START"),
        oidc_issuer=env.get("OUTREACH_OIDC_ISSUER", ""),
        oidc_client_id=env.get("OUTREACH_OIDC_CLIENT_ID", ""),
        oidc_client_secret=env.get("OUTREACH_OIDC_CLIENT_SECRET", ""),
        oidc_username_claim=env.get("OUTREACH_OIDC_USERNAME_CLAIM") or "preferred_username",
        oidc_only=_flag(env, "OUTREACH_OIDC_ONLY"),
        trusted_proxies=_proxies(env.get("OUTREACH_TRUSTED_PROXIES", "0")),
        metrics_token=env.get("OUTREACH_METRICS_TOKEN", ""),
        login_rate_limit=env.get("OUTREACH_LOGIN_RATE_LIMIT") or Settings.login_rate_limit,
        landlord_api_rate_limit=(
            env.get("OUTREACH_LANDLORD_API_RATE_LIMIT") or Settings.landlord_api_rate_limit
        ),
    )
    if check:
        settings.check()
    return settings
