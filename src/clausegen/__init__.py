"""clausegen — drafts the clause sociale d'insertion of French public-procurement documents.

The library API (the CLI is a thin shell over it)::

    profile = load_profile("profiles/travaux-qpv.yaml")   # ProfileError lists every problem
    hours = compute_hours(profile)                         # Decimal working, one figure per lot
    render_pack(profile, "dce/")                            # the seven .docx documents
"""

from __future__ import annotations

from ._version import __version__
from .compiled import install as _install_compiled

_install_compiled()  # before any class is defined: the methods dataclasses writes come compiled (``compiled``)

__all__ = [
    "ClausegenError",
    "OutputError",
    "ProfileError",
    "RenderError",
    "__version__",
    "compute_hours",
    "load_profile",
    "load_registry",
    "render_pack",
]

from .errors import ClausegenError, OutputError, ProfileError, RenderError


def __getattr__(name: str):
    # Heavy modules load on first use so that `clausegen --help` stays fast.
    if name == "load_profile":
        from .profile.load import load_profile

        return load_profile
    if name == "compute_hours":
        from .calc import compute_hours

        return compute_hours
    if name == "load_registry":
        from .law.registry import load_registry

        return load_registry
    if name == "render_pack":
        from .render.pack import render_pack

        return render_pack
    raise AttributeError(f"module 'clausegen' has no attribute {name!r}")
