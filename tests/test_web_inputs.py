"""How the web form reads and speaks (issue 22), posted like a browser (Starlette's TestClient): messages
name fields by their label and sit on them, never a YAML key; a rate is a percentage; dates JJ/MM/AAAA or
AAAA-MM-JJ; French amounts, « 1e6 » and ambiguous ones refused; usual values in one click, without script
too; an accord-cadre's and a marché d'insertion's hours as the clause plan gives them."""

from __future__ import annotations

import datetime as _dt
import html as _html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from clausegen.errors import ProfileError
from clausegen.law.registry import load_registry
from clausegen.plan import build_plan
from clausegen.profile.schema import profile_schema
from clausegen.profile.text import dump_profile, load_profile_text, read_profile_text
from clausegen.web import create_app, form_data, forms
from clausegen.web import form_values
from clausegen.web.form_model import Field

from conftest import BASE

ROOT = Path(__file__).resolve().parents[1]
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


def _keys() -> set[str]:
    keys: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, sub in (node.get("properties") or {}).items():
                keys.add(key)
                walk(sub)
            for sub in [node.get("items"), *(node.get("oneOf") or [])]:
                walk(sub)

    walk(profile_schema())
    return keys


KEYS = _keys()


def leaks(text: str, typed: tuple[str, ...] = ()) -> list[str]:
    """The keys of the schema a message shows: quoted (« montant_ht »), a snake_case key anywhere, or a path
    (« lots[1].cpv », « marche.reference »); ``typed``: values the buyer typed, quoted back on purpose."""
    found = []
    for key in KEYS:
        if f"« {key} »" in text and key not in typed:
            found.append(key)
        elif "_" in key and re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text):
            found.append(key)
    found += re.findall(r"\blots\[[0-9]+\]|\b(?:acheteur|marche|calcul|execution|facilitateur|lots)\.[a-z_]+", text)
    return found


def token(client) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/profil").text).group(1)


def base_fields() -> dict[str, list[str]]:
    return form_data.posted(forms.build_form(read_profile_text(BASE)))


def post(client, changes: dict, action: str = "calculer"):
    fields = {**base_fields(), **{k: [v] for k, v in changes.items()}}
    fields = {k: [v for v in vs if v != ""] for k, vs in fields.items()}
    # the page (or the YAML) the form gives for these answers, saved nowhere: /profil/panneau is what the page's
    # script posts as the buyer types, /profil/yaml what « Télécharger » writes (the drafts are test_web_drafts.py's)
    path = {"telecharger": "/profil/yaml", "calculer": "/profil/panneau"}.get(action, "/profil")
    return client.post(path, data={**{k: v for k, v in fields.items() if v}, "csrf": token(client), "action": action})


def messages(page: str) -> dict[str, str]:
    """{id of the field: its message} for every message under a field, and the summary's entries."""
    out = {m.group(1): _html.unescape(re.sub(r"<[^>]+>", "", m.group(2))).replace("Erreur : ", "")
           for m in re.finditer(r'<p class="message-erreur" id="([^"]+)-erreur">(.*?)</p>', page, re.S)}
    return out


