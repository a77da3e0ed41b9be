"""``clausegen serve``: the web application on this machine (Starlette served by uvicorn).

On 127.0.0.1 (the default) nothing else is needed. On any other address the application is reachable from
other machines: it refuses to start without an access token in ``CLAUSEGEN_JETON`` (exit 2), and every
request must then carry it (README, « Application web »).

The server is hardened against slow and stale clients: a request whose headers are not complete within
``HEADER_SECONDS`` is closed (uvicorn has no such timeout: ``header_deadline_protocol``), headers are bounded
(``HEADER_BYTES``), an idle connection is closed after ``KEEP_ALIVE_SECONDS``; only the Host headers of the
address it listens on are answered (``security.allowed_hosts_for``, DNS rebinding); at start-up, LibreOffice's
temporary folders left by a server killed during a conversion are removed (``sweep_stale_pdf_folders``).
"""

from __future__ import annotations

import os

import click

HEADER_SECONDS = 10  # a request's headers must be complete this long after the connection opened or its last answer
HEADER_BYTES = 16 * 1024  # request line and headers of one request (h11's own default, stated)
KEEP_ALIVE_SECONDS = 5  # an idle connection between two requests
STALE_PDF_SECONDS = 3600  # a conversion folder this old belongs to no running conversion

from .base import CONTEXT_SETTINGS, _handle_errors
from ..errors import ClausegenError


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("localhost" if host == "::" else host)
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/"


def check_start(host: str, token: str | None) -> None:
    """Refuse (``ClausegenError``, exit 2) to listen beyond this machine without an access token."""
    from ..web.security import TOKEN_ENV, is_local

    if is_local(host):
        return
    if not token:
        raise ClausegenError(
            f"Erreur : l'application écouterait sur {host}, accessible depuis d'autres machines, sans jeton d'accès ; "
            f"elle n'a pas démarré.\nDéfinissez la variable d'environnement {TOKEN_ENV} (une longue valeur secrète, par exemple "
            "produite par « python -c \"import secrets; print(secrets.token_urlsafe(32))\" »), puis relancez la commande ; "
            f"ou gardez l'adresse par défaut, 127.0.0.1 (cette machine seulement)."
        )
    if len(token) < 16:
        raise ClausegenError(f"Erreur : le jeton {TOKEN_ENV} est trop court ({len(token)} caractères) pour protéger une application "
                             "accessible depuis d'autres machines : 16 caractères au moins. L'application n'a pas démarré.")


