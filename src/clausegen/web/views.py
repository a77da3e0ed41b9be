"""The pages besides the profile form (``drafts.py``): opening a profile (which becomes a draft), the PFRA
review, the API's documentation."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..errors import ProfileError
from . import security, work
from .common import Pages, attachment, run
from .lanes import heavy
from .profile_page import draft_summary, lost_in_form, source_name
from .uploads import MAX_FILE, MAX_FILES, Collected, add_upload


class Views:
    def __init__(self, pages: Pages, secrets_: security.Secrets, store):
        self.pages = pages
        self.secrets = secrets_
        self.store = store

    async def _form(self, request: Request, **limits):
        """The posted form, once its CSRF field matches its cookie (403 otherwise)."""
        form = await request.form(**limits)
        if not self.secrets.form_ok(request, form):
            await form.close()
            raise security.Refusal(403)
        return form

    # -- API documentation --------------------------------------------------------------------------
    async def api_docs(self, request: Request) -> Response:
        from .api import openapi_document

        return self.pages.render(request, "api.html", {"title": "API", "page": "api", "doc": openapi_document()})

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
            source = source_name(upload.filename)
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
        lost = lost_in_form(data)
        if lost:
            return self.pages.render(request, "ouvrir.html", {"title": "Ouvrir un profil", "page": "ouvrir", "text": shown_text, "issues": [],
                                                              "problem": lost, "title_prefix": "Erreur"}, status=422)
        text = data_bytes.decode("utf-8", "replace")
        state = {"opened": source, "lines": True, "computed": True}
        draft = await run_in_threadpool(lambda: self.store.create(text, source, state, **draft_summary(data)))
        return RedirectResponse(f"/profil/{draft.id}", status_code=303)

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
        reviewed, mutualisation, warnings = await heavy(work.review_pooled, collected.files)
        valid = [(r.name, r.text.encode("utf-8")) for r in reviewed if r.outcome.ok]
        review_id = await run_in_threadpool(self.store.keep_review, valid) if valid else None
        return await self._review_page(request, reviewed, collected, mutualisation, warnings, review_id)

    async def _review_page(self, request: Request, reviewed, collected: Collected, mutualisation, warnings, review_id) -> Response:
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

        context = {
            "title": "Revue PFRA",
            "page": "revue",
            "rows": rows,
            "valid": [r for r in reviewed if r.outcome.ok],
            "review_id": review_id,
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
        return await run_in_threadpool(self.pages.render, request, "revue.html", context)  # a large table: off the event loop

    async def review_report(self, request: Request) -> Response:
        """The report or the pooling table of a review, whose profiles the server kept (``store.keep_review``):
        the page sends the review's id, never the profiles themselves."""
        form = await self._form(request, max_fields=20, max_files=0, max_part_size=1024)
        review_id = form.get("revue") if isinstance(form.get("revue"), str) else ""
        what = form.get("action") if isinstance(form.get("action"), str) else "xlsx"
        include = form.get("mutualisation") == "oui"
        await form.close()
        files = await run_in_threadpool(self.store.review_files, review_id)
        if not files:
            raise security.Refusal(404, "Cette revue n'est plus conservée sur le serveur (une journée, et les vingt dernières revues au plus) : "
                                        "envoyez de nouveau les profils sur la page Revue PFRA.")
        data, filename, media = await heavy(work.review_report, files, what, include)
        return attachment(data, filename, media)
