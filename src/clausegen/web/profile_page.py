"""What the profile page shows: the form of one step, the results, the preview, the review screen; the YAML
text of a profile and its documents. The addresses and the drafts are ``drafts.py``'s."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from ..errors import OutputError
from . import form_model, forms, steps, work
from .common import DEFAULT_NAME, attachment, basis_labels, file_name, place, profile_filename, results_context, run

HEADER = (
    "Profil du marché {reference}, écrit avec l'application web de clausegen (« clausegen serve »). Ce qui suit un « # » "
    "est un commentaire, ignoré par l'outil.\n"
    "Ensuite : « clausegen calc {name} » (heures), « clausegen check {name} » (revue), « clausegen render {name} -o dce/ » (documents)."
)


def profile_text(data: dict, name: str) -> str:
    """The profile's YAML, its header naming ``name``: the file it is downloaded as."""
    from ..profile.text import dump_profile

    marche = data.get("marche") if isinstance(data.get("marche"), dict) else {}
    reference = marche.get("reference") or "(sans référence)"
    return dump_profile(data, header=HEADER.format(reference=reference, name=name))


async def profile_context(data: dict, *, source: str = "profil.yaml", step: steps.Step = steps.STEPS[0], evaluate: bool = True,
                          computed: bool = False, wanted=None, notice: str | None = None, preview=None, opened: str | None = None,
                          lines: bool = False, focus: str | None = None, text: str | None = None) -> dict:
    """The context of ``profil.html`` for ``data`` shown at ``step``; ``text``: the YAML ``data`` was read from
    (a draft's, whose lines the messages cite), else the text the form would save."""
    from ..render.pack import DOCUMENTS

    outcome = await run(work.evaluate, text if text is not None else profile_text(data, source), source) if evaluate else None
    issues, findings = (outcome.issues, outcome.findings) if outcome is not None else ([], [])
    show = computed or opened is not None or preview is not None or notice is not None

    def laid_out():
        view = forms.build_form(data, outcome.plan if outcome is not None and outcome.ok else None)
        return (view, *place(view, issues, findings, lines=lines, inline=show))

    view, summary, notes = await run_in_threadpool(laid_out)  # hundreds of fields: off the event loop
    skipped = outcome.skipped if outcome is not None and outcome.ok else {}
    chosen = set(wanted) if wanted is not None else {d.name for d in DOCUMENTS}
    previous, following = steps.neighbours(step)
    return {
        "title": f"{step.title} — Profil du marché",
        "page": "profil",
        "view": view,
        "source": source,
        "outcome": outcome,
        "summary": [_on_step(s) for s in summary],
        "show_summary": bool(summary) and show,
        "title_prefix": (f"{len(summary)} erreur{'s' if len(summary) > 1 else ''}" if summary and show else None),
        "notes": [_on_step(n) for n in notes],
        "results": results_context(outcome) if outcome is not None else {},
        "documents": [{"name": d.name, "title": d.title, "skipped": skipped.get(d.name), "checked": d.name in chosen} for d in DOCUMENTS],
        "pdf": await run(work.has_soffice),
        "preview": preview,
        "focus": focus,
        "notice": notice,
        "opened": opened,
        "bases": basis_labels(),
        "step": step,
        "steps": steps.STEPS,
        "previous": previous,
        "next": following,
        "answers": steps.answers(view) if step.key == steps.LAST else [],
        "step_errors": steps.errors_by_step(view) if show else {},
    }


def _on_step(item: dict) -> dict:
    """A link to a field of the form names the step that shows it: ``etape:<step>:<field id>``, a button
    of the form (the answers typed on this step are saved on the way)."""
    href = item.get("href")
    if href and href.startswith("#champ-"):
        path = _path_of(href[1:], item)
        if path is not None:
            key = steps.step_of(path).key
            item = {**item, "step_key": key, "step_action": f"etape:{key}:{href[1:]}"}
    return item


