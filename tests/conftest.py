"""Shared test helpers and the collector of the hand-worked calculation cases.

* ``BASE``: a small but realistic valid profile (State buyer, works, one lot of 850 000 € HT at 40 % of
  labour, 32 € HT per hour, 7 % insertion → 744 hours). Its line numbers are relied upon by the loader
  tests, so keep them stable (see the numbered listing below).
* ``write_profile(tmp_path, text)``: dedents inline YAML, writes it and returns the path.
* ``tests/cases/calc/*.yaml``: OpenFisca-style case files, each a list of cases::

      - name: la formule de base donne 744 heures
        profile: { … }          # a mapping, or a string holding the YAML text of the profile
        expected:
          total_heures: 744     # market-level: total_heures, parcours, etp, heures_par_an
          lots:
            1: {heures: 744, methode: formule, parcours: 2.5, etp: 0.46, heures_par_an: 372}

  Lot keys: heures, methode, brut, parcours, etp, heures_par_an, heures_estimees and, for an
  accord-cadre, heures_fermes, heures_par_tranche, heures_max_indicatives. A failing case reports the
  file, the case name and every differing value.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import tempfile
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

# The tests never fill the user's cache (``~/.cache/clausegen``): every run, and the processes it starts
# (workers, ``clausegen`` subprocesses, the web server), use a temporary one, removed at the end.
# ``clausegen.cache`` reads XDG_CACHE_HOME when it is first asked for its folder, after this line.
_TEST_CACHE = tempfile.mkdtemp(prefix="clausegen-tests-cache-")
os.environ["XDG_CACHE_HOME"] = _TEST_CACHE


def pytest_unconfigure(config):
    shutil.rmtree(_TEST_CACHE, ignore_errors=True)

# Line numbers (1-based) of BASE, used by the loader tests:
#  1 version   2 acheteur  3 nom  4 type  5 marche  6 reference  7 objet  8 nature  9 duree_mois
# 10 date_publication  11 calcul  12 cout_horaire  13 taux_insertion  14 lots  15 - numero
# 16 intitule  17 base_legale  18 montant_ht  19 part_main_oeuvre
BASE = """\
version: 1
acheteur:
  nom: Préfecture de la Gironde
  type: etat
marche:
  reference: "2026-TRX-014"
  objet: Réhabilitation de la cité administrative
  nature: travaux
  duree_mois: 24
  date_publication: 2026-12-15
calcul:
  cout_horaire: 32
  taux_insertion: 7 %
lots:
  - numero: 1
    intitule: Gros œuvre
    base_legale: condition_execution
    montant_ht: 850000
    part_main_oeuvre: 40 %
"""


def write_profile(tmp_path: Path, text: str, name: str = "profil.yaml") -> Path:
    """Write the dedented YAML ``text`` to ``tmp_path / name`` (UTF-8) and return the path."""
    path = Path(tmp_path) / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def make_profile(tmp_path):
    """``make_profile(text, name="profil.yaml")`` → path of the written profile, in ``tmp_path``."""

    def make(text: str, name: str = "profil.yaml") -> Path:
        return write_profile(tmp_path, text, name)

    return make


@pytest.fixture
def base_profile(tmp_path) -> Path:
    return write_profile(tmp_path, BASE)


@functools.lru_cache(maxsize=1)
def _dumper():
    from ruamel.yaml import YAML

    try:
        yaml = YAML(typ="safe", pure=False)  # libyaml when ruamel.yaml.clib is installed
    except Exception:  # pragma: no cover
        yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    return yaml


def dump_yaml(data) -> str:
    """Plain Python data → YAML text (ruamel, safe dumper, block style, UTF-8 characters kept)."""
    buffer = io.StringIO()
    _dumper().dump(data, buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------
# Collector of tests/cases/calc/*.yaml
# --------------------------------------------------------------------------------------------------

MARKET_KEYS = ("total_heures", "parcours", "etp", "heures_par_an")
LOT_KEYS = (
    "heures",
    "methode",
    "brut",
    "parcours",
    "etp",
    "heures_par_an",
    "heures_estimees",
    "heures_fermes",
    "heures_par_tranche",
    "heures_max_indicatives",
)
FRAMEWORK_KEYS = {"heures_fermes": "heures_fermes", "heures_par_tranche": "ratio_par_tranche", "heures_max_indicatives": "heures_max"}


class CaseFileError(Exception):
    """A case file is malformed (reported at collection time)."""


class CaseMismatch(AssertionError):
    def __init__(self, differences: list[tuple[str, object, object]]):
        self.differences = differences
        super().__init__("; ".join(f"{p}: attendu {e!r}, obtenu {a!r}" for p, e, a in differences))


class CaseProfileError(AssertionError):
    """The case's profile was refused by the loader."""


def pytest_collect_file(parent, file_path):
    if file_path.suffix in (".yaml", ".yml") and file_path.parent.name == "calc" and file_path.parent.parent.name == "cases":
        return CalcCaseFile.from_parent(parent, path=file_path)
    return None


