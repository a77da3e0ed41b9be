/* clausegen — petit script facultatif : chaque page fonctionne sans lui.
   - place le focus sur le résumé des erreurs (ou sur le champ ajouté, ou sur l'aperçu) ;
   - un lien vers un champ ouvre la section repliée qui le contient et lui donne le focus ;
   - dans le formulaire du profil, recalcule les heures et la revue pendant la saisie : le formulaire est
     envoyé sans être enregistré (/profil/panneau) et le panneau de la réponse remplace celui-ci ;
   - une valeur usuelle (« 7 % ») remplit son champ sans envoyer le formulaire. */
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

  // -- usual values in one click ---------------------------------------------------------------------
  // Without the script the button posts the form and the server sets the value (« valeur:CHAMP=VALEUR »).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.valeur-usuelle") : null;
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-champ"));
    if (!field) { return; }
    event.preventDefault();
    field.value = button.getAttribute("data-valeur");
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  });

  // -- live results --------------------------------------------------------------------------------
  // The form is posted as « Calculer les heures et relire » would post it and the panel of the answer
  // replaces this one: the messages are the server's, in the form's words (labels, never YAML keys).

  // Errors shown by the server for fields the new answer no longer refuses are removed (new ones are shown
  // by « Calculer les heures et relire », not while the user types); the summary goes once nothing is left.
  function clearFixed(still, none) {
    Array.prototype.forEach.call(document.querySelectorAll("#formulaire .message-erreur"), function (message) {
      if (still[message.id]) { return; }
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
    if (summary && none) { summary.parentNode.removeChild(summary); }
  }

  function live(form) {
    var aside = document.getElementById("resultats");
    var status = document.getElementById("etat");
    var box = document.getElementById("resultats-contenu");
    if (!aside || !status || !box || !window.fetch || !window.FormData || !window.DOMParser) { return; }
    var timer = null;
    var sequence = 0;

    function failed() {
      status.textContent = "Le calcul n'a pas pu être mis à jour : choisissez « Calculer les heures et relire ».";
    }

    function refresh() {
      var mine = ++sequence;
      var data = new FormData(form);
      fetch("/profil/panneau", { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.text(); })
        .then(function (html) {
          if (mine !== sequence) { return; }
          var page = new DOMParser().parseFromString(html, "text/html");
          var content = page.getElementById("resultats-contenu");
          var state = page.getElementById("etat");
          if (!content || !state) { failed(); return; }
          box.innerHTML = content.innerHTML;
          status.textContent = state.textContent;
          var still = {};
          Array.prototype.forEach.call(page.querySelectorAll("#formulaire .message-erreur"), function (m) { still[m.id] = true; });
          clearFixed(still, !page.getElementById("resume-erreurs"));
          aside.setAttribute("data-a-jour", String(mine));
        })
        .catch(function () { if (mine === sequence) { failed(); } });
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
