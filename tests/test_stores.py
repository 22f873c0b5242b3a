"""The history backends (memory, SQLite, Redis) and the history that writes to them.

Every backend answers the same questions the same way; the history hands
records to a background writer, lets the raw record go once written, falls
back to memory when the store fails, and keeps apps apart.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import os
import sqlite3
import threading
import time
import typing as t
from pathlib import Path

import pytest
from flask import Flask

from flask_inspect import Inspect
from flask_inspect.extension import get_state
from flask_inspect.record import RequestRecord
from flask_inspect.recorder import REQUEST_ID_HEADER
from flask_inspect.store import RequestHistory
from flask_inspect.stores import history as history_module
from flask_inspect.stores.backend import Backend
from flask_inspect.stores.choice import open_backend
from flask_inspect.stores.history import StoredHistory
from flask_inspect.stores.history import restart_flags
from flask_inspect.stores.memory import MemoryBackend
from flask_inspect.stores.process import ProcessInfo
from flask_inspect.stores.records import SCHEMA_VERSION
from flask_inspect.stores.records import Row
from flask_inspect.stores.records import StoredRecord
from flask_inspect.stores.redis_store import RedisBackend
from flask_inspect.stores.sqlite import SQLiteBackend
from flask_inspect.stores.writer import THREAD_NAME
from tests.store_helpers import RedisServer

# -- every backend alike ------------------------------------------------------


def _row(number: int) -> Row:
    record_id = f"r{number}"
    summary = {"id": record_id, "path": f"/p/{number}", "status": 200}
    return Row(
        id=record_id,
        started=1000.0 + number,
        boot="b0",
        pid=1,
        summary=json.dumps(summary),
        detail=json.dumps({**summary, "headers": [["Accept", "*/*"]]}),
    )


@pytest.fixture(params=["memory", "sqlite", "redis"])
def make_backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> t.Iterator[t.Callable[[str], Backend]]:
    """A factory of backends of one kind; two keys share one file or server."""
    made: list[Backend] = []
    server: RedisServer | None = None
    if request.param == "redis":
        server = request.getfixturevalue("redis_server")

    def make(key: str) -> Backend:
        backend: Backend
        if request.param == "memory":
            backend = MemoryBackend()
        elif request.param == "sqlite":
            backend = SQLiteBackend(str(tmp_path / "history.sqlite3"), key)
        else:
            assert server is not None
            backend = RedisBackend(server.url, key)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()


def _ids(records: t.Iterable[t.Any]) -> list[str]:
    return [record.id for record in records]


def test_every_backend_keeps_the_newest_records_up_to_the_limit(
    make_backend: t.Callable[[str], Backend],
) -> None:
    backend = make_backend("app")
    backend.write([_row(n) for n in range(3)], limit=4)
    backend.write([_row(n) for n in range(3, 6)], limit=4)
    assert _ids(backend.newest(10)) == ["r5", "r4", "r3", "r2"]
    assert _ids(backend.newest(2)) == ["r5", "r4"]
    assert backend.get("r1") is None  # trimmed
    found = backend.get("r3")
    assert found is not None
    assert found.summary(None)["path"] == "/p/3"  # type: ignore[arg-type]
    assert found.detail(None)["headers"] == [["Accept", "*/*"]]  # type: ignore[arg-type]
    listed = backend.newest(1)[0]
    assert listed.detail(None)["path"] == "/p/5"  # type: ignore[arg-type]  # read when asked


def test_every_backend_answers_newer_than_and_neighbours(
    make_backend: t.Callable[[str], Backend],
) -> None:
    backend = make_backend("app")
    backend.write([_row(n) for n in range(5)], limit=10)
    assert _ids(backend.newer_than("r2", 10) or []) == ["r4", "r3"]
    assert backend.newer_than("r4", 10) == []
    assert backend.newer_than("nope", 10) is None
    assert backend.neighbours("r2") == ("r1", "r3")
    assert backend.neighbours("r0") == (None, "r1")
    assert backend.neighbours("r4") == ("r3", None)
    assert backend.neighbours("nope") is None


def test_every_backend_keeps_two_apps_apart_and_clears_one(
    make_backend: t.Callable[[str], Backend],
) -> None:
    first = make_backend("first")
    second = make_backend("second")
    first.write([_row(1)], limit=10)
    second.write([_row(2)], limit=10)
    assert _ids(first.newest(10)) == ["r1"]
    assert _ids(second.newest(10)) == ["r2"]
    first.clear()
    assert first.newest(10) == []
    assert _ids(second.newest(10)) == ["r2"]


def test_every_backend_lists_the_workers_that_beat(
    make_backend: t.Callable[[str], Backend],
) -> None:
    backend = make_backend("app")
    now = time.time()
    backend.beat(ProcessInfo("aaaaaa", 11, "host-a", now - 50), now - 1)
    backend.beat(ProcessInfo("bbbbbb", 12, "host-b", now - 40), now)
    workers = {worker.boot: worker for worker in backend.workers(now)}
    assert set(workers) == {"aaaaaa", "bbbbbb"}
    assert workers["aaaaaa"].pid == 11
    assert workers["bbbbbb"].to_dict(now + 2)["last_seen_s"] == 2.0


def test_a_stored_record_of_an_older_schema_is_shown_and_an_unreadable_one_skipped(
    tmp_path: Path,
) -> None:
    backend = SQLiteBackend(str(tmp_path / "h.sqlite3"), "app")
    backend.write([_row(1)], limit=10)
    with sqlite3.connect(tmp_path / "h.sqlite3") as connection:
        connection.execute(
            "INSERT INTO records_v1"
            " (app, id, schema, started, boot, boot_started, pid, summary, detail)"
            " VALUES ('app', 'old', 0, 1.0, 'b', 0.5, 1, '{\"path\": \"/old\"}', 'not json')"
        )
        connection.execute(
            "INSERT INTO records_v1"
            " (app, id, schema, started, boot, boot_started, pid, summary, detail)"
            " VALUES ('app', 'broken', 1, 2.0, 'b', 0.5, 1, '{broken', '{}')"
        )
    assert _ids(backend.newest(10)) == ["old", "r1"]  # "broken" skipped
    old = backend.get("old")
    assert old is not None
    summary = old.summary(None)  # type: ignore[arg-type]
    assert summary["path"] == "/old"
    assert summary["templates"] == []
    assert summary["thread"] == {"name": "", "ident": None}
    detail = old.detail(None)  # type: ignore[arg-type]
    assert detail["headers"] == []
    assert detail["path"] == "/old"
    assert backend.get("broken") is None
    assert SCHEMA_VERSION == 1


# -- the history: writing off the serving thread --------------------------------


def _app(name: str = "stored", **config: t.Any) -> Flask:
    app = Flask(name)
    app.config.update(DEBUG=True, SECRET_KEY="s", **config)
    Inspect(app)

    @app.route("/hello")
    def hello() -> str:
        return "<!doctype html><html><body>hello</body></html>"

    return app


def _history(app: Flask) -> StoredHistory:
    history = get_state(app).history
    assert history is not None
    return history


def test_records_are_drawn_on_the_writer_thread_and_the_raw_record_let_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _app()
    history = _history(app)
    drawn_on: list[str] = []
    detail = RequestRecord.detail

    def spying_detail(self: RequestRecord, app: Flask) -> dict[str, t.Any]:
        drawn_on.append(threading.current_thread().name)
        return detail(self, app)

    monkeypatch.setattr(RequestRecord, "detail", spying_detail)
    response = app.test_client().get("/hello")
    record_id = response.headers[REQUEST_ID_HEADER]

    def raw_records() -> list[RequestRecord]:
        gc.collect()
        return [o for o in gc.get_objects() if isinstance(o, RequestRecord) and o.id == record_id]

    assert history.flush()
    assert raw_records() == [], "the raw record (and its environ) outlived its write"
    assert drawn_on == [THREAD_NAME]
    assert history.backend.name == "sqlite"
    stored = history.get(record_id)
    assert stored is not None
    assert not isinstance(stored, history_module.LiveRecord)
    assert stored.summary(app)["path"] == "/hello"
    assert stored.detail(app)["process"]["pid"] == os.getpid()


def test_a_record_is_listed_at_once_and_written_within_a_second() -> None:
    app = _app()
    history = _history(app)
    response = app.test_client().get("/hello")
    record_id = response.headers[REQUEST_ID_HEADER]
    assert history.get(record_id) is not None  # at once, from memory if not yet written
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline and history.live_records():
        time.sleep(0.01)
    assert history.live_records() == []
    assert _ids(history.backend.newest(10)) == [record_id]


def test_a_slow_store_never_slows_a_response(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app()
    history = _history(app)
    write = SQLiteBackend.write
    writing = threading.Event()

    def slow_write(self: SQLiteBackend, rows: list[Row], limit: int) -> None:
        writing.set()
        time.sleep(1.5)
        write(self, rows, limit)

    monkeypatch.setattr(SQLiteBackend, "write", slow_write)
    client = app.test_client()
    client.get("/hello")
    assert writing.wait(5)
    durations = []
    for _ in range(20):
        began = time.perf_counter()
        assert client.get("/hello").status_code == 200
        durations.append(time.perf_counter() - began)
    assert max(durations) < 0.25, durations
    assert len(history.newest_first()) == 21  # shown from memory meanwhile


def test_when_the_writer_falls_behind_the_oldest_pending_records_are_dropped_and_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(history_module, "PENDING_LIMIT", 20)
    app = _app(INSPECT_HISTORY_SIZE=100)
    history = _history(app)
    client = app.test_client()
    with history._write_lock:  # the writer is busy: nothing is written meanwhile
        ids = [client.get("/hello").headers[REQUEST_ID_HEADER] for _ in range(30)]
        assert history.dropped == 10
        assert len(history._pending) == 20
    assert history.flush()
    assert _ids(history.newest_first()) == list(reversed(ids[10:]))


def test_two_apps_in_one_process_keep_separate_histories() -> None:
    one = _app("shop")
    two = _app("blog")
    twin = _app("shop")  # same name and instance folder: a factory called twice
    for app, count in ((one, 2), (two, 3), (twin, 4)):
        for _ in range(count):
            app.test_client().get("/hello")
    for app, count in ((one, 2), (two, 3), (twin, 4)):
        history = _history(app)
        assert history.flush()
        listed = app.test_client().get("/_inspect/api/requests").get_json()
        assert listed["total"] == count
        assert history.backend.name == "sqlite"
    assert _history(one).backend.location == _history(two).backend.location  # one file


def test_the_default_file_goes_in_an_existing_instance_folder(tmp_path: Path) -> None:
    folder = tmp_path / "instance"
    folder.mkdir()
    app = Flask("with_instance", instance_path=str(folder))
    app.config.update(DEBUG=True)
    Inspect(app)
    app.test_client().get("/nothing-here")
    history = _history(app)
    assert history.flush()
    assert history.backend.location == str(folder / "flask-inspect.sqlite3")
    assert (folder / "flask-inspect.sqlite3").exists()


def test_store_settings_name_each_backend(tmp_path: Path, redis_server: RedisServer) -> None:
    app = Flask("settings", instance_path=str(tmp_path / "inst"))
    assert open_backend(app, "k", "memory").name == "memory"
    sqlite_backend = open_backend(app, "k", "sqlite:///relative.db")
    assert sqlite_backend.location == str(tmp_path / "inst" / "relative.db")
    absolute = open_backend(app, "k", f"sqlite:///{tmp_path}/abs.db")
    assert absolute.location == f"{tmp_path}/abs.db"
    assert open_backend(app, "k", redis_server.url).name == "redis"


def test_a_bad_store_setting_falls_back_to_memory_with_a_note(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = _app(INSPECT_STORE="mongodb://localhost")
    with caplog.at_level(logging.WARNING, logger="flask_inspect"):
        assert app.test_client().get("/hello").status_code == 200
        history = _history(app)
        assert history.flush()
    assert history.backend.name == "memory"
    assert history.note is not None
    assert "INSPECT_STORE must be" in history.note
    assert len(history.newest_first()) == 1


def test_store_passwords_are_never_shown() -> None:
    app = _app(INSPECT_STORE="redis://user:hunter2@127.0.0.1:1/0")
    app.test_client().get("/hello")
    history = _history(app)
    assert history.flush()
    page = app.test_client().get("/_inspect/requests").get_data(as_text=True)
    assert "hunter2" not in page
    assert "hunter2" not in (history.note or "")
    assert "***" in (history.note or "")


# -- restarts ------------------------------------------------------------------


def test_the_list_marks_where_the_app_restarted() -> None:
    def view(record_id: str, boot: str, started: float, boot_started: float) -> StoredRecord:
        record = StoredRecord.load(
            record_id, SCHEMA_VERSION, '{"id": "x"}', None, marks=(started, boot, boot_started)
        )
        assert record is not None
        return record

    newest_first = [
        view("d", "new", 1005.0, 1004.0),
        view("c", "other", 1004.5, 900.0),  # a worker running all along
        view("b", "new", 1004.1, 1004.0),
        view("a", "old", 1003.0, 900.0),
    ]
    assert restart_flags(newest_first) == [False, False, True, False]


def test_the_list_api_serves_stored_records_as_stored_and_filtered_ones_alike() -> None:
    app = _app()
    client = app.test_client()
    ids = [client.get(path).headers[REQUEST_ID_HEADER] for path in ("/hello", "/missing")]
    assert _history(app).flush()
    plain = client.get("/_inspect/api/requests").get_json()
    filtered = client.get("/_inspect/api/requests?q=hello").get_json()
    assert [record["id"] for record in plain["requests"]] == list(reversed(ids))
    assert filtered["requests"] == [plain["requests"][1]]
    assert plain["total"] == filtered["total"] == 2
    assert plain["store"]["backend"] == "sqlite"
    assert plain["requests"][0]["after_restart"] is False


# -- faults: responses never change ------------------------------------------------


def _normalised(app: Flask) -> list[tuple[int, bytes]]:
    client = app.test_client()
    answers = []
    for path in ("/hello", "/missing", "/hello?x=1"):
        response = client.get(path)
        assert REQUEST_ID_HEADER in response.headers
        body = response.get_data()
        answers.append((response.status_code, body.split(b"<link rel=")[0]))
    return answers


def _faulty_run(
    app: Flask, caplog: pytest.LogCaptureFixture, rounds: int = 3
) -> tuple[StoredHistory, list[logging.LogRecord]]:
    """Serve ``rounds`` times the same requests; every answer as a healthy app's."""
    healthy = _normalised(_app("healthy", INSPECT_STORE="memory"))
    history = _history(app)
    with caplog.at_level(logging.WARNING, logger="flask_inspect"):
        for _ in range(rounds):
            began = time.perf_counter()
            assert _normalised(app) == healthy
            assert time.perf_counter() - began < 0.5
            assert history.flush()
    warnings = [r for r in caplog.records if r.name == "flask_inspect"]
    return history, warnings