def _path_of(field_id: str, item: dict) -> str | None:
    path = item.get("path")
    if isinstance(path, str):
        return path
    # ids are « champ-lots-2-montant_ht »: the first word after « champ- » is the profile's top-level key
    top = field_id[len("champ-"):].split("-", 1)[0]
    return top or None


def focus_after_edit(data: dict, action: str) -> str | None:
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


def document_names() -> tuple[str, ...]:
    from ..plan.documents import DOCUMENT_NAMES

    return DOCUMENT_NAMES


def document_title(name: str) -> str:
    from ..render.pack import DOCUMENTS

    return next(d.title for d in DOCUMENTS if d.name == name)


def preview_of(outcome: work.Outcome, name: str):
    """The preview of document ``name`` of the evaluated profile, or None when the profile is not valid or
    the document not produced for it."""
    if outcome is None or not outcome.ok or name in outcome.skipped or name not in document_names():
        return None
    return {"name": name, "title": document_title(name), "lines": preview_lines(work.preview(outcome.profile, name))}


def preview_lines(text: str) -> list[dict]:
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


ERRORS_FIRST = "Le profil contient des erreurs : corrigez-les avant de produire les documents."


async def pack_files(text: str, source: str, wanted: list[str] | None, *, pdf: bool, data: dict | None = None):
    """The documents' zip of the profile ``text`` as a download (made in the heavy lane), or a French
    sentence saying why there is none. ``data``: the form's answers, whose values the form refuses though
    the loader reads them (« 1e6 ») stop the documents as the loader's errors do."""
    from ..errors import ProfileError
    from . import form_messages
    from .lanes import heavy

    if data is not None and form_messages.refusals(forms.build_form(data)):
        return ERRORS_FIRST
    names = [n for n in (document_names() if wanted is None else wanted) if n in document_names()]
    if not names:
        return "Choisissez au moins un document à produire."
    try:
        reference, files = await heavy(work.pack, text, source, names)
    except ProfileError:
        return ERRORS_FIRST
    if not files:  # every document chosen is without object for this market
        return "Choisissez au moins un document à produire."
    if pdf:
        from .api import run_pdf

        try:
            files = {**files, **await run_pdf(files, reference)}
        except OutputError as exc:
            return f"Les PDF n'ont pas pu être produits : {exc}"
    name = profile_filename({"marche": {"reference": reference}}, "-pdf.zip" if pdf else ".zip")
    return attachment(work.zip_bytes(files), name, "application/zip")


def differences(saved: dict, mine: dict) -> list[dict]:
    """The answers that differ between the saved version and the posted one: label (as the form names the
    field), the saved value and this page's, in the form's order."""
    theirs, ours = forms.build_form(saved), forms.build_form(mine)
    out = []
    paths = list(ours.index) + [p for p in theirs.index if p not in ours.index]
    for path in paths:
        a, b = theirs.index.get(path), ours.index.get(path)
        field = b if isinstance(b, form_model.Field) else a
        if not isinstance(field, form_model.Field):
            continue
        before = a.value if isinstance(a, form_model.Field) else ""
        after = b.value if isinstance(b, form_model.Field) else ""
        if before != after:
            out.append({"label": field.label, "where": _where(path, ours, theirs), "saved": _text(before), "mine": _text(after)})
    return out[:100]


def _where(path: str, *views) -> str:
    if path.startswith("lots["):
        number = path[5:path.index("]")]
        return f"Lot {number}" if number.isdigit() else ""
    top = path.split(".", 1)[0]
    for view in views:
        group = next((g for g in view.sections if g.path == top), None)
        if group is not None:
            return group.legend
    return ""


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(vide)"
    return str(value) if value not in (None, "") else "(vide)"


def source_name(raw: str) -> str:
    """The file name a profile was posted under (``common.file_name``), else « profil.yaml »."""
    return file_name(raw) if isinstance(raw, str) and raw.strip() else DEFAULT_NAME


