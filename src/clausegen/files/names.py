"""Names that are safe on every file system: a folder name from a market reference."""

from __future__ import annotations

import hashlib
import re
import unicodedata


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


# Windows device names, reserved with any extension (« CON.2027 ») and whatever the case; the superscript
# digits (« COM¹ ») are devices too and become plain digits under NFKD below.
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


MAX_NAME = 80  # well under Windows' 255, leaving room for the path of the output folder (MAX_PATH 260)


def _ascii(reference: str) -> tuple[str, bool]:
    """The reference in ASCII: accents dropped (« é » → « e »), compatibility forms folded (« ¹ » → « 1 »),
    any other character a separator; and whether a letter or digit of another script was lost."""
    out, lost = [], False
    for c in unicodedata.normalize("NFKD", reference):
        if c.isascii():
            out.append(c)
        elif unicodedata.combining(c):
            continue  # an accent
        else:
            lost = lost or c.isalnum()
            out.append("-")
    return "".join(out), lost


def _tag(reference: str) -> str:
    """Six hexadecimal digits that stand for ``reference`` (stable from one run and machine to another)."""
    return hashlib.sha256(unicodedata.normalize("NFC", reference).encode("utf-8", "surrogatepass")).hexdigest()[:6]


def safe_folder_name(reference: str) -> str:
    """A folder name from a market reference, safe on every file system and never leaving the output folder.

    Accents are dropped (« Réf » → « Ref »), anything but letters, digits, « . », « _ » and « - » becomes « - »
    (so ``<>:"/\\|?*``, control characters and spaces never reach the disk), leading and trailing dots,
    dashes, underscores and spaces are removed (no hidden folder, no « .. », nothing Windows would drop),
    the length is capped at ``MAX_NAME``. A Windows device name (CON, PRN, AUX, NUL, COM1–9, LPT1–9, with
    or without an extension) gets « _ » after its device part: « CON » → « CON_ », « nul.2027 » → « nul_.2027 ».
    A reference written (even partly) in another script than the Latin one keeps what it has in Latin
    letters and digits, followed by six hexadecimal digits of the whole reference: « 上海 » → « marche-0d3c6e »,
    « 北京 » → another name, « Lot 上海 2027 » → « Lot-2027-… »; two different references never meet that way.
    """
    reference = str(reference)
    text, lost = _ascii(reference)
    text = _UNSAFE.sub("-", text).strip(".-_ ")
    limit = MAX_NAME - 7 if lost else MAX_NAME
    text = re.sub(r"-{2,}", "-", text)[:limit].rstrip(".-_ ")
    if not text:
        text = "marche"
    if lost:
        text = f"{text}-{_tag(reference)}"
    device, dot, rest = text.partition(".")
    if device.lower() in _WINDOWS_RESERVED:
        text = f"{device}_{dot}{rest}"[:MAX_NAME].rstrip(". -")  # the « _ » stays: no trailing dot for Windows to drop
    return text
