"""What the pages and the API of the web application share: the page renderer, running library work off
the event loop, French texts for refusals and issues, the placement of messages on their fields, and the
download helpers. ``app`` composes ``api`` and ``views``; both read this module, neither reads the other."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from .._version import __version__
from .. import fmt
from ..errors import ClausegenError, Issue
from . import form_messages, form_model, security, work


HERE = Path(__file__).resolve().parent


FORM_FIELDS = 40_000  # fields of the profile form: 200 lots of about 30 fields, sub-criteria included


ERROR_TEXTS = {
    400: ("Requête incorrecte", "La requête n'a pas pu être comprise."),
    401: ("Accès protégé", "Cette application demande un jeton d'accès."),
    403: ("Formulaire refusé", "Le formulaire n'a pas été reconnu : il a peut-être été ouvert avant un redémarrage de l'application. "
          "Rechargez la page puis recommencez ; les données saisies dans l'ancienne page ne sont pas conservées."),
    404: ("Page introuvable", "Cette adresse ne correspond à aucune page de l'application."),
    405: ("Méthode non admise", "Cette adresse n'accepte pas cette méthode HTTP."),
    413: ("Envoi trop volumineux", "Les données envoyées dépassent la taille admise."),
    415: ("Type de contenu non admis", "Le profil doit être envoyé en YAML (Content-Type: application/yaml)."),
    422: ("Demande impossible", "Le profil envoyé ne peut pas être traité."),
    500: ("Erreur interne", "Une erreur interne de clausegen s'est produite. Ce n'est pas une erreur de votre part : "
          "merci de la signaler à l'équipe qui maintient clausegen, avec le profil concerné si possible."),
    503: ("Service indisponible", "Ce service n'est pas disponible sur ce serveur."),
}


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} Mio"


def refusal_text(status: int, detail: str | None = None) -> str:
    title, text = ERROR_TEXTS.get(status, ("Erreur", "La requête n'a pas abouti."))
    if status == 413 and detail and detail.isdigit():
        text = f"Les données envoyées dépassent la taille admise pour cette adresse ({_size(int(detail))})."
    elif status == 401 and detail:
        text = "Le jeton d'accès donné est incorrect."
    elif detail:
        text = detail
    return text


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(version=__version__)
    env.filters["nombre"] = lambda v, places=None: "" if v is None else fmt.nombre(v, places)
    env.filters["heures"] = lambda v: "" if v is None else fmt.heures(v)
    env.filters["moment"] = moment_text
    return env


def moment_text(iso: str) -> str:
    """« 7 décembre 2026 à 10 h 05 UTC » from a draft's ISO 8601 time."""
    import datetime as _dt

    try:
        moment = _dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    return f"{fmt.date_longue(moment.date())} à {moment.hour}{fmt.NBSP}h{fmt.NBSP}{moment.minute:02d} UTC"


class Pages:
    """Renders the pages; knows the process's secrets for the CSRF field."""

    def __init__(self, secrets_: security.Secrets):
        self.secrets = secrets_
        self.templates = Jinja2Templates(env=_environment())

    def render(self, request: Request, template: str, context: dict | None = None, status: int = 200, headers=None) -> Response:
        nonce = request.cookies.get(security.CSRF_COOKIE) or ""
        fresh = not nonce or len(nonce) > 100
        if fresh:
            nonce = security.new_nonce()
        ctx = {
            "request": request,
            "csrf": self.secrets.csrf_for(nonce),
            "csrf_field": security.CSRF_FIELD,
            "protected": bool(self.secrets.token),
            **(context or {}),
        }
        response = self.templates.TemplateResponse(request, template, ctx, status_code=status, headers=headers)
        if fresh:
            response.set_cookie(security.CSRF_COOKIE, nonce, httponly=True, samesite="strict", path="/")
        return response

    def refusal_html(self, status: int, detail: str | None, path: str = "/") -> str:
        title, _text = ERROR_TEXTS.get(status, ("Erreur", ""))
        template = self.templates.get_template("erreur.html")
        return template.render(title=title, status=status, message=refusal_text(status, detail), login=status == 401, path=path,
                               login_css=security.LOGIN_CSS)


async def run(fn, *args, **kwargs):
    """Library work in the light lane (``lanes.light``): a worker thread, one call at a time."""
    from .lanes import light

    return await light(fn, *args, **kwargs)


def issue_text(issue: Issue) -> str:
    """The command line's message without « fichier:ligne:colonne: champ : » (as ``Issue.format``)."""
    text = issue.message
    if issue.expected:
        text += f" Attendu : {issue.expected.rstrip('.')}."
    if issue.suggestion:
        text += f" {issue.suggestion}"
    return text[:1].upper() + text[1:]


def _where(view: form_model.FormView, target) -> str:
    if target is None:
        return "Profil"
    label = _name(target)
    path = target.path
    if path.startswith("lots[") and not (isinstance(target, form_model.Group) and target.kind == "lot"):
        number = int(path[5 : path.index("]")])
        lot = view.lots[number - 1] if 0 < number <= len(view.lots) else None
        return f"{lot.legend if lot else f'Lot {number}'} : {label}"
    return label


def _name(item) -> str:
    return item.label if isinstance(item, form_model.Field) else item.legend


