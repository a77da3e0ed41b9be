"""French reasons for the system errors a write may meet (errno, and Windows' own codes)."""

from __future__ import annotations

import errno
import os


_ERRNO_REASONS = {
    "EACCES": "accès refusé",
    "EPERM": "accès refusé (opération non permise)",
    "ENOSPC": "disque plein",
    "EDQUOT": "quota de disque dépassé",
    "EROFS": "disque ou dossier en lecture seule",
    "EBUSY": "fichier occupé (ouvert dans une autre application ?)",
    "ETXTBSY": "fichier occupé (ouvert dans une autre application ?)",
    "EISDIR": "c'est un dossier",
    "ENOTDIR": "un élément du chemin n'est pas un dossier",
    "ENOENT": "fichier ou dossier introuvable",
    "EEXIST": "un fichier de ce nom existe déjà",
    "ENOTEMPTY": "dossier non vide",
    "ENAMETOOLONG": "nom de fichier ou chemin trop long",
    "ELOOP": "trop de liens symboliques",
    "EIO": "erreur d'entrée-sortie du disque",
    "EMFILE": "trop de fichiers ouverts",
    "ENFILE": "trop de fichiers ouverts",
    "EXDEV": "déplacement impossible d'un disque à l'autre",
    "EINVAL": "nom de fichier ou opération invalide",
}


_WINERROR_REASONS = {  # Windows system error codes, more precise than errno there
    5: "accès refusé (fichier en lecture seule, ou ouvert dans une autre application comme Word ?)",
    19: "support protégé en écriture",
    32: "fichier ouvert dans une autre application (Word ?)",
    33: "fichier verrouillé par une autre application",
    39: "disque plein",
    112: "disque plein",
    206: "nom de fichier ou chemin trop long",
}


def os_error_reason(exc: OSError) -> str:
    """The cause of ``exc`` in French, from its errno (or Windows error code): « disque plein »…"""
    winerror = getattr(exc, "winerror", None)
    if winerror in _WINERROR_REASONS:
        return _WINERROR_REASONS[winerror]
    name = errno.errorcode.get(exc.errno or 0, "")
    if name in _ERRNO_REASONS:
        reason = _ERRNO_REASONS[name]
        if name in ("EACCES", "EPERM") and os.name == "nt":
            reason += " (fichier en lecture seule, ou ouvert dans une autre application comme Word ?)"
        return reason
    return exc.strerror or str(exc) or exc.__class__.__name__
