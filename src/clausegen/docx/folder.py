"""A buyer's folder of templates: which file stands for which document, and why a file that looks meant
for a document will not be used. The document names are given by the caller; nothing here knows them."""

from __future__ import annotations

import difflib
import os
import re
import stat
import unicodedata
from pathlib import Path

from ..errors import RenderError
from .container import MAX_FILE, _mb


_WORD_EXTENSIONS = {"docx", "doc", "dotx", "docm", "dot", "dotm", "odt", "rtf"}


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a template file (a link, a folder, a named pipe…), or None."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"fichier illisible ({exc.strerror or exc.__class__.__name__})."
    if stat.S_ISLNK(info.st_mode):
        return ("c'est un lien symbolique : le dossier de modèles ne doit contenir que de vrais fichiers. Copiez-y le "
                "modèle lui-même à la place du lien.")
    if stat.S_ISDIR(info.st_mode):
        return "c'est un dossier, pas un document Word : renommez-le ou retirez-le du dossier de modèles."
    if not stat.S_ISREG(info.st_mode):
        return ("ce n'est pas un fichier ordinaire (tube nommé, périphérique, socket…) : remplacez-le par un document "
                "Word .docx ou retirez-le du dossier de modèles.")
    if info.st_size > MAX_FILE:
        return f"fichier trop gros pour un modèle ({_mb(info.st_size)} ; au plus {_mb(MAX_FILE)})."
    return None


def custom_template(folder, name: str) -> Path | None:
    """``folder/<name>.docx`` when the buyer provides it under that exact name (case included, on every
    system), None when the folder has no such entry; a ``RenderError`` when the entry is not a file."""
    filename = f"{name}.docx"
    try:
        entries = os.listdir(folder)
    except OSError as exc:
        raise RenderError(str(folder), f"dossier de modèles illisible ({exc.strerror or exc.__class__.__name__}).") from None
    if filename not in entries:
        return None
    path = Path(folder) / filename
    problem = file_problem(path)
    if problem:
        raise RenderError(filename, problem)
    return path


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.findall(r"[a-z0-9]+", text)


def close_document(filename: str, names) -> str | None:
    """The document (``ccap``…) a file name seems meant for, when it is not exactly ``<name>.docx``."""
    stem, dot, extension = filename.rpartition(".")
    if not dot or extension.lower() not in _WORD_EXTENSIONS or filename in {f"{n}.docx" for n in names}:
        return None
    words = _words(stem)
    compact = "".join(words)
    best = None
    for name in names:
        wanted = _words(name)
        joined = "".join(wanted)
        hit = compact == joined or any(words[i: i + len(wanted)] == wanted for i in range(len(words)))
        hit = hit or (len(joined) > 4 and difflib.SequenceMatcher(None, compact, joined).ratio() >= 0.8)
        if hit and (best is None or len(name) > len(best)):
            best = name
    return best


def name_warning(entry: str, entries, names) -> str | None:
    """Why the file ``entry`` of a templates folder holding ``entries`` will not be used although its name
    looks meant for one of the documents ``names`` (which template is used instead), or None."""
    if entry.startswith(("~$", ".")):
        return None
    name = close_document(entry, names)
    if name is None:
        return None
    exact = f"{name}.docx"
    stem, _, extension = entry.rpartition(".")
    if extension.lower() != "docx":
        why = (f"le format .{extension} n'est pas pris en charge : enregistrez-le au format « Document Word (.docx) » "
               f"sous le nom « {exact} »")
    elif stem.lower() == name:
        why = f"le nom doit être écrit exactement « {exact} », en minuscules"
    else:
        why = f"seul le nom exact « {exact} » (en minuscules, sans autre mot) est reconnu"
    if exact in entries:
        return (f"clausegen render n'utilisera pas ce fichier : c'est {exact}, du même dossier, qui sert de modèle pour ce "
                "document (seul le nom exact compte).")
    return f"clausegen render n'utilisera pas ce fichier : {exact} sera produit avec le modèle intégré, car {why}."


def template_warnings(folder, names) -> list[str]:
    """French warnings, one line each, about the files of a templates folder that look meant for a document
    but will not be used: ``CCAP modifié.docx``, ``RC.docx``, ``avis.DOCX``, ``ccap (1).docx``, ``ccap.doc``…
    Each says which template will be used instead and why. (An entry named exactly like a template but that
    is not a file is an error, see ``custom_template``.)"""
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return []
    warnings = []
    for entry in entries:
        message = name_warning(entry, entries, names)
        if message:
            warnings.append(f"{entry} : {message}")
    return warnings
