/* Page synthétique écrite pour le Baromètre numérique des territoires (jeu d'essai). */
/* Minimal single-page application: every piece of content lives in this script. */
(function () {
  "use strict";
  var MARKER = "<!-- Page synthétique écrite pour le Baromètre numérique des territoires (jeu d'essai). -->";
  var SITE = "Ville de Numérique-Exemple";
  var PAGES = {
  "/": {
    "title": "Accueil",
    "html": "<p>Bienvenue sur le site de Numérique-Exemple, ville connectée de 9 300 habitants.</p><p>Toutes vos démarches sont disponibles en ligne, 24 h/24.</p>"
  },
  "/mentions-legales": {
    "title": "Mentions légales",
    "html": "<h2>Éditeur du site</h2>\n<p>Ville de Numérique-Exemple<br>10 avenue de l'Innovation, 99170 Numérique-Exemple<br>Téléphone : 05 36 49 88 00<br>Courriel : <a href=\"mailto:contact@ville-numerique-exemple.test\">contact@ville-numerique-exemple.test</a></p>\n<p>SIREN : 219 901 022 — SIRET : 219 901 022 00018</p>\n<h2>Directeur de la publication</h2>\n<p>M. Hugo Modèle, maire</p>\n<h2>Hébergement</h2>\n<p>Plateforme Statique Exemple Inc., réseau de diffusion de contenus.</p>\n<h2>Conception et réalisation</h2>\n<p>Application conçue par le studio Réactif Exemple.</p>\n<h2>Propriété intellectuelle</h2>\n<p>L'ensemble des contenus de ce site (textes, photographies, logos) est la propriété de la collectivité, sauf mention contraire. Toute reproduction sans autorisation préalable est interdite. Les photographies sont créditées sous chaque image.</p>\n<h2>Données personnelles</h2>\n<p>Les informations recueillies par les formulaires sont destinées aux seuls services de la collectivité. Conformément au règlement général sur la protection des données (RGPD) et à la loi « Informatique et libertés », vous disposez d'un droit d'accès, de rectification et d'effacement des données vous concernant. Pour l'exercer, écrivez au délégué à la protection des données : <a href=\"mailto:dpo@ville-numerique-exemple.test\">dpo@ville-numerique-exemple.test</a>.</p>\n<p>Vous pouvez également adresser une réclamation à la Commission nationale de l'informatique et des libertés (<a href=\"https://www.cnil.fr/\">CNIL</a>).</p>\n<h2>Cookies</h2>\n<p>Ce site n'utilise que des cookies techniques et une mesure d'audience anonyme exemptée de consentement.</p>"
  },
  "/accessibilite": {
    "title": "Déclaration d'accessibilité",
    "html": "<p>Ville de Numérique-Exemple s'engage à rendre ses sites internet, intranet, extranet et ses progiciels accessibles conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005.</p>\n<p>Cette déclaration d'accessibilité s'applique au site <strong>www.ville-numerique-exemple.test</strong>.</p>\n<h2>État de conformité</h2>\n<p>Le site www.ville-numerique-exemple.test est <strong>non conforme</strong> avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1.</p>\n<h2>Résultats des tests</h2>\n<p>L'audit de conformité réalisé en mai 2024 par le studio Réactif Exemple révèle que <strong>38 %</strong> des critères du RGAA version 4.1 sont respectés.</p>\n<h2>Contenus non accessibles</h2>\n<h3>Non-conformités</h3>\n<ul>\n<li>Le contenu n'est pas disponible sans JavaScript (critère 13.2).</li>\n</ul>\n<h2>Établissement de cette déclaration d'accessibilité</h2>\n<p>Cette déclaration a été établie le 14 mars 2024.</p>\n<h3>Technologies utilisées pour la réalisation du site</h3>\n<ul><li>HTML5</li><li>CSS</li><li>JavaScript</li></ul>\n<h2>Retour d'information et contact</h2>\n<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter le responsable du site à l'adresse <a href=\"mailto:contact@ville-numerique-exemple.test\">contact@ville-numerique-exemple.test</a> pour être orienté vers une alternative accessible.</p>\n<h2>Voies de recours</h2>\n<p>Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu et que vous n'avez pas obtenu de réponse satisfaisante, vous êtes en droit de saisir le Défenseur des droits : <a href=\"https://formulaire.defenseurdesdroits.fr/\">formulaire en ligne</a>, ou par courrier (gratuit, sans affranchissement) : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.</p>"
  },
  "/contact": {
    "title": "Contact",
    "html": "<p>Mairie de Numérique-Exemple<br>10 avenue de l'Innovation, 99170 Numérique-Exemple</p>\n<p>Téléphone : <a href=\"tel:0536498800\">05 36 49 88 00</a><br>\nCourriel : <a href=\"mailto:contact@ville-numerique-exemple.test\">contact@ville-numerique-exemple.test</a></p>\n<h2>Horaires d'ouverture au public</h2>\n<table class=\"horaires\">\n<caption>Horaires d'accueil</caption>\n<tr><th scope=\"row\">Lundi</th><td>8 h 30 – 12 h / 13 h 30 – 17 h 30</td></tr>\n<tr><th scope=\"row\">Mardi</th><td>8 h 30 – 12 h / 13 h 30 – 17 h 30</td></tr>\n<tr><th scope=\"row\">Mercredi</th><td>8 h 30 – 12 h</td></tr>\n<tr><th scope=\"row\">Jeudi</th><td>8 h 30 – 12 h / 13 h 30 – 17 h 30</td></tr>\n<tr><th scope=\"row\">Vendredi</th><td>8 h 30 – 12 h / 13 h 30 – 16 h 30</td></tr>\n</table>\n<h2>Nous écrire</h2>\n<form method=\"post\" action=\"/api/contact\" class=\"contact-form\">\n<p><label for=\"nom\">Nom et prénom (obligatoire)</label> <input type=\"text\" id=\"nom\" name=\"nom\" required autocomplete=\"name\"></p>\n<p><label for=\"courriel\">Adresse électronique (obligatoire)</label> <input type=\"email\" id=\"courriel\" name=\"courriel\" required autocomplete=\"email\"></p>\n<p><label for=\"message\">Votre message</label> <textarea id=\"message\" name=\"message\" rows=\"6\"></textarea></p>\n<p><button type=\"submit\">Envoyer</button></p>\n</form>"
  },
  "/demarches-en-ligne": {
    "title": "Démarches en ligne",
    "html": "<ul><li><a href=\"https://www.service-public.fr/\">Service-Public.fr</a></li><li><a href=\"/demarches-en-ligne\" data-link>Prendre rendez-vous pour un titre d'identité</a></li></ul>"
  },
  "/actualites": {
    "title": "Actualités",
    "html": "<article><h2>Fibre optique : tous les foyers raccordables</h2><p><time datetime=\"2025-02-28\">28 février 2025</time></p></article>"
  }
};
  var NAV = [["Accueil", "/"], ["Démarches en ligne", "/demarches-en-ligne"], ["Actualités", "/actualites"], ["Contact", "/contact"]];
  var LEGAL = [["Mentions légales", "/mentions-legales"], ["Accessibilité : non conforme", "/accessibilite"]];
  var SOCIAL = [["Facebook", "https://www.facebook.com/NumeriqueExemple"], ["Instagram", "https://www.instagram.com/numerique_exemple/"], ["YouTube", "https://www.youtube.com/@NumeriqueExemple"]];

  function links(items, attrs) {
    return items.map(function (item) {
      return '<a href="' + item[1] + '"' + attrs + ">" + item[0] + "</a>";
    }).join(" ");
  }

  function render() {
    var path = window.location.pathname.replace(/\/+$/, "") || "/";
    var page = PAGES[path] || { title: "Page introuvable", html: "<p>Cette page n'existe pas.</p>" };
    document.title = page.title + " | " + SITE;
    document.getElementById("app").innerHTML =
      MARKER +
      '<header class="app-header"><p class="app-logo">' + SITE + "</p>" +
      '<nav aria-label="Menu principal">' + links(NAV, " data-link") + "</nav></header>" +
      '<main><h1>' + page.title + "</h1>" + page.html + "</main>" +
      '<footer class="app-footer"><p>' + links(SOCIAL, ' rel="noopener"') + "</p>" +
      "<p>" + links(LEGAL, " data-link") + "</p>" +
      "<p>Application réalisée par le studio Réactif Exemple</p></footer>";
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-link]");
    if (!link) { return; }
    event.preventDefault();
    window.history.pushState(null, "", link.getAttribute("href"));
    render();
  });
  window.addEventListener("popstate", render);
  render();

  // Alerts (weather, works): the application keeps asking its server once the page has
  // loaded, one question at a time, as notification and chat widgets do. The server
  // answers slowly, so a question is always in flight.
  function showAlerts(alerts) {
    if (!alerts.length) { return; }
    var banner = document.createElement("p");
    banner.className = "alerte";
    banner.textContent = alerts[0].texte;
    document.querySelector("main").prepend(banner);
  }
  function poll() {
    fetch("/api/alertes.json", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(showAlerts, function () {})
      .then(function () { window.setTimeout(poll, 1000); });
  }
  window.addEventListener("load", poll);
})();