def summary(page: str) -> list[str]:
    box = re.search(r'<div class="resume-erreurs".*?</div>', page, re.S)
    return [_html.unescape(re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li>(.*?)</li>", box.group(0), re.S)] if box else []


def input_tag(page: str, field_id: str) -> str:
    return re.search(rf'<(?:input|select|textarea)[^>]* id="{field_id}"[^>]*>', page).group(0)


def label_of(page: str, field_id: str) -> str:
    """The <label> of a field, or the legend of its group of boxes."""
    group = re.search(rf'<fieldset [^>]*id="{field_id}-groupe"[^>]*>\s*<legend>(.*?)</legend>', page, re.S)
    text = group.group(1) if group else re.search(rf'<label for="{field_id}">(.*?)</label>', page, re.S).group(1)
    return _html.unescape(re.sub(r"<[^>]+>|\(obligatoire\)", "", text)).strip()


# -- messages: labels, never keys, on their own field -----------------------------------------------------

ERRORS = [
    # (changed fields, id of the field that shows the message, words the message must hold)
    ({"marche.reference": ""}, "champ-marche-reference", "est obligatoire"),
    ({"lots[1].montant_ht": ""}, "champ-lots-1-montant_ht", "sans montant"),
    ({"lots[1].intitule": ""}, "champ-lots-1-intitule", "est obligatoire"),
    ({"lots[1].base_legale": ""}, "champ-lots-1-base_legale", "est obligatoire"),
    ({"marche.duree_mois": "douze"}, "champ-marche-duree_mois", "Écrivez un nombre entier, sans unité."),
    ({"acheteur.type": "mairie"}, "champ-acheteur-type", "n'est pas une valeur admise"),
    ({"calcul.taux_insertion": "sept"}, "champ-calcul-taux_insertion", "n'est pas un pourcentage"),
    ({"calcul.taux_insertion": "150"}, "champ-calcul-taux_insertion", "dépasse 100 %"),
    ({"marche.date_publication": "31/02/2027"}, "champ-marche-date_publication", "n'existe pas"),
    ({"lots[1].montant_ht": "1e6"}, "champ-lots-1-montant_ht", "notation scientifique"),
    ({"lots[1].montant_ht": "850.000"}, "champ-lots-1-montant_ht", "est ambigu"),
    ({"lots[1].montant_ht": "-850000"}, "champ-lots-1-montant_ht", "est négatif"),
    ({"lots[1].accord_cadre.minimum_ht": "900000", "lots[1].accord_cadre.maximum_ht": "100000", "lots[1].montant_ht": ""},
     "champ-lots-1-accord_cadre-minimum_ht", "dépasse le maximum"),
    ({"facilitateur.courriel": "pas-une-adresse", "facilitateur.nom": "Samia Benali", "facilitateur.structure": "PLIE"},
     "champ-facilitateur-courriel", "n'a pas la forme attendue"),
]


@pytest.mark.parametrize("changes,field_id,words", ERRORS, ids=[e[1] + ":" + "/".join(e[0].values())[:20] for e in ERRORS])
def test_each_message_names_its_field_by_label_and_sits_on_it(client, changes, field_id, words):
    page = post(client, changes).text
    shown = messages(page)
    assert field_id in shown, f"no message on {field_id}: {shown}"
    assert words in shown[field_id]
    typed = tuple(v for v in changes.values() if v)
    for text in [*shown.values(), *summary(page)]:
        assert not leaks(text, typed), f"{leaks(text, typed)} in « {text} »"
    tag = input_tag(page, field_id)
    assert 'aria-invalid="true"' in tag
    group = re.search(rf'<fieldset [^>]*id="{field_id}-groupe"[^>]*>', page)  # boxes: the group names the message
    assert re.search(rf'aria-describedby="[^"]*\b{field_id}-erreur\b', group.group(0) if group else tag)
    label = label_of(page, field_id)
    entry = next(e for e in summary(page) if words in e)
    assert label in entry  # the summary's link is the field's label
    if words == "est obligatoire":
        assert f"« {label} » est obligatoire." in shown[field_id]


def test_an_empty_amount_is_an_error_of_the_amount_not_of_the_lot(client):
    page = post(client, {"lots[1].montant_ht": ""}).text
    assert "champ-lots-1-montant_ht" in messages(page) and "champ-lots-1" not in messages(page)
    text = messages(page)["champ-lots-1-montant_ht"]
    assert "« Montant estimé du lot, en euros HT » ou la partie « Accord-cadre" in text and "montant_ht" not in text and "accord_cadre" not in text
    assert "bloc" not in text
    assert 'value="etape:lots:champ-lots-1-montant_ht"' in page  # the summary leads to the amount, on the step of the lots


def test_an_opened_profile_speaks_labels_too(client):
    text = BASE.replace("  reference: \"2026-TRX-014\"\n", "").replace("  duree_mois: 24\n", "  duree_mois: 24\n  inconnue_x: 1\n")
    page = client.post("/ouvrir", data={"csrf": token(client), "texte": text}).text
    entries = summary(page)
    assert len(entries) == 2, entries
    assert any("« Référence du marché » est obligatoire." in e for e in entries)
    assert any("clé inconnue « inconnue_x »" in e.lower() for e in entries)  # the buyer's own key, quoted back
    for entry in entries:
        assert not leaks(entry, ("inconnue_x",)), entry


def test_the_command_line_keeps_naming_keys():
    with pytest.raises(ProfileError) as error:
        load_profile_text(BASE.replace("  reference: \"2026-TRX-014\"\n", ""), "p.yaml")
    assert "champ obligatoire « reference » manquant" in error.value.issues[0].format()


# -- rates: a number is a percentage ---------------------------------------------------------------------


def test_a_rate_typed_as_a_number_is_a_percentage(client):
    from clausegen.calc import compute_hours

    for typed, rate in (("7", "0.07"), ("7 %", "0.07"), ("7%", "0.07"), (f"7{NBSP}%", "0.07"), ("7,5", "0.075"), ("7.5", "0.075")):
        response = post(client, {"calcul.taux_insertion": typed}, action="telecharger")
        assert response.status_code == 200
        assert re.search(rf"^  taux_insertion: {re.escape(rate)}$", response.text, re.M), typed
        profile = load_profile_text(response.text, "p.yaml")
        assert profile.calcul.taux_insertion == Decimal(rate)
        page = post(client, {"calcul.taux_insertion": typed}).text
        assert not messages(page) and not summary(page), typed
        total = compute_hours(profile).total_heures
        assert f"Total : {total:,}".replace(",", NNBSP) in page.replace(NBSP, " ")
    assert "Total : 744" in post(client, {"calcul.taux_insertion": "7"}).text


def test_a_rate_below_one_percent_is_read_as_typed_and_shown_back(client):
    response = post(client, {"calcul.taux_insertion": "0,07"}, action="telecharger")
    assert load_profile_text(response.text, "p.yaml").calcul.taux_insertion == Decimal("0.0007")  # 0,07 %
    page = post(client, {"calcul.taux_insertion": "0,07"}).text
    tag = input_tag(page, "champ-calcul-taux_insertion")
    assert 'value="0,07"' in tag
    after = page[page.index(tag) + len(tag) :][:100]
    assert '<span class="unite" aria-hidden="true">%</span>' in after  # the page reads « 0,07 % »


def test_a_rate_field_shows_a_percent_sign_and_round_trips_exactly():
    text = BASE.replace("taux_insertion: 7 %", "taux_insertion: 0.07")
    view = forms.build_form(read_profile_text(text))
    field = view.index["calcul.taux_insertion"]
    assert field.value == "7" and field.suffix == "%" and field.inputmode == "decimal"
    again = form_data.form_data(form_data.posted(view))
    assert again["calcul"]["taux_insertion"] == Decimal("0.07") and isinstance(again["calcul"]["taux_insertion"], Decimal)
    written = dump_profile(again)
    assert "taux_insertion: 0.07\n" in written
    assert load_profile_text(written, "p.yaml").calcul.taux_insertion == Decimal("0.07")
    assert forms.build_form(read_profile_text(written)).index["calcul.taux_insertion"].value == "7"
    part = forms.build_form(read_profile_text(BASE)).index["lots[1].part_main_oeuvre"]  # « 40 % » in the file
    assert part.value == "40" and part.suffix == "%"


# -- dates ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["15/03/2027", "2027-03-15", "15/3/2027"])
def test_dates_in_both_forms(client, typed):
    response = post(client, {"marche.date_publication": typed}, action="telecharger")
    assert load_profile_text(response.text, "p.yaml").marche.date_publication == _dt.date(2027, 3, 15)
    page = post(client, {"marche.date_publication": typed}).text
    assert not summary(page)
    assert 'value="15/03/2027"' in input_tag(page, "champ-marche-date_publication")


@pytest.mark.parametrize("typed,words", [
    ("31/02/2027", "« 31/02/2027 » n'existe pas : février 2027 n'a que 28 jours."),
    ("2027-02-30", "« 2027-02-30 » n'existe pas : février 2027 n'a que 28 jours."),
    ("15/13/2027", "il n'y a pas de mois 13"),
    ("15.03.2027", "« 15.03.2027 » n'est pas une date."),
    ("mars 2027", "« mars 2027 » n'est pas une date."),
])
def test_other_dates_are_refused_naming_the_forms(client, typed, words):
    text = messages(post(client, {"marche.date_publication": typed}).text)["champ-marche-date_publication"]
    assert words in text
    assert "JJ/MM/AAAA ou AAAA-MM-JJ" in text


# -- amounts -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed,amount", [
    ("850 000", "850000"), ("850000", "850000"), (f"850{NBSP}000", "850000"), (f"850{NNBSP}000", "850000"),
    ("850 000,50", "850000.50"), (f"1{NNBSP}250{NNBSP}000,5", "1250000.5"), ("850 000 €", "850000"),
])
def test_french_amounts_are_read(client, typed, amount):
    response = post(client, {"lots[1].montant_ht": typed}, action="telecharger")
    assert load_profile_text(response.text, "p.yaml").lots[0].montant_ht == Decimal(amount)
    assert not summary(post(client, {"lots[1].montant_ht": typed}).text)


