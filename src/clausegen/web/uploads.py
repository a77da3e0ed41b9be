"""Profiles uploaded for a PFRA review: several .yaml files, a folder, or a .zip of a folder, all bounded.

Nothing is extracted to the disk: every profile is read into memory (at most ``MAX_FILE`` bytes each,
``MAX_FILES`` files, ``MAX_TOTAL`` bytes in all) and handed to the library as text. Zip entries are read
through their declared and actual sizes both: an entry that claims less than it holds is cut at the limit
and refused. Absolute names and « .. » are refused (no path leaves the archive), other files are ignored.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

MIB = 1024 * 1024
MAX_FILE = 1 * MIB  # one profile (the API's limit too)
MAX_FILES = 500  # profiles in one review
MAX_TOTAL = 32 * MIB  # profile bytes in one review, zips uncompressed
MAX_ZIP_ENTRIES = 5000  # entries of an archive, folders and ignored files included
PROFILE_SUFFIXES = (".yaml", ".yml")


@dataclass
class Collected:
    """The files a form upload brought, and the French sentence for each refused one."""

    files: list[tuple[str, bytes]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # French sentences, one per refused file
    ignored: list[str] = field(default_factory=list)
    total: int = 0
    capped: bool = False

    def full(self) -> bool:
        """Whether no more profile is taken (said once)."""
        if len(self.files) < MAX_FILES:
            return False
        if not self.capped:
            self.capped = True
            self.problems.append(f"Plus de {MAX_FILES} profils envoyés : seuls les {MAX_FILES} premiers sont relus.")
        return True

    def add(self, name: str, data: bytes) -> None:
        if self.full():
            return
        if len(data) > MAX_FILE:
            self.problems.append(f"« {name} » : fichier de plus de {MAX_FILE // MIB} Mio, refusé (un profil fait quelques kilo-octets).")
            return
        if self.total + len(data) > MAX_TOTAL:
            self.problems.append(f"« {name} » : l'ensemble dépasse {MAX_TOTAL // MIB} Mio de profils ; ce fichier et les suivants ne sont pas relus.")
            return
        self.total += len(data)
        taken = {n for n, _d in self.files}
        shown, n = name, 2
        while shown in taken:
            shown, n = f"{name} ({n})", n + 1
        self.files.append((shown, data))


_DRIVE = re.compile(r"^[A-Za-z]:")


def clean_name(raw: str) -> str | None:
    """A display name for an uploaded file (« dossier/profil.yaml »), or None when it tries to leave its folder."""
    name = (raw or "").replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name) or any(part == ".." for part in name.split("/")):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    cleaned = "/".join(parts)
    return "".join(c for c in cleaned if c.isprintable())[:200] or "profil.yaml"


def _ignored(name: str) -> bool:
    parts = name.split("/")
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or not name.lower().endswith(PROFILE_SUFFIXES)


def add_upload(collected: Collected, filename: str, data: bytes) -> None:
    """One uploaded file: a profile, or a .zip whose profiles are added."""
    name = clean_name(filename)
    if name is None:
        collected.problems.append(f"« {filename} » : nom de fichier refusé (chemin absolu ou « .. »).")
        return
    if name.lower().endswith(".zip") or data[:4] == b"PK\x03\x04":
        add_zip(collected, name, data)
        return
    if _ignored(name):
        collected.ignored.append(name)
        return
    collected.add(name, data)


def add_zip(collected: Collected, archive_name: str, data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        collected.problems.append(f"« {archive_name} » : archive .zip illisible.")
        return
    if len(entries) > MAX_ZIP_ENTRIES:
        collected.problems.append(f"« {archive_name} » : plus de {MAX_ZIP_ENTRIES} entrées, archive refusée.")
        return
    with archive:
        for info in entries:
            raw = info.filename
            if info.is_dir():
                continue
            if not _ignored(raw.replace("\\", "/")) and collected.full():
                break
            name = clean_name(raw)
            if name is None or posixpath.isabs(raw):
                collected.problems.append(f"« {archive_name} » : entrée « {raw} » refusée (chemin absolu ou « .. » : elle sortirait du dossier).")
                continue
            if _ignored(name):
                collected.ignored.append(f"{archive_name}/{name}")
                continue
            if info.flag_bits & 0x1:
                collected.problems.append(f"« {archive_name} » : entrée « {name} » chiffrée, non lue.")
                continue
            if info.file_size > MAX_FILE:
                collected.problems.append(f"« {name} » (dans {archive_name}) : fichier de plus de {MAX_FILE // MIB} Mio, refusé.")
                continue
            try:
                with archive.open(info) as handle:
                    content = handle.read(MAX_FILE + 1)
            except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError, RuntimeError):
                collected.problems.append(f"« {name} » (dans {archive_name}) : entrée illisible.")
                continue
            if len(content) > MAX_FILE:
                collected.problems.append(f"« {name} » (dans {archive_name}) : plus de {MAX_FILE // MIB} Mio une fois décompressé, refusé.")
                continue
            collected.add(name, content)
