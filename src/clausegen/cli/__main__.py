"""``python -m clausegen.cli``: the command line (as ``clausegen``)."""

from . import main

main()