@pytest.mark.parametrize("typed,words", [
    ("1e6", "notation scientifique"), ("8.5E5", "notation scientifique"), ("850.000", "est ambigu"), ("850,000", "est ambigu"),
    ("-850000", "est négatif"), ("-850 000", "est négatif"), ("huit cent mille", "n'est pas un montant"),
])
def test_other_amounts_are_refused_with_the_french_way(client, typed, words):
    page = post(client, {"lots[1].montant_ht": typed}).text
    text = messages(page)["champ-lots-1-montant_ht"]
    assert words in text and "« 850 000 »" in text
    assert "Total :" not in page and "Pour calculer les heures, corrigez d'abord ce point" in page  # nothing computed


def test_every_amount_and_rate_input_asks_for_a_decimal_keyboard(client):
    data = read_profile_text((ROOT / "profiles" / "nettoyage-accord-cadre.yaml").read_text(encoding="utf-8"))
    view = forms.build_form(data)
    page = client.post("/profil", data={**form_data.posted(view), "csrf": token(client), "action": "calculer"}).text
    numbers = [f for f in view.index.values() if isinstance(f, Field) and f.value_kind in (form_values.RATE, form_values.AMOUNT, form_values.PENALTY)]
    assert len(numbers) >= 15
    assert {"montant_ht", "minimum_ht", "maximum_ht", "cout_horaire", "taux_insertion", "part_main_oeuvre", "penalite_par_heure"} <= {f.key for f in numbers}
    for field in numbers:
        assert 'inputmode="decimal"' in input_tag(page, field.id), field.path


