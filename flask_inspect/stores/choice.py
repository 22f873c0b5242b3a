"""``INSPECT_STORE`` read into a backend, and where the default SQLite file goes.

- unset (``None``): an SQLite file, ``flask-inspect.sqlite3`` in the app's
  instance folder when that folder exists and is writable, else
  ``flask-inspect-<uid>/history.sqlite3`` in the temporary directory. Both
  outlive the reloader's restarts and are shared by every worker process;
- ``"memory"``: this process's memory, as before;
- ``"sqlite:///path"``: that file (a relative path is taken in the instance
  folder, as Flask-SQLAlchemy does; ``sqlite:////abs/path`` is absolute);
- ``"redis://host:port/db"`` (or ``rediss://``, ``unix://``): a Redis server,
  for processes on several hosts; needs ``pip install flask-inspect[redis]``.

>>> describe_setting("sqlite:///history.db")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
import typing as t
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from .memory import MemoryBackend
from .records import StoreError

if t.TYPE_CHECKING:
    from flask import Flask

    from .backend import Backend

DEFAULT_FILE_NAME = "flask-inspect.sqlite3"


class BadSetting(StoreError):
    """``INSPECT_STORE`` names no backend this package has."""


_keys_made: dict[str, int] = {}
_keys_lock = threading.Lock()


def new_app_key(app: Flask) -> str:
    """Whose records these are: the app's import name and instance folder.

    The same app started again (the reloader, another worker) finds its
    records under the same key. Two apps with the same name and folder in
    one process (a factory called twice) are told apart by the order they
    were made in: the second gets ``#2``, in every process alike.
    """
    base = f"{app.import_name}@{app.instance_path}"
    with _keys_lock:
        made = _keys_made[base] = _keys_made.get(base, 0) + 1
    return base if made == 1 else f"{base}#{made}"


def open_backend(app: Flask, key: str, setting: t.Any, temp_folder: str | None = None) -> Backend:
    """The backend ``setting`` names; raises :class:`StoreError` if it cannot be had.

    ``temp_folder``: the temporary directory as it was when the app was set
    up (the backend is opened later, on the writer thread).
    """
    if setting is None or setting == "":
        return _sqlite(default_sqlite_path(app, temp_folder), key)
    if not isinstance(setting, str):
        raise BadSetting(f"INSPECT_STORE must be a string; got {type(setting).__name__}")
    if setting == "memory":
        return MemoryBackend()
    if setting.startswith("sqlite:///"):
        path = setting[len("sqlite:///") :]
        if not path:
            return _sqlite(default_sqlite_path(app, temp_folder), key)
        if not os.path.isabs(path):
            os.makedirs(app.instance_path, exist_ok=True)
            path = os.path.join(app.instance_path, path)
        return _sqlite(path, key)
    if setting.startswith(("redis://", "rediss://", "unix://")):
        from .redis_store import RedisBackend

        backend: Backend = RedisBackend(setting, key)
        return backend
    raise BadSetting(
        "INSPECT_STORE must be 'memory', 'sqlite:///path' or 'redis://host:port/db'; "
        f"got {public_location(setting)!r}"
    )


def _sqlite(path: str, key: str) -> Backend:
    from .sqlite import SQLiteBackend

    return SQLiteBackend(path, key)


def default_sqlite_path(app: Flask, temp_folder: str | None = None) -> str:
    """In the instance folder if it is there and writable, else a private temp folder."""
    folder = app.instance_path
    if os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
        return os.path.join(folder, DEFAULT_FILE_NAME)
    return os.path.join(private_temp_folder(temp_folder), "history.sqlite3")


def private_temp_folder(temp_folder: str | None = None) -> str:
    """``<tmp>/flask-inspect-<uid>``, made readable by this user only.

    Refused (``StoreError``) when someone else owns it or may write in it:
    another user could otherwise read the history or plant a file.
    """
    uid = os.getuid() if hasattr(os, "getuid") else 0
    folder = os.path.join(temp_folder or tempfile.gettempdir(), f"flask-inspect-{uid}")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.stat(folder)
    except OSError as error:
        raise StoreError(f"{folder}: {error}") from error
    if hasattr(os, "getuid") and (
        info.st_uid != uid or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    ):
        raise StoreError(f"{folder} is not private to this user")
    return folder


def public_location(setting: str) -> str:
    """A store URL without its password, fit to show and log."""
    try:
        parts = urlsplit(setting)
    except ValueError:
        return "(unreadable setting)"
    if parts.password is None:
        return setting
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))
