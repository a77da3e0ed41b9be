"""The web application of ``clausegen serve``: Starlette routes, pages rendered on the server with Jinja2.

A thin shell: every answer comes from the library through ``work`` (load, compute, review, render, report)
and ``forms`` (the schema-driven form). No state is kept between requests: the profile being written travels
in the form, the profiles of a review in the page; the only files written are temporary ones, removed before
the response is sent (``profile.text``, LibreOffice's conversion). See ``security`` for the access token,
the CSRF protection, the size limits and the Host and Content-Type checks, and ``api.py`` for the JSON API.
"""

from __future__ import annotations


from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import ClausegenError, ProfileError
from . import limits, security
from .common import HERE, Pages, refusal_text


# -- rendering ------------------------------------------------------------------------------------------


# -- issues and findings placed on the form --------------------------------------------------------------


# -- the application ------------------------------------------------------------------------------------


def create_app(token: str | None = None, *, secret: bytes | None = None, data_dir=None, allowed_hosts=None) -> Starlette:
    """The ASGI application. ``token``: the access token every request must carry (``CLAUSEGEN_JETON``);
    ``data_dir``: the folder of the drafts' file (``store.py``; None: drafts in memory, for this process only);
    ``secret``: the key of the CSRF signatures (by default the one kept with the drafts); ``allowed_hosts``:
    the only Host headers answered (``security.allowed_hosts_for``; None: any, as in the tests' client)."""
    from . import api, drafts, views
    from .store import DraftStore

    store = DraftStore(data_dir)
    secrets_ = security.Secrets(token, secret or store.secret())
    pages = Pages(secrets_)

    def render_refusal(status: int, path: str, detail: str | None) -> tuple[str, bytes]:
        if path.startswith("/api/"):
            import json

            return "application/json", json.dumps({"erreur": refusal_text(status, detail)}, ensure_ascii=False).encode("utf-8")
        return "text/html; charset=utf-8", pages.refusal_html(status, detail, security.local_location(path)).encode("utf-8")

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        detail = exc.detail if isinstance(exc, security.Refusal) else None  # Starlette's reasons are English: not shown
        if detail is None and status == 400:
            status, detail = limits.form_refusal(str(getattr(exc, "detail", "")), status)
        content_type, body = render_refusal(status, request.url.path, detail)
        headers = dict(getattr(exc, "headers", None) or {})
        return Response(body, status_code=status, media_type=content_type.split(";")[0], headers=headers)

    async def too_large(request: Request, exc: Exception) -> Response:
        content_type, body = render_refusal(413, request.url.path, str(security.body_limit(request.url.path)))
        return Response(body, status_code=413, media_type=content_type.split(";")[0])

    async def library_error(request: Request, exc: Exception) -> Response:
        """A library error is the user's answer (422), never a 500: its French message, or the loader's issues."""
        if isinstance(exc, ProfileError) and request.url.path.startswith("/api/"):
            from .api import invalid

            return invalid(exc)
        if isinstance(exc, ClausegenError):
            message = str(exc)
            message = message[:1].upper() + message[1:]
        else:
            message = limits.VALUE_MESSAGE
        content_type, body = render_refusal(422, request.url.path, message)
        return Response(body, status_code=422, media_type=content_type.split(";")[0])

    async def dropped(request: Request, exc: Exception) -> Response:
        """The client went away during its upload: nobody reads the answer, nothing is printed."""
        return Response(b"", status_code=400)

    async def internal_error(request: Request, exc: Exception) -> Response:
        content_type, body = render_refusal(500, request.url.path, None)
        return Response(body, status_code=500, media_type=content_type.split(";")[0])

    view = views.Views(pages, secrets_, store)
    draft = drafts.Drafts(pages, secrets_, store)
    routes = [
        Route("/", draft.home, methods=["GET"]),
        Route("/profil", draft.new, methods=["GET"]),
        Route("/profil", draft.create, methods=["POST"]),
        Route("/profil/yaml", draft.as_yaml, methods=["POST"]),
        Route("/profil/panneau", draft.panel, methods=["POST"]),
        Route("/profil/{draft}", draft.show, methods=["GET"]),
        Route("/profil/{draft}", draft.update, methods=["POST"]),
        Route("/profil/{draft}/profil.yaml", draft.export_yaml, methods=["GET"]),
        Route("/profil/{draft}/{kind:str}.zip", draft.documents, methods=["GET"]),
        Route("/profil/{draft}/dupliquer", draft.duplicate, methods=["POST"]),
        Route("/profil/{draft}/supprimer", draft.delete, methods=["POST"]),
        Route("/ouvrir", view.open_get, methods=["GET"]),
        Route("/ouvrir", view.open_post, methods=["POST"]),
        Route("/revue", view.review_get, methods=["GET"]),
        Route("/revue", view.review_post, methods=["POST"]),
        Route("/revue/rapport", view.review_report, methods=["POST"]),
        Route("/api/calc", api.calc, methods=["POST"]),
        Route("/api/check", api.check, methods=["POST"]),
        Route("/api/pack", api.pack, methods=["POST"]),
        Route("/api/schema", api.schema, methods=["GET"]),
        Route("/api/openapi.json", api.openapi, methods=["GET"]),
        Route("/api/docs", view.api_docs, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    post_types = {(route.path if "{" not in route.path else route.path_regex):
                  api.YAML_TYPES if route.path.startswith("/api/") else security.FORM_TYPES
                  for route in routes if isinstance(route, Route) and "POST" in (route.methods or ())}
    app = Starlette(
        routes=routes,
        middleware=[Middleware(security.Guard, secrets_=secrets_, render_refusal=render_refusal, allowed_hosts=allowed_hosts,
                               post_types=post_types)],
        exception_handlers={HTTPException: http_error, security.Refusal: http_error, security.BodyTooLarge: too_large,
                            ClausegenError: library_error, ValueError: library_error, OverflowError: library_error,
                            ClientDisconnect: dropped, 500: internal_error},
    )
    app.state.secrets = secrets_
    app.state.store = store
    return app


__all__ = ["create_app"]