# -- usual values in one click ---------------------------------------------------------------------------------


def test_usual_rates_are_one_click_away_without_script(client):
    usual = load_registry().practice("taux_insertion_usuels", _dt.date(2026, 12, 15)).value  # « 5 % », « 7 % », « 10 % »
    assert "7 %" in usual
    page = post(client, {"calcul.taux_insertion": ""}, action="calculer").text
    for value in usual:
        number = value.replace(" %", "")
        assert re.search(rf'<button type="submit" name="action" value="valeur:calcul.taux_insertion={number}" class="bouton lien valeur-usuelle" '
                         rf'data-champ="champ-calcul-taux_insertion" data-valeur="{number}">{value}<', page), value
    assert 'value="valeur:lots[1].taux_insertion=7"' in page  # a lot's own rate too
    assert "valeur:calcul.cout_horaire" not in page  # the registry gives no usual cost per hour: no button
    clicked = post(client, {"calcul.taux_insertion": ""}, action="valeur:calcul.taux_insertion=7").text
    assert 'value="7"' in input_tag(clicked, "champ-calcul-taux_insertion")
    assert 'value="Gros œuvre"' in input_tag(clicked, "champ-lots-1-intitule")  # the rest of the form kept
    assert "Total : 744" in post(client, {"calcul.taux_insertion": "7"}).text
    refused = post(client, {}, action="valeur:marche.reference=X").text  # only rates and amounts
    assert 'value="2026-TRX-014"' in input_tag(refused, "champ-marche-reference")


