/* clausegen — petit script facultatif : chaque page fonctionne sans lui.
   - place le focus sur le résumé des erreurs (ou sur le champ ajouté, ou sur l'aperçu) ;
   - un lien vers un champ ouvre la section repliée qui le contient et lui donne le focus ;
   - dans le formulaire du profil, recalcule les heures et la revue pendant la saisie : le formulaire est
     converti en profil YAML par le serveur (/profil/yaml, qui n'enregistre rien), puis envoyé à /api/calc et
     /api/check. */
(function () {
  "use strict";

  function reveal(element) {
    for (var node = element; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
  }

  function focusOn(element) {
    if (!element) { return; }
    reveal(element);
    element.focus();
    if (element.scrollIntoView) { element.scrollIntoView({ block: "center" }); }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link || link.hash.length < 2) { return; }
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) { return; }
    event.preventDefault();
    focusOn(target);
    if (history.replaceState) { history.replaceState(null, "", link.hash); }
  });

  function onLoad() {
    var form = document.getElementById("formulaire");
    var wanted = form && form.getAttribute("data-focus");
    var anchored = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    var first = document.getElementById("resume-erreurs") || anchored || (wanted && document.getElementById(wanted)) ||
      document.getElementById("apercu") || document.getElementById("avis") || document.getElementById("tableau-titre");
    if (first) { focusOn(first); }
    if (form) { live(form); }
  }

  // -- live results --------------------------------------------------------------------------------
  var numbers = new Intl.NumberFormat("fr-FR");
  var oneDecimal = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var twoDecimals = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function fieldId(path) {
    return "champ-" + path.replace(/[^A-Za-z0-9_]+/g, "-").replace(/^-+|-+$/g, "");
  }

  // The field (or group) that shows a problem of `path`: its closest ancestor present in the page.
  function target(path) {
    var probe = path || "";
    while (probe) {
      var found = document.getElementById(fieldId(probe));
      if (found) { return found; }
      var cut = Math.max(probe.lastIndexOf("."), probe.lastIndexOf("["));
      probe = cut > 0 ? probe.slice(0, cut) : "";
    }
    return null;
  }

  function nameOf(node) {
    if (!node) { return "Profil"; }
    var label = document.querySelector("label[for='" + node.id + "']");
    var legend = node.tagName === "FIELDSET" ? node.querySelector("legend") : null;
    if (node.type === "checkbox") {
      var group = node.closest("fieldset");
      legend = group ? group.querySelector("legend") : null;
      label = null;
    }
    var text = (label || legend || node).textContent.replace(/\(obligatoire\)/, "").replace(/\s+/g, " ").trim();
    var lot = node.closest(".lot");
    if (lot && lot !== node) {
      text = lot.querySelector("legend").textContent.trim() + " : " + text;
    }
    return text;
  }

  function link(path, prefix) {
    var node = target(path);
    if (!node) { return null; }
    return element("a", { href: "#" + node.id }, [(prefix || "") + nameOf(node)]);
  }

  function sentence(issue) {
    var text = issue.message;
    if (issue.attendu) { text += " Attendu : " + issue.attendu.replace(/\.$/, "") + "."; }
    if (issue.suggestion) { text += " " + issue.suggestion; }
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function plural(count, word) {
    return count + " " + word + (count > 1 ? "s" : "");
  }

  function renderIssues(box, status, issues) {
    status.textContent = "Le profil n'est pas encore complet.";
    box.appendChild(element("p", {}, ["Pour calculer les heures, corrigez d'abord " + (issues.length === 1 ? "ce point" : "ces " + issues.length + " points") + " :"]));
    var list = element("ul", { "class": "problemes" });
    issues.forEach(function (issue) {
      var anchor = link(issue.champ);
      list.appendChild(element("li", {}, anchor ? [anchor, " : " + sentence(issue)] : [(issue.champ || "Profil") + " : " + sentence(issue)]));
    });
    box.appendChild(list);
  }

  function renderResults(box, status, aside, calc, check) {
    var bases = JSON.parse(aside.getAttribute("data-bases") || "{}");
    status.textContent = "Total : " + numbers.format(calc.total_heures) + (calc.total_heures > 1 ? " heures" : " heure") + " d'insertion.";
    var body = element("tbody");
    calc.lots.forEach(function (lot) {
      var basis = (lot.bases_legales || [lot.base_legale]).map(function (b) { return bases[b] || b; }).join(" + ");
      body.appendChild(element("tr", {}, [
        element("th", { scope: "row" }, [lot.numero + " — " + lot.intitule]),
        element("td", {}, [basis]),
        element("td", { "class": "nombre" }, [lot.heures === null ? "—" : numbers.format(lot.heures)])
      ]));
    });
    box.appendChild(element("table", { "class": "heures" }, [
      element("caption", {}, ["Heures par lot"]),
      element("thead", {}, [element("tr", {}, [
        element("th", { scope: "col" }, ["Lot"]), element("th", { scope: "col" }, ["Base juridique"]),
        element("th", { scope: "col", "class": "nombre" }, ["Heures"])])]),
      body,
      element("tfoot", {}, [element("tr", {}, [element("th", { scope: "row" }, ["Total"]), element("td"),
        element("td", { "class": "nombre" }, [numbers.format(calc.total_heures)])])])
    ]));
    box.appendChild(element("p", {}, [calc.total_heures ?
      "Soit " + oneDecimal.format(calc.parcours) + " parcours de " + numbers.format(Number(aside.getAttribute("data-parcours") || 300)) +
      " heures, " + twoDecimals.format(calc.etp) + " ETP-année et " + numbers.format(calc.heures_par_an) +
      (calc.heures_par_an > 1 ? " heures" : " heure") + " par année d'exécution." :
      "Aucune heure d'insertion n'est calculée pour ce marché."]));
    var detail = element("details", { "class": "detail-calcul" }, [element("summary", {}, ["Détail du calcul"])]);
    calc.lots.forEach(function (lot) {
      detail.appendChild(element("p", {}, [element("strong", {}, ["Lot " + lot.numero]), " : " + lot.raison]));
    });
    box.appendChild(detail);
    box.appendChild(element("h2", {}, ["Revue"]));
    var summary = check.resume;
    box.appendChild(element("p", {}, [plural(summary.erreur, "erreur") + ", " + plural(summary.avertissement, "avertissement") + ", " + plural(summary.conseil, "conseil") + "."]));
    if (check.constats.length) {
      var list = element("ul", { "class": "constats" });
      check.constats.forEach(function (finding) {
        var item = element("li", { "class": "constat " + finding.gravite }, [
          element("span", { "class": "gravite" }, [finding.gravite.charAt(0).toUpperCase() + finding.gravite.slice(1)]),
          " " + finding.message + " "]);
        var anchor = link(finding.champ, "Aller au champ : ");
        if (anchor) { item.appendChild(anchor); }
        item.appendChild(element("span", { "class": "reference" }, ["Référence : " + finding.reference + " ",
          element("span", { "class": "regle" }, ["[" + finding.regle + "]"])]));
        list.appendChild(item);
      });
      box.appendChild(list);
    }
  }

  // Errors shown by the server for fields the new answer no longer refuses are removed (new ones are shown
  // by « Calculer les heures et relire », not while the user types); the summary goes once nothing is left.
  function clearFixed(issues) {
    var still = {};
    issues.forEach(function (issue) { var node = target(issue.champ); if (node) { still[node.id] = true; } });
    Array.prototype.forEach.call(document.querySelectorAll(".message-erreur"), function (message) {
      var id = message.id.replace(/-erreur$/, "");
      if (still[id]) { return; }
      Array.prototype.forEach.call(document.querySelectorAll("[aria-describedby~='" + message.id + "']"), function (field) {
        field.removeAttribute("aria-invalid");
        var described = field.getAttribute("aria-describedby").split(" ").filter(function (x) { return x && x !== message.id; });
        if (described.length) { field.setAttribute("aria-describedby", described.join(" ")); } else { field.removeAttribute("aria-describedby"); }
      });
      var box = message.closest(".en-erreur");
      if (box) { box.classList.remove("en-erreur"); }
      message.parentNode.removeChild(message);
    });
    var summary = document.getElementById("resume-erreurs");
    if (summary && !issues.length) { summary.parentNode.removeChild(summary); }
  }

  function live(form) {
    var aside = document.getElementById("resultats");
    var status = document.getElementById("etat");
    var box = document.getElementById("resultats-contenu");
    if (!aside || !status || !box || !window.fetch || !window.FormData) { return; }
    var timer = null;
    var sequence = 0;

    function refresh() {
      var mine = ++sequence;
      var data = new FormData(form);
      fetch("/profil/yaml", { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.text(); })
        .then(function (yaml) {
          var options = { method: "POST", body: yaml, credentials: "same-origin", headers: { "Content-Type": "application/yaml" } };
          return Promise.all([fetch("/api/calc", options), fetch("/api/check", options)]);
        })
        .then(function (responses) {
          return Promise.all(responses.map(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); }));
        })
        .then(function (answers) {
          if (mine !== sequence) { return; }
          box.textContent = "";
          if (answers[0].status === 422) {
            renderIssues(box, status, answers[0].body.erreurs);
            clearFixed(answers[0].body.erreurs);
          } else if (answers[0].status === 200 && answers[1].status === 200) {
            renderResults(box, status, aside, answers[0].body, answers[1].body);
            clearFixed([]);
          } else {
            status.textContent = "Le calcul n'a pas pu être mis à jour : choisissez « Calculer les heures et relire ».";
          }
          aside.setAttribute("data-a-jour", String(mine));
        })
        .catch(function () {
          if (mine === sequence) { status.textContent = "Le calcul n'a pas pu être mis à jour : choisissez « Calculer les heures et relire »."; }
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  // a page restored by Back from the browser's memory shows what it showed then: load the saved draft instead
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && document.getElementById("formulaire")) { window.location.reload(); }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onLoad);
  } else {
    onLoad();
  }
})();