def _assert_degraded(app: Flask, history: StoredHistory, warnings: list[logging.LogRecord]) -> None:
    assert history.backend.name == "memory"
    assert len(warnings) == 1, [w.getMessage() for w in warnings]
    assert history.note is not None
    client = app.test_client()
    page = client.get("/_inspect/requests").get_data(as_text=True)
    assert 'id="store-note"' in page
    listed = client.get("/_inspect/api/requests").get_json()
    assert listed["store"]["note"] == history.note
    assert listed["total"] >= 3  # records made after the fault are still kept


def test_a_corrupt_sqlite_file_degrades_to_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"this is not a database file at all" * 200)
    app = _app(INSPECT_STORE=f"sqlite:///{path}")
    history, warnings = _faulty_run(app, caplog)
    _assert_degraded(app, history, warnings)
    assert "corrupt.sqlite3" in (history.note or "")


def test_a_full_disk_at_the_write_degrades_to_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's "database or disk is full" (SQLITE_FULL), raised where the rows are inserted."""
    path = tmp_path / "full.sqlite3"
    connect = SQLiteBackend._connect

    class FullDisk:
        def __init__(self, connection: sqlite3.Connection) -> None:
            self._connection = connection

        def execute(self, *args: t.Any) -> sqlite3.Cursor:
            return self._connection.execute(*args)

        def executemany(self, *args: t.Any) -> sqlite3.Cursor:
            raise sqlite3.OperationalError("database or disk is full")

        def close(self) -> None:
            self._connection.close()

    def full(self: SQLiteBackend) -> sqlite3.Connection:
        return t.cast(sqlite3.Connection, FullDisk(connect(self)))

    app = _app(INSPECT_STORE=f"sqlite:///{path}")
    app.test_client().get("/hello")
    assert _history(app).flush()  # the tables exist, then the disk is "full"
    assert _history(app).backend.name == "sqlite"
    monkeypatch.setattr(SQLiteBackend, "_connect", full)
    _history(app).backend.close()  # the writer reconnects: to a full disk
    history, warnings = _faulty_run(app, caplog)
    _assert_degraded(app, history, warnings)
    assert "full" in (history.note or "")


