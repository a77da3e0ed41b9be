"""``clausegen templates``: the buyer's own .docx templates — export the built-in ones, list the variables
a template may use, check a folder of templates before ``clausegen render --modeles``."""

from __future__ import annotations

import json
import sys

import click

from .base import CONTEXT_SETTINGS, EXIT_FINDINGS, EXIT_OK, _FrenchGroup, _handle_errors

TYPE_NOTE = "Types : texte, nombre, montant (€ HT), taux (fraction : 0.07 = 7 %), date, booléen, liste, bloc (ensemble de clés)."


@click.group(cls=_FrenchGroup, context_settings=CONTEXT_SETTINGS, short_help="Modèles .docx de l'acheteur : exporter, variables, vérifier.")
def templates():
    """Modèles .docx propres à l'acheteur (sa mise en page, sa rédaction).

    \b
    1. clausegen templates export modeles/       copie les modèles intégrés à modifier
    2. clausegen templates vars                  variables et filtres utilisables
    3. clausegen templates lint modeles/         vérifie les modèles modifiés
    4. clausegen render PROFIL -o dce/ --modeles modeles/
    """


@templates.command("export", context_settings=CONTEXT_SETTINGS, short_help="Copie les modèles intégrés dans un dossier.")
@click.argument("dossier", type=click.Path(file_okay=False, path_type=str))
@click.option("--documents", default="", metavar="LISTE", help="Modèles à copier, séparés par des virgules : avis, rc, ccap, annexe-ae, memoire, fiche-caracterisation, suivi (par défaut : tous).")
@click.option("--force", is_flag=True, help="Remplace les fichiers existants (sinon, rien n'est écrit s'il en existe un).")
@_handle_errors
def export(dossier, documents, force):
    """Copie les modèles .docx intégrés dans DOSSIER, pour les modifier dans Word ou LibreOffice.

    Exemple : clausegen templates export modeles/ --documents ccap,rc
    """
    from ..render.templates import builtin_template_dir
    from ..plan.documents import select_documents
    from ..files.folder import write_files

    names = [d.name for d in select_documents([d for d in documents.split(",") if d.strip()])]
    source = builtin_template_dir()
    files = {f"{n}.docx": (source / f"{n}.docx").read_bytes() for n in names}
    written = write_files(files, dossier, force=force)
    click.echo(f"{len(written)} modèle(s) écrit(s) dans {dossier} : {', '.join(p.name for p in written)}")
    click.echo(
        "\nÉtapes suivantes :\n"
        "  1. Modifiez les modèles dans Word ou LibreOffice : texte, styles, en-tête. Gardez les balises {{ … }} et\n"
        "     {% … %} d'un seul tenant ; les balises {%p … %} et {%tr … %} restent seules dans leur paragraphe ou\n"
        "     leur ligne de tableau. Supprimez les modèles que vous ne changez pas : les modèles intégrés les remplacent.\n"
        "  2. clausegen templates vars              liste des variables et filtres utilisables\n"
        f"  3. clausegen templates lint {dossier}    vérifie les modèles modifiés\n"
        f"  4. clausegen render PROFIL -o dce/ --modeles {dossier}"
    )


@templates.command("vars", context_settings=CONTEXT_SETTINGS, short_help="Variables et filtres utilisables dans un modèle.")
@click.option("--format", "output_format", type=click.Choice(["texte", "json"]), default="texte", show_default=True, help="Forme de la sortie : tableau lisible ou JSON pour les outils.")
@_handle_errors
def vars_(output_format):
    """Affiche le glossaire : chaque variable et chaque filtre qu'un modèle peut employer, avec son type,
    sa description et un exemple.

    \b
    « lots[].heures » désigne la clé « heures » de chaque lot : dans {% for lot in lots %}, écrivez
    {{ lot.heures|heures }}.

    Exemple : clausegen templates vars --format json
    """
    from ..render.glossary import load_glossary

    glossary = load_glossary()
    if output_format == "json":
        data = {"variables": list(glossary.variables.values()), "filtres": list(glossary.filters.values())}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(glossary_as_text(glossary))



