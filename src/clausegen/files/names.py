"""Names that are safe on every file system: a folder name from a market reference."""

from __future__ import annotations

import re
import unicodedata


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


# Windows device names, reserved with any extension (« CON.2027 ») and whatever the case; the superscript
# digits (« COM¹ ») are devices too and become plain digits under NFKD below.
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


MAX_NAME = 80  # well under Windows' 255, leaving room for the path of the output folder (MAX_PATH 260)


def safe_folder_name(reference: str) -> str:
    """A folder name from a market reference, safe on every file system and never leaving the output folder.

    Accents are dropped (« Réf » → « Ref »), anything but letters, digits, « . », « _ » and « - » becomes « - »
    (so ``<>:"/\\|?*``, control characters and spaces never reach the disk), leading and trailing dots,
    dashes, underscores and spaces are removed (no hidden folder, no « .. », nothing Windows would drop),
    the length is capped at ``MAX_NAME``. A Windows device name (CON, PRN, AUX, NUL, COM1–9, LPT1–9, with
    or without an extension) gets « _ » after its device part: « CON » → « CON_ », « nul.2027 » → « nul_.2027 ».
    """
    text = unicodedata.normalize("NFKD", str(reference)).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE.sub("-", text).strip(".-_ ")
    text = re.sub(r"-{2,}", "-", text)[:MAX_NAME].rstrip(".-_ ")
    if not text:
        text = "marche"
    device, dot, rest = text.partition(".")
    if device.lower() in _WINDOWS_RESERVED:
        text = f"{device}_{dot}{rest}"[:MAX_NAME].rstrip(". -")  # the « _ » stays: no trailing dot for Windows to drop
    return text
