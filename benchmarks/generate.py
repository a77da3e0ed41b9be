"""Generate varied, realistic market profiles for the benchmarks (deterministic for a given seed).

    python benchmarks/generate.py 1000 /tmp/profils      # writes 1000 profiles
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

BUYERS = [
    ("etat", "Préfecture de la Gironde"), ("etat", "Direction régionale de l'économie, de l'emploi, du travail et des solidarités d'Occitanie"),
    ("etablissement_public_etat", "Université de Lille"), ("collectivite", "Communauté urbaine de Dunkerque"),
    ("collectivite", "Département du Nord"), ("bailleur_social", "Habitat du Littoral"),
    ("etablissement_sante", "Centre hospitalier de Valenciennes"), ("etablissement_public_local", "Syndicat des eaux de la Vienne"),
]
WORKS = [("Gros œuvre", "50 %"), ("Peinture intérieure", "70 %"), ("Charpente métallique", "20 %"), ("Menuiseries extérieures", "35 %"),
         ("Plomberie, chauffage", "40 %"), ("Électricité courants forts", "45 %"), ("Voirie et réseaux divers", "30 %"), ("Espaces verts", "60 %")]
SERVICES = [("Nettoyage des locaux", "80 %"), ("Entretien des espaces verts", "65 %"), ("Collecte des déchets", "55 %"), ("Restauration collective", "45 %")]
SUPPLIES = [("Mobilier de bureau", "25 %"), ("Vêtements de travail", "30 %"), ("Fournitures de bureau", "15 %")]
FRENCH_AMOUNT = "{:,}".format


def _amount(rng: random.Random, low: int, high: int):
    value = rng.randrange(low, high, 1000)
    if rng.random() < 0.3:
        return f'"{FRENCH_AMOUNT(value).replace(",", " ")} €"'
    return str(value)


def profile_text(index: int, rng: random.Random) -> str:
    buyer_type, buyer = rng.choice(BUYERS)
    nature = rng.choices(["travaux", "services", "fournitures"], [5, 4, 2])[0]
    catalogue = {"travaux": WORKS, "services": SERVICES, "fournitures": SUPPLIES}[nature]
    n_lots = rng.randint(1, 5)
    lines = [
        "version: 1",
        "acheteur:",
        f"  nom: {buyer}",
        f"  type: {buyer_type}",
        "marche:",
        f"  reference: BENCH-{index:06d}",
        f"  objet: Marché n° {index} de {nature} — {rng.choice(['site principal', 'quartier nord', 'antenne sud', 'cité administrative'])}",
        f"  nature: {nature}",
        f"  duree_mois: {rng.choice([6, 12, 18, 24, 36, 48])}",
        f"  qpv: {str(rng.random() < 0.3).lower()}",
        f"  date_publication: 2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    ]
    if rng.random() < 0.8:
        lines += ["facilitateur:", f"  nom: Facilitatrice {index}", "  structure: Maison de l'emploi", f"  courriel: facilitation{index}@example.org"]
    lines += ["calcul:", f"  cout_horaire: {rng.choice([28, 30, 32, 35])}", f"  taux_insertion: {rng.choice(['5 %', '7 %', '7,5 %', '10 %', 0.06])}"]
    if rng.random() < 0.7:
        lines += ["execution:", f"  penalite_par_heure: {rng.choice([20, 30, 45])}", f"  periodicite_suivi: {rng.choice(['mensuelle', 'trimestrielle'])}"]
    lines.append("lots:")
    for n in range(1, n_lots + 1):
        title, share = rng.choice(catalogue)
        basis = rng.choices(
            ["art38", "[art38, art52]", "art36-2", "art36-1", "condition_execution"] + (["art28"] if nature == "services" else []),
            [6, 2, 1, 1, 2] + ([1] if nature == "services" else []),
        )[0]
        lines += [f"  - numero: {n}", f"    intitule: {title}", f"    base_legale: {basis}", f"    part_main_oeuvre: {share}"]
        if nature == "services" and rng.random() < 0.3:
            lines += ["    accord_cadre:", f"      minimum_ht: {_amount(rng, 20_000, 200_000)}", f"      maximum_ht: {_amount(rng, 300_000, 2_000_000)}"]
        else:
            lines.append(f"    montant_ht: {_amount(rng, 40_000, 3_000_000)}")
        if "art52" in basis:
            lines += ["    critere:", f"      ponderation: {rng.choice(['5 %', '10 %', '15 %'])}"]
    return "\n".join(lines) + "\n"


def generate(count: int, folder: Path, seed: int = 2026) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"profil-{index:06d}.yaml"
        path.write_text(profile_text(index, rng), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("profils-generes")
    generate(count, target)
    print(f"{count} profils écrits dans {target}")
