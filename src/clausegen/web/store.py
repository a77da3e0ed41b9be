"""The buyers' drafts, kept by the server in one SQLite file (the standard library's ``sqlite3``).

A draft is the profile as the form last saved it (its YAML text, the one « Télécharger » gives), the name
of its file, what the page showed after the last action (``state``: results computed, document previewed,
message…) and a version number. Every save is one transaction that checks the version it started from: a
second tab saving over a newer version is refused (``Conflict``), never silently lost. SQLite's journal
keeps the previous version whole if the server is killed during a save.

The file also keeps the key of the CSRF signatures, so a page loaded before a restart can still be posted.

Where: ``--donnees DOSSIER``, else ``%APPDATA%\\clausegen`` on Windows, ``$XDG_DATA_HOME/clausegen``
(``~/.local/share/clausegen``) elsewhere. Without a folder (the library, the tests) the drafts live in
memory for the life of the process.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import ClausegenError

FILE_NAME = "brouillons.sqlite"
MAX_DRAFTS = 500  # a buyer keeps a few dozen; beyond, the home page asks to delete some
MAX_TEXT = 4 * 1024 * 1024  # one draft's YAML (the form itself is limited to 2 Mio)
REVIEW_HOURS = 24  # a PFRA review's profiles are kept this long, for its report and its pooling table
MAX_REVIEWS = 20  # and only the most recent ones
ID = re.compile(r"[A-Za-z0-9_-]{12}")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    state TEXT NOT NULL,
    reference TEXT NOT NULL,
    objet TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS drafts_origin ON drafts (origin);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS reviews (id TEXT PRIMARY KEY, created TEXT NOT NULL, files TEXT NOT NULL);
"""


class StoreError(ClausegenError):
    """The drafts' file cannot be read or written (French message)."""


@dataclass(frozen=True)
class Draft:
    """A draft profile kept by the server, with its version."""

    id: str
    version: int
    source: str
    text: str
    state: dict
    reference: str
    objet: str
    created: str
    updated: str  # ISO 8601, UTC, to the second


class Conflict(Exception):
    """The draft was saved elsewhere (another tab) since the version the form was loaded at."""

    def __init__(self, current: Draft | None):
        super().__init__("version conflict")
        self.current = current


def default_folder() -> Path:
    """``%APPDATA%\\clausegen`` on Windows, ``$XDG_DATA_HOME/clausegen`` or ``~/.local/share/clausegen``."""
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "clausegen"
    xdg = os.environ.get("XDG_DATA_HOME") or ""
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / "clausegen"


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _row(row) -> Draft:
    return Draft(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6], row[7], row[8])


_COLUMNS = "id, version, source, text, state, reference, objet, created, updated"