def test_a_locked_sqlite_file_degrades_to_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "locked.sqlite3"
    app = _app(INSPECT_STORE=f"sqlite:///{path}")
    app.test_client().get("/hello")
    assert _history(app).flush()
    # Another process's write transaction that is never committed.
    holder = sqlite3.connect(path, isolation_level=None, timeout=5)
    holder.execute("BEGIN IMMEDIATE")
    try:
        history, warnings = _faulty_run(app, caplog)
    finally:
        holder.close()
    _assert_degraded(app, history, warnings)
    assert "locked" in (history.note or "")


def test_a_temp_folder_others_may_write_in_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / f"flask-inspect-{os.getuid()}"
    folder.mkdir(mode=0o700)
    folder.chmod(0o777)
    app = _app()
    history, warnings = _faulty_run(app, caplog)
    _assert_degraded(app, history, warnings)
    assert "not private" in (history.note or "")
    assert not (folder / "history.sqlite3").exists()


def test_redis_killed_mid_run_degrades_to_memory(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(INSPECT_STORE=redis_server.url)
    client = app.test_client()
    ids = [client.get("/hello").headers[REQUEST_ID_HEADER] for _ in range(3)]
    history = _history(app)
    assert history.flush()
    assert history.backend.name == "redis"
    assert _ids(history.newest_first()) == list(reversed(ids))
    redis_server.kill()
    history, warnings = _faulty_run(app, caplog)
    _assert_degraded(app, history, warnings)


# -- ids across processes ---------------------------------------------------------


def _draw_ids(history: RequestHistory[t.Any], out: t.Any) -> None:
    out.send([history.new_id() for _ in range(600)])
    out.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_ids_stay_unique_across_forked_workers() -> None:
    """A preloading server forks workers from a process that already made ids."""
    history: RequestHistory[t.Any] = RequestHistory()
    parent_ids = [history.new_id() for _ in range(10)]  # a batch is made and kept
    context = multiprocessing.get_context("fork")
    pipes = [context.Pipe(duplex=False) for _ in range(3)]
    children = [context.Process(target=_draw_ids, args=(history, send)) for _, send in pipes]
    for child in children:
        child.start()
    drawn = [receive.recv() for receive, _ in pipes]
    for child in children:
        child.join(10)
    every_id = parent_ids + [record_id for ids in drawn for record_id in ids]
    assert len(set(every_id)) == len(every_id)
    boots = {record_id.rsplit("-", 1)[1] for ids in drawn for record_id in ids}
    assert len(boots) == 3
