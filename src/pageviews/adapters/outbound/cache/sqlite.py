"""The cache in one SQLite file (the standard library's sqlite3), for the command line: every `pageviews views`
is a new process, and what one run learnt is there for the next, so a repeated command does not ask Wikimedia
again. It is bounded by bytes and by rows (the least recently used entries go first) and drops each entry once
its `keep_until` has passed. Any SQLite failure (a locked, unwritable or corrupt file) is `CacheUnavailable`:
the command then carries on without the cache. Its calls block, which suits a command doing one thing at a
time; the server keeps its caches in memory and Redis."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import msgspec

from pageviews.domain.cache_policy import CacheHealth, Entry
from pageviews.domain.ports import CacheUnavailable, Clock

log = logging.getLogger(__name__)

ROW_OVERHEAD = 64
"""Bytes a row costs beyond its key and value (its numbers, the b-tree cells), counted against the budget."""
_CHUNK = 500
"""Keys per `IN (...)`: well below SQLite's limit on parameters."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    keep_until REAL NOT NULL,
    used REAL NOT NULL,
    size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_use ON entries (used);
CREATE INDEX IF NOT EXISTS entries_by_expiry ON entries (keep_until);
"""
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Entry)


class SqliteCache:
    def __init__(self, path: Path, clock: Clock, max_bytes: int, max_rows: int) -> None:
        self._path = path
        self._clock = clock
        self._max_bytes = max_bytes
        self._max_rows = max_rows
        self._connection: sqlite3.Connection | None = None
        self._warned = False

    async def get(self, key: str) -> Entry | None:
        return (await self.get_many([key]))[0]

    async def get_many(self, keys: Sequence[str]) -> list[Entry | None]:
        now = self._now()
        found: dict[str, Entry] = {}
        with self._db() as db:
            for start in range(0, len(keys), _CHUNK):
                chunk = list(keys[start : start + _CHUNK])
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT key, value FROM entries WHERE key IN ({marks}) AND keep_until > ?",  # noqa: S608
                    [*chunk, now],
                ).fetchall()
                found.update(
                    (key, entry) for key, value in rows if (entry := _decoded(key, value)) is not None
                )
            if found:
                db.executemany("UPDATE entries SET used = ? WHERE key = ?", [(now, key) for key in found])
        return [found.get(key) for key in keys]

    async def put(self, key: str, entry: Entry) -> None:
        await self.put_many({key: entry})

    async def put_many(self, entries: Mapping[str, Entry]) -> None:
        now = self._now()
        rows = []
        for key, entry in entries.items():
            value = _encoder.encode(entry)
            size = ROW_OVERHEAD + len(key.encode()) + len(value)
            if entry.keep_until.timestamp() > now and size <= self._max_bytes:
                rows.append((key, value, entry.keep_until.timestamp(), now, size))
        if not rows:
            return
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)", rows)
                db.execute("DELETE FROM entries WHERE keep_until <= ?", [now])
                self._trim(db)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    async def health(self) -> CacheHealth:
        return CacheHealth.MEMORY  # local to this machine: nothing shared to lose

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def stored(self) -> tuple[int, int]:
        """Rows and bytes stored (as counted against the bounds)."""
        with self._db() as db:
            rows, size = db.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM entries").fetchone()
        return int(rows), int(size)

    def _trim(self, db: sqlite3.Connection) -> None:
        """Least recently used rows out until both bounds hold."""
        rows, size = db.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM entries").fetchone()
        if rows <= self._max_rows and size <= self._max_bytes:
            return
        doomed = []
        for key, row_size in db.execute("SELECT key, size FROM entries ORDER BY used, key"):
            if rows <= self._max_rows and size <= self._max_bytes:
                break
            doomed.append((key,))
            rows, size = rows - 1, size - row_size
        db.executemany("DELETE FROM entries WHERE key = ?", doomed)

    def _now(self) -> float:
        return self._clock.timestamp()

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            if self._connection is None:
                self._connection = self._open()
            yield self._connection
        except (sqlite3.Error, OSError) as exc:
            if not self._warned:
                self._warned = True
                log.warning("the cache file %s cannot be used, going on without it: %r", self._path, exc)
            raise CacheUnavailable(f"SQLite ({self._path}): {exc!r}") from exc

    def _open(self) -> sqlite3.Connection:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit (transactions are explicit); a second command using the file waits a moment for it.
        connection = sqlite3.connect(self._path, timeout=2.0, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # durable enough for a cache, and no fsync a put
            connection.executescript(_SCHEMA)
        except sqlite3.Error:
            connection.close()
            raise
        return connection


def _decoded(key: str, value: bytes) -> Entry | None:
    try:
        return _decoder.decode(value)
    except msgspec.DecodeError:
        log.warning("ignoring an undecodable cache entry for %s", key)
        return None
