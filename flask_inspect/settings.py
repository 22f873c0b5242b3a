"""Configuration keys, their defaults, and the decisions made from them.

Everything is read from ``app.config`` when it is needed, never cached at
``init_app``, so ``Inspect(app)`` followed by ``app.run(debug=True)`` works.
"""

from __future__ import annotations

import functools
import re
import typing as t

if t.TYPE_CHECKING:
    from flask import Flask

_Answer = t.TypeVar("_Answer")

ENABLED = "INSPECT_ENABLED"
URL_PREFIX = "INSPECT_URL_PREFIX"
ALLOWED_HOSTS = "INSPECT_ALLOWED_HOSTS"
HISTORY_SIZE = "INSPECT_HISTORY_SIZE"
BADGE = "INSPECT_BADGE"
EXPLAIN_ERRORS = "INSPECT_EXPLAIN_ERRORS"
REDACT = "INSPECT_REDACT"
ALLOWED_SERVER_NAMES = "INSPECT_ALLOWED_SERVER_NAMES"
STORE = "INSPECT_STORE"

# Names whose values are shown as "[redacted]", matched case-insensitively
# anywhere in a name read as words joined by ``_`` (``X-Api-Key``, ``apiKey``
# and ``HTTP_X_API_KEY`` all read ``_x_api_key_``); an entry's ``_`` at either
# end stands for a word boundary, so ``_AUTH_`` hides ``X-Auth`` but not ``author``.
DEFAULT_REDACT = (
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "_PASS_",
    "_PWD_",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "ACCESSKEY",
    "PRIVATE",
    "CREDENTIAL",
    "AUTHORIZATION",
    "AUTHENTICATION",
    "_AUTH_",
    "JWT",
    "BEARER",
    "_OTP_",
    "SIGNATURE",
    "_SIG_",
    "COOKIE",
    "SESSION",
    "DATABASE_URI",
    "DATABASE_URL",
)
QUERY_SECRET_NAMES = frozenset({"code", "key", "sig"})
"""Query parameters redacted by exact name besides ``INSPECT_REDACT``: short
names that are secrets there (an OAuth ``code``, an API ``key``) but would
hide too much anywhere else (``status_code``, ``sort_key``)."""
REDACTED = "[redacted]"

DEFAULTS: dict[str, t.Any] = {
    ENABLED: None,
    URL_PREFIX: "/_inspect",
    ALLOWED_HOSTS: ("127.0.0.1", "::1"),
    HISTORY_SIZE: 200,
    BADGE: True,
    EXPLAIN_ERRORS: True,
    REDACT: DEFAULT_REDACT,
    ALLOWED_SERVER_NAMES: ("localhost", "127.0.0.1", "::1"),
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
    """``INSPECT_ALLOWED_HOSTS`` as a tuple; ``None`` or an odd value allows no one."""
    return _names(app.config.get(ALLOWED_HOSTS, DEFAULTS[ALLOWED_HOSTS]))


def allowed_server_names(app: Flask) -> tuple[str, ...]:
    """``INSPECT_ALLOWED_SERVER_NAMES``, plus the app's ``SERVER_NAME`` when it has one."""
    config = app.config
    return server_names(
        config.get(ALLOWED_SERVER_NAMES, DEFAULTS[ALLOWED_SERVER_NAMES]), config.get("SERVER_NAME")
    )


def server_names(setting: t.Any, server_name: t.Any) -> tuple[str, ...]:
    """The names of :func:`allowed_server_names`, from the two settings' raw values."""
    names = _names(setting)
    if isinstance(server_name, str) and server_name:
        names = (*names, server_name)
    return names


def _names(value: t.Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(str(item) for item in value)
    except TypeError:
        return ()


def client_allowed(app: Flask, remote_addr: str | None) -> bool:
    """See :func:`flask_inspect.access.client_allowed` (loopback ranges included)."""
    from .access import client_allowed as allowed

    return allowed(app, remote_addr)


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
    """``INSPECT_REDACT`` as one pattern, to search names made by :func:`name_words`."""
    return _secret_test_of(app).words


def secret_name_test(app: Flask) -> t.Callable[[str], bool]:
    """A predicate: does this name look like a secret's (``INSPECT_REDACT``)?

    An entry is looked for in the name read as words (:func:`name_words`);
    one without a ``_`` at either end is also looked for in the name with
    its separators removed, so ``APIKEY`` still hides ``X-ApiKey``.
    """
    return _secret_test_of(app).test


def is_secret_name(app: Flask, name: str) -> bool:
    return secret_name_test(app)(name)


def remembered_by_value(function: t.Callable[..., _Answer]) -> t.Callable[..., _Answer]:
    """``function`` of settings' raw values, remembered by those values.

    For what is worked out from a setting on every request or every name
    drawn. A changed setting is a new key, and a list or set is keyed by
    what it holds at each call, so a setting changed in place is obeyed
    too; a value that cannot be a key at all (a list of lists) is answered
    afresh each time. ``function`` must be pure.
    """
    remembered = functools.lru_cache(maxsize=128)(function)

    @functools.wraps(function)
    def answer(*values: t.Any) -> _Answer:
        try:
            return remembered(*values)
        except TypeError:  # a list or a set: keyed by what it holds now
            pass
        try:
            return remembered(*map(_as_key, values))
        except TypeError:
            return function(*values)

    return answer


def _as_key(value: t.Any) -> t.Any:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    return value


def _secret_test_of(app: Flask) -> _SecretTest:
    """The test for ``INSPECT_REDACT`` (asked for every name drawn: tens of times a record)."""
    return _secret_test(app.config.get(REDACT, DEFAULT_REDACT))


@remembered_by_value
def _secret_test(setting: t.Any) -> _SecretTest:
    return _SecretTest(_redact_names(setting))


def _redact_names(setting: t.Any) -> tuple[str, ...]:
    if isinstance(setting, str):
        return (setting,)
    return tuple(str(name) for name in setting or ())


class _SecretTest:
    def __init__(self, names: tuple[str, ...]) -> None:
        words = [_NOT_WORD.sub("_", name.lower()) for name in names]
        self.words = _any_of(words)
        self.compact = _any_of(
            [_NOT_WORD.sub("", word) for word in words if word[:1] != "_" and word[-1:] != "_"]
        )

    def test(self, name: str) -> bool:
        if self.words.search(name_words(name)) is not None:
            return True
        return self.compact.search(_NOT_WORD.sub("", name.lower())) is not None


def _any_of(entries: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(entry) for entry in entries if entry.strip("_"))
    return re.compile(alternatives or r"(?!x)x")


_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def name_words(name: str) -> str:
    """``"X-Hub-Signature"`` -> ``"_x_hub_signature_"``, ``"apiKey"`` -> ``"_api_key_"``."""
    return "_" + _NOT_WORD.sub("_", _CAMEL_HUMP.sub("_", name).lower()).strip("_") + "_"
