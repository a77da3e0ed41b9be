"""The profile form, kept as a draft by the server (``store.py``): Post/Redirect/Get.

Every action posts the whole form; the draft is saved in one transaction, then the answer is ``303`` to
``GET /profil/<id>?etape=…#élément`` — Back, reload and a bookmark show the draft as saved, with or without
JavaScript. What the page showed after the action (results, preview, message) is kept in the draft's
``state``. Downloads of a saved draft are plain ``GET`` addresses (``/profil/<id>/profil.yaml``,
``documents.zip``, ``documents-pdf.zip``).

Two tabs on one draft: the form carries the version it was loaded at and the id of its page; a save over a
newer version saved by another page is refused (409) with both versions shown, never lost silently.
"""

from __future__ import annotations

import secrets as _secrets
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..errors import ProfileError
from . import form_data, security, steps, work
from .common import FORM_FIELDS, Pages, attachment, moment_text, profile_filename, run
from .profile_page import (document_names, draft_summary, focus_after_edit, pack_files, preview_of, profile_context, profile_text,
                           source_name)
from .store import Conflict, DraftStore
from .uploads import MAX_FILE

REFUSED = ("Le formulaire n'a pas pu être vérifié (page ouverte depuis longtemps, ou dans un autre navigateur) : rien n'a été "
           "enregistré. Vos réponses sont ci-dessous ; choisissez de nouveau l'action voulue pour les enregistrer.")


