"""The loader's messages in the form's words: each names its field by the field's label, never by a key
of the YAML profile, and sits on the field it concerns.

The command line's messages name keys on purpose (« champ obligatoire « montant_ht » manquant », with
file:line:column); the form shows labels instead. ``form_issue`` gives the field an issue belongs to (a
lot's missing amount goes to the lot's amount field, not to the lot) and its text: the form's own message
for a value it reads itself (rates, amounts, dates: ``form_values.explain``), a required field named by its
label, the codes of a list of choices replaced by what the list shows, and every remaining key or path of
the schema replaced by the label of its field."""

from __future__ import annotations

import re
from functools import lru_cache

from ..errors import Issue
from . import form_values
from .form_model import Field, FormView, Group

_QUOTED = re.compile(r"« ([^«»]{1,80}?) »")
_REQUIRED = re.compile(r"^champ obligatoire « ([^«»]+) » manquant\.?$")
_SNAKE = re.compile(r"(?<![\w«.\[])([a-z]+(?:_[a-z0-9]+)+)(?![\w\]])")
_PATH = re.compile(r"\b(?:lots\[[0-9]+\]|[a-z_]+)(?:\.[a-z_]+|\[[0-9]+\])+")


@lru_cache(maxsize=1)
def schema_keys() -> frozenset[str]:
    """Every key of the profile's schema (what no message of the form may show)."""
    from ..profile.schema import profile_schema

    keys: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, sub in (node.get("properties") or {}).items():
                keys.add(key)
                walk(sub)
            for name in ("items", "oneOf", "anyOf"):
                sub = node.get(name)
                for item in sub if isinstance(sub, list) else [sub]:
                    walk(item)

    walk(profile_schema())
    return frozenset(keys)


def _name(item) -> str:
    return item.label if isinstance(item, Field) else item.legend


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def _item(view: FormView, key: str, near: str):
    """The field (or group) ``key`` closest to ``near``."""
    probe = near
    while True:
        item = view.index.get(f"{probe}.{key}" if probe else key)
        if item is not None:
            return item
        if not probe:
            break
        probe = _parent(probe)
    by_key = getattr(view, "_by_key", None)
    if by_key is None:  # a key asked elsewhere (the accord-cadre's amounts of a lot): its first field
        by_key = {}
        for path, item in view.index.items():
            by_key.setdefault(path.rsplit(".", 1)[-1], item)
        view._by_key = by_key
    return by_key.get(key)


def _label(view: FormView, key: str, near: str) -> str | None:
    item = _item(view, key, near)
    return _name(item) if item is not None else None


def _snippet(view: FormView, key: str, values: str, near: str) -> str | None:
    """« considerations_environnementales: [clause] » (a line of YAML a message suggests) in the form's
    words: « Label » : « the option's label »."""
    item = _item(view, key, near)
    if item is None:
        return None
    options = {o.value: o.label for o in getattr(item, "options", ()) if not o.unknown}
    shown = [v.strip() for v in values.strip().strip("[]").split(",") if v.strip()]
    return f"« {_name(item)} » : " + ", ".join(f"« {options.get(v, v)} »" for v in shown)


def _where(view: FormView, path: str) -> str | None:
    """« Lot 2 : Code CPV du lot » for a path of the loader (« lots[2].cpv »)."""
    target = view.target(path)
    if target is None:
        return None
    if path.startswith("lots[") and not (isinstance(target, Group) and target.kind == "lot"):
        number = path[5 : path.index("]")]
        return f"lot {number} : {_name(target)}"
    return _name(target)


def words(view: FormView, text: str, near: str = "", options: dict[str, str] | None = None, typed: str | None = None) -> str:
    """``text`` with each key, path or code of the schema replaced by what the form shows for it (but
    ``typed``, the value the message judges, quoted as the buyer typed it)."""
    if not text:
        return text
    keys = schema_keys()
    options = options or {}

    def quoted(match: re.Match) -> str:
        inner = match.group(1)
        if typed is not None and inner == typed:
            return match.group(0)
        if inner in options:
            return f"« {options[inner]} »"
        if inner in keys:
            label = _label(view, inner, near)
            return f"« {label} »" if label else match.group(0)
        if _PATH.fullmatch(inner):
            where = _where(view, inner)
            return f"« {where} »" if where else match.group(0)
        line = re.fullmatch(r"([a-z_]+): (.+)", inner)
        if line and line.group(1) in keys:
            return _snippet(view, line.group(1), line.group(2), near) or match.group(0)
        return match.group(0)

    def path(match: re.Match) -> str:
        where = _where(view, match.group(0))
        return f"« {where} »" if where else match.group(0)

    def snake(match: re.Match) -> str:
        inner = match.group(1)
        if inner in options:
            return f"« {options[inner]} »"
        label = _label(view, inner, near) if inner in keys else None
        return f"« {label} »" if label else inner

    text = _QUOTED.sub(quoted, text)
    parts = re.split(r"(« [^«»]* »)", text)  # what is quoted now is the form's own words
    for n in range(0, len(parts), 2):
        parts[n] = _SNAKE.sub(snake, _PATH.sub(path, parts[n]))
    return "".join(parts)


