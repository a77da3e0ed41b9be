"""``python -m clausegen``: the same command as ``clausegen``."""

from .cli import main

if __name__ == "__main__":  # pragma: no cover - exercised by subprocess in the tests
    main()