class DraftStore:
    """The drafts. ``folder`` None: in memory. Every method is one transaction; safe across threads."""

    def __init__(self, folder: str | Path | None = None):
        self.path = None if folder is None else Path(folder) / FILE_NAME
        self._lock = threading.Lock()
        self._memory = None
        try:
            if self.path is None:
                self._memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connection() as db:
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(self._message("ne peut pas être ouvert", exc)) from None

    def _message(self, what: str, exc: Exception) -> str:
        where = f"« {self.path} »" if self.path else "en mémoire"
        return (f"le fichier des brouillons {where} {what} ({exc}). Choisissez un autre dossier avec "
                "« clausegen serve --donnees DOSSIER », ou libérez de la place sur le disque.")

    @contextlib.contextmanager
    def _connection(self):
        """One connection, used by one thread at a time (in memory: the process's own)."""
        with self._lock:
            if self._memory is not None:
                yield self._memory
                return
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                yield db
            finally:
                db.close()

    def _transaction(self, work):
        """``work(db)`` inside BEGIN IMMEDIATE … COMMIT (ROLLBACK on any error)."""
        try:
            with self._connection() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    result = work(db)
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
                return result
        except sqlite3.Error as exc:
            raise StoreError(self._message("n'a pas pu être lu ou écrit", exc)) from None

    # -- the CSRF key ------------------------------------------------------------------------------
    def secret(self) -> bytes:
        """The key of the CSRF signatures, created once and kept with the drafts."""

        def work(db):
            row = db.execute("SELECT value FROM meta WHERE key = 'csrf'").fetchone()
            if row is not None and len(row[0]) >= 32:
                return bytes(row[0])
            key = secrets.token_bytes(32)
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('csrf', ?)", (key,))
            return key

        return self._transaction(work)

    # -- drafts ------------------------------------------------------------------------------------
    def get(self, draft_id: str) -> Draft | None:
        if not ID.fullmatch(draft_id or ""):
            return None
        return self._transaction(lambda db: self._get(db, draft_id))

    @staticmethod
    def _get(db, draft_id: str) -> Draft | None:
        row = db.execute(f"SELECT {_COLUMNS} FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        return _row(row) if row else None

    def by_origin(self, page: str) -> Draft | None:
        """The draft the form of page ``page`` created: the new form, shown again by Back, posts into it
        instead of creating a second draft."""
        if not page:
            return None
        row = self._transaction(lambda db: db.execute(f"SELECT {_COLUMNS} FROM drafts WHERE origin = ?", (page,)).fetchone())
        return _row(row) if row else None

    def list(self) -> list[Draft]:
        """Every draft, the last changed first."""
        rows = self._transaction(lambda db: db.execute(f"SELECT {_COLUMNS} FROM drafts ORDER BY updated DESC, id").fetchall())
        return [_row(r) for r in rows]

    def create(self, text: str, source: str, state: dict, *, reference: str = "", objet: str = "", origin: str = "") -> Draft:
        """A new draft. ``origin``: the id of the page whose form created it (``by_origin``)."""
        _check_size(text)

        def work(db):
            (count,) = db.execute("SELECT COUNT(*) FROM drafts").fetchone()
            if count >= MAX_DRAFTS:
                raise StoreError(f"{MAX_DRAFTS} brouillons sont déjà enregistrés : supprimez-en depuis l'accueil avant d'en créer un autre.")
            draft_id = secrets.token_urlsafe(9)
            now = _now()
            db.execute(f"INSERT INTO drafts ({_COLUMNS}, origin) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (draft_id, source, text, _state(state), reference, objet, now, now, origin))
            return self._get(db, draft_id)

        return self._transaction(work)

    def save(self, draft_id: str, version: int | None, text: str, source: str, state: dict, *, reference: str = "",
             objet: str = "") -> Draft:
        """Save over ``version`` (the one the form was loaded at); ``Conflict`` when the draft is newer (or
        gone). The same text again is no new version (a step, a preview): only ``state`` is written. ``version`` None saves over whatever is stored (« Enregistrer ma version » after a conflict is
        a save over the version shown then, not None)."""
        _check_size(text)

        def work(db):
            current = self._get(db, draft_id)
            if current is not None and current.text == text and current.source == source:
                # nothing to lose, whatever version the page was loaded at: only what the page shows changes
                db.execute("UPDATE drafts SET state = ? WHERE id = ?", (_state(state), draft_id))
                return self._get(db, draft_id)
            if current is None or (version is not None and current.version != version):
                raise Conflict(current)
            db.execute("UPDATE drafts SET version = version + 1, source = ?, text = ?, state = ?, reference = ?, objet = ?, "
                       "updated = ? WHERE id = ?", (source, text, _state(state), reference, objet, _now(), draft_id))
            return self._get(db, draft_id)

        return self._transaction(work)

    def set_state(self, draft_id: str, state: dict) -> None:
        """What the page shows, without a new version (a preview, a message): the profile is unchanged."""
        self._transaction(lambda db: db.execute("UPDATE drafts SET state = ? WHERE id = ?", (_state(state), draft_id)))

    def duplicate(self, draft_id: str) -> Draft | None:
        current = self.get(draft_id)
        if current is None:
            return None
        source = current.source if current.source.startswith("copie-") else f"copie-{current.source}"
        return self.create(current.text, source, {}, reference=current.reference, objet=current.objet)

    def delete(self, draft_id: str) -> bool:
        return self._transaction(lambda db: db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,)).rowcount > 0)


    # -- the profiles of a PFRA review, kept for its report (the page refers to them, never embeds them) --
    def keep_review(self, files: list[tuple[str, bytes]]) -> str:
        """Keep the profiles of a review; its id. Reviews older than ``REVIEW_HOURS`` or beyond the
        ``MAX_REVIEWS`` most recent are forgotten."""
        import base64

        payload = json.dumps([[name, base64.b64encode(data).decode("ascii")] for name, data in files])
        review_id = secrets.token_urlsafe(9)
        limit = (_dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(hours=REVIEW_HOURS)).replace(microsecond=0).isoformat()

        def work(db):
            db.execute("DELETE FROM reviews WHERE created < ?", (limit,))
            db.execute("INSERT INTO reviews (id, created, files) VALUES (?, ?, ?)", (review_id, _now(), payload))
            db.execute("DELETE FROM reviews WHERE id NOT IN (SELECT id FROM reviews ORDER BY created DESC, rowid DESC LIMIT ?)", (MAX_REVIEWS,))

        self._transaction(work)
        return review_id

    def review_files(self, review_id: str) -> list[tuple[str, bytes]] | None:
        """The profiles of the review ``review_id``; None once it is forgotten."""
        import base64

        if not ID.fullmatch(review_id or ""):
            return None
        row = self._transaction(lambda db: db.execute("SELECT files FROM reviews WHERE id = ?", (review_id,)).fetchone())
        if row is None:
            return None
        return [(name, base64.b64decode(data)) for name, data in json.loads(row[0])]


def _state(state: dict) -> str:
    return json.dumps(state, ensure_ascii=False, sort_keys=True, default=str)


def _check_size(text: str) -> None:
    if len(text) > MAX_TEXT:
        raise StoreError(f"le profil dépasse {MAX_TEXT // (1024 * 1024)} Mio : il n'est pas enregistré.")