def glossary_as_text(glossary, width: int | None = None) -> str:
    """The glossary as two French tables (variables, then filters), wrapped to ``width`` columns."""
    import shutil

    width = width or max(shutil.get_terminal_size((140, 24)).columns, 100)
    rows = []
    for v in glossary.variables.values():
        kind = v["type"] + (" ou vide" if v.get("facultatif") else "")
        rows.append((v["nom"], kind, v["description"], v["exemple"]))
    lines = [f"Variables ({len(rows)}) — {{{{ marche.reference }}}} ; « lots[].heures » : {{{{ lot.heures }}}} dans {{% for lot in lots %}}", ""]
    lines += _table(("variable", "type", "description", "exemple"), rows, width)
    lines += ["", TYPE_NOTE, "", f"Filtres de clausegen ({len(glossary.filters)}) — {{{{ valeur|filtre }}}}", ""]
    rows = [(f["nom"], f["usage"], f["description"], f["exemple"]) for f in glossary.filters.values()]
    lines += _table(("filtre", "usage", "description", "exemple"), rows, width)
    lines += ["", "Les filtres usuels de Jinja restent disponibles : length, join, default, upper, lower, map, selectattr,",
              "rejectattr, sort, first, last, sum… Balises de docxtpl : {%p if … %} (paragraphe), {%tr for … %} (ligne de tableau)."]
    return "\n".join(lines)


def _table(header, rows, width: int) -> list[str]:
    import textwrap

    fixed = [max(len(str(r[i])) for r in [header, *rows]) for i in (0, 1)]
    fixed[1] = min(fixed[1], 42)
    free = max(width - fixed[0] - fixed[1] - 6, 40)
    wide = [free * 3 // 5, free - free * 3 // 5]
    widths = fixed + wide
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(), "  ".join("─" * w for w in widths)]
    for row in rows:
        cells = [textwrap.wrap(str(c), w) or [""] for c, w in zip(row, widths)]
        for i in range(max(len(c) for c in cells)):
            out.append("  ".join((c[i] if i < len(c) else "").ljust(w) for c, w in zip(cells, widths)).rstrip())
    return out


@templates.command("lint", context_settings=CONTEXT_SETTINGS, short_help="Vérifie un dossier de modèles .docx.")
@click.argument("dossier", type=click.Path(exists=True, file_okay=False, path_type=str))
@_handle_errors
def lint(dossier):
    """Vérifie les modèles .docx de DOSSIER avant « clausegen render --modeles ».

    \b
    Signale, avec le fichier et le numéro de paragraphe (§) : variables et attributs inconnus,
    balises mal formées ou coupées par Word d'une façon que docxtpl ne répare pas, blocs
    {% if %} / {% for %} non fermés, et sections qu'un document doit contenir (heures du CCAP…).
    Code de sortie : 0 sans erreur, 1 si au moins une erreur, 2 si le dossier est introuvable.

    Exemple : clausegen templates lint modeles/
    """
    from pathlib import Path

    from ..docx.lint_jinja import ERROR
    from ..render.templates import lint_templates

    files = sorted(p.name for p in Path(dossier).glob("*.docx") if not p.name.startswith("~$"))
    if not files:
        click.echo(f"Aucun modèle .docx dans {dossier}.")
        return
    problems = lint_templates(dossier)
    for problem in problems:
        click.echo(problem.format())
    errors = sum(p.severity == ERROR for p in problems)
    warnings = len(problems) - errors
    click.echo(f"{len(files)} modèle(s) vérifié(s) : {_count(errors, 'erreur')}, {_count(warnings, 'avertissement')}.")
    sys.exit(EXIT_FINDINGS if errors else EXIT_OK)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"
