"""The JSON API: the command line's answers over HTTP, for other programs.

``POST /api/calc``, ``/api/check`` and ``/api/pack`` take a profile as the request body (YAML, at most
1 Mio) and answer exactly what ``clausegen calc --format json``, ``clausegen check --format json`` and
``clausegen render`` give; an invalid profile gets 422 and ``{"erreurs": [...]}`` (the loader's issues:
fichier, ligne, colonne, champ, message, attendu, suggestion). ``GET /api/schema`` gives the profile's JSON
Schema, ``GET /api/openapi.json`` this description.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._version import __version__
from ..errors import OutputError, ProfileError
from . import limits, security, work
from .common import DEFAULT_NAME, file_name

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def source_name(request: Request) -> str:
    """The profile's name in messages and findings (``?nom=``, a file name; « profil.yaml » by default)."""
    return file_name(request.query_params.get("nom", "") or DEFAULT_NAME)


async def profile_body(request: Request) -> bytes:
    """The request's body (the Guard already refused one that is not YAML, 415), 1 Mio at most."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > security.API_LIMIT:
            raise security.BodyTooLarge(security.API_LIMIT)
    return bytes(body)


def invalid(exc: ProfileError) -> JSONResponse:
    return JSONResponse({"erreurs": [issue.as_dict() for issue in exc.issues]}, status_code=422)


def _json_text(text: str) -> Response:
    return Response(text + "\n", media_type="application/json")  # what the command prints, final line end included


async def _profile_json(request: Request, job) -> Response:
    """A profile in the body, ``job(body, name)``'s JSON text out, or 422 with the loader's errors."""
    from .common import run

    body, name = await profile_body(request), source_name(request)
    try:
        return _json_text(await run(job, body, name))
    except ProfileError as exc:
        return invalid(exc)


async def calc(request: Request) -> Response:
    return await _profile_json(request, work.calc_json)


async def check(request: Request) -> Response:
    return await _profile_json(request, work.check_json)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "oui", "true", "vrai", "yes")


async def pack(request: Request) -> Response:
    """The documents of ``render`` in a .zip (the .docx files byte for byte), PDF too with ``?pdf=1``."""
    from ..plan.documents import select_documents
    from .common import attachment, json_error, profile_filename, run

    body, name = await profile_body(request), source_name(request)
    wanted = [d.strip() for d in request.query_params.get("documents", "").split(",") if d.strip()]
    pdf = _flag(request.query_params.get("pdf"))
    try:
        select_documents(wanted)
    except OutputError as exc:
        return json_error(400, str(exc)[:1].upper() + str(exc)[1:])
    if pdf and not await run(work.has_soffice):
        return json_error(503, "LibreOffice est introuvable sur ce serveur : les PDF ne peuvent pas être produits (retirez « pdf=1 »).")

    from .lanes import heavy

    try:
        reference, files = await heavy(work.pack, body, name, wanted or None, True)
    except ProfileError as exc:
        return invalid(exc)
    except OutputError as exc:  # a document named in « documents » has no object for this market
        return json_error(400, str(exc)[:1].upper() + str(exc)[1:])
    if pdf:
        try:
            files = {**files, **await run_pdf(files, reference)}
        except OutputError as exc:
            return json_error(500, str(exc)[:1].upper() + str(exc)[1:])
    data = work.zip_bytes(files)
    response = attachment(data, profile_filename({"marche": {"reference": reference}}, ".zip"), "application/zip")
    response.headers["x-clausegen-documents"] = ",".join(files)
    return response


async def run_pdf(files, reference):
    """LibreOffice outside the library lock (a separate process, and slow), in the PDF lane (``limits``)."""
    return await limits.convert(work.pdf_files, files, reference)


async def schema(request: Request) -> Response:
    from ..profile.schema import profile_schema

    return JSONResponse(profile_schema())


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


def _profile_request() -> dict:
    return {
        "required": True,
        "description": "Le profil du marché, tel qu'on l'écrit dans un fichier .yaml (1 Mio au plus).",
        "content": {"application/yaml": {"schema": {"$ref": "/api/schema"}}},
    }


_NAME = {"name": "nom", "in": "query", "required": False, "schema": {"type": "string", "default": DEFAULT_NAME},
         "description": "Nom du fichier de profil repris dans les messages et les constats (« profil.yaml » par défaut)."}
_ISSUES = {
    "type": "object",
    "properties": {
        "erreurs": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {k: {"type": t} for k, t in (("fichier", "string"), ("ligne", "integer"), ("colonne", "integer"), ("champ", "string"),
                                                             ("message", "string"), ("attendu", ["string", "null"]), ("suggestion", ["string", "null"]))},
            },
        }
    },
}
_ERROR = {"type": "object", "properties": {"erreur": {"type": "string", "description": "Message en français."}}}


def _errors(*codes: int) -> dict:
    texts = {
        400: "Paramètre refusé (document inconnu ou sans objet pour ce marché).",
        401: "Jeton d'accès absent ou incorrect (application protégée par CLAUSEGEN_JETON).",
        413: "Profil de plus de 1 Mio.",
        415: "Corps qui n'est pas du YAML (Content-Type attendu : application/yaml).",
        422: "Profil invalide : toutes ses erreurs, avec leur ligne, leur colonne et le champ concerné.",
        503: "LibreOffice absent : pas de PDF.",
    }
    out = {}
    for code in codes:
        schema = _ISSUES if code == 422 else _ERROR
        out[str(code)] = {"description": texts[code], "content": {"application/json": {"schema": schema}}}
    return out


def openapi_document() -> dict:
    """The OpenAPI 3.1 description of the API, in French (written by hand: the API has five routes)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "API de clausegen",
            "version": __version__,
            "description": "Calcul des heures d'insertion, revue et documents de la clause sociale d'un marché public, "
                           "à partir d'un profil YAML. Les réponses sont celles de la ligne de commande.",
        },
        "components": {"securitySchemes": {"jeton": {"type": "http", "scheme": "bearer", "description": "Jeton CLAUSEGEN_JETON, exigé quand il est défini."}}},
        "security": [{}, {"jeton": []}],
        "paths": {
            "/api/calc": {"post": {
                "summary": "Heures d'insertion de chaque lot, avec le calcul détaillé",
                "description": "Même document que « clausegen calc PROFIL --format json ».",
                "parameters": [_NAME],
                "requestBody": _profile_request(),
                "responses": {"200": {"description": "Heures par lot, total, parcours, ETP et étapes du calcul.", "content": {"application/json": {}}},
                              **_errors(401, 413, 415, 422)},
            }},
            "/api/check": {"post": {
                "summary": "Revue du profil, comme la plateforme régionale des achats",
                "description": "Même document que « clausegen check PROFIL --format json » : constats (fichier, ligne, colonne, champ, gravité, "
                               "règle, message, référence) et résumé. Un profil dont la revue trouve des erreurs est une réponse 200.",
                "parameters": [_NAME],
                "requestBody": _profile_request(),
                "responses": {"200": {"description": "Constats de la revue.", "content": {"application/json": {}}}, **_errors(401, 413, 415, 422)},
            }},
            "/api/pack": {"post": {
                "summary": "Documents du dossier de consultation (.zip)",
                "description": "Les documents que « clausegen render » produit, identiques octet pour octet, dans une archive .zip. "
                               "Un document sans objet pour le marché n'est pas produit ; l'en-tête X-Clausegen-Documents les nomme.",
                "parameters": [
                    _NAME,
                    {"name": "documents", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "Documents à produire, séparés par des virgules : avis, rc, ccap, annexe-ae, memoire, fiche-caracterisation, suivi (par défaut : tous ceux qui ont un objet)."},
                    {"name": "pdf", "in": "query", "required": False, "schema": {"type": "string", "enum": ["0", "1"]},
                     "description": "1 : ajoute le PDF de chaque document (LibreOffice requis sur le serveur)."},
                ],
                "requestBody": _profile_request(),
                "responses": {"200": {"description": "Archive des documents.", "content": {"application/zip": {}}}, **_errors(400, 401, 413, 415, 422, 503)},
            }},
            "/api/schema": {"get": {
                "summary": "Schéma JSON des profils",
                "description": "Même document que « clausegen schema ».",
                "responses": {"200": {"description": "Schéma JSON (draft 2020-12).", "content": {"application/json": {}}}, **_errors(401)},
            }},
            "/api/openapi.json": {"get": {
                "summary": "Cette description de l'API (OpenAPI 3.1)",
                "responses": {"200": {"description": "Document OpenAPI.", "content": {"application/json": {}}}, **_errors(401)},
            }},
        },
    }


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
