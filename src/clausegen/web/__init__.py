"""The web application (``clausegen serve``): a form to write a profile, the documents, the PFRA review and
a JSON API, all served by Starlette over the library. ``app`` composes ``api`` (JSON) and ``views``
(pages); what both need is in ``common``, ``forms``/``form_*`` (the schema-driven form), ``work`` (calls into
the library), ``security`` and ``uploads``.

May import: anything of clausegen below the shells (library, plan, products). Never ``cli``.
"""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(*args, **kwargs):
    from .app import create_app as create

    return create(*args, **kwargs)