def test_the_script_fills_the_field_without_posting():
    script = (ROOT / "src" / "clausegen" / "web" / "static" / "app.js").read_text(encoding="utf-8")
    handler = script[script.index('closest("button.valeur-usuelle")') :][:600]
    assert "event.preventDefault();" in handler and 'field.value = button.getAttribute("data-valeur");' in handler


# -- accord-cadre and marché d'insertion results ----------------------------------------------------------------


def _opened(client, text: str) -> str:
    return client.post("/ouvrir", data={"csrf": token(client), "texte": text}).text


def _table(page: str) -> str:
    table = re.search(r'<table class="heures">.*?</table>\s*<p>.*?</p>', page, re.S).group(0)
    return _html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))).replace(NBSP, " ").replace(NNBSP, " ")


def _plan(text: str):
    return build_plan(load_profile_text(text, "p.yaml"))


def _french(number) -> str:
    return f"{number:,}".replace(",", " ").replace(".", ",")


def test_an_accord_cadre_shows_firm_hours_per_tranche_and_ceiling(client):
    text = (ROOT / "profiles" / "nettoyage-accord-cadre.yaml").read_text(encoding="utf-8")
    table = _table(_opened(client, text))
    for lot in _plan(text).lots:
        terms = lot.terms
        assert terms.framework and terms.minimum_ht is not None and terms.per_tranche % 1  # 133,33: a decimal, shown exactly
        assert (f"Lot {lot.numero} : Accord-cadre : {_french(terms.firm)} heures fermes ; {_french(terms.per_tranche)} h par tranche de "
                f"{_french(int(terms.tranche_ht))} € HT de commandes exécutées au-delà du minimum ; au plus {_french(terms.ceiling)} heures si le maximum est atteint.") in table, table


def test_an_accord_cadre_without_minimum_says_so(client):
    text = re.sub(r"\n\s*minimum_ht:.*", "", (ROOT / "profiles" / "nettoyage-accord-cadre.yaml").read_text(encoding="utf-8"))
    table = _table(_opened(client, text))
    assert "Aucune heure d'insertion n'est calculée" not in table
    terms = _plan(text).lots[0].terms
    assert terms.firm == 0 and terms.minimum_ht is None
    assert (f"Lot 1 : Accord-cadre sans minimum de commandes : aucune heure ferme ; {_french(terms.per_tranche)} h par tranche de "
            f"{_french(int(terms.tranche_ht))} € HT de commandes exécutées ; au plus {_french(terms.ceiling)} heures si le maximum est atteint.") in table
    assert "Aucune heure ferme : sans minimum de commandes" in table


def test_a_marche_d_insertion_lot_says_why_it_has_no_hours(client):
    text = (ROOT / "profiles" / "marche-insertion.yaml").read_text(encoding="utf-8")
    table = _table(_opened(client, text))
    lot = _plan(text).lots[0]
    assert lot.insertion and lot.hours.heures is None and lot.terms.reason
    reason = lot.terms.reason[:1].upper() + lot.terms.reason[1:]
    assert f"Lot 1 : {reason} Son volume d'heures, s'il en faut un, est le choix de l'acheteur" in table


