"""What building the typed profile needs everywhere: the ``_Builder`` that reads a value once its path is
known to be valid, and the parsers of identifiers (SIRET) and integers."""

from __future__ import annotations


import re

from ..model import Derogation, PlaceCode
from .suggest import format_path
from .values import ValueProblem, clip


class _Builder:
    def __init__(self, reader, bad: set[str]):
        self.reader = reader
        self.bad = bad

    def refused(self, path: str) -> bool:
        """Whether ``path`` or a block containing it was refused: a set lookup of each prefix, so thousands of
        lots with an unknown key each cost thousands of lookups, not millions of comparisons."""
        if not self.bad:
            return False
        probe = path
        while probe:
            if probe in self.bad:
                return True
            cut = max(probe.rfind("."), probe.rfind("["))
            if cut <= 0:
                return False
            probe = probe[:cut]
        return False

    def value(self, data: dict, parts: list, key: str, parse=None, **kwargs):
        if not isinstance(data, dict) or key not in data:
            return None
        path = format_path([*parts, key])
        if self.refused(path):
            return None
        raw = data[key]
        if parse is None:
            return raw
        if isinstance(raw, float):  # parsed as typed: « 850.000 » is ambiguous, 850.0 would not be
            raw = self.reader.number_text.get(path, raw)
        try:
            return parse(raw, **kwargs)
        except ValueProblem as problem:
            self.reader.issue(path, problem.message, problem.expected, problem.suggestion)
            self.bad.add(path)
            return None


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


_RUNS = "0123456789" * 3


def placeholder_siret(digits: str) -> bool:
    """A SIRET typed to fill the field: one digit repeated (« 00000000000000 » passes the Luhn key) in the
    whole number or in its SIREN, or a SIREN of consecutive digits (« 123456789 », « 987654321 »)."""
    siren = digits[:9]
    return len(set(digits)) == 1 or len(set(siren)) == 1 or siren in _RUNS or siren in _RUNS[::-1]


def parse_siret(value) -> str:
    text = str(value).replace(" ", "").replace("\u00a0", "")
    if isinstance(value, int) and len(text) < 14:
        raise ValueProblem(f"« {value} » n'est pas un SIRET : {len(text)} chiffres au lieu de 14 (un SIRET commençant par 0 perd ce zéro s'il n'est pas écrit entre guillemets).", "14 chiffres entre guillemets, comme « \"012345678 00011\" »")
    if not (len(text) == 14 and text.isdigit() and text.isascii()):
        raise ValueProblem(f"« {clip(value)} » n'est pas un SIRET.", "14 chiffres, comme « 732 829 320 00074 »")
    if placeholder_siret(text):
        raise ValueProblem(
            f"« {value} » est un SIRET de remplissage (chiffres identiques ou qui se suivent), pas celui d'une entreprise.",
            "le SIRET réel du titulaire, 14 chiffres",
            "Recopiez-le depuis l'avis de situation SIRENE, ou retirez le bloc « titulaire » tant que le lot n'est pas attribué.",
        )
    # La Poste's establishments (SIREN 356 000 000), except its head office 356 000 000 00048, use
    # another key: the sum of the digits is a multiple of 5 (as python-stdnum checks it).
    if text.startswith("356000000") and text != "35600000000048":
        valid = sum(int(c) for c in text) % 5 == 0
    else:
        valid = luhn_ok(text)
    if not valid:
        raise ValueProblem(f"« {value} » : la clé de contrôle du SIRET est fausse.", "un SIRET valide", "Recopiez-le depuis l'avis de situation SIRENE.")
    return text


def as_int(value) -> int | None:
    """An integer field's value: ints and integral floats (``24.0``); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _derogation(value) -> Derogation | None:
    """``{cas, motif}`` once the schema has accepted it (the case is one of the registry's codes)."""
    if isinstance(value, dict) and isinstance(value.get("cas"), str) and isinstance(value.get("motif"), str):
        return Derogation(value["cas"], value["motif"])
    return None


# Forms of the place codes the DECP names (INSEE codes, Corsica's 2A/2B); the other types are only bounded.
_PLACE_FORMS = {
    "postal": (r"[0-9]{5}", "un code postal de 5 chiffres, comme « 21000 »"),
    "commune": (r"[0-9]{5}|2[AB][0-9]{3}", "un code commune INSEE de 5 caractères, comme « 21231 » ou « 2B002 »"),
    "departement": (r"[0-9]{2}|2[AB]|97[1-8]|98[4-9]", "un code de département, comme « 21 », « 2A » ou « 974 »"),
    "region": (r"[0-9]{2}", "un code de région INSEE de 2 chiffres, comme « 27 »"),
    "pays": (r"99[0-9]{3}", "un code pays INSEE de 5 chiffres commençant par 99, comme « 99100 » (France)"),
}
_PLACE_OTHER = (r"[0-9AB]{3,6}", "un code INSEE de 3 à 6 caractères")


def _place_code(b: _Builder, m: dict, path: str = "marche.lieu_execution_code") -> PlaceCode | None:
    """``lieu_execution_code`` of the market (``m`` its block) or of a lot (``path`` names it)."""
    place = m.get("lieu_execution_code")
    if not isinstance(place, dict) or any(b.refused(f"{path}.{k}") for k in ("type", "code")) or b.refused(path):
        return None
    kind, raw = place.get("type"), place.get("code")
    if not isinstance(kind, str) or raw is None or isinstance(raw, bool):
        return None
    code = str(raw).strip().upper()
    pattern, expected = _PLACE_FORMS.get(kind, _PLACE_OTHER)
    if not re.fullmatch(pattern, code):
        hint = "Un code qui commence par 0 s'écrit entre guillemets (« \"01053\" »), sinon le zéro se perd." if isinstance(raw, int) else None
        b.reader.issue(f"{path}.code", f"« {clip(raw)} » n'est pas un code de type « {kind} ».", expected, hint)
        return None
    return PlaceCode(kind, code)
