"""The history on a Redis server: ``INSPECT_STORE="redis://host:port/db"``.

For an app spread over several hosts or containers. Per app (its key
hashed into the names):

- ``<prefix>:ids``: a list of record ids, newest first, trimmed to the
  history size;
- ``<prefix>:summaries``: beside it, in the same order, each record's list
  entry (its summary and the facts restarts are marked by), so the list is
  one ``LRANGE``;
- ``<prefix>:r:<id>``: a hash per record (``summary``, ``detail``,
  ``schema``), deleted when trimmed and expiring after :data:`RECORD_TTL_S`
  anyway;
- ``<prefix>:workers``: a hash of heartbeats, by boot id.

Every call has a short socket timeout, so a server gone away costs the
writer thread (or the panel) about a second once, never the app; the
history then falls back to memory. Needs the ``redis`` client:
``pip install flask-inspect[redis]``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import typing as t

from .choice import public_location
from .records import StoredRecord
from .records import StoreError
from .records import WorkerInfo

if t.TYPE_CHECKING:
    from .process import ProcessInfo
    from .records import Row

RECORD_TTL_S = 24 * 3600
"""Records (and the list) expire this long after they were last written."""

SOCKET_TIMEOUT_S = 1.0

WORKER_TTL_S = 3600


class RedisBackend:
    name = "redis"

    def __init__(self, url: str, app_key: str) -> None:
        try:
            import redis
        except ImportError as error:
            raise StoreError(
                "the redis client is not installed (pip install flask-inspect[redis])"
            ) from error
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self.location = public_location(url)
        digest = hashlib.sha256(app_key.encode("utf-8", "replace")).hexdigest()[:16]
        self._prefix = f"flask-inspect:{digest}"
        self._ids = f"{self._prefix}:ids"
        self._summaries = f"{self._prefix}:summaries"
        self._workers = f"{self._prefix}:workers"
        try:
            self._client = redis.Redis.from_url(
                url,
                socket_timeout=SOCKET_TIMEOUT_S,
                socket_connect_timeout=SOCKET_TIMEOUT_S,
                decode_responses=True,
            )
            self._client.ping()
        except self._errors as error:
            raise StoreError(f"{self.location}: {error}") from error
        except ValueError as error:  # a URL redis-py cannot read
            raise StoreError(f"{self.location}: {error}") from error

    def _key(self, record_id: str) -> str:
        return f"{self._prefix}:r:{record_id}"

    def _call(self, action: t.Callable[[], t.Any]) -> t.Any:
        try:
            return action()
        except self._errors as error:
            raise StoreError(f"{self.location}: {error}") from error

    def write(self, rows: list[Row], limit: int) -> None:
        def write() -> None:
            pipe = self._client.pipeline(transaction=True)
            for row in rows:
                key = self._key(row.id)
                pipe.hset(
                    key,
                    mapping={
                        "summary": row.summary,
                        "detail": row.detail,
                        "schema": row.schema,
                        "marks": json.dumps([row.started, row.boot, row.boot_started]),
                    },
                )
                pipe.expire(key, RECORD_TTL_S)
                pipe.lpush(self._ids, row.id)
                pipe.lpush(self._summaries, _entry(row))
            pipe.lrange(self._ids, limit, -1)
            pipe.ltrim(self._ids, 0, limit - 1)
            pipe.ltrim(self._summaries, 0, limit - 1)
            pipe.expire(self._ids, RECORD_TTL_S)
            pipe.expire(self._summaries, RECORD_TTL_S)
            trimmed = pipe.execute()[-5]
            if trimmed:
                self._client.delete(*[self._key(record_id) for record_id in trimmed])

        self._call(write)

    def _load(self, ids: list[str], with_detail: bool) -> list[StoredRecord]:
        if not ids:
            return []
        pipe = self._client.pipeline(transaction=False)
        fields = ("schema", "summary", "marks", "detail")[: 4 if with_detail else 3]
        for record_id in ids:
            pipe.hmget(self._key(record_id), fields)
        records = []
        for record_id, values in zip(ids, pipe.execute(), strict=False):
            if values[1] is None:
                continue  # expired meanwhile
            try:
                schema = int(values[0])
            except (TypeError, ValueError):
                schema = 0
            detail = values[3] if with_detail else None
            fetch = None if with_detail else self._detail_fetcher(record_id)
            record = StoredRecord.load(
                record_id, schema, values[1], detail, fetch, _marks(values[2])
            )
            if record is not None:
                records.append(record)
        return records

    def _detail_fetcher(self, record_id: str) -> t.Callable[[], str | None]:
        def fetch() -> str | None:
            try:
                value = self._client.hget(self._key(record_id), "detail")
            except self._errors:
                return None
            return None if value is None else str(value)

        return fetch

    def _listed(self, start: int, stop: int) -> list[StoredRecord]:
        """Records ``start`` to ``stop`` (newest first), from the summaries list alone."""
        entries = _texts(self._call(lambda: self._client.lrange(self._summaries, start, stop)))
        records = []
        for entry in entries:
            record = self._from_entry(entry)
            if record is not None:
                records.append(record)
        return records

    def _from_entry(self, entry: str) -> StoredRecord | None:
        parts = entry.split(_SEPARATOR, 5)
        if len(parts) != 6:
            return None
        record_id, schema, started, boot, boot_started, summary = parts
        try:
            marks = (float(started), boot, float(boot_started))
            version = int(schema)
        except ValueError:
            return None
        fetch = self._detail_fetcher(record_id)
        return StoredRecord.load(record_id, version, summary, None, fetch, marks)

    def newest(self, limit: int) -> list[StoredRecord]:
        if limit <= 0:
            return []
        return self._listed(0, limit - 1)

    def get(self, record_id: str) -> StoredRecord | None:
        found: list[StoredRecord] = self._call(lambda: self._load([record_id], True))
        return found[0] if found else None

    def _index(self, record_id: str) -> int | None:
        index = self._call(lambda: self._client.lpos(self._ids, record_id))
        return None if index is None else int(index)

    def newer_than(self, record_id: str, limit: int) -> list[StoredRecord] | None:
        index = self._index(record_id)
        if index is None:
            return None
        if index == 0:
            return []
        return self._listed(max(0, index - limit), index - 1)

    def neighbours(self, record_id: str) -> tuple[str | None, str | None] | None:
        index = self._index(record_id)
        if index is None:
            return None
        around = list(
            self._call(lambda: self._client.lrange(self._ids, max(0, index - 1), index + 1))
        )
        newer = around[0] if index > 0 else None
        older_at = 2 if index > 0 else 1
        older = around[older_at] if len(around) > older_at else None
        return older, newer

    def clear(self) -> None:
        def clear() -> None:
            ids = _texts(self._client.lrange(self._ids, 0, -1))
            keys = [self._key(record_id) for record_id in ids]
            self._client.delete(self._ids, self._summaries, *keys)

        self._call(clear)

    def beat(self, process: ProcessInfo, now: float) -> None:
        facts = {
            "pid": process.pid,
            "host": process.host,
            "started": process.started_at,
            "last_seen": now,
        }

        def beat() -> None:
            pipe = self._client.pipeline(transaction=False)
            pipe.hset(self._workers, process.boot, json.dumps(facts))
            pipe.expire(self._workers, WORKER_TTL_S)
            pipe.execute()

        self._call(beat)

    def workers(self, now: float) -> list[WorkerInfo]:
        raw: dict[str, str] = self._call(lambda: self._client.hgetall(self._workers))
        workers = []
        stale = []
        for boot, text in raw.items():
            try:
                facts = json.loads(text)
                worker = WorkerInfo(
                    str(boot),
                    int(facts["pid"]),
                    str(facts["host"]),
                    float(facts["started"]),
                    float(facts["last_seen"]),
                )
            except (TypeError, ValueError, KeyError):
                stale.append(boot)
                continue
            if now - worker.last_seen > WORKER_TTL_S:
                stale.append(boot)
            else:
                workers.append(worker)
        if stale:
            self._call(lambda: self._client.hdel(self._workers, *stale))
        return workers

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a connection that is gone anyway
            self._client.close()


def _texts(values: t.Iterable[t.Any]) -> list[str]:
    return [value.decode() if isinstance(value, bytes) else str(value) for value in values]


def _marks(text: str | None) -> tuple[float, str, float]:
    try:
        started, boot, boot_started = json.loads(text or "")
        return float(started), str(boot), float(boot_started)
    except (TypeError, ValueError):
        return 0.0, "", 0.0


_SEPARATOR = "\x1f"
"""Between an entry's fields (the unit separator: never in an id or a number)."""


def _entry(row: Row) -> str:
    """A record's entry in the summaries list: its facts, then its summary's JSON."""
    return _SEPARATOR.join(
        (row.id, str(row.schema), repr(row.started), row.boot, repr(row.boot_started), row.summary)
    )
