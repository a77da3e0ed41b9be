"""The ``clausegen`` command: a thin French shell over the library.

Commands live in their own modules (``calc``, ``render``, ``check``, ``init``, ``report``, ``export``,
``templates``, ``serve``, ``cache``), loaded only when used; what they share is in ``base``, a profile read
on the standard input (« - ») in ``inputs``, click's French in ``_click_fr``.

May import: anything of clausegen (this is the outermost shell); nothing imports ``cli``.

Exit codes, in one place (README, « Codes de sortie »; ``base.FINDINGS_COMMANDS``): 0 success; 1 findings —
the command examined what it was given and found at least one error (``check``, ``templates lint``,
``export decp --strict``, ``export eforms --strict``, and no other command); 2 bad input or output (any ``ClausegenError``, an ``OSError`` translated into French, click's
usage errors); 3 an unexpected internal error (a bug: French message, traceback only with ``--debug`` or
``CLAUSEGEN_DEBUG=1``); 130 interrupted by Ctrl+C. The root group applies this to every command, the lazily
loaded ones included (``_FrenchGroup.invoke``). Heavy modules are imported inside the commands so that
``--help`` is quick.
"""

from __future__ import annotations

import os
import sys

import click

from .._version import __version__
from .base import CONTEXT_SETTINGS, _FrenchGroup


@click.group(cls=_FrenchGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", "-V", prog_name="clausegen", message="%(prog)s %(version)s", help="Affiche la version et quitte.")
@click.option("--debug", is_flag=True, help="En cas d'erreur interne, affiche le détail technique (trace Python) à joindre au signalement ; comme CLAUSEGEN_DEBUG=1.")
def cli(debug):
    """Rédige les clauses sociales d'insertion d'un marché public à partir d'un profil YAML.

    \b
    Exemples :
      clausegen calc profiles/travaux-qpv.yaml      heures d'insertion et calcul détaillé
      clausegen render profiles/travaux-qpv.yaml -o dce/   les sept documents .docx
      clausegen schema > profil.schema.json          schéma pour l'éditeur

    \b
    Codes de sortie : 0 sans erreur ; 1 constats (erreur trouvée par check, templates lint,
    export decp --strict ou export eforms --strict) ; 2 profil, option, modèle ou fichier refusé ; 3 erreur interne (à signaler ;
    détail avec --debug) ; 130 interruption (Ctrl+C).
    """


cli.root = True


def _utf8_streams() -> None:
    """Write UTF-8 on stdout and stderr whatever the console or locale encoding (« → », « œ », espaces fines).

    ``clausegen check profiles/ > revue.txt`` under a cp1252 locale (Windows, PYTHONIOENCODING=cp1252) would
    otherwise stop on the first narrow no-break space. A Windows console is left with the encoding Python
    chose (UTF-16 console API since Python 3.6: every character shows); a legacy code-page console only
    gets ``errors="replace"`` so that an unknown character becomes « ? » instead of stopping the command.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            legacy_console = os.name == "nt" and stream.isatty() and (stream.encoding or "").lower().replace("-", "") != "utf8"
            if legacy_console:
                reconfigure(errors="replace")
            else:
                reconfigure(encoding="utf-8", errors="replace")
        except (OSError, ValueError, LookupError):  # a closed or exotic stream: leave it alone
            pass


def main() -> None:  # console-script entry point, and ``python -m clausegen``
    _utf8_streams()
    cli(prog_name="clausegen")


if __name__ == "__main__":  # pragma: no cover
    main()
