"""A record as a backend keeps it, and what every backend offers.

A record is stored as the JSON the API draws (``summary`` for the list,
``detail`` for one record), with the version of that shape. A record read
back from another version has the keys it lacks filled with empty values,
so a page never fails on an old record; one that cannot be read at all is
skipped.

>>> stored = StoredRecord.load("1-ab-cd", 0, '{"id": "1-ab-cd"}', '{"id": "1-ab-cd"}')
>>> stored.summary(app)["templates"]  # doctest: +SKIP
[]
"""

from __future__ import annotations

import json
import typing as t
from dataclasses import dataclass

if t.TYPE_CHECKING:
    from flask import Flask

SCHEMA_VERSION = 1
"""The shape of the stored JSON. Raise it when a key changes meaning."""

SUMMARY_DEFAULTS: dict[str, t.Any] = {
    "id": "",
    "method": "",
    "path": "",
    "query_string": "",
    "status": None,
    "duration_ms": None,
    "started_at": "",
    "finished": True,
    "thread": {"name": "", "ident": None},
    "endpoint": None,
    "rule": None,
    "view_args": {},
    "view": None,
    "blueprint": None,
    "routing_error": None,
    "exception": None,
    "templates": [],
    "flashes": [],
    "events": [],
    "process": {"pid": None, "boot": "", "host": "", "started_at": ""},
}
"""Every key the list shows, with the value a record lacking it reads as."""

DETAIL_DEFAULTS: dict[str, t.Any] = {**SUMMARY_DEFAULTS, "headers": [], "g": None}

_drawn_shape: dict[str, type] = {}
"""Keys (and value types) of the records this version draws, learnt from the
first one drawn: keys added to ``detail()`` later are filled for old records too."""


class StoreError(Exception):
    """The backend cannot be used (file corrupt or locked, disk full, server gone)."""


@dataclass(frozen=True)
class Row:
    """One record ready to be written: its JSON and the facts to order and mark it by."""

    id: str
    started: float
    boot: str
    pid: int
    summary: str
    detail: str
    schema: int = SCHEMA_VERSION
    boot_started: float = 0.0
    """When the writing process started (``time.time()``): restarts are marked by it."""


@dataclass(frozen=True)
class WorkerInfo:
    """A process writing to the same history, as its last heartbeat said."""

    boot: str
    pid: int
    host: str
    started: float
    last_seen: float

    def to_dict(self, now: float) -> dict[str, t.Any]:
        return {
            "pid": self.pid,
            "boot": self.boot,
            "host": self.host,
            "last_seen_s": round(max(0.0, now - self.last_seen), 1),
        }


class StoredRecord:
    """A record read back from a backend: the two dictionaries the API serves.

    A record of this version keeps its summary's JSON text as stored: the
    list API splices it into its answer as it is (parsing and encoding a
    thousand records again would cost more than the rest of the request),
    and parses it only when a filter asks. A record of another version is
    parsed at once, and skipped if it cannot be read. The detail is read
    and parsed only when a record's page is opened.
    """

    __slots__ = (
        "_detail_text",
        "_fetch_detail",
        "_summary",
        "_summary_text",
        "boot",
        "boot_started",
        "id",
        "schema",
        "started",
    )

    def __init__(
        self,
        record_id: str,
        schema: int,
        summary: dict[str, t.Any] | None,
        summary_text: str | None,
        detail_text: str | None,
        fetch_detail: t.Callable[[], str | None] | None = None,
        marks: tuple[float, str, float] = (0.0, "", 0.0),
    ) -> None:
        self.id = record_id
        self.schema = schema
        self._summary = summary
        self._summary_text = summary_text
        self._detail_text = detail_text
        self._fetch_detail = fetch_detail
        """Reads the detail when it was not read with the summary (a list);
        returns ``None`` rather than raise."""
        self.started, self.boot, self.boot_started = marks
        """When the request began, and the boot id and start of its process."""

    @classmethod
    def load(
        cls,
        record_id: str,
        schema: int,
        summary_text: str,
        detail_text: str | None,
        fetch_detail: t.Callable[[], str | None] | None = None,
        marks: tuple[float, str, float] = (0.0, "", 0.0),
    ) -> StoredRecord | None:
        """The record, or ``None`` when its JSON cannot be read (it is then skipped)."""
        if (
            schema == SCHEMA_VERSION
            and isinstance(summary_text, str)
            and summary_text.startswith('{"')
            and summary_text.endswith("}")
        ):
            return cls(record_id, schema, None, summary_text, detail_text, fetch_detail, marks)
        try:
            summary = json.loads(summary_text)
        except (TypeError, ValueError):
            return None
        if not isinstance(summary, dict):
            return None
        summary = _filled(summary, SUMMARY_DEFAULTS, summary_only=True)
        summary["id"] = record_id
        return cls(record_id, schema, summary, None, detail_text, fetch_detail, marks)

    def summary(self, app: Flask) -> dict[str, t.Any]:
        summary = self._summary
        if summary is None:
            try:
                parsed = json.loads(self._summary_text or "")
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                parsed = {}
            if parsed.keys() != SUMMARY_DEFAULTS.keys():
                parsed = _filled(parsed, SUMMARY_DEFAULTS, summary_only=True)
            parsed["id"] = self.id
            self._summary = summary = parsed
        return summary

    def summary_json(self, app: Flask, after_restart: bool) -> str:
        """The summary as JSON text with ``after_restart`` added, as the list serves it."""
        text = self._summary_text
        if text is not None:
            return text[:-1] + (
                ',"after_restart":true}' if after_restart else ',"after_restart":false}'
            )
        return json.dumps({**self.summary(app), "after_restart": after_restart}, default=str)

    def detail(self, app: Flask) -> dict[str, t.Any]:
        text = self._detail_text
        if text is None and self._fetch_detail is not None:
            text = self._fetch_detail()
        try:
            data = json.loads(text) if text is not None else None
        except (TypeError, ValueError):
            data = None
        if not isinstance(data, dict):
            # Shown from its summary rather than not at all.
            data = dict(self.summary(app))
        data = _filled(data, DETAIL_DEFAULTS, summary_only=False)
        data["id"] = self.id
        return data


def learn_shape(detail: dict[str, t.Any]) -> None:
    """Note the keys this version draws (called with the first record drawn)."""
    if not _drawn_shape:
        _drawn_shape.update({key: type(value) for key, value in detail.items()})


def _filled(
    data: dict[str, t.Any], defaults: dict[str, t.Any], summary_only: bool
) -> dict[str, t.Any]:
    """``data`` with every key the pages read present: a record of another version."""
    for key, value in defaults.items():
        if key not in data or (value is not None and not isinstance(data[key], type(value))):
            data[key] = json.loads(json.dumps(value))  # a fresh copy
    if not summary_only:
        for key, kind in _drawn_shape.items():
            if key not in data:
                data[key] = [] if kind is list else None
    return data
