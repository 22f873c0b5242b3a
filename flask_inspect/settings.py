"""Configuration keys, their defaults, and the decisions made from them.

Everything is read from ``app.config`` when it is needed, never cached at
``init_app``, so ``Inspect(app)`` followed by ``app.run(debug=True)`` works.
"""

from __future__ import annotations

import re
import typing as t

if t.TYPE_CHECKING:
    from flask import Flask

ENABLED = "INSPECT_ENABLED"
URL_PREFIX = "INSPECT_URL_PREFIX"
ALLOWED_HOSTS = "INSPECT_ALLOWED_HOSTS"
HISTORY_SIZE = "INSPECT_HISTORY_SIZE"
BADGE = "INSPECT_BADGE"
EXPLAIN_ERRORS = "INSPECT_EXPLAIN_ERRORS"
REDACT = "INSPECT_REDACT"
STORE = "INSPECT_STORE"

# Names whose values are shown as "[redacted]": matched case-insensitively
# anywhere in a header, config or ``g`` key.
DEFAULT_REDACT = (
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE",
    "CREDENTIAL",
    "AUTHORIZATION",
    "COOKIE",
    "SESSION",
    "DATABASE_URI",
    "DATABASE_URL",
)
REDACTED = "[redacted]"

DEFAULTS: dict[str, t.Any] = {
    ENABLED: None,
    URL_PREFIX: "/_inspect",
    ALLOWED_HOSTS: ("127.0.0.1", "::1"),
    HISTORY_SIZE: 200,
    BADGE: True,
    EXPLAIN_ERRORS: True,
    REDACT: DEFAULT_REDACT,
    STORE: None,
}


def apply_defaults(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)


def is_enabled(app: Flask) -> bool:
    """``INSPECT_ENABLED``: ``None`` follows ``app.debug``; otherwise its truth."""
    config = app.config  # read on every request: ``app.debug`` would be one more call
    setting = config.get(ENABLED)
    if setting is None:
        return bool(config.get("DEBUG"))
    return bool(setting)


def is_switched_off(app: Flask) -> bool:
    """Explicitly ``False``: no routes, no receivers, no middleware work."""
    return app.config.get(ENABLED) is False


def url_prefix(app: Flask) -> str:
    prefix = str(app.config.get(URL_PREFIX) or DEFAULTS[URL_PREFIX])
    return "/" + prefix.strip("/")


def allowed_hosts(app: Flask) -> tuple[str, ...]:
    value = app.config.get(ALLOWED_HOSTS, DEFAULTS[ALLOWED_HOSTS])
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value)


def client_allowed(app: Flask, remote_addr: str | None) -> bool:
    hosts = allowed_hosts(app)
    if "*" in hosts:
        return True
    return remote_addr is not None and remote_addr in hosts


def history_size(app: Flask) -> int:
    value = app.config.get(HISTORY_SIZE, DEFAULTS[HISTORY_SIZE])
    if type(value) is int and value >= 1:
        return value
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return int(DEFAULTS[HISTORY_SIZE])


def recording_limit(app: Flask) -> int:
    """How many requests to keep, or 0 while the panel is off.

    :func:`is_enabled` and :func:`history_size` in one call: the recorder
    reads both on every request.
    """
    config = app.config
    setting = config.get(ENABLED)
    if not (config.get("DEBUG") if setting is None else setting):
        return 0
    value = config.get(HISTORY_SIZE)  # set by ``apply_defaults``
    if type(value) is int and value >= 1:
        return value
    return history_size(app)


def redact_pattern(app: Flask) -> re.Pattern[str]:
    names = app.config.get(REDACT, DEFAULT_REDACT)
    if isinstance(names, str):
        names = (names,)
    alternatives = "|".join(re.escape(str(name)) for name in names if str(name))
    return re.compile(alternatives or r"(?!x)x", re.IGNORECASE)


def is_secret_name(app: Flask, name: str) -> bool:
    return redact_pattern(app).search(name) is not None
