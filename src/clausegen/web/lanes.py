"""Two lanes for the library's work, so that one heavy request never makes the others wait.

- **Light lane** (``light``): what a page or the live panel needs at once — load a profile, compute its
  hours, review it, show a preview. It runs in a worker thread of the server, one call at a time (the
  library shares a YAML reader and prepared templates that two threads must not use together), and each
  call takes milliseconds.
- **Heavy lane** (``heavy``): packs of documents, reviews of many profiles, portfolio reports. It runs in
  a worker process of its own (``HEAVY_WORKERS``), so a pack of 300 lots or a review of a large zip never
  holds the light lane; ``HEAVY_WAITING`` more wait their turn and any other is answered 503 with
  ``Retry-After`` at once. The process is started at the first heavy request and kept: its templates stay
  prepared.

LibreOffice's conversions have their own lane (``limits.PdfLane``).
"""

from __future__ import annotations

import asyncio
import threading

from . import security
from .limits import Line

HEAVY_WORKERS = 1
HEAVY_WAITING = 4
HEAVY_RETRY_AFTER = 20  # seconds

LOCK = threading.Lock()  # the light lane: one library call at a time in the server's process


async def light(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a worker thread, in the light lane."""
    from starlette.concurrency import run_in_threadpool

    def locked():
        with LOCK:
            return fn(*args, **kwargs)

    return await run_in_threadpool(locked)


class HeavyLane(Line):
    def __init__(self, workers: int = HEAVY_WORKERS, waiting: int = HEAVY_WAITING):
        super().__init__(workers + waiting, "Le serveur produit déjà des documents ou relit des profils pour d'autres demandes : "
                                            "réessayez dans une minute.", HEAVY_RETRY_AFTER)
        self.workers = workers
        self._executor = None
        self.started = 0  # worker pools started (a test counts them: once per server)

    def _pool(self):
        with self.guard:
            if self._executor is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                # « spawn »: a fresh interpreter, never a fork of a server running threads
                self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
                self.started += 1
                if self.started == 1:
                    import atexit

                    atexit.register(self.close, wait=True)  # before the interpreter tears the pool's thread down
            return self._executor

    async def run(self, fn, *args):
        """``fn(*args)`` (a module-level function, its arguments and result picklable) in the heavy lane."""
        self.admit()
        try:
            from concurrent.futures.process import BrokenProcessPool

            try:
                return await asyncio.get_running_loop().run_in_executor(self._pool(), fn, *args)
            except BrokenProcessPool:  # the worker died (killed, out of memory): a new one for the next request
                self.close()
                raise security.Refusal(503, "Le travail demandé a interrompu le processus qui le faisait : réessayez, ou utilisez "
                                            "la ligne de commande (« clausegen render », « clausegen check »).",
                                       headers={"retry-after": str(HEAVY_RETRY_AFTER)}) from None
        finally:
            self.leave()

    def close(self, wait: bool = False) -> None:
        with self.guard:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=True)


HEAVY = HeavyLane()


async def heavy(fn, *args):
    return await HEAVY.run(fn, *args)