def draft_summary(data: dict) -> dict:
    """What the home page lists of a draft: its reference and object."""
    marche = data.get("marche") if isinstance(data.get("marche"), dict) else {}

    def text(value) -> str:
        return str(value).strip()[:200] if isinstance(value, (str, int)) else ""

    return {"reference": text(marche.get("reference")), "objet": text(marche.get("objet"))}


def _leaf_paths(value, prefix: str = ""):
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _leaf_paths(sub, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for n, sub in enumerate(value, 1):
            yield from _leaf_paths(sub, f"{prefix}[{n}]")
    elif value not in (None, ""):
        yield prefix


def lost_in_form(data: dict) -> str | None:
    """Why the form cannot show ``data`` without losing part of it (too many lots or sub-criteria, a key the
    form has no field for), in French; None when every answer survives a save from the form."""
    from . import form_data

    kept = set(_leaf_paths(form_data.form_data(form_data.posted(forms.build_form(data)))))
    kept_prefixes = {prefix for path in kept for prefix in _prefixes(path)}
    lost = [p for p in _leaf_paths(data) if p not in kept and p != "version" and _in_schema(p)]
    if not lost:
        return None
    lots = data.get("lots") if isinstance(data.get("lots"), list) else []
    reasons = []
    if len(lots) > form_model.MAX_LOTS:
        reasons.append(f"il compte {len(lots)} lots, le formulaire en montre {form_model.MAX_LOTS} au plus")
    crowded = [n for n, lot in enumerate(lots, 1) if isinstance(lot, dict) and isinstance(lot.get("critere"), dict)
               and isinstance(lot["critere"].get("sous_criteres"), list) and len(lot["critere"]["sous_criteres"]) > form_model.MAX_SUB_CRITERIA]
    if crowded:
        reasons.append(f"le lot {crowded[0]} a plus de {form_model.MAX_SUB_CRITERIA} sous-critères, le nombre que montre le formulaire")
    others = sorted({_label_of(p, kept_prefixes) for p in lost if not _beyond_limits(p)})
    if others:
        reasons.append("le formulaire n'a pas de champ pour " + ", ".join(f"« {o} »" for o in others[:8]) + (" …" if len(others) > 8 else ""))
    return ("Ce profil ne peut pas être modifié dans le formulaire sans perte : " + " ; ".join(reasons) + ". Rien n'a été enregistré. "
            "Modifiez-le dans un éditeur de texte, puis utilisez la ligne de commande (« clausegen check », « clausegen render »), "
            "qui lit tout le profil.")


def _in_schema(path: str) -> bool:
    """Whether every key of ``path`` is one the schema knows (an unknown key is the loader's error, shown on
    the form like any other, not a loss)."""
    import re

    from ..profile.schema import profile_schema

    node = profile_schema()
    for key in re.sub(r"\[\d+\]", "", path).split("."):
        while node.get("type") == "array" or "items" in node:
            node = node.get("items", {})
        properties = node.get("properties")
        if not isinstance(properties, dict) or key not in properties:
            return False
        node = properties[key]
    return True


def _beyond_limits(path: str) -> bool:
    import re

    lot = re.match(r"lots\[(\d+)\]", path)
    item = re.search(r"sous_criteres\[(\d+)\]", path)
    return bool(lot and int(lot.group(1)) > form_model.MAX_LOTS) or bool(item and int(item.group(1)) > form_model.MAX_SUB_CRITERIA)


def _prefixes(path: str):
    import re

    for match in re.finditer(r"[.\[]", path):
        yield path[:match.start()]
    yield path


def _label_of(path: str, kept: set[str]) -> str:
    """A readable name for the first key of ``path`` the form lost: its label in the form's vocabulary,
    else its words."""
    import re

    missing = next((p for p in _prefixes(path) if p not in kept), path)
    name = re.sub(r"\[\d+\]$", "", missing).rsplit(".", 1)[-1]
    return form_model.LABELS.get(name) or name.replace("_", " ")