class CalcCaseFile(pytest.File):
    def collect(self):
        from ruamel.yaml import YAML

        text = self.path.read_text(encoding="utf-8")
        data = YAML(typ="safe", pure=True).load(text)
        lines = YAML(typ="rt").load(text)  # only for the line number of each case
        if not isinstance(data, list):
            raise CaseFileError(f"{self.path}: le fichier doit être une liste de cas")
        seen: set[str] = set()
        for index, case in enumerate(data):
            where = f"{self.path.name}, cas n° {index + 1}"
            if not isinstance(case, dict) or not {"name", "profile", "expected"} <= set(case):
                raise CaseFileError(f"{where} : clés name, profile et expected obligatoires")
            unknown = set(case) - {"name", "profile", "expected"}
            if unknown:
                raise CaseFileError(f"{where} : clés inconnues {sorted(unknown)}")
            _check_expected(case["expected"], where)
            name = str(case["name"])
            if name in seen:
                raise CaseFileError(f"{where} : nom de cas en double « {name} »")
            seen.add(name)
            try:
                line = lines[index].lc.line
            except (AttributeError, IndexError, TypeError):
                line = 0
            yield CalcCase.from_parent(self, name=name, profile=case["profile"], expected=case["expected"], line=line)


def _check_expected(expected, where: str) -> None:
    if not isinstance(expected, dict):
        raise CaseFileError(f"{where} : expected doit être un bloc de clés")
    unknown = set(expected) - set(MARKET_KEYS) - {"lots"}
    if unknown:
        raise CaseFileError(f"{where} : clés inconnues dans expected {sorted(unknown)}")
    for numero, values in (expected.get("lots") or {}).items():
        if not isinstance(numero, int) or not isinstance(values, dict):
            raise CaseFileError(f"{where} : expected.lots doit associer un numéro de lot à un bloc de clés")
        unknown = set(values) - set(LOT_KEYS)
        if unknown:
            raise CaseFileError(f"{where} : clés inconnues pour le lot {numero} {sorted(unknown)}")


def _same(expected, actual) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, str) or isinstance(actual, str):
        return str(expected) == str(actual)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    try:
        return Decimal(str(expected)) == Decimal(str(actual))
    except ArithmeticError:
        return False


def _shown(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


class CalcCase(pytest.Item):
    def __init__(self, *, profile, expected, line: int, **kwargs):
        super().__init__(**kwargs)
        self.profile_data = profile
        self.expected = expected
        self.line = line

    def profile_text(self) -> str:
        if isinstance(self.profile_data, str):
            return textwrap.dedent(self.profile_data)
        return dump_yaml(self.profile_data)

    def runtest(self):
        from clausegen.calc import compute_hours
        from clausegen.errors import ProfileError
        from clausegen.profile.load import load_profile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "profil.yaml"
            path.write_text(self.profile_text(), encoding="utf-8")
            try:
                profile = load_profile(path)
            except ProfileError as exc:
                raise CaseProfileError(str(exc).replace(str(path), "profil.yaml")) from None
            result = compute_hours(profile)
        self.raw_hours = {r.lot.numero: r.brut for r in result.lots}

        differences: list[tuple[str, object, object]] = []

        def compare(label, expected, actual):
            if not _same(expected, actual):
                differences.append((label, expected, _shown(actual)))

        for key in MARKET_KEYS:
            if key in self.expected:
                compare(key, self.expected[key], getattr(result, key))
        by_number = {r.lot.numero: r for r in result.lots}
        for numero, values in (self.expected.get("lots") or {}).items():
            lot = by_number.get(numero)
            if lot is None:
                differences.append((f"lot {numero}", "présent", "absent"))
                continue
            for key, want in values.items():
                if key in FRAMEWORK_KEYS:
                    actual = None if lot.accord_cadre is None else getattr(lot.accord_cadre, FRAMEWORK_KEYS[key])
                elif key == "heures_estimees":
                    actual = lot.heures_estimees
                else:
                    actual = getattr(lot, key)
                compare(f"lot {numero}.{key}", want, actual)
        if differences:
            raise CaseMismatch(differences)

    def repr_failure(self, excinfo, style=None):
        try:
            shown = self.path.relative_to(self.config.rootpath)
        except ValueError:  # pragma: no cover
            shown = self.path
        header = f"{shown}:{self.line + 1}: cas « {self.name} »"
        if isinstance(excinfo.value, CaseMismatch):
            rows = [f"  {label} : attendu {expected!r}, obtenu {actual!r}" for label, expected, actual in excinfo.value.differences]
            raw = [f"  lot {n} : {format(b, 'f')}" for n, b in getattr(self, "raw_hours", {}).items() if b is not None]
            if raw:
                rows += ["heures avant arrondi (brut) :", *raw]
            return "\n".join([header, "valeurs différentes :", *rows])
        if isinstance(excinfo.value, CaseProfileError):
            return "\n".join([header, "profil refusé par le chargeur :", str(excinfo.value), "", "Profil :", self.profile_text()])
        return header + "\n" + str(super().repr_failure(excinfo, style=style))

    def reportinfo(self):
        return self.path, self.line, f"{self.path.name}::{self.name}"
