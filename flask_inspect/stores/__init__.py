"""Where the request history lives: memory, an SQLite file (the default), or Redis.

The serving thread only puts a finished record in a queue
(:class:`~flask_inspect.stores.history.StoredHistory`); a background thread
(:mod:`~flask_inspect.stores.writer`) draws its JSON and writes it to the
backend in batches. The panel reads through the same history object, which
merges this process's records not yet written with what the backend holds.

- :mod:`.records`: the stored form of a record and the backend interface;
- :mod:`.memory`, :mod:`.sqlite`, :mod:`.redis_store`: the three backends;
- :mod:`.choice`: ``INSPECT_STORE`` read into a backend;
- :mod:`.process`: which process wrote a record (restarts, workers).
"""