def header_deadline_protocol(seconds: float = HEADER_SECONDS):
    """uvicorn's h11 protocol, plus the timeout uvicorn lacks (slowloris): a connection whose request headers
    are not complete ``seconds`` after it opened, or after its previous answer, is closed. uvicorn's own
    keep-alive timer is cancelled by every byte received, so a client sending one byte at a time keeps it."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderDeadline(H11Protocol):
        _deadline = None
        _waiting = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            self._arm()  # before: a pipelined request starts its cycle in there
            super().on_response_complete()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._waiting = self.cycle  # the headers of the next request will make a new cycle
            self._deadline = self.loop.call_later(seconds, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if self.cycle is self._waiting and not self.transport.is_closing():
                self.transport.close()

    return HeaderDeadline


def sweep_stale_pdf_folders(folder: str | None = None, *, now: float | None = None, max_age: float = STALE_PDF_SECONDS) -> list[str]:
    """Remove the conversion folders (``clausegen-pdf-*``) older than ``max_age`` seconds from the temporary
    folder: a server killed during a conversion leaves its folder behind. Only real folders of this user whose
    name has the exact prefix, never a symbolic link; a folder that cannot be removed is left. Returns the names
    removed."""
    import shutil
    import stat
    import tempfile
    import time

    from ..web.work import PDF_FOLDER_PREFIX

    folder = folder or tempfile.gettempdir()
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PDF_FOLDER_PREFIX):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
            continue
        if now - info.st_mtime <= max_age:
            continue
        try:
            shutil.rmtree(entry.path)  # does not follow the links it finds inside
        except OSError:
            continue
        removed.append(entry.name)
    return sorted(removed)


def _bind(host: str, port: int):
    """The listening socket, opened here so that an address in use is a French message (exit 2)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY on the accepted connections only for such sockets;
    # without it, Nagle's algorithm holds each response's body until a delayed acknowledgement (40 ms)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        import errno

        if exc.errno == errno.EADDRINUSE:
            raise ClausegenError(f"Erreur : le port {port} est déjà utilisé sur {host} (une autre application, ou clausegen déjà lancé). "
                                 f"Choisissez-en un autre avec --port, par exemple --port {port + 1}.") from None
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
            raise ClausegenError(f"Erreur : l'adresse {host} n'appartient pas à cette machine : indiquez-en une autre avec --host.") from None
        if exc.errno == errno.EACCES:
            raise ClausegenError(f"Erreur : le port {port} est réservé à l'administrateur ; choisissez un port au-dessus de 1024 avec --port.") from None
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@click.command("serve", context_settings=CONTEXT_SETTINGS, short_help="Application web : formulaire, documents, revue PFRA et API.")
@click.option("--host", "--adresse", "host", default="127.0.0.1", show_default=True, metavar="ADRESSE",
              help="Adresse d'écoute. Toute autre que 127.0.0.1 ou localhost exige le jeton CLAUSEGEN_JETON.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), metavar="PORT", help="Port d'écoute.")
@click.option("--hostname", "--hote", "names", multiple=True, metavar="NOM",
              help="Nom par lequel les navigateurs joignent l'application (par exemple serveur.mairie.fr), à répéter au besoin ; "
                   "une requête adressée à un autre nom est refusée. Sur 127.0.0.1, les noms 127.0.0.1, localhost et [::1] sont toujours admis.")
@click.option("--no-browser", "--sans-navigateur", "no_browser", is_flag=True, help="N'ouvre pas le navigateur.")
@click.option("--donnees", "--data", "data_dir", metavar="DOSSIER", type=click.Path(file_okay=False),
              help="Dossier du fichier des brouillons (brouillons.sqlite). Par défaut : %APPDATA%\\clausegen sous Windows, "
                   "$XDG_DATA_HOME/clausegen (~/.local/share/clausegen) ailleurs.")
@_handle_errors
def serve(host, port, names, no_browser, data_dir):
    """Démarre l'application web de clausegen et ouvre le navigateur.

    \b
    Rédiger un profil sans écrire de YAML, voir les heures et la revue pendant la saisie,
    télécharger les documents, relire un portefeuille de profils (PFRA), et l'API JSON
    (/api/docs). Les profils en cours sont gardés comme brouillons dans un fichier SQLite
    (--donnees) : ils survivent à un redémarrage. Ctrl+C arrête l'application.

    \b
    Sur une autre adresse que cette machine, un jeton est obligatoire :
      CLAUSEGEN_JETON=… clausegen serve --host 0.0.0.0 --port 8080
    puis, dans le navigateur, http://SERVEUR:8080/?jeton=…  (ou l'en-tête
    « Authorization: Bearer … » pour l'API).
    """
    from ..web.security import TOKEN_ENV, allowed_hosts_for

    token = os.environ.get(TOKEN_ENV, "").strip() or None
    check_start(host, token)
    sweep_stale_pdf_folders()  # before listening: once a connection is accepted, the sweep is done
    sock = _bind(host, port)
    import uvicorn

    from ..web import create_app

    from ..web.store import default_folder

    url = _url(host, port)
    folder = data_dir or default_folder()
    from ..web.store import StoreError

    try:
        app = create_app(token, data_dir=folder, allowed_hosts=allowed_hosts_for(host, port, names))
    except StoreError as exc:
        sock.close()
        raise ClausegenError(f"Erreur : {exc} L'application n'a pas démarré.") from None
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", server_header=False,
                            http=header_deadline_protocol(), h11_max_incomplete_event_size=HEADER_BYTES,
                            timeout_keep_alive=KEEP_ALIVE_SECONDS)
    server = uvicorn.Server(config)
    listening = "" if url == f"http://{host}:{port}/" else f" (adresse d'écoute : {host}, port {port})"
    click.echo(f"clausegen est disponible sur {url}{listening}" + (" ; jeton exigé (CLAUSEGEN_JETON)" if token else "") + ".")
    click.echo(f"Brouillons enregistrés dans {app.state.store.path}.")
    click.echo("Ctrl+C pour arrêter l'application.")
    if not no_browser:
        import threading
        import webbrowser

        opened = url + (f"?jeton={token}" if token else "")
        threading.Timer(0.8, lambda: webbrowser.open(opened)).start()
    server.run(sockets=[sock])
    click.echo("Application arrêtée.")