def test_the_review_s_findings_name_fields_by_label_too(client):
    """« Indiquez « execution.plan_action_jours » », « déclarez-le : « considerations_environnementales: [critere] » »:
    the findings the page shows say the label instead (the codes typed in a field stay as they are typed)."""
    for name in ("services-sans-facilitateur", "services-critere-seul", "travaux-qpv"):
        page = _opened(client, (ROOT / "profiles" / f"{name}.yaml").read_text(encoding="utf-8"))
        notes = [_html.unescape(re.sub(r"<[^>]+>", "", li)).split("Référence :")[0]
                 for li in re.findall(r'<li class="constat[^"]*">(.*?)</li>', page, re.S)]
        assert notes, name
        for note in notes:
            assert not leaks(note, ("clause", "critere")), (name, leaks(note), note)
    page = _opened(client, (ROOT / "profiles" / "services-sans-facilitateur.yaml").read_text(encoding="utf-8"))
    assert "Indiquez « Délai de remise du plan d&#39;action d&#39;insertion après notification, en jours" in page


# -- in Chromium, with the script ---------------------------------------------------------------------------

from test_web_browser import browser, by_id, check_accessibility, css, downloads, fill_market, go_step, server, type_in, wait  # noqa: E402,F401


def test_in_a_browser_a_usual_value_fills_the_field_and_the_live_panel_speaks_labels(browser, server):
    driver = browser
    driver.get(f"{server}/profil")
    fill_market(driver, "Préfecture de la Gironde", "etat", "2026-TRX-014", "Réhabilitation de la cité administrative", "travaux", "24",
                "15/12/2026")
    go_step(driver, "calcul")
    type_in(driver, "champ-calcul-cout_horaire", "32")
    go_step(driver, "lots")
    type_in(driver, "champ-lots-1-intitule", "Gros œuvre")
    by_id(driver, "champ-lots-1-base_legale").click()
    type_in(driver, "champ-lots-1-part_main_oeuvre", "40")
    # no amount and no rate yet: the live panel lists what is missing, by label
    wait(driver, lambda d: "Montant estimé du lot" in by_id(d, "resultats-contenu").text)  # the live panel, not the page's own
    panel = by_id(driver, "resultats-contenu").text
    assert "Montant estimé du lot, en euros HT" in panel and not leaks(panel), panel
    type_in(driver, "champ-lots-1-montant_ht", "850 000")
    go_step(driver, "calcul")
    driver.execute_script("window.pageNotReloaded = true;")
    css(driver, "button.valeur-usuelle[data-valeur='7'][data-champ='champ-calcul-taux_insertion']").click()
    assert by_id(driver, "champ-calcul-taux_insertion").get_attribute("value") == "7"
    wait(driver, lambda d: "Total : 744 heures" in by_id(d, "etat").text.replace("\u00a0", " "))
    assert driver.execute_script("return window.pageNotReloaded === true;")  # filled without posting the page
    check_accessibility(driver, "/profil, valeur usuelle choisie")


def test_no_label_nor_help_of_the_form_names_a_key(client):
    """Some descriptions of the schema name keys (« à défaut, celui du marché (marche.cpv) »): the form says
    the label of that field instead."""
    page = client.get("/profil").text
    texts = [_html.unescape(re.sub(r"<[^>]+>", "", x))
             for x in re.findall(r'<(label|legend|p class="aide")[^>]*>(.*?)</(?:label|legend|p)>', page, re.S) for x in [x[1]]]
    assert len(texts) > 80
    assert [t for t in texts if leaks(t)] == []
    lot_cpv = label_of(page, "champ-lots-1-cpv")
    assert "(« Code CPV principal" in lot_cpv and "marche.cpv" not in lot_cpv
