"""The web application (``clausegen serve``): a form to write a profile, the documents, the PFRA review and
a JSON API, all served by Starlette over the library (see ``app.py``)."""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(*args, **kwargs):
    from .app import create_app as create

    return create(*args, **kwargs)