# YAML's vocabulary in the loader's sentences, as the form says it.
VOCABULARY = (
    (re.compile(r"\b(?:un|le) bloc « "), "la partie « "),
    (re.compile(r"\bdu bloc « "), "de la partie « "),
    (re.compile(r"Écrivez un nombre entier sans guillemets ni unité\."), "Écrivez un nombre entier, sans unité."),
)


def _retarget(view: FormView, target, issue: Issue):
    """An issue on a group that names one of its fields first (a lot « sans montant », expecting
    « montant_ht »): that field."""
    if not isinstance(target, Group):
        return target
    for text in (issue.expected or "", issue.message):
        for key in _QUOTED.findall(text):
            child = view.index.get(f"{target.path}.{key}")
            if isinstance(child, Field):
                return child
    return target


def form_issue(view: FormView, issue: Issue) -> tuple[Field | Group | None, str]:
    """The field that shows ``issue`` and the text it shows, in the form's words."""
    target = _retarget(view, view.target(issue.field), issue)
    near = target.path if target is not None else ""
    options = {o.value: o.label for o in target.options if not o.unknown} if isinstance(target, Field) else {}
    message, expected, suggestion = issue.message, issue.expected, issue.suggestion
    required = _REQUIRED.match(message)
    if required and target is not None:
        missing = view.index.get(f"{target.path}.{required.group(1)}") if isinstance(target, Group) else target
        message = f"« {_name(missing or target)} » est obligatoire."
        expected = None  # the schema's description, which the label and the help already give
        suggestion = words(view, suggestion or "", near, options) or None
    elif isinstance(target, Field) and target.value_kind:
        own = form_values.explain(target.value_kind, target.value)
        if own is not None:
            message, expected, suggestion = own
        elif target.value_kind == form_values.RATE and target.value and "fraction" in message:
            message = (f"Dans le profil ouvert, « {target.value} » n'est pas un taux : un nombre écrit sans « % » y est une fraction "
                       f"de 1. Ce champ, lui, se lit en pourcentage : « {target.value} » y vaut {target.value} %.")
            expected, suggestion = form_values.RATE_EXPECTED, "Gardez ce nombre s'il s'agit bien d'un pourcentage, puis calculez à nouveau."
    typed = target.value if isinstance(target, Field) and isinstance(target.value, str) else None
    text = words(view, message, near, options, typed)
    if expected:
        text += f" Attendu : {words(view, expected, near, options).rstrip('.')}."
    if suggestion:
        text += f" {words(view, suggestion, near, options)}"
    for pattern, replacement in VOCABULARY:
        text = pattern.sub(replacement, text)
    return target, text[:1].upper() + text[1:]


def refusals(view: FormView) -> list[Issue]:
    """Issues for the values the form refuses though the loader would read them (an amount « 1e6 »)."""
    out = []
    for path, item in view.index.items():
        if isinstance(item, Field) and item.value_kind and isinstance(item.value, str):
            problem = form_values.refusal(item.value_kind, item.value.strip())
            if problem is not None:
                out.append(Issue("formulaire", 0, 0, path, *problem))
    return out


def speak(view: FormView) -> None:
    """The labels and help of the form's fields and groups in the form's words (some descriptions of the
    schema name a key: « à défaut, celui du marché (marche.cpv) »)."""
    keys = schema_keys()
    for path, item in view.index.items():
        for name in ("label", "legend", "help"):
            text = getattr(item, name, None)
            if text and ("_" in text or "." in text or "«" in text) and any(k in text for k in keys):
                setattr(item, name, words(view, text, path))