def place(view: form_model.FormView, issues, findings, *, lines: bool, inline: bool = True) -> tuple[list[dict], list[dict]]:
    """Put each issue on its field (its message shown under it, in the form's words: ``form_issue``) and
    give the summaries' entries: ``({href, where, text, line}, {href, where, severity, rule, message,
    reference})``. Values the form refuses though the loader reads them (« 1e6 ») are issues too."""
    summary = []
    refused = form_messages.refusals(view)
    taken = {issue.field for issue in refused}
    order = {path: n for n, path in enumerate(view.index)}
    placed = [(issue, *form_messages.form_issue(view, issue)) for issue in [*refused, *(i for i in issues if i.field not in taken)]]
    placed.sort(key=lambda row: order.get(row[1].path, -1) if row[1] is not None else -1)  # in the order of the form
    for issue, target, text in placed:
        if target is not None and inline:
            target.errors.append(text)
        summary.append({
            "href": f"#{target.id}" if target is not None else None,
            "where": _where(view, target) if target is not None else "Profil",
            "text": text,
            "line": f"ligne {issue.line}, colonne {issue.column}" if lines and issue.line else None,
        })
    notes = []
    for finding in findings:
        target = view.target(finding.field)
        notes.append({
            "href": f"#{target.id}" if target is not None else None,
            "where": _where(view, target) if target is not None else "Profil",
            "severity": finding.severity,
            "rule": finding.rule,
            "message": form_messages.words(view, finding.message, target.path if target is not None else ""),
            "reference": finding.reference,
        })
    return summary, notes


INSERTION_CHOICE = "Son volume d'heures, s'il en faut un, est le choix de l'acheteur : il n'est pas calculé."


def _lot_row(r, plan) -> dict:
    """A lot of the hours table, its figures read from the clause plan's terms (never recomputed)."""
    from ..working import basis_label

    lot_plan = next((p for p in plan.lots if p.numero == r.lot.numero), None) if plan is not None else None
    terms = lot_plan.terms if lot_plan is not None else None
    row = {"numero": r.lot.numero, "intitule": r.lot.intitule, "base": basis_label(r.lot.bases), "heures": r.heures, "raison": r.raison,
           "cadre": None, "note": None}
    if terms is not None and terms.framework:
        parts = [f"{fmt.heures(terms.firm)} fermes" if terms.minimum_ht is not None and terms.firm else "aucune heure ferme"]
        if terms.per_tranche is not None and terms.tranche_ht is not None:
            beyond = " au-delà du minimum" if terms.minimum_ht is not None else ""
            parts.append(f"{fmt.nombre(terms.per_tranche)}\u00a0h par tranche de {fmt.nombre(terms.tranche_ht)}\u00a0€ HT de commandes exécutées{beyond}")
        if terms.ceiling is not None:
            parts.append(f"au plus {fmt.heures(terms.ceiling)} si le maximum est atteint")
        what = "accord-cadre sans minimum de commandes" if terms.minimum_ht is None else "accord-cadre"
        row["cadre"] = {"fermes": terms.firm, "par_tranche": terms.per_tranche, "plafond": terms.ceiling}
        row["note"] = _capital(f"{what} : {' ; '.join(parts)}.")
    elif lot_plan is not None and lot_plan.insertion and r.heures is None:
        reason = terms.reason if terms is not None and terms.reason else ""
        row["note"] = f"{_capital(reason)} {INSERTION_CHOICE}".strip()
    return row


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def results_context(outcome: work.Outcome) -> dict:
    """Figures of the side panel, formatted as the command line formats them; an accord-cadre's firm hours,
    hours per tranche and ceiling, and why a lot has no hours, read from the clause plan."""
    if not outcome.ok:
        return {}
    result = outcome.hours
    counts = {s: sum(f.severity == s for f in outcome.findings) for s in ("erreur", "avertissement", "conseil")}
    lots = [_lot_row(r, outcome.plan) for r in result.lots]
    if result.total_heures:
        sentence = (f"Soit {fmt.nombre(result.parcours, 2)} parcours de {fmt.nombre(result.parcours_heures)} heures, "
                    f"{fmt.nombre(result.etp, 2)} ETP-année et {fmt.heures(result.heures_par_an)} par année d'exécution.")
    elif any(lot["cadre"] and lot["cadre"]["par_tranche"] for lot in lots):
        sentence = ("Aucune heure ferme : sans minimum de commandes, les heures de l'accord-cadre dépendent des commandes exécutées, "
                    "par tranche, jusqu'au plafond du tableau si le maximum est atteint.")
    elif any(lot["note"] for lot in lots):
        sentence = "Aucune heure d'insertion n'est calculée pour ce marché : le tableau dit pourquoi pour chaque lot."
    else:
        sentence = "Aucune heure d'insertion n'est calculée pour ce marché."
    return {
        "lots": lots,
        "cadre": any(lot["cadre"] for lot in lots),
        "total": result.total_heures,
        "sentence": sentence,
        "counts": counts,
    }


def basis_labels() -> dict[str, str]:
    from ..law.registry import load_registry
    from ..working import basis_label

    return {name: basis_label([name]) for name in load_registry().basis_names()}


DEFAULT_NAME = "profil.yaml"


def file_name(raw: str) -> str:
    """The last part of a file name a browser or a program sent (a Windows path too), printable, at most
    120 characters; « profil.yaml » when nothing is left."""
    from pathlib import PurePosixPath

    name = PurePosixPath(raw.replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable())[:120]
    return name if name not in ("", ".", "..") else DEFAULT_NAME


def attachment(data: bytes | str, filename: str, media_type: str) -> Response:
    """A download: ``Content-Disposition: attachment`` with an ASCII name and its UTF-8 form."""
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "-" for c in filename) or "fichier"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"content-disposition": disposition})


def json_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"erreur": message}, status_code=status)


def profile_filename(data: dict, suffix: str) -> str:
    from ..files.names import safe_folder_name

    reference = data.get("marche", {}).get("reference") if isinstance(data.get("marche"), dict) else None
    if isinstance(reference, (str, int)) and str(reference).strip():
        try:
            return safe_folder_name(str(reference)) + suffix
        except ClausegenError:
            pass
    return "profil" + suffix
