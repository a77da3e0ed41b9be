"""What one request may ask of the server: work budgets, the answer to every library error, and the lanes
that keep LibreOffice's conversions from taking the whole server.

- **Budgets.** A pack (``/api/pack``, the form's « .zip » and « PDF ») is made for ``PACK_LOTS`` lots at
  most; a review (``/revue``) evaluates ``REVIEW_LOTS`` lots in all, for ``REVIEW_SECONDS`` at most: the
  profiles past the budget are listed as not reviewed, the others keep their review. Past a budget, the
  answer is a French 413 that says what to do instead (the command line has no such budget).
- **Errors.** A library error is the user's answer, never a 500: ``ClausegenError`` (a profile the library
  refuses, a document it cannot make) and the ``ValueError`` or ``OverflowError`` of a value past what
  Python's dates and numbers hold (a date in the year 9999 plus a duration) are 422 with a French message.
- **PDF lane.** LibreOffice is a heavy process: ``PDF_AT_ONCE`` conversions run at a time, ``PDF_WAITING``
  more wait for their turn, any other is answered 503 with ``Retry-After`` at once.
"""

from __future__ import annotations

import re
import threading
import time

from . import security

PACK_LOTS = 300  # lots of one pack made by the web application (each lot adds pages to each document)
REVIEW_LOTS = 20_000  # lots evaluated by one review, all profiles together
REVIEW_SECONDS = 300.0  # time one review may spend evaluating profiles
PDF_AT_ONCE = 1  # LibreOffice conversions running at the same time
PDF_WAITING = 2  # conversions waiting for their turn; any more is refused (503)
PDF_RETRY_AFTER = 30  # seconds, in the 503's Retry-After

VALUE_ERRORS = (ValueError, OverflowError)
VALUE_MESSAGE = ("Une valeur du profil dépasse ce que clausegen sait calculer (par exemple une date trop lointaine, "
                 "comme 9999-12-31 à laquelle s'ajoute une durée) : corrigez les dates et les montants du profil.")


def check_pack(profile) -> None:
    """Refuse (413) a pack of more than ``PACK_LOTS`` lots."""
    count = len(profile.lots)
    if count > PACK_LOTS:
        raise security.Refusal(413, f"Ce marché compte {count} lots : l'application web produit les documents de {PACK_LOTS} lots au plus "
                                    "par demande. Produisez-les avec la commande « clausegen render PROFIL », qui n'a pas cette limite.")


_PART = re.compile(r"(?:Part|Field) exceeded maximum size of (\d+)KB")
_FIELDS = re.compile(r"Too many fields\. Maximum number of fields is (\d+)")
_FILES = re.compile(r"Too many files\. Maximum number of files is (\d+)")


def form_refusal(reason: str, status: int) -> tuple[int, str | None]:
    """The French answer to a form Starlette's parser refused for a limit (its reason is English): 413 and
    what was too large, as the README documents; other reasons stay a plain 400."""
    if match := _PART.search(reason):
        size = int(match.group(1)) * 1024
        shown = f"{size // (1024 * 1024)} Mio" if size >= 1024 * 1024 else f"{size // 1024} Kio"
        return 413, (f"Un champ ou un fichier du formulaire dépasse {shown}, la taille admise pour un champ : un profil de marché "
                     "fait quelques kilo-octets. Raccourcissez le texte, ou utilisez la ligne de commande.")
    if match := _FIELDS.search(reason):
        return 413, (f"Le formulaire compte plus de {match.group(1)} champs, le nombre admis : un marché de plus de "
                     "200 lots se prépare avec la ligne de commande (« clausegen init », « clausegen render »).")
    if match := _FILES.search(reason):
        return 413, f"Plus de {match.group(1)} fichiers envoyés en une fois : envoyez-les en plusieurs fois, ou dans une archive .zip."
    return status, None


class ReviewBudget:
    """The lots and the time a review may still spend; ``over(lots)`` says why a profile is not reviewed."""

    def __init__(self, lots: int = REVIEW_LOTS, seconds: float = REVIEW_SECONDS, clock=time.monotonic):
        self.lots_left = lots
        self.clock = clock
        self.deadline = clock() + seconds
        self.lots, self.seconds = lots, seconds

    def over(self, lots: int) -> str | None:
        if self.clock() > self.deadline:
            return (f"Profil non relu : la revue a déjà pris {self.seconds:.0f} secondes, le temps accordé à une demande. "
                    "Relisez les profils restants dans un nouvel envoi, ou avec « clausegen check DOSSIER ».")
        if lots > self.lots_left:
            return (f"Profil non relu : la revue dépasserait {self.lots} lots en tout, ce qu'une demande peut relire. "
                    "Relisez les profils restants dans un nouvel envoi, ou avec « clausegen check DOSSIER ».")
        self.lots_left -= lots
        return None


class Line:
    """A bounded line of heavy work: ``capacity`` places (running or waiting); ``admit()`` takes one or
    refuses at once (503 with ``Retry-After``, ``message``), ``leave()`` frees it."""

    def __init__(self, capacity: int, message: str, retry_after: int):
        self.capacity = capacity
        self.message = message
        self.retry_after = retry_after
        self.count = 0
        self.guard = threading.Lock()

    def admit(self) -> None:
        """Take a place in line (in the event loop, before the work goes to a thread or a process), or refuse."""
        with self.guard:
            if self.count >= self.capacity:
                raise security.Refusal(503, self.message, headers={"retry-after": str(self.retry_after)})
            self.count += 1

    def leave(self) -> None:
        with self.guard:
            self.count -= 1


class PdfLane(Line):
    """At most ``at_once`` conversions at a time and ``waiting`` in line; ``admit()`` refuses the others (503)."""

    def __init__(self, at_once: int = PDF_AT_ONCE, waiting: int = PDF_WAITING):
        super().__init__(at_once + waiting, "Des conversions en PDF sont déjà en cours sur ce serveur : réessayez dans une minute, "
                                            "ou téléchargez les documents au format .docx.", PDF_RETRY_AFTER)
        self.running = threading.BoundedSemaphore(at_once)

    def run(self, fn, *args):
        """``fn(*args)`` once a conversion slot is free (in a worker thread, after ``admit``)."""
        with self.running:
            return fn(*args)


PDF_LANE = PdfLane()


async def convert(fn, *args):
    """``fn(*args)`` (a conversion) in a worker thread, in the PDF lane: 503 when the lane is full."""
    from starlette.concurrency import run_in_threadpool

    PDF_LANE.admit()
    try:
        return await run_in_threadpool(PDF_LANE.run, fn, *args)
    finally:
        PDF_LANE.leave()