class Drafts:
    def __init__(self, pages: Pages, secrets_: security.Secrets, store: DraftStore):
        self.pages = pages
        self.secrets = secrets_
        self.store = store

    # -- reading the posted form ------------------------------------------------------------------
    async def _posted(self, request: Request):
        """The posted profile form as (data, fields), and whether its CSRF field matched its cookie."""
        form = await request.form(max_fields=FORM_FIELDS, max_files=0, max_part_size=MAX_FILE)
        try:
            ok = self.secrets.form_ok(request, form)
            get = lambda key, default="": form.get(key) if isinstance(form.get(key), str) else default  # noqa: E731
            wanted = [d for d in form.getlist("documents") if isinstance(d, str)]
            posted = {
                "action": get("action") or "calculer",
                "source": source_name(get("source")),
                "version": int(get("version")) if get("version").isdigit() and len(get("version")) < 12 else None,
                "page": get("page")[:40],
                "step": get("etape"),
                "wanted": wanted if get("documents_choisis") == "1" else None,
                "data": await run_in_threadpool(form_data.form_data, form),
            }
        finally:
            await form.close()
        return posted, ok

    # -- pages ------------------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        drafts = await run_in_threadpool(self.store.list)
        return self.pages.render(request, "accueil.html", {"title": "Accueil", "page": "accueil", "drafts": drafts})

    async def new(self, request: Request) -> Response:
        step = steps.step(request.query_params.get("etape"))
        context = await profile_context(form_data.new_profile(), step=step, evaluate=False)
        drafts = await run_in_threadpool(self.store.list)
        context["latest"] = drafts[0] if drafts else None  # Back from a draft's first page lands here: offer it again
        return await self._page(request, context, draft=None)

    async def show(self, request: Request) -> Response:
        draft = await self._draft(request)
        state = draft.state
        step = steps.step(request.query_params.get("etape") or state.get("step"))
        data = await run(_read, draft.text, draft.source)
        context = await profile_context(data, source=draft.source, step=step, computed=bool(state.get("computed")),
                                        wanted=state.get("wanted"), notice=state.get("notice"), preview=state.get("preview"),
                                        opened=state.get("opened"), lines=bool(state.get("lines")), focus=state.get("focus"),
                                        text=draft.text)
        if state.get("preview"):
            context["preview"] = await run(preview_of, context["outcome"], state["preview"])
        context["download"] = state.get("download")
        return await self._page(request, context, draft=draft)

    async def _page(self, request: Request, context: dict, *, draft, status: int = 200) -> Response:
        """The profile page, rendered off the event loop (a page of 200 lots is a large template to fill)."""
        context.update({
            "draft": draft,
            "action_url": f"/profil/{draft.id}" if draft else "/profil",
            "version": draft.version if draft else "",
            "page_id": _secrets.token_urlsafe(12),
        })
        return await run_in_threadpool(self.pages.render, request, "profil.html", context, status)

    async def _draft(self, request: Request):
        draft = await run_in_threadpool(self.store.get, request.path_params["draft"])
        if draft is None:
            raise security.Refusal(404, "Ce brouillon n'existe pas ou a été supprimé. Les brouillons enregistrés sont listés sur la page d'accueil.")
        return draft

    # -- actions ----------------------------------------------------------------------------------
    async def create(self, request: Request) -> Response:
        return await self._act(request, None)  # the draft this page already created, if any: see _act

    async def update(self, request: Request) -> Response:
        return await self._act(request, await self._draft(request))

    async def _act(self, request: Request, draft) -> Response:
        posted, ok = await self._posted(request)
        if draft is None and ok:
            draft = await run_in_threadpool(self.store.by_origin, posted["page"])
            if draft is not None:  # the new form again (Back): its first save made this draft, version 1
                posted["version"] = 1
        data, action = posted["data"], posted["action"]
        step = steps.step(posted["step"])
        if not ok:
            context = await profile_context(data, source=posted["source"], step=step, notice=REFUSED, wanted=posted["wanted"])
            return await self._page(request, context, draft=draft, status=403)
        # once computed, the page keeps showing the hours and the messages on the fields, whatever the step
        state = {"step": step.key, "wanted": posted["wanted"], "computed": bool(draft is not None and draft.state.get("computed"))}
        anchor = ""
        verb, _, rest = action.partition(":")
        if verb == "etape":
            target, _, anchor = rest.partition(":")
            state["step"] = steps.step(target).key
        elif form_data.apply_edit(data, action):
            anchor = focus_after_edit(data, action) or ""
            state["focus"] = anchor
        elif verb == "apercu" and rest in document_names():
            state.update(computed=True, preview=rest)
            anchor = "apercu"
        elif action in ("calculer", "telecharger", "zip", "pdf"):
            state["computed"] = True
            anchor = "resultats"
        filename = profile_filename(data, ".yaml")
        text = profile_text(data, filename)
        saved = await self._save(request, draft, posted, text, state, data)
        if isinstance(saved, Response):
            return saved
        if draft is not None and action in ("telecharger", "zip", "pdf"):
            return await self._download(saved, action, data)
        if draft is None and action in ("telecharger", "zip", "pdf"):
            await run_in_threadpool(self.store.set_state, saved.id, {**state, "download": action})
        return _see(saved.id, state["step"], anchor)

    async def _save(self, request: Request, draft, posted: dict, text: str, state: dict, data: dict):
        summary = draft_summary(data)
        state = {**state, "page": posted["page"]}
        if draft is None:
            return await run_in_threadpool(lambda: self.store.create(text, posted["source"], state, origin=posted["page"], **summary))
        version = posted["version"]
        if draft.state.get("page") and draft.state.get("page") == posted["page"]:
            version = None  # the same page saved in between (a download): not another tab
        try:
            return await run_in_threadpool(lambda: self.store.save(draft.id, version, text, posted["source"], state, **summary))
        except Conflict as exc:
            return await self._conflict(request, exc.current, posted, state)

    async def _conflict(self, request: Request, current, posted: dict, state: dict) -> Response:
        """The posted form shown again with the saved version's differing answers; its version is the saved
        one, so that « Enregistrer ma version » saves over what was shown."""
        if current is None:
            raise security.Refusal(404, "Ce brouillon a été supprimé depuis qu'il a été ouvert : rien n'a été enregistré.")
        from .profile_page import differences

        saved = await run(_read, current.text, current.source)
        notice = (f"Ce brouillon a été enregistré depuis un autre onglet ou une autre fenêtre (version {current.version} du "
                  f"{moment_text(current.updated)}) après l'ouverture de cette page : vos modifications n'ont pas été enregistrées. "
                  "Comparez ci-dessous, puis enregistrez votre version ou ouvrez la version enregistrée.")
        context = await profile_context(posted["data"], source=posted["source"], step=steps.step(state["step"]), notice=notice,
                                        wanted=posted["wanted"])
        context["conflict"] = {"changes": differences(saved, posted["data"]), "version": current.version, "url": f"/profil/{current.id}"}
        return await self._page(request, context, draft=current, status=409)

    async def _download(self, draft, action: str, data: dict) -> Response:
        if action == "telecharger":
            return attachment(profile_text(data, profile_filename(data, ".yaml")), profile_filename(data, ".yaml"), "application/yaml")
        response = await pack_files(draft.text, draft.source, draft.state.get("wanted"), pdf=action == "pdf", data=data)
        if isinstance(response, Response):
            return response
        await run_in_threadpool(self.store.set_state, draft.id, {**draft.state, "computed": True, "notice": response})
        return _see(draft.id, draft.state.get("step"), "avis")

    async def as_yaml(self, request: Request) -> Response:
        """The posted form as the profile's YAML, saved nowhere: what the page's script sends to /api/calc
        and /api/check as the buyer types."""
        posted, ok = await self._posted(request)
        if not ok:
            raise security.Refusal(403)
        data = posted["data"]
        return Response(profile_text(data, profile_filename(data, ".yaml")), media_type="application/yaml")

    async def panel(self, request: Request) -> Response:
        """The page for the posted form, computed and saved nowhere: the script takes its panel of hours and
        findings and its fields' messages as the buyer types."""
        posted, ok = await self._posted(request)
        if not ok:
            raise security.Refusal(403)
        context = await profile_context(posted["data"], source=posted["source"], step=steps.step(posted["step"]), computed=True,
                                        wanted=posted["wanted"])
        return await self._page(request, context, draft=None)

    # -- downloads and the home page's buttons ----------------------------------------------------
    async def export_yaml(self, request: Request) -> Response:
        """The draft's YAML as saved: the form's text (its header naming this file), or an opened profile's own
        text, comments included, until the form saves it."""
        draft = await self._draft(request)
        data = await run(_read, draft.text, draft.source)
        return attachment(draft.text, profile_filename(data, ".yaml"), "application/yaml")

    async def documents(self, request: Request) -> Response:
        draft = await self._draft(request)
        if request.path_params["kind"] not in ("documents", "documents-pdf"):
            raise security.Refusal(404)
        data = await run(_read, draft.text, draft.source)
        response = await pack_files(draft.text, draft.source, draft.state.get("wanted"), pdf=request.path_params["kind"] == "documents-pdf",
                                    data=data)
        if isinstance(response, Response):
            return response
        await run_in_threadpool(self.store.set_state, draft.id, {**draft.state, "computed": True, "notice": response, "download": None})
        return _see(draft.id, draft.state.get("step"), "avis")

    async def duplicate(self, request: Request) -> Response:
        await self._checked(request)
        copy = await run_in_threadpool(self.store.duplicate, request.path_params["draft"])
        if copy is None:
            raise security.Refusal(404, "Ce brouillon n'existe pas ou a été supprimé.")
        return _see(copy.id, None, "")

    async def delete(self, request: Request) -> Response:
        """First a page asking to confirm (a deletion cannot be undone), then the deletion."""
        form = await self._checked(request)
        if form.get("confirme") != "oui":
            draft = await self._draft(request)
            return self.pages.render(request, "supprimer.html", {"title": "Supprimer un brouillon", "page": "accueil", "draft": draft})
        await run_in_threadpool(self.store.delete, request.path_params["draft"])
        return RedirectResponse("/#brouillons", status_code=303)

    async def _checked(self, request: Request) -> dict:
        form = await request.form(max_fields=5, max_files=0, max_part_size=1024)
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        ok = self.secrets.form_ok(request, form)
        await form.close()
        if not ok:
            raise security.Refusal(403, "Le formulaire n'a pas pu être vérifié : rechargez la page d'accueil, puis recommencez.")
        return values


def _see(draft_id: str, step: str | None, anchor: str) -> Response:
    url = f"/profil/{draft_id}"
    if step and step != steps.FIRST:
        url += f"?etape={quote(step)}"
    if anchor:
        url += "#" + quote(anchor)
    return RedirectResponse(url, status_code=303)


def _read(text: str, source: str) -> dict:
    """A draft's data (its YAML was written by clausegen; a draft that cannot be read gives an empty form)."""
    from ..profile.text import read_profile_text

    try:
        data = read_profile_text(text.encode("utf-8"), source)
    except ProfileError:
        return form_data.new_profile()
    return data if isinstance(data, dict) else form_data.new_profile()
