"""The pages: home, the profile form (write, open, documents), the PFRA review, the API's documentation.

Every form is posted whole and the page is rendered again from what it carried (no session on the server):
adding a lot, computing, previewing a document are buttons of the same form (``action``). A small script
(``static/app.js``) refreshes the hours and the review as the user types; every page works without it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..errors import ClausegenError, OutputError, ProfileError
from . import form_data, form_model, forms, limits, security, work
from .common import FORM_FIELDS, Pages, attachment, basis_labels, place, profile_filename, results_context, run
from .uploads import MAX_FILE, MAX_FILES, Collected, add_upload

HEADER = (
    "Profil du marché {reference}, écrit avec l'application web de clausegen (« clausegen serve »). Ce qui suit un « # » "
    "est un commentaire, ignoré par l'outil.\n"
    "Ensuite : « clausegen calc {name} » (heures), « clausegen check {name} » (revue), « clausegen render {name} -o dce/ » (documents)."
)


def _source(form) -> str:
    raw = form.get("source")
    if isinstance(raw, str) and raw.strip():
        from .api import PurePosixPath

        name = PurePosixPath(raw.replace("\\", "/")).name
        name = "".join(c for c in name if c.isprintable())[:120]
        if name not in ("", ".", ".."):
            return name
    return "profil.yaml"


def profile_text(data: dict, name: str) -> str:
    from ..profile.text import dump_profile

    marche = data.get("marche") if isinstance(data.get("marche"), dict) else {}
    reference = marche.get("reference") or "(sans référence)"
    return dump_profile(data, header=HEADER.format(reference=reference, name=name))


class Views:
    def __init__(self, pages: Pages, secrets_: security.Secrets):
        self.pages = pages
        self.secrets = secrets_

    async def _form(self, request: Request, **limits):
        """The posted form, once its CSRF field matches its cookie (403 otherwise)."""
        form = await request.form(**limits)
        nonce = request.cookies.get(security.CSRF_COOKIE)
        field = form.get(security.CSRF_FIELD)
        if not self.secrets.csrf_ok(nonce, field if isinstance(field, str) else None):
            await form.close()
            raise security.Refusal(403)
        return form

    # -- home and API documentation -----------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        return self.pages.render(request, "accueil.html", {"title": "Accueil", "page": "accueil"})

    async def api_docs(self, request: Request) -> Response:
        from .api import openapi_document

        return self.pages.render(request, "api.html", {"title": "API", "page": "api", "doc": openapi_document()})

    # -- the profile form -----------------------------------------------------------------------------
    async def profile_new(self, request: Request) -> Response:
        data = form_data.new_profile()
        return await self._profile_page(request, data, evaluate=False)

    async def profile_post(self, request: Request) -> Response:
        form = await self._form(request, max_fields=FORM_FIELDS, max_files=0, max_part_size=MAX_FILE)
        action = form.get("action") if isinstance(form.get("action"), str) else "calculer"
        action = action or "calculer"
        source = _source(form)
        data = form_data.form_data(form)
        wanted = [d for d in form.getlist("documents") if isinstance(d, str)]
        if form.get("documents_choisis") != "1":
            wanted = None  # a form without the documents' boxes (a script, a test): all of them
        await form.close()
        focus = None
        if form_data.apply_edit(data, action):
            focus = _focus_after_edit(data, action)
            return await self._profile_page(request, data, source=source, focus=focus, wanted=wanted)
        text = profile_text(data, source)
        if action == "telecharger":
            return attachment(text, profile_filename(data, ".yaml"), "application/yaml")
        outcome = await run(work.evaluate, text, source)
        if outcome.ok and action in ("zip", "pdf"):
            response = await self._pack(outcome, wanted, pdf=action == "pdf")
            if isinstance(response, Response):
                return response
            return await self._profile_page(request, data, source=source, outcome=outcome, wanted=wanted, notice=response, computed=True)
        preview = None
        if outcome.ok and action.startswith("apercu:"):
            name = action.split(":", 1)[1]
            if name not in outcome.skipped and name in _document_names():
                preview = {"name": name, "title": _document_title(name), "lines": _preview_lines(await run(work.preview, outcome.profile, name))}
        return await self._profile_page(request, data, source=source, outcome=outcome, preview=preview, wanted=wanted, computed=True)

    async def _pack(self, outcome: work.Outcome, wanted: list[str] | None, *, pdf: bool):
        names = [n for n in (_document_names() if wanted is None else wanted) if n in _document_names() and n not in outcome.skipped]
        if not names:
            return "Choisissez au moins un document à produire."
        limits.check_pack(outcome.profile)
        files = await run(work.documents, outcome.profile, names)
        if pdf:
            try:
                files = {**files, **await _pdf(files, outcome.profile.marche.reference)}
            except OutputError as exc:
                return f"Les PDF n'ont pas pu être produits : {exc}"
        name = profile_filename({"marche": {"reference": outcome.profile.marche.reference}}, "-pdf.zip" if pdf else ".zip")
        return attachment(work.zip_bytes(files), name, "application/zip")

    async def _profile_page(self, request: Request, data: dict, *, source: str = "profil.yaml", outcome: work.Outcome | None = None,
                            evaluate: bool = True, lines: bool = False, focus: str | None = None, preview=None, wanted=None,
                            notice: str | None = None, opened: str | None = None, computed: bool = False) -> Response:
        from ..render.pack import DOCUMENTS

        if outcome is None and evaluate:
            outcome = await run(work.evaluate, profile_text(data, source), source)
        view = forms.build_form(data)
        issues, findings = (outcome.issues, outcome.findings) if outcome is not None else ([], [])
        show = computed or opened is not None or preview is not None or notice is not None
        summary, notes = place(view, issues, findings, lines=lines, inline=show)
        skipped = outcome.skipped if outcome is not None and outcome.ok else {}
        chosen = set(wanted) if wanted is not None else {d.name for d in DOCUMENTS}
        context = {
            "title": "Profil du marché",
            "page": "profil",
            "view": view,
            "source": source,
            "outcome": outcome,
            "summary": summary,
            "show_summary": bool(summary) and show,
            "title_prefix": (f"{len(summary)} erreur{'s' if len(summary) > 1 else ''}" if summary and show else None),
            "notes": notes,
            "results": results_context(outcome) if outcome is not None else {},
            "documents": [{"name": d.name, "title": d.title, "skipped": skipped.get(d.name), "checked": d.name in chosen} for d in DOCUMENTS],
            "pdf": await run(work.has_soffice),
            "preview": preview,
            "focus": focus,
            "notice": notice,
            "opened": opened,
            "bases": basis_labels(),
        }
        return self.pages.render(request, "profil.html", context)

    # -- opening a profile ----------------------------------------------------------------------------
    async def open_get(self, request: Request) -> Response:
        return self.pages.render(request, "ouvrir.html", {"title": "Ouvrir un profil", "page": "ouvrir", "text": "", "issues": []})

    async def open_post(self, request: Request) -> Response:
        form = await self._form(request, max_fields=20, max_files=1, max_part_size=security.FORM_LIMIT)
        upload = form.get("fichier")
        text = form.get("texte") if isinstance(form.get("texte"), str) else ""
        source, data_bytes = "profil.yaml", b""
        if upload is not None and not isinstance(upload, str) and upload.filename:
            data_bytes = await upload.read(MAX_FILE + 1)
            source = _source({"source": upload.filename})
        elif text.strip():
            data_bytes = text.replace("\r\n", "\n").encode("utf-8")
        await form.close()
        problem = None
        if not data_bytes:
            problem = "Choisissez un fichier de profil (.yaml) ou collez son texte."
        elif len(data_bytes) > MAX_FILE:
            problem = f"Le fichier dépasse {MAX_FILE // (1024 * 1024)} Mio : un profil de marché fait quelques kilo-octets."
        if problem:
            return self.pages.render(request, "ouvrir.html", {"title": "Ouvrir un profil", "page": "ouvrir", "text": text, "issues": [], "problem": problem,
                                                              "title_prefix": "Erreur"}, status=422)
        from ..profile.text import read_profile_text

        shown_text = data_bytes.decode("utf-8", "replace")
        try:
            data = await run(read_profile_text, data_bytes, source)
        except ProfileError as exc:
            return self._unreadable(request, shown_text, source, exc.issues)
        if not isinstance(data, dict):
            from ..errors import Issue

            return self._unreadable(request, shown_text, source, [Issue(source, 1, 1, "", "le profil doit être un bloc de clés (version, acheteur, marche, lots…).", "un profil commençant par « version: 1 »")])
        outcome = await run(work.evaluate, data_bytes, source)
        return await self._profile_page(request, data, source=source, outcome=outcome, lines=True, opened=source)

    def _unreadable(self, request: Request, text: str, source: str, issues) -> Response:
        from .common import issue_text

        shown = [{"line": i.line, "column": i.column, "text": issue_text(i)} for i in issues]
        return self.pages.render(request, "ouvrir.html", {"title": "Ouvrir un profil", "page": "ouvrir", "text": text, "issues": shown, "source": source,
                                                          "title_prefix": "Profil illisible"}, status=422)

    # -- PFRA review ------------------------------------------------------------------------------------
    async def review_get(self, request: Request) -> Response:
        return self.pages.render(request, "revue.html", {"title": "Revue PFRA", "page": "revue", "rows": None})

    async def review_post(self, request: Request) -> Response:
        form = await self._form(request, max_fields=20, max_files=MAX_FILES * 2 + 10, max_part_size=MAX_FILE)
        collected = Collected()
        for key in ("fichiers", "dossier"):
            for upload in form.getlist(key):
                if isinstance(upload, str) or not upload.filename:
                    continue
                data = await upload.read(security.UPLOAD_LIMIT + 1)
                add_upload(collected, upload.filename, data)
        await form.close()
        if not collected.files:
            problems = collected.problems or ["Aucun profil (.yaml ou .yml) dans les fichiers envoyés : choisissez des profils, un dossier ou une archive .zip."]
            return self.pages.render(request, "revue.html", {"title": "Revue PFRA", "page": "revue", "rows": None, "problems": problems,
                                                             "ignored": collected.ignored, "title_prefix": "Erreur"}, status=422)
        collected.files.sort(key=lambda f: f[0].lower())  # the order of « clausegen check DOSSIER »
        reviewed = await run(work.review_many, collected.files)
        return await self._review_page(request, reviewed, collected)

    async def _review_page(self, request: Request, reviewed, collected: Collected) -> Response:
        from ..report.mutualisation import HEADERS, counts_sentence, reminder, table_rows
        from .common import issue_text

        rows = []
        for n, r in enumerate(reviewed, 1):
            o = r.outcome
            counts = {s: sum(f.severity == s for f in o.findings) for s in ("erreur", "avertissement", "conseil")}
            rows.append({
                "id": f"profil-{n}",
                "name": r.name,
                "ok": o.ok,
                "reference": o.profile.marche.reference if o.ok else None,
                "objet": o.profile.marche.objet if o.ok else None,
                "hours": o.hours.total_heures if o.ok else None,
                "counts": counts,
                "issues": [{"line": i.line, "column": i.column, "field": i.field, "text": issue_text(i)} for i in o.issues],
                "findings": o.findings,
            })

        def pooling():
            portfolio = work.portfolio(reviewed)
            if not portfolio.results:
                return None, []
            return portfolio.mutualisation(), list(portfolio.indicators().warnings)

        mutualisation, warnings = await run(pooling)
        context = {
            "title": "Revue PFRA",
            "page": "revue",
            "rows": rows,
            "valid": [r for r in reviewed if r.outcome.ok],
            "problems": collected.problems,
            "ignored": collected.ignored,
            "warnings": warnings,
            "mutualisation": mutualisation,
            "mut_headers": HEADERS,
            "mut_rows": table_rows(mutualisation) if mutualisation else [],
            "mut_counts": counts_sentence(mutualisation) if mutualisation else "",
            "mut_reminder": reminder(),
            "totals": {s: sum(r["counts"][s] for r in rows) for s in ("erreur", "avertissement", "conseil")},
            "invalid": sum(not r["ok"] for r in rows),
        }
        return self.pages.render(request, "revue.html", context)

    async def review_report(self, request: Request) -> Response:
        form = await self._form(request, max_fields=MAX_FILES * 2 + 20, max_files=0, max_part_size=MAX_FILE + 1024)
        names = [n for n in form.getlist("profil_nom") if isinstance(n, str)]
        texts = [t for t in form.getlist("profil_texte") if isinstance(t, str)]
        what = form.get("action") if isinstance(form.get("action"), str) else "xlsx"
        include = form.get("mutualisation") == "oui"
        await form.close()
        collected = Collected()
        for name, text in zip(names[:MAX_FILES], texts[:MAX_FILES]):
            collected.add(name, text.replace("\r\n", "\n").encode("utf-8"))
        if not collected.files:
            raise security.Refusal(400, "Aucun profil valide à mettre dans le rapport : relisez d'abord des profils.")
        reviewed = await run(work.review_many, collected.files)
        if not any(r.outcome.ok for r in reviewed):
            raise security.Refusal(400, "Aucun profil valide à mettre dans le rapport.")
        if what == "mutualisation":
            data = await run(work.mutualisation_csv, reviewed)
            return attachment(data, "mutualisation.csv", "text/csv")
        output_format = "html" if what == "html" else "xlsx"
        try:
            data = await run(work.report, reviewed, output_format, include)
        except ClausegenError as exc:
            raise security.Refusal(400, str(exc)) from None
        media = "text/html" if output_format == "html" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return attachment(data, f"rapport.{output_format}", media)


def _focus_after_edit(data: dict, action: str) -> str | None:
    verb, _, where = action.partition(":")
    lots = data.get("lots") or []
    if verb == "ajouter-lot" and lots:
        return form_model.field_id(f"lots[{len(lots)}].intitule")
    if verb == "retirer-lot":
        return "ajouter-lot"
    if verb == "ajouter-sous-critere" and where.isdigit():
        number = int(where)
        rows = (lots[number - 1].get("critere") or {}).get("sous_criteres") or [] if 0 < number <= len(lots) else []
        return form_model.field_id(f"lots[{number}].critere.sous_criteres[{len(rows)}].libelle") if rows else None
    if verb == "retirer-sous-critere":
        return form_model.field_id(f"lots[{where.split(':')[0]}].critere.sous_criteres")
    return None


def _document_names() -> tuple[str, ...]:
    from ..plan.documents import DOCUMENT_NAMES

    return DOCUMENT_NAMES


def _document_title(name: str) -> str:
    from ..render.pack import DOCUMENTS

    return next(d.title for d in DOCUMENTS if d.name == name)


def _preview_lines(text: str) -> list[dict]:
    """The document's text (``docx_text``) as blocks: titles, headings, list items, table rows, paragraphs."""
    blocks = []
    for line in text.splitlines():
        if not line.strip():
            continue
        for prefix, kind in (("= ", "titre"), ("### ", "h5"), ("## ", "h4"), ("# ", "h3"), ("  - ", "puce2"), ("- ", "puce"), ("1. ", "numero"),
                             ("[en-tête] ", "entete"), ("[pied de page] ", "pied")):
            if line.startswith(prefix):
                blocks.append({"kind": kind, "text": line[len(prefix):]})
                break
        else:
            if line.startswith("| ") and line.endswith(" |"):
                blocks.append({"kind": "ligne", "cells": [c.strip() for c in line[2:-2].split(" | ")]})
            else:
                blocks.append({"kind": "p", "text": line})
    return blocks


async def _pdf(files, reference):
    from .api import run_pdf

    return await run_pdf(files, reference)
