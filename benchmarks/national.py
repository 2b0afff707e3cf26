"""National-scale benchmark: capture and audit of a synthetic web of thousands of sites.

    uv run --group bench python benchmarks/national.py              # 2,000 sites, defaults
    uv run --group bench python benchmarks/national.py --rapide     # a few minutes
    uv run --group bench python benchmarks/national.py --sites 4000 --latence 0.3 --workers 2

1. **The synthetic web.** ``--sites`` communes (pseudo-French names, population, e-mail,
   telephone) in a registry file of the user-CSV format, and one site each, written as
   sample-web folders (``site.toml`` + files) and served by the sample web itself
   (:class:`barometre.sampleweb.SampleWeb`: its HTTP and HTTPS servers, its test CA with
   one certificate per site, its test DNS server answering A, MX, SPF and DMARC for every
   name). Each site looks like a commune's WordPress site: a home page of 60 to 150 KB
   (mega-menu twice, inline styles, news and agenda, footer), robots.txt with a Sitemap
   line, a sitemap of 50 to 70 addresses, legal notice, accessibility statement (and
   its two PDFs), privacy, contact, online procedures, news, council, budget, open data
   (two sites in five), two RSS feeds, some links that redirect (``/contact`` →
   ``/contact/``), the apex name redirecting to ``www``: the crawl plan finds 20 to 25
   requests' worth on each. Some sites are HTTP only (6 %), on the apex name (3 %) or
   gone from the DNS (3 %). Every answer waits ``--latence`` seconds first. The web is
   written once per set of options and reused from ``--dossier``.
2. **Capture** as ``barometre capture`` does it (``capture_edition``, the CLI's fetch
   settings, DNS and TLS facts), at the politeness of the settings' defaults unless
   ``--delai``, ``--en-vol`` or ``--requetes`` say otherwise: sites per minute, requests
   per second, peak RSS, RSS after a quarter of the sites and at the end (memory growth),
   and the share of the politeness bound reached. The bound is computed per site from the
   hosts it asked, in order, as the server saw them: one request at a time per host,
   ``latence`` per answer, ``delai`` between two requests to one host; divided by the
   sites in flight. The server checks the politeness it receives (most requests at once
   to one host, shortest pause between two). Extrapolated time of 22,000 sites.
3. **Workers** (``--workers N``, N ≥ 2): the same capture again, into a fresh edition,
   by N processes started together on the same list, each taking every site under its
   lease in the database (``storage/lease_repo.py``, as ``barometre capture`` run twice
   does): speed-up against one process. Task-queue workers (issue 17) plug in at
   :func:`start_capture_workers`. At the default politeness one process already keeps
   about one core busy, and the web server needs some too: on a 2-core machine that run
   is bound by the processor. So the speed-up is measured a second time on a capture
   bound by its waits (``--es-sites`` served sites, ``--es-en-vol`` sites in flight per
   process, as when each worker has its own cores): 1 process, then N.
4. **Audit** of the captured edition (``audit_edition``, the library function of
   ``barometre audit``): sites per minute and RSS after a quarter of the sites and at the
   end.
5. **Rendering** (``--rendu K``): K sites captured again with ``render=True`` (Chromium,
   ``/usr/bin/chromium`` or ``CHROME_PATH``), without politeness pause so that the time
   is the rendering's: wall time and CPU time (capture process and browser) per site,
   sites per minute and per core.

Each stage runs in its own child process (peak RSS from ``os.wait4``; this process never
imports barometre: on Linux a child's ``ru_maxrss`` starts at its parent's high-water
mark). Everything stays on 127.0.0.1; no name leaves the test DNS. The figures and the
ratios against the targets are printed, and written as JSON to ``<dossier>/resultats.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SAMPLE_SITES = ROOT / "src" / "barometre" / "sampleweb" / "sites"
NATIONAL_SITES = 22_000  # official sites of the national edition (issue 17)
TARGET_SECONDS = 3600.0  # the national capture without rendering, on one machine
FLAT_LIMIT_MB = 25.0  # growth between a quarter of the sites and all of them
GENERATOR_VERSION = 2  # bump when the generated web changes (invalidates --dossier)
AGENT = "BarometreNumeriqueTerritoires"
EDITIONS = {
    "capture": "2031-01",
    "workers": "2031-02",
    "rendu": "2031-03",
    "io-1": "2031-04",
    "io-n": "2031-05",
}


def audit_driver() -> Any:
    """The audit's library function (the one place to change when it moves to audit/)."""
    from barometre.audit.edition import audit_edition

    return audit_edition


# -- the synthetic web ---------------------------------------------------------------------

STARTS = [
    "Bel",
    "Mar",
    "Cha",
    "Vil",
    "Mon",
    "Fon",
    "Ro",
    "Ber",
    "Lan",
    "Pra",
    "Sau",
    "Tré",
    "Cour",
    "Ger",
    "Val",
    "Bru",
    "Clai",
    "Dam",
    "Es",
    "Gra",
    "Lor",
    "Mé",
    "Or",
    "Pey",
    "Quin",
    "Ri",
    "Ser",
    "Ta",
    "Ver",
    "Ai",
    "Bou",
    "Cas",
    "Lu",
    "Sal",
    "Mau",
    "Pon",
    "Vau",
]
MIDDLES = ("", "an", "e", "in", "ou", "er", "i", "al", "on", "ar", "eu", "ob")
ENDS = [
    "ville",
    "court",
    "mont",
    "ac",
    "y",
    "ières",
    "igny",
    "eau",
    "ans",
    "ange",
    "ot",
    "ens",
    "ay",
    "oux",
    "ain",
    "ard",
    "euil",
    "as",
    "ieu",
    "and",
    "ol",
    "argues",
    "ouse",
    "ère",
]
PREFIXES = ("", "", "", "", "Saint-", "Sainte-", "Le ", "La ", "Les ")
SUFFIXES = (
    "",
    "",
    "",
    "",
    "-sur-Loire",
    "-en-Vallée",
    "-les-Bains",
    "-le-Château",
    "-la-Forêt",
    "-sur-Mer",
    "-en-Bois",
    "-sous-Roche",
)
FIRST_NAMES = [
    "Marie",
    "Jean",
    "Nathalie",
    "Pierre",
    "Isabelle",
    "Philippe",
    "Sylvie",
    "Michel",
    "Catherine",
    "Alain",
    "Sophie",
    "Patrick",
    "Christine",
    "Bernard",
    "Valérie",
    "Éric",
    "Sandrine",
    "Thierry",
    "Laurence",
    "Daniel",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
]
STREETS = (
    "place de la Mairie",
    "rue de l'Église",
    "place du Général-de-Gaulle",
    "rue de la République",
    "grande Rue",
    "place de la Libération",
    "rue Jean-Jaurès",
    "avenue de la Gare",
)
HOSTS = (
    ("OVH SAS", "2 rue Kellermann, 59100 Roubaix"),
    ("Ikoula", "175-177 rue d'Aguesseau, 92100 Boulogne-Billancourt"),
    ("o2switch", "222 boulevard Gustave-Flaubert, 63000 Clermont-Ferrand"),
    ("Scaleway", "8 rue de la Ville-l'Évêque, 75008 Paris"),
)
MENU = {
    "Ma mairie": (
        ("Le maire et les élus", "/ma-mairie/les-elus/"),
        ("Le conseil municipal", "/vie-municipale/conseil-municipal/"),
        ("Les services municipaux", "/ma-mairie/services-municipaux/"),
        ("Horaires et coordonnées", "/ma-mairie/horaires/"),
        ("Budget et finances", "/vie-municipale/budget"),
        ("Recrutement", "/ma-mairie/recrutement/"),
        ("Marchés publics", "/ma-mairie/marches-publics/"),
        ("Le bulletin municipal", "/ma-mairie/bulletin-municipal/"),
    ),
    "Démarches": (
        ("État civil", "/vos-services/etat-civil/"),
        ("Carte d'identité et passeport", "/vos-services/identite/"),
        ("Urbanisme", "/vos-services/urbanisme/"),
        ("Élections", "/vos-services/elections/"),
        ("Cimetière", "/vos-services/cimetiere/"),
        ("Recensement citoyen", "/vos-services/recensement/"),
        ("Location de salles", "/vos-services/salles/"),
        ("Signaler un problème", "/vos-services/signalement/"),
    ),
    "Enfance et jeunesse": (
        ("Petite enfance", "/enfance/petite-enfance/"),
        ("Écoles", "/enfance/ecoles/"),
        ("Restauration scolaire", "/enfance/restauration/"),
        ("Accueil périscolaire", "/enfance/periscolaire/"),
        ("Centre de loisirs", "/enfance/centre-de-loisirs/"),
        ("Conseil municipal des jeunes", "/enfance/cmj/"),
    ),
    "Cadre de vie": (
        ("Environnement", "/cadre-de-vie/environnement/"),
        ("Déchets et tri", "/cadre-de-vie/dechets/"),
        ("Travaux en cours", "/cadre-de-vie/travaux/"),
        ("Transports", "/cadre-de-vie/transports/"),
        ("Sécurité et prévention", "/cadre-de-vie/securite/"),
        ("Plan local d'urbanisme", "/cadre-de-vie/plu/"),
    ),
    "Culture et loisirs": (
        ("Médiathèque", "/loisirs/mediatheque/"),
        ("Associations", "/loisirs/associations/"),
        ("Équipements sportifs", "/loisirs/sport/"),
        ("Patrimoine", "/loisirs/patrimoine/"),
        ("Fêtes et cérémonies", "/loisirs/fetes/"),
        ("Tourisme", "/loisirs/tourisme/"),
    ),
    "Solidarités": (
        ("CCAS", "/solidarites/ccas/"),
        ("Seniors", "/solidarites/seniors/"),
        ("Logement", "/solidarites/logement/"),
        ("Santé", "/solidarites/sante/"),
        ("Emploi", "/solidarites/emploi/"),
    ),
}
SENTENCES = (
    "La municipalité poursuit la rénovation énergétique des bâtiments communaux, à commencer "
    "par l'école élémentaire et la salle des fêtes.",
    "Les inscriptions pour la rentrée scolaire se font en mairie, aux heures d'ouverture, sur "
    "présentation du livret de famille et d'un justificatif de domicile.",
    "Le conseil municipal s'est réuni en séance publique pour adopter le budget primitif et "
    "voter les taux des taxes locales.",
    "Les travaux de voirie de la rue principale entraîneront une circulation alternée pendant "
    "trois semaines ; merci de votre compréhension.",
    "La médiathèque propose chaque mercredi une heure du conte pour les enfants de trois à "
    "huit ans, sur inscription.",
    "Le marché hebdomadaire se tient le samedi matin sur la place, avec une quinzaine de "
    "producteurs locaux.",
    "Le centre communal d'action sociale accompagne les habitants dans leurs démarches "
    "d'aide sociale, de logement et d'accès aux droits.",
    "La collecte des encombrants aura lieu le premier lundi du mois ; les objets doivent être "
    "sortis la veille au soir.",
    "Un registre des personnes vulnérables est ouvert en mairie pour prévenir les risques liés "
    "aux épisodes de canicule.",
    "Les associations qui souhaitent obtenir une subvention déposent leur dossier avant la fin "
    "du mois auprès du secrétariat.",
    "Le plan local d'urbanisme est consultable en mairie et sur le géoportail de l'urbanisme.",
    "La fibre optique est désormais disponible dans la plupart des hameaux de la commune.",
    "Les jeunes de seize ans doivent se faire recenser en mairie dans les trois mois qui "
    "suivent leur anniversaire.",
    "La commémoration de l'armistice réunira les anciens combattants, les élus et les écoliers "
    "devant le monument aux morts.",
    "Le city-stade du parc municipal a été rénové et reste en accès libre tous les jours.",
    "Une permanence de la conseillère numérique France Services se tient le jeudi après-midi "
    "à la mairie.",
    "Le repas des aînés est offert aux habitants de plus de soixante-dix ans ; pensez à vous "
    "inscrire avant la date limite.",
    "L'éclairage public est désormais éteint de minuit à cinq heures du matin, sauf dans le "
    "centre-bourg.",
    "Les demandes de permis de construire et de déclaration préalable peuvent être déposées en "
    "ligne sur le guichet numérique des autorisations d'urbanisme.",
    "La bibliothèque de rue installée près de l'école fonctionne sur le principe du don et de "
    "l'échange de livres.",
    "Le comité des fêtes recherche des bénévoles pour l'organisation de la fête de la musique.",
    "La mairie sera exceptionnellement fermée le lundi de Pâques ; une permanence d'état civil "
    "est assurée le samedi matin.",
    "Les horaires de la déchetterie intercommunale changent à compter du premier avril.",
    "La réserve communale de sécurité civile a été créée par délibération du conseil municipal.",
)
EVENTS = (
    "Concert de l'harmonie municipale",
    "Vide-greniers du printemps",
    "Conseil municipal en séance publique",
    "Exposition de peinture à la médiathèque",
    "Randonnée des sentiers communaux",
    "Atelier numérique pour les seniors",
    "Fête de la musique",
    "Cinéma en plein air",
    "Collecte de sang",
    "Cérémonie du 8 mai",
    "Loto de l'association des parents d'élèves",
    "Marché de Noël",
)
NEWS_TITLES = (
    "Budget primitif : les grandes orientations de l'année",
    "Travaux de voirie rue principale",
    "Inscriptions scolaires pour la rentrée",
    "Nouveaux horaires de la mairie",
    "Recensement de la population : merci de votre accueil",
    "Plan canicule : inscrivez-vous sur le registre",
    "Ouverture de la fibre optique",
    "Rénovation de la salle des fêtes",
    "Compte rendu du dernier conseil municipal",
    "Collecte des encombrants",
    "Le marché du samedi s'agrandit",
    "Élections : procurations et bureaux de vote",
    "Une conseillère numérique à la mairie",
    "Repas des aînés",
    "Fermeture exceptionnelle de la médiathèque",
    "Appel aux bénévoles du comité des fêtes",
    "Consultation sur le plan local d'urbanisme",
    "Nouveau parcours de santé au parc",
)


def slug(text: str) -> str:
    """ASCII, lower case, words joined by hyphens (« Saint-Étienne » → saint-etienne)."""
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out, dash = [], False
    for char in flat:
        if char.isalnum():
            out.append(char)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def date_fr(day: date) -> str:
    """« 1er mars 2026 »: the project's one French date (vocab.fr)."""
    from barometre.vocab import fr

    return fr.day(day)


def names(count: int, rng: random.Random, taken: set[str]) -> list[str]:
    """``count`` distinct pseudo-French commune names (distinct slugs too)."""
    out: list[str] = []
    seen = set(taken)
    while len(out) < count:
        root = rng.choice(STARTS) + rng.choice(MIDDLES) + rng.choice(ENDS)
        prefix = rng.choice(PREFIXES)
        if prefix in ("Le ", "La ") and root[0] in "AEIOUÉ":
            prefix = "L'"
        name = prefix + root + rng.choice(SUFFIXES)
        key = slug(name)
        if key in seen:
            continue
        seen.add(key)
        out.append(name)
    return out


class Texts:
    """Pools of paragraphs, style sheets and menus, made once and reused by every site
    (a page is a join of ready pieces: writing 2,000 sites takes seconds)."""

    def __init__(self, rng: random.Random) -> None:
        self.paragraphs = [" ".join(rng.sample(SENTENCES, rng.randint(3, 6))) for _ in range(400)]
        self.styles = [self._style(rng, theme) for theme in range(4)]
        self.menu = self._menu()

    def para(self, rng: random.Random, count: int) -> str:
        return "\n".join(f"<p>{esc(p)}</p>" for p in rng.sample(self.paragraphs, count))

    @staticmethod
    def _style(rng: random.Random, theme: int) -> str:
        rules = []
        for n in range(rng.randint(130, 220)):
            rules.append(
                f".wp-block-theme{theme}-c{n}{{margin:{rng.randint(0, 32)}px "
                f"{rng.randint(0, 24)}px;padding:0 {rng.randint(0, 20)}px;color:#"
                f"{rng.randrange(0x1000000):06x};font-size:{rng.randint(12, 28)}px;"
                f"line-height:1.{rng.randint(2, 8)}}}"
            )
        return '<style id="global-styles-inline-css">\n' + "\n".join(rules) + "\n</style>"

    @staticmethod
    def _menu() -> str:
        parts = []
        for n, (section, items) in enumerate(MENU.items()):
            links = "\n".join(
                f'<li class="menu-item menu-item-type-post_type"><a href="{href}" '
                f'class="menu-link">{esc(label)}</a></li>'
                for label, href in items
            )
            parts.append(
                f'<li class="menu-item menu-item-has-children">'
                f'<button class="sous-menu-bouton" aria-expanded="false" '
                f'aria-controls="sous-menu-{n}">{esc(section)}</button>\n'
                f'<ul class="sub-menu" id="sous-menu-{n}">\n{links}\n</ul></li>'
            )
        return "\n".join(parts)


class Site:
    """One synthetic commune and its site (what the generator decided for it)."""

    def __init__(self, n: int, name: str, rng: random.Random, today: date) -> None:
        self.n = n
        self.name = name
        self.key = slug(name)
        roll = rng.random()
        self.gone = roll < 0.03  # declared in the registry, absent from the DNS
        self.apex = 0.03 <= roll < 0.06  # served on the apex name, www redirects to it
        self.https = not (0.06 <= roll < 0.12)
        apex = f"{self.key}.test"
        self.host = apex if self.apex else f"www.{apex}"
        self.alias = f"www.{apex}" if self.apex else apex
        self.origin = f"{'https' if self.https else 'http'}://{self.host}"
        self.population = int(10 ** rng.uniform(2.0, 4.9))
        self.code = f"99{n:05d}"
        self.siren = f"2{n:08d}"
        self.email = f"mairie@{apex}"
        self.phone = f"01 99 {n // 10000 % 100:02d} {n // 100 % 100:02d} {n % 100:02d}"
        self.mayor = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        self.street = f"{rng.randint(1, 40)} {rng.choice(STREETS)}"
        self.postcode = f"99{rng.randint(100, 999)}"
        self.provider = rng.choice(HOSTS)
        self.theme = rng.randrange(4)
        self.opendata = rng.random() < 0.4
        self.analytics = rng.choice(("gtag", "gtag", "matomo", "none", "none"))
        self.consent = rng.random() < 0.3
        self.video = rng.random() < 0.2
        self.mx = rng.random() < 0.7
        self.dmarc = rng.random() < 0.4
        self.conformity = rng.choice(
            ("partiellement conforme", "non conforme", "partiellement conforme")
        )
        self.rate = rng.randint(35, 92)
        self.today = today
        self.news = [
            (
                title,
                today - timedelta(days=rng.randint(1, 120)),
                rng.randrange(400),
            )
            for title in rng.sample(NEWS_TITLES, 12)
        ]
        self.news.sort(key=lambda item: item[1], reverse=True)

    # -- pieces shared by every page of the site --

    def head(self, texts: Texts, title: str) -> str:
        feeds = (
            f'<link rel="alternate" type="application/rss+xml" title="{esc(self.name)} &raquo; Flux" '
            f'href="{self.origin}/feed/">\n'
            f'<link rel="alternate" type="application/rss+xml" title="{esc(self.name)} &raquo; '
            f'Flux des commentaires" href="{self.origin}/comments/feed/">'
        )
        ld = json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "GovernmentOrganization",
                "name": f"Mairie de {self.name}",
                "url": f"{self.origin}/",
                "telephone": self.phone,
                "email": self.email,
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": self.street,
                    "postalCode": self.postcode,
                    "addressLocality": self.name,
                    "addressCountry": "FR",
                },
            },
            ensure_ascii=False,
        )
        tracking = ""
        if self.analytics == "gtag":
            tracking = (
                '<script async src="https://www.googletagmanager.com/gtag/js?id=G-4B7C2D9E1F"></script>\n'
                "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
                "gtag('js',new Date());gtag('config','G-4B7C2D9E1F');</script>"
            )
        elif self.analytics == "matomo":
            tracking = (
                "<script>var _paq=window._paq=window._paq||[];_paq.push(['trackPageView']);"
                "(function(){var u='https://stats.agence-web.test/';_paq.push(['setTrackerUrl',u+'matomo.php']);"
                "_paq.push(['setSiteId','" + str(self.n % 500) + "']);})();</script>"
            )
        return f"""<!DOCTYPE html>
<html lang="fr-FR">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} – {esc(self.name)}</title>
<meta name="description" content="Site officiel de la mairie de {esc(self.name)} : démarches, actualités, vie municipale, services.">
<meta name="generator" content="WordPress 6.{4 + self.theme}.{self.n % 3}">
{feeds}
<link rel="https://api.w.org/" href="{self.origin}/wp-json/">
<link rel="stylesheet" id="theme-style-css" href="/wp-content/themes/commune-{self.theme}/style.css?ver=2.{self.theme}.1" media="all">
<link rel="stylesheet" id="wp-block-library-css" href="/wp-includes/css/dist/block-library/style.min.css?ver=6.5.2" media="all">
<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
<script type="application/ld+json">{ld}</script>
{texts.styles[self.theme]}
{tracking}
</head>
"""

    def header(self, texts: Texts) -> str:
        nav = texts.menu
        return f"""<body class="page-template-default page wp-embed-responsive theme-{self.theme}">
<!-- Page synthétique écrite pour le Baromètre numérique des territoires (banc d'essai national). -->
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#contenu">Aller au contenu</a>
<header id="masthead" class="site-header" role="banner">
<div class="site-branding">
<a href="/" rel="home"><img src="/wp-content/uploads/logo-{self.key}.png" alt="Mairie de {esc(self.name)} – accueil" width="220" height="90"></a>
<p class="site-description">Site officiel de la commune de {esc(self.name)}</p>
</div>
<form role="search" method="get" class="search-form" action="/"><label for="recherche">Rechercher sur le site</label>
<input type="search" id="recherche" name="s"><button type="submit">Rechercher</button></form>
<nav id="site-navigation" class="main-navigation" aria-label="Menu principal">
<ul class="menu" id="menu-principal">
{nav}
</ul>
</nav>
<nav class="mobile-navigation" aria-label="Menu mobile" hidden>
<ul class="menu" id="menu-mobile">
{nav}
</ul>
</nav>
</header>
<main id="contenu" class="site-main">
"""

    def footer(self) -> str:
        links = [
            ("Mentions légales", "/mentions-legales"),
            (f"Accessibilité : {self.conformity}", "/accessibilite/"),
            ("Données personnelles", "/donnees-personnelles/"),
            ("Démarches en ligne", "/demarches-en-ligne/"),
            ("Actualités", "/actualites"),
            ("Contact", "/contact"),
            ("Plan du site", "/plan-du-site/"),
        ]
        if self.opendata:
            links.insert(4, ("Données ouvertes", "/donnees-ouvertes/"))
        items = "\n".join(f'<li><a href="{href}">{esc(label)}</a></li>' for label, href in links)
        consent = (
            '<script src="/wp-content/plugins/tarteaucitron/tarteaucitron.js?ver=1.19"></script>\n'
            "<script>tarteaucitron.init({privacyUrl:'/donnees-personnelles/',orientation:'bottom'});</script>"
            if self.consent
            else ""
        )
        return f"""</main>
<footer id="colophon" class="site-footer" role="contentinfo">
<div class="footer-coordonnees">
<p><strong>Mairie de {esc(self.name)}</strong><br>{esc(self.street)}<br>{self.postcode} {esc(self.name)}</p>
<p>Téléphone : <a href="tel:+33{self.phone[1:].replace(" ", "")}">{self.phone}</a><br>
Courriel : <a href="mailto:{self.email}">{self.email}</a></p>
<p>Ouverture au public : du lundi au vendredi de 8 h 30 à 12 h et de 14 h à 17 h 30, le samedi de 9 h à 12 h.</p>
</div>
<ul class="reseaux-sociaux">
<li><a href="https://www.facebook.com/mairie.{self.key}">Facebook</a></li>
<li><a href="https://www.instagram.com/{self.key.replace("-", "_")}">Instagram</a></li>
</ul>
<nav aria-label="Liens utiles"><ul class="footer-menu">
{items}
</ul></nav>
<p class="copyright">© {self.today.year} Mairie de {esc(self.name)} – réalisation : agence web.</p>
</footer>
</div>
<script src="/wp-content/themes/commune-{self.theme}/js/navigation.js?ver=2.{self.theme}.1" id="navigation-js"></script>
<script src="/wp-includes/js/wp-embed.min.js?ver=6.5.2"></script>
{consent}
</body>
</html>
"""

    def page(self, texts: Texts, title: str, body: str, rng: random.Random | None = None) -> str:
        """A page of the site; with ``rng``, padded to 35 to 90 KB with more text (the
        size of a CMS page: menus, inline styles and the page's own content)."""
        if rng is not None:
            target = rng.randint(35_000, 90_000) - 37_000
            extra: list[str] = []
            while len(body) + sum(len(part) for part in extra) < target:
                extra.append(f"<h2>{esc(rng.choice(NEWS_TITLES))}</h2>\n{texts.para(rng, 3)}")
            body += "\n" + "\n".join(extra)
        crumbs = (
            f'<nav class="fil-ariane" aria-label="Fil d\'Ariane"><a href="/">Accueil</a> › '
            f'<span aria-current="page">{esc(title)}</span></nav>'
        )
        return (
            self.head(texts, title)
            + self.header(texts)
            + f'{crumbs}\n<article class="page"><h1>{esc(title)}</h1>\n{body}\n</article>\n'
            + self.footer()
        )

    # -- the pages --

    def teaser(self, texts: Texts, title: str, day: date, para: int) -> str:
        path = f"/{day.year}/{day.month:02d}/{slug(title)}/"
        excerpt = texts.paragraphs[para][:280]
        return (
            f'<article class="actu"><a href="{path}" tabindex="-1"><img src="/wp-content/uploads/'
            f'{day.year}/{day.month:02d}/{slug(title)}-640x360.jpg" alt="" width="640" height="360" '
            f'loading="lazy"></a><div class="actu-contenu"><p class="actu-date"><time '
            f'datetime="{day.isoformat()}">{date_fr(day)}</time></p><h3><a href="{path}">'
            f"{esc(title)}</a></h3><p>{esc(excerpt)}…</p></div></article>"
        )

    def home(self, texts: Texts, rng: random.Random, size: int) -> str:
        quick = "\n".join(
            f'<li><a href="{href}">{esc(label)}</a></li>' for label, href in MENU["Démarches"]
        )
        video = (
            '<iframe title="Présentation de la commune en vidéo" width="560" height="315" '
            'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" allowfullscreen></iframe>'
            if self.video
            else ""
        )
        top = f"""<section class="une"><h1>Bienvenue à {esc(self.name)}</h1>
<p>{self.population:,} habitants – commune du département fictif de l'Exemple</p>
{video}</section>
<section class="acces-rapide"><h2>En un clic</h2><ul>
{quick}
<li><a href="/demarches-en-ligne/">Démarches en ligne</a></li>
</ul></section>
<section class="actualites"><h2>Actualités</h2>
""".replace(",", "\u202f")
        news = [self.teaser(texts, t, d, p) for t, d, p in self.news]
        events = []
        for n in range(8):
            day = self.today + timedelta(days=3 + 5 * n)
            events.append(
                f'<li class="evenement"><time datetime="{day.isoformat()}">{date_fr(day)}</time> '
                f'<a href="/agenda/{slug(EVENTS[(self.n + n) % len(EVENTS)])}/">'
                f"{esc(EVENTS[(self.n + n) % len(EVENTS)])}</a></li>"
            )
        middle = (
            "\n".join(news)
            + '\n<p><a href="/actualites">Toutes les actualités</a></p></section>\n'
            + '<section class="agenda"><h2>Agenda</h2><ul>\n'
            + "\n".join(events)
            + "\n</ul></section>\n"
        )
        head = self.head(texts, "Accueil") + self.header(texts)
        tail = self.footer()
        filler = []
        used = len(head) + len(top) + len(middle) + len(tail)
        while used < size:
            chunk = (
                f'<section class="mot-du-maire"><h2>{esc(rng.choice(NEWS_TITLES))}</h2>\n'
                f"{texts.para(rng, 3)}</section>\n"
            )
            filler.append(chunk)
            used += len(chunk)
        return head + top + middle + "".join(filler) + tail

    def legal(self, texts: Texts, rng: random.Random) -> str:
        host, address = self.provider
        body = f"""<h2>Éditeur du site</h2>
<p>Mairie de {esc(self.name)}, {esc(self.street)}, {self.postcode} {esc(self.name)}.
Téléphone : {self.phone}. Courriel : <a href="mailto:{self.email}">{self.email}</a>.
SIREN : {self.siren}.</p>
<h2>Directeur de la publication</h2>
<p>{esc(self.mayor)}, maire de {esc(self.name)}.</p>
<h2>Hébergement</h2>
<p>{host}, {address}.</p>
<h2>Propriété intellectuelle</h2>
{texts.para(rng, 2)}
<h2>Données personnelles</h2>
<p>Les données recueillies par les formulaires du site sont traitées par la mairie pour
répondre à vos demandes. Vous disposez d'un droit d'accès, de rectification et
d'effacement : voir la page <a href="/donnees-personnelles/">Données personnelles</a>.</p>
{texts.para(rng, 4)}
<h2>Cookies</h2>
{texts.para(rng, 2)}"""
        return self.page(texts, "Mentions légales", body, rng)

    def accessibility(self, texts: Texts, rng: random.Random) -> str:
        body = f"""<p>La mairie de {esc(self.name)} s'engage à rendre son site internet accessible
conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005.</p>
<p>Cette déclaration d'accessibilité s'applique au site {self.origin}/.</p>
<h2>État de conformité</h2>
<p>Le site {self.origin}/ est {self.conformity} avec le référentiel général d'amélioration
de l'accessibilité (RGAA), version 4.1.2.</p>
<h2>Résultats des tests</h2>
<p>L'audit de conformité réalisé par un prestataire révèle que {self.rate} % des critères du
RGAA version 4 sont respectés.</p>
<h2>Contenus non accessibles</h2>
<ul><li>Certaines images n'ont pas d'alternative textuelle pertinente.</li>
<li>Certains documents PDF ne sont pas balisés.</li>
<li>Le contraste de certains textes est insuffisant.</li></ul>
{texts.para(rng, 2)}
<h2>Établissement de cette déclaration d'accessibilité</h2>
<p>Cette déclaration a été établie le {date_fr(self.today - timedelta(days=200))}.</p>
<p><a href="/wp-content/uploads/2025/01/declaration-accessibilite.pdf">Télécharger la déclaration
d'accessibilité (PDF)</a></p>
<p><a href="/wp-content/uploads/2025/01/schema-pluriannuel-accessibilite-2025-2027.pdf">Schéma
pluriannuel de mise en accessibilité 2025-2027 (PDF)</a></p>
<h2>Retour d'information et contact</h2>
<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter la
mairie : <a href="mailto:{self.email}">{self.email}</a>, ou par courrier.</p>
<h2>Voies de recours</h2>
<p>Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu, que vous
nous l'avez signalé et que vous n'avez pas obtenu de réponse satisfaisante, vous êtes en droit
de faire parvenir vos doléances au Défenseur des droits.</p>
{texts.para(rng, 2)}"""
        return self.page(texts, "Déclaration d'accessibilité", body, rng)

    def privacy(self, texts: Texts, rng: random.Random) -> str:
        body = f"""<p>La mairie de {esc(self.name)} traite vos données personnelles dans le respect du
règlement général sur la protection des données (RGPD) et de la loi Informatique et libertés.</p>
<h2>Responsable de traitement</h2><p>Mairie de {esc(self.name)}, représentée par son maire.</p>
<h2>Délégué à la protection des données</h2><p>Le délégué mutualisé du centre de gestion :
<a href="mailto:dpo@cdg-exemple.test">dpo@cdg-exemple.test</a>.</p>
<h2>Vos droits</h2>
{texts.para(rng, 3)}
<p>Vous pouvez adresser une réclamation à la Commission nationale de l'informatique et des
libertés (CNIL).</p>
{texts.para(rng, 3)}"""
        return self.page(texts, "Données personnelles", body, rng)

    def contact(self, texts: Texts, rng: random.Random) -> str:
        body = f"""<p>Mairie de {esc(self.name)}, {esc(self.street)}, {self.postcode} {esc(self.name)}.</p>
<p>Téléphone : {self.phone}. Courriel : <a href="mailto:{self.email}">{self.email}</a>.</p>
<form class="formulaire-contact" method="post" action="/contact/">
<p><label for="nom">Nom et prénom (obligatoire)</label><input id="nom" name="nom" required autocomplete="name"></p>
<p><label for="courriel">Courriel (obligatoire)</label><input id="courriel" name="courriel" type="email" required autocomplete="email"></p>
<p><label for="objet">Objet</label><input id="objet" name="objet"></p>
<p><label for="message">Message</label><textarea id="message" name="message" rows="6"></textarea></p>
<p><button type="submit">Envoyer</button></p>
</form>
<p>Les informations recueillies servent à répondre à votre demande : voir
<a href="/donnees-personnelles/">Données personnelles</a>.</p>
<iframe title="Plan d'accès à la mairie" src="https://www.openstreetmap.org/export/embed.html?bbox=2.1,46.1,2.2,46.2" width="600" height="300"></iframe>
{texts.para(rng, 2)}"""
        return self.page(texts, "Contact", body, rng)

    def procedures(self, texts: Texts, rng: random.Random) -> str:
        items = "\n".join(
            f'<li><a href="https://www.service-public.fr/particuliers/vosdroits/F{1000 + n}">'
            f"{esc(label)}</a></li>"
            for n, (label, _) in enumerate(MENU["Démarches"])
        )
        body = f"""<p>Plusieurs démarches peuvent se faire en ligne, sans vous déplacer.</p>
<ul>{items}
<li><a href="https://www.mesdemarches-exemple.test/{self.key}/signalement">Signaler un problème sur la voie publique</a></li>
</ul>
{texts.para(rng, 5)}"""
        return self.page(texts, "Démarches en ligne", body, rng)

    def news_page(self, texts: Texts, rng: random.Random) -> str:
        body = "\n".join(self.teaser(texts, t, d, p) for t, d, p in self.news)
        body += "\n" + texts.para(rng, 6)
        return self.page(texts, "Actualités", body, rng)

    def council(self, texts: Texts, rng: random.Random) -> str:
        sessions = []
        for n in range(10):
            day = self.today - timedelta(days=30 + 45 * n)
            sessions.append(
                f'<li>Séance du {date_fr(day)} : <a href="/wp-content/uploads/{day.year}/'
                f'{day.month:02d}/proces-verbal-{day.isoformat()}.pdf">procès-verbal (PDF)</a>, '
                f'<a href="/wp-content/uploads/{day.year}/{day.month:02d}/liste-deliberations-'
                f'{day.isoformat()}.pdf">liste des délibérations (PDF)</a></li>'
            )
        body = (
            "<p>Le conseil municipal se réunit en séance publique en mairie.</p>\n<h2>Séances"
            "</h2><ul>\n" + "\n".join(sessions) + "\n</ul>\n" + texts.para(rng, 4)
        )
        return self.page(texts, "Le conseil municipal", body, rng)

    def budget(self, texts: Texts, rng: random.Random) -> str:
        year = self.today.year
        body = f"""<p>Le budget primitif {year} a été voté par le conseil municipal.</p>
<ul><li><a href="/wp-content/uploads/{year}/03/budget-primitif-{year}.pdf">Budget primitif {year} (PDF)</a></li>
<li><a href="/wp-content/uploads/{year}/03/presentation-breve-synthetique-{year}.pdf">Présentation brève et synthétique (PDF)</a></li>
<li><a href="/wp-content/uploads/{year - 1}/06/compte-administratif-{year - 1}.pdf">Compte administratif {year - 1} (PDF)</a></li></ul>
{texts.para(rng, 6)}"""
        return self.page(texts, "Budget et finances", body, rng)

    def open_data(self, texts: Texts, rng: random.Random) -> str:
        body = f"""<p>La commune publie ses données sur data.gouv.fr.</p>
<ul><li><a href="https://www.data.gouv.fr/fr/organizations/commune-de-{self.key}/">Nos jeux de données sur data.gouv.fr</a></li></ul>
{texts.para(rng, 3)}"""
        return self.page(texts, "Données ouvertes", body, rng)

    def feed(self, texts: Texts, comments: bool = False) -> str:
        items = []
        for title, day, para in self.news[: 3 if comments else 10]:
            link = f"{self.origin}/{day.year}/{day.month:02d}/{slug(title)}/"
            items.append(
                f"<item><title>{esc(('Commentaires sur ' if comments else '') + title)}</title>"
                f"<link>{link}</link><pubDate>{day.strftime('%a, %d %b %Y')} 09:00:00 +0000"
                f'</pubDate><guid isPermaLink="false">{link}</guid><description>'
                f"{esc(texts.paragraphs[para][:400])}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{esc(self.name)}</title><link>{self.origin}/</link>"
            f"<description>Site officiel de la commune</description><language>fr-FR</language>\n"
            + "\n".join(items)
            + "\n</channel></rss>\n"
        )

    def sitemap(self, rng: random.Random) -> str:
        paths = [
            "/",
            "/mentions-legales/",
            "/accessibilite/",
            "/donnees-personnelles/",
            "/contact/",
            "/demarches-en-ligne/",
            "/actualites/",
            "/vie-municipale/conseil-municipal/",
            "/vie-municipale/budget/",
            "/plan-du-site/",
        ]
        if self.opendata:
            paths.append("/donnees-ouvertes/")
        paths += [
            href if href.endswith("/") else href + "/"
            for items in MENU.values()
            for _, href in items
        ]
        paths += [f"/{d.year}/{d.month:02d}/{slug(t)}/" for t, d, _ in self.news]
        seen = list(dict.fromkeys(paths))[: rng.randint(50, 70)]
        urls = "\n".join(
            f"<url><loc>{self.origin}{p}</loc><lastmod>{self.today.isoformat()}</lastmod></url>"
            for p in seen
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + urls
            + "\n</urlset>\n"
        )

    def robots(self) -> str:
        return (
            "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
            f"Sitemap: {self.origin}/sitemap.xml\n"
        )

    def toml(self, latency: float) -> str:
        server = ("nginx", "Apache", "LiteSpeed")[self.n % 3]
        lines = [
            "# Synthetic site of benchmarks/national.py (generated).",
            'kind = "commune"',
            f'name = "{self.name}"',
            'description = "Site synthétique du banc d\'essai national."',
            f"https = {'true' if self.https else 'false'}",
            f'aliases = ["{self.alias}"]',
            f"latency = {latency}",
            "",
            "[headers]",
            f'"Server" = "{server}"',
            '"X-Powered-By" = "PHP/8.2"',
            "",
        ]
        apex = f"{self.key}.test"
        if self.mx:
            lines += [
                f'[dns."{apex}"]',
                f'MX = ["10 mx1.{apex}."]',
                'TXT = ["v=spf1 mx include:_spf.messagerie-exemple.test -all"]',
                "",
            ]
        if self.dmarc:
            lines += [
                f'[dns."_dmarc.{apex}"]',
                f'TXT = ["v=DMARC1; p=none; rua=mailto:dmarc@{apex}"]',
                "",
            ]
        return "\n".join(lines)


def pdf(title: str, pages: int, rng: random.Random, paragraphs: list[str]) -> bytes:
    """A valid PDF of ``pages`` text pages (Helvetica, uncompressed streams)."""
    objects: list[bytes] = []
    kids = " ".join(f"{4 + 2 * n} 0 R" for n in range(pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for n in range(pages):
        lines = [title if n == 0 else f"{title} (suite)"]
        for text in rng.sample(paragraphs, 6):
            words = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().split()
            for start in range(0, len(words), 12):
                lines.append(" ".join(words[start : start + 12]))
        ops = ["BT /F1 10 Tf 50 800 Td 13 TL"]
        for line in lines[:60]:
            safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({safe}) '")
        ops.append("ET")
        stream = "\n".join(ops).encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {5 + 2 * n} 0 R "
            f"/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def generate(folder: Path, count: int, latency: float, seed: int = 17) -> dict[str, Any]:
    """Write the synthetic web (``folder/sites``) and its registry (``folder/communes.csv``);
    reuse them when ``folder/web.json`` says they were made with the same options."""
    manifest = folder / "web.json"
    wanted = {"version": GENERATOR_VERSION, "sites": count, "latency": latency, "seed": seed}
    if manifest.exists():
        known = json.loads(manifest.read_text(encoding="utf-8"))
        if {k: known.get(k) for k in wanted} == wanted:
            print(f"web synthétique réutilisé : {folder / 'sites'} ({count:,} sites)")
            return dict(known)
    started = time.perf_counter()
    sites_dir = folder / "sites"
    if sites_dir.exists():
        shutil.rmtree(sites_dir)
    manifest.unlink(missing_ok=True)
    sites_dir.mkdir(parents=True)
    rng = random.Random(seed)  # noqa: S311 (synthetic pages, not secrets)
    today = date.today()
    texts = Texts(rng)
    taken = {p.name.removeprefix("www.").removesuffix(".test") for p in SAMPLE_SITES.iterdir()}
    pool = folder / "pdf"
    if pool.exists():
        shutil.rmtree(pool)
    pool.mkdir()
    pdfs = {
        kind: [pool / f"{kind}-{n}.pdf" for n in range(6)] for kind in ("declaration", "schema")
    }
    for kind, documents in pdfs.items():
        title = (
            "Declaration d'accessibilite"
            if kind == "declaration"
            else "Schema pluriannuel de mise en accessibilite"
        )
        for path in documents:
            path.write_bytes(pdf(title, rng.randint(8, 30), rng, texts.paragraphs))
    rows = ["type,code,name,siren,population,region,departement,epci,website,email,phone"]
    total = pages = 0
    for n, name in enumerate(names(count, rng, taken), start=1):
        site = Site(n, name, rng, today)
        rows.append(
            ",".join(
                [
                    "commune",
                    site.code,
                    '"' + name.replace('"', '""') + '"',
                    site.siren,
                    str(site.population),
                    "99",
                    "99",
                    "",
                    f"{site.origin}/",
                    site.email,
                    site.phone,
                ]
            )
        )
        if site.gone:
            continue
        root = sites_dir / site.host
        files: dict[str, str] = {
            "site.toml": site.toml(latency),
            "robots.txt": site.robots(),
            "sitemap.xml": site.sitemap(rng),
            "index.html": site.home(texts, rng, rng.randint(60_000, 150_000)),
            "mentions-legales/index.html": site.legal(texts, rng),
            "accessibilite/index.html": site.accessibility(texts, rng),
            "donnees-personnelles/index.html": site.privacy(texts, rng),
            "contact/index.html": site.contact(texts, rng),
            "demarches-en-ligne/index.html": site.procedures(texts, rng),
            "actualites/index.html": site.news_page(texts, rng),
            "vie-municipale/conseil-municipal/index.html": site.council(texts, rng),
            "vie-municipale/budget/index.html": site.budget(texts, rng),
            "feed/index.rss": site.feed(texts),
            "comments/feed/index.rss": site.feed(texts, comments=True),
            "404.html": site.page(
                texts, "Page introuvable", "<p>La page demandée n'existe pas.</p>"
            ),
        }
        if site.opendata:
            files["donnees-ouvertes/index.html"] = site.open_data(texts, rng)
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            data = text.encode("utf-8")
            path.write_bytes(data)
            total += len(data)
            pages += relative.endswith(".html")
        uploads = root / "wp-content" / "uploads" / "2025" / "01"
        uploads.mkdir(parents=True)
        for kind, target in (
            ("declaration", "declaration-accessibilite.pdf"),
            ("schema", "schema-pluriannuel-accessibilite-2025-2027.pdf"),
        ):
            source = pdfs[kind][n % len(pdfs[kind])]
            os.link(source, uploads / target)  # same bytes, no extra disk
            total += source.stat().st_size
    (folder / "communes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    info = {
        **wanted,
        "today": today.isoformat(),
        "bytes": total,
        "html_pages": pages,
        "served_sites": sum(1 for _ in sites_dir.iterdir()),
        "seconds": round(time.perf_counter() - started, 1),
    }
    manifest.write_text(json.dumps(info, indent=1), encoding="utf-8")
    print(
        f"web synthétique écrit en {info['seconds']:.0f} s : {info['served_sites']:,} sites servis "
        f"sur {count:,} communes, {pages:,} pages HTML, {total / 2**20:,.0f} Mo"
    )
    return info


# -- the web server (child process) ----------------------------------------------------------


def web_child(folder: Path) -> None:
    """``--web FOLDER``: serve ``FOLDER/sites`` with the sample web (HTTP, HTTPS, DNS).

    Prints one JSON line (ports, CA) once serving; then reads commands on stdin, one a
    line: ``stats PATH`` writes what the server saw since the last one (requests, the
    politeness it received, the hosts each site asked in order, its CPU time) and starts
    counting again, then answers ``ok``. Stops at the end of stdin."""
    import asyncio
    import resource as res

    from aiohttp import web as aioweb

    from barometre.sampleweb.server import SampleWeb

    class MeasuredWeb(SampleWeb):
        """The sample web, counting what it receives per host of the synthetic sites."""

        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            self.synthetic = {
                site.host.removeprefix("www.") for site in self.sites if site.kind == "commune"
            }
            self.reset_stats()

        def reset_stats(self) -> None:
            self.requests = 0
            self.busy: dict[str, int] = {}
            self.most_at_once = 0
            self.last_end: dict[str, float] = {}
            self.shortest_gap = float("inf")
            self.sequences: dict[str, list[int]] = {}
            self.clock = time.monotonic()
            usage = res.getrusage(res.RUSAGE_SELF)
            self.cpu = usage.ru_utime + usage.ru_stime

        def stats(self) -> dict[str, Any]:
            usage = res.getrusage(res.RUSAGE_SELF)
            return {
                "requests": self.requests,
                "most_at_once": self.most_at_once,
                "shortest_gap": None if self.shortest_gap == float("inf") else self.shortest_gap,
                "sequences": ["".join(map(str, seq)) for seq in self.sequences.values()],
                "seconds": time.monotonic() - self.clock,
                "cpu_s": usage.ru_utime + usage.ru_stime - self.cpu,
                "rss_mb": usage.ru_maxrss / 1024,
            }

        async def _dispatch(self, request: aioweb.Request) -> aioweb.StreamResponse:
            host = (request.headers.get("Host") or "").rsplit(":", 1)[0].lower()
            site = host.removeprefix("www.")
            if site not in self.synthetic:
                return await super()._dispatch(request)
            self.requests += 1
            now = time.monotonic()
            self.busy[host] = self.busy.get(host, 0) + 1
            self.most_at_once = max(self.most_at_once, self.busy[host])
            if host in self.last_end and self.busy[host] == 1:
                self.shortest_gap = min(self.shortest_gap, now - self.last_end[host])
            self.sequences.setdefault(site, []).append(0 if host.startswith("www.") else 1)
            try:
                return await super()._dispatch(request)
            finally:
                self.busy[host] -= 1
                self.last_end[host] = time.monotonic()

    async def main() -> None:
        web = MeasuredWeb(
            sites_dir=folder / "sites", with_dns=True, tls_per_site=True, shutdown_timeout=0.1
        )
        loop = asyncio.get_running_loop()
        commands: asyncio.Queue[str | None] = asyncio.Queue()

        def read_stdin() -> None:
            for line in sys.stdin:
                loop.call_soon_threadsafe(commands.put_nowait, line.strip())
            loop.call_soon_threadsafe(commands.put_nowait, None)

        async with web:
            assert web.dns is not None
            print(
                json.dumps(
                    {
                        "http": web.http_port,
                        "https": web.https_port,
                        "dns": web.dns.port,
                        "ca": str(web.ca_pem_path),
                        "sites": len(web.synthetic),
                    }
                ),
                flush=True,
            )
            threading.Thread(target=read_stdin, daemon=True).start()
            while (command := await commands.get()) is not None:
                if command.startswith("stats "):
                    path = Path(command.removeprefix("stats "))
                    path.write_text(json.dumps(web.stats()), encoding="utf-8")
                    web.reset_stats()
                    print("ok", flush=True)

    asyncio.run(main())


class WebProcess:
    """The web server child, driven from here."""

    def __init__(self, folder: Path, log: Path) -> None:
        self.folder = folder
        self._log = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--web", str(folder)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.stop()
            sys.exit(f"le web synthétique n'a pas démarré (voir {log})")
        self.info: dict[str, Any] = json.loads(line)
        self.count = 0

    def stats(self) -> dict[str, Any]:
        """What the server saw since the last call (and start counting again)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.count += 1
        path = self.folder.parent / f"web-stats-{self.count}.json"
        self.process.stdin.write(f"stats {path}\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "ok":
            sys.exit("le web synthétique ne répond plus")
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        path.unlink()
        return data

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


# -- the children that run barometre ---------------------------------------------------------


def rss_now_mb() -> float:
    """Resident memory of this process now (not its peak)."""
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def checkpoints(total: int) -> list[int]:
    """Where the memory is read: each quarter of the sites (500 … 2,000 for 2,000)."""
    return sorted({max(1, total * q // 4) for q in (1, 2, 3, 4)})


def setting_defaults() -> dict[str, Any]:
    from barometre.settings import Settings

    fields = Settings.model_fields
    return {
        name: fields[name].default
        for name in (
            "user_agent",
            "capture_per_host_delay",
            "capture_sites_in_flight",
            "capture_max_fetches",
            "capture_timeout",
        )
    }


def prepare_child(params: dict[str, Any]) -> None:
    """``--preparer PARAMS``: a fresh database, the synthetic registry, the editions."""
    from barometre.pipeline.demo import sample_authorities
    from barometre.storage import capture_repo, registry_repo
    from barometre.storage.db import open_database

    engine = open_database(params["database"])
    authorities = sample_authorities(Path(params["registry"]))
    registry_repo.replace_registry(engine, authorities, "banc d'essai national (synthétique)", {})
    for phase, edition in EDITIONS.items():
        capture_repo.ensure_edition(engine, edition, f"Banc d'essai national ({phase})")
    engine.dispose()
    result = {"authorities": len(authorities), "defaults": setting_defaults()}
    Path(params["result"]).write_text(json.dumps(result), encoding="utf-8")


def capture_child(params: dict[str, Any]) -> None:
    """``--capturer PARAMS``: capture the edition's sites as ``barometre capture`` does
    (one process of ``params["workers"]``; the others hold their sites' leases)."""
    import asyncio
    import ssl
    import tracemalloc

    import dns.asyncresolver

    from barometre.capture.run import FactsConfig, Target, capture_edition
    from barometre.net.fetcher import FetchConfig
    from barometre.net.guard import AddressPolicy
    from barometre.net.resolver import GuardedResolver
    from barometre.storage import registry_repo
    from barometre.storage.db import make_engine

    web = params["web"]
    engine = make_engine(params["database"])
    authorities = sorted(registry_repo.load_authorities(engine), key=lambda a: a.code)
    targets = [Target(a.id, a.website.url) for a in authorities if a.website]
    if params.get("limit"):  # the sites the synthetic web serves (not those gone from the DNS)
        served = Path(params["served"])
        targets = [t for t in targets if (served / (urlsplit(t.url).hostname or "")).is_dir()]
        targets = targets[: params["limit"]]
    # Several processes start at different places of the same list (each skips the sites
    # another one holds or finished): the capture driver's leases share the work.
    shift = len(targets) * params["index"] // params["workers"]
    targets = targets[shift:] + targets[:shift]
    config = FetchConfig(  # as barometre capture makes it (cli/capture_cmd.py)
        user_agent=params["user_agent"],
        per_host_delay=params["delay"],
        total_timeout=params["timeout"],
        global_concurrency=max(params["in_flight"], 1),
    )
    resolver = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        nameservers=["127.0.0.1"],
        dns_port=web["dns"],
        port_map={80: web["http"], 443: web["https"]},
    )
    trust = ssl.create_default_context(cafile=web["ca"])
    names = dns.asyncresolver.Resolver(configure=False)
    names.nameservers, names.port = ["127.0.0.1"], web["dns"]
    marks = checkpoints(len(targets))
    state: dict[str, Any] = {"done": 0, "fetches": 0, "times": [], "rss": {}, "snapshot": None}
    go = Path(params["go"])
    print("prêt", flush=True)
    while not go.exists():
        time.sleep(0.01)
    started = time.perf_counter()
    state["rss_start"] = rss_now_mb()

    def on_site(target: Target, site: Any) -> None:
        state["done"] += 1
        state["fetches"] += site.fetches if site is not None else 0
        state["times"].append(time.perf_counter() - started)
        if state["done"] in marks:
            state["rss"][state["done"]] = rss_now_mb()
            if params.get("profile") and state["done"] == marks[0]:
                tracemalloc.start(6)
                state["snapshot"] = tracemalloc.take_snapshot()

    report = asyncio.run(
        capture_edition(
            engine,
            params["edition"],
            targets,
            warc_root=Path(params["warc"]),
            config=config,
            resolver=resolver,
            ssl_context=trust,
            max_fetches=params["max_fetches"],
            sites_in_flight=params["in_flight"],
            agent=AGENT,
            facts=FactsConfig(dns=names, trust=trust, timeout=10),
            render=params.get("render", False),
            chromium=params.get("chromium", "/usr/bin/chromium"),
            on_site=on_site,
        )
    )
    elapsed = time.perf_counter() - started
    growth: list[str] = []
    if state["snapshot"] is not None:
        stats = tracemalloc.take_snapshot().compare_to(state["snapshot"], "traceback")
        for stat in [s for s in stats if s.size_diff > 0][:10]:
            frames = [f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback][-6:]
            growth.append(
                f"{stat.size_diff / 2**20:+.2f} Mo ({stat.count_diff:+,} blocs) : "
                + " ← ".join(reversed(frames))
            )
        tracemalloc.stop()
    import resource as res

    own = res.getrusage(res.RUSAGE_SELF)
    kids = res.getrusage(res.RUSAGE_CHILDREN)  # the browser, once closed
    result = {
        "done": report.done,
        "skipped": report.skipped,
        "failed": report.failed[:20],
        "failed_count": len(report.failed),
        "leased": len(report.leased),
        "outcomes": report.outcomes,
        "fetches": state["fetches"],
        "seconds": elapsed,
        "times": state["times"],
        "rss_start": state["rss_start"],
        "rss": state["rss"],
        "rss_end": rss_now_mb(),
        "cpu_s": own.ru_utime + own.ru_stime,
        "children_cpu_s": kids.ru_utime + kids.ru_stime,
        "growth": growth,
    }
    Path(params["result"]).write_text(json.dumps(result), encoding="utf-8")
    engine.dispose()


def audit_child(params: dict[str, Any]) -> None:
    """``--auditer PARAMS``: the whole grid on the captured edition (``barometre audit``),
    or on its first ``limit`` sites."""
    from barometre.methodology import bundled
    from barometre.storage import registry_repo
    from barometre.storage.db import make_engine

    audit_edition = audit_driver()
    engine = make_engine(params["database"])
    selection = None
    if params.get("limit"):  # the first sites in code order (the capture's order)
        everyone = sorted(registry_repo.load_authorities(engine), key=lambda a: a.code)
        selection = everyone[: params["limit"]]
    state: dict[str, Any] = {"done": 0, "rss": {}, "marks": [], "first": None}
    started = time.perf_counter()

    def on_start(total: int) -> None:
        state["first"] = time.perf_counter()
        state["total"] = total
        state["marks"] = checkpoints(total)
        state["rss_start"] = rss_now_mb()

    def on_site(_: str) -> None:
        state["done"] += 1
        if state["done"] in state["marks"]:
            state["rss"][state["done"]] = rss_now_mb()

    report = audit_edition(
        engine,
        params["edition"],
        bundled(),
        selection=selection,
        as_of=date.fromisoformat(params["today"]),
        on_site=on_site,
        on_start=on_start,
    )
    finished = time.perf_counter()
    result = {
        "sites": report.sites,
        "registry_level": report.registry_level,
        "failed": len(report.failed),
        "damaged": len(report.damaged),
        "registry_s": (state["first"] or finished) - started,
        "sites_s": finished - (state["first"] or finished),
        "rss_start": state.get("rss_start"),
        "rss": state["rss"],
    }
    Path(params["result"]).write_text(json.dumps(result), encoding="utf-8")
    engine.dispose()


# -- running the children --------------------------------------------------------------------


def spawn(kind: str, params: dict[str, Any], log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), f"--{kind}", json.dumps(params)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log.open("w", encoding="utf-8"),
        text=True,
    )


def reap(process: subprocess.Popen[str], log: Path) -> dict[str, float]:
    """Wait for a child: its peak RSS and CPU time as the kernel counted them."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        tail = log.read_text(encoding="utf-8").strip().splitlines()[-15:]
        sys.exit(f"processus enfant en échec ({log}) :\n" + "\n".join(tail))
    return {"rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime}


def run_child(kind: str, params: dict[str, Any], work: Path) -> dict[str, Any]:
    result = work / f"{kind}-{params.get('edition', 'x')}.json"
    log = work / f"{kind}-{params.get('edition', 'x')}.log"
    process = spawn(kind, {**params, "result": str(result)}, log)
    started = time.perf_counter()
    usage = reap(process, log)
    data: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return {**data, **usage, "wall_s": time.perf_counter() - started}


def start_capture_workers(count: int, params: dict[str, Any], work: Path) -> dict[str, Any]:
    """Capture one edition with ``count`` processes started together, each taking its
    sites under their leases (what ``barometre capture`` run ``count`` times does).

    This is where task-queue workers plug in (issue 17, Procrastinate): enqueue the
    edition, start ``count`` ``barometre worker`` processes, wait for the queue to drain;
    the measures below (wall time from the start signal, each process's peak RSS and
    CPU time, the sites each did) stay the same."""
    go = work / f"go-{params['edition']}"
    go.unlink(missing_ok=True)
    children = []
    for index in range(count):
        result = work / f"capture-{params['edition']}-{index}.json"
        log = work / f"capture-{params['edition']}-{index}.log"
        child_params = {
            **params,
            "index": index,
            "workers": count,
            "go": str(go),
            "result": str(result),
        }
        process = spawn("capturer", child_params, log)
        children.append((process, result, log))
    for process, _, log in children:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "prêt":
            reap(process, log)
            sys.exit(f"processus de capture non prêt ({log})")
    go.touch()
    started = time.perf_counter()
    rows = []
    for process, result, log in children:
        usage = reap(process, log)
        rows.append({**json.loads(result.read_text(encoding="utf-8")), **usage})
    return {"wall_s": time.perf_counter() - started, "processes": rows}


# -- figures -----------------------------------------------------------------------------------


def ideal_seconds(sequence: str, latency: float, delay: float) -> float:
    """Shortest time one site's requests can take under the politeness rules: in the
    order the server saw them, one at a time, ``latency`` each, ``delay`` between two
    requests to the same host (``0`` is www, ``1`` the apex name)."""
    clock = 0.0
    free: dict[str, float] = {}
    for host in sequence:
        start = max(clock, free.get(host, 0.0))
        clock = start + latency
        free[host] = clock + delay
    return clock


def steady_rate(times: list[float]) -> float:
    """Sites per second between the 10th and the 90th percentile of completions (the
    ramp-up and the tail of a finite run left out)."""
    ordered = sorted(times)
    if len(ordered) < 10:
        return len(ordered) / ordered[-1] if ordered and ordered[-1] > 0 else 0.0
    low, high = ordered[len(ordered) // 10], ordered[len(ordered) * 9 // 10]
    count = len(ordered) * 9 // 10 - len(ordered) // 10
    return count / (high - low) if high > low else 0.0


def duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h".replace(".", ",")
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def capture_figures(
    run: dict[str, Any], web: dict[str, Any], settings: dict[str, Any], processes: int
) -> dict[str, Any]:
    rows = run["processes"]
    times = sorted(t for row in rows for t in row["times"])
    done = sum(row["done"] for row in rows)
    fetches = sum(row["fetches"] for row in rows)
    wall = run["wall_s"]
    ideal = [ideal_seconds(seq, settings["latency"], settings["delay"]) for seq in web["sequences"]]
    slots = settings["in_flight"] * processes
    bound_s = max(sum(ideal) / slots, max(ideal, default=0.0))
    rate = steady_rate(times)
    mean_ideal = sum(ideal) / len(ideal) if ideal else 0.0
    national_bound = NATIONAL_SITES * mean_ideal / slots
    first = rows[0]
    marks = {int(k): v for k, v in first["rss"].items()}
    quarter, last = (min(marks), max(marks)) if marks else (0, 0)
    growth = marks[last] - marks[quarter] if marks else 0.0
    outcomes: dict[str, int] = {}
    for row in rows:
        for key, value in row["outcomes"].items():
            outcomes[key] = outcomes.get(key, 0) + value
    return {
        "processes": processes,
        "sites": done,
        "skipped": sum(row["skipped"] for row in rows),
        "failed": sum(row["failed_count"] for row in rows),
        "failures": [f for row in rows for f in row["failed"]][:5],
        "outcomes": outcomes,
        "wall_s": wall,
        "sites_per_min": done / wall * 60,
        "steady_sites_per_min": rate * 60,
        "fetches": fetches,
        "fetches_per_site": fetches / done if done else 0.0,
        "requests": web["requests"],
        "requests_per_s": web["requests"] / wall,
        "bound_s": bound_s,
        "bound_requests_per_s": web["requests"] / bound_s if bound_s else 0.0,
        "bound_share": bound_s / wall if wall else 0.0,
        "ideal_site_s": mean_ideal,
        "most_at_once": web["most_at_once"],
        "shortest_gap": web["shortest_gap"],
        "national_s": NATIONAL_SITES / rate if rate else float("inf"),
        "national_bound_s": national_bound,
        "rss_mb": [row["rss_mb"] for row in rows],
        "cpu_s": [row["cpu_s"] for row in rows],
        "rss_marks": marks,
        "rss_growth_mb": growth,
        "growth_per_1000": growth / (last - quarter) * 1000 if last > quarter else 0.0,
        # What a machine with one free core per capture process would do, whatever the
        # load here: the capture's CPU time for 22,000 sites against the politeness bound.
        "cpu_per_site_s": sum(row["cpu_s"] for row in rows) / done if done else 0.0,
        "national_cpu_s": NATIONAL_SITES * sum(row["cpu_s"] for row in rows) / done
        if done
        else 0.0,
        "web_cpu_s": web["cpu_s"],
        "web_rss_mb": web["rss_mb"],
        "tracemalloc": first["growth"],
    }


def print_capture(title: str, f: dict[str, Any], settings: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(
        f"  {f['sites']:,} sites en {duration(f['wall_s'])} : {f['sites_per_min']:,.0f} sites/min "
        f"({f['steady_sites_per_min']:,.0f} en régime établi), {f['requests_per_s']:,.1f} "
        f"requêtes/s, {f['fetches_per_site']:.1f} requêtes par site ; issues : "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(f["outcomes"].items()))
        + (f" ; {f['failed']} échecs : {f['failures']}" if f["failed"] else "")
    )
    print(
        f"  borne de politesse ({settings['in_flight'] * f['processes']} sites en vol, "
        f"délai {settings['delay']:g} s par hôte, latence {settings['latency']:g} s, une "
        f"requête à la fois par hôte) : {duration(f['bound_s'])}, "
        f"{f['bound_requests_per_s']:,.1f} requêtes/s ; atteinte à "
        f"{f['bound_share'] * 100:.0f} %"
    )
    gap = f["shortest_gap"]
    print(
        f"  politesse reçue par le serveur : au plus {f['most_at_once']} requête(s) à la fois "
        f"par hôte, pause minimale {'—' if gap is None else f'{gap:.2f} s'} entre deux"
    )
    marks = f["rss_marks"]
    print(
        "  mémoire : RSS max "
        + " + ".join(f"{mb:.0f}" for mb in f["rss_mb"])
        + " Mo ; RSS courant "
        + ", ".join(f"{mb:.0f} Mo à {n:,} sites" for n, mb in sorted(marks.items()))
        + f" (croissance {f['rss_growth_mb']:+.0f} Mo, {f['growth_per_1000']:+.1f} Mo pour "
        f"1 000 sites) ; CPU {' + '.join(f'{c:.0f}' for c in f['cpu_s'])} s, serveur "
        f"{f['web_cpu_s']:.0f} s"
    )
    print(
        f"  CPU de capture {f['cpu_per_site_s'] * 1000:.0f} ms par site : {NATIONAL_SITES:,} "
        f"sites demandent {duration(f['national_cpu_s'])} d'un cœur (borne de politesse "
        f"nationale à {settings['in_flight'] * f['processes']} sites en vol : "
        f"{duration(f['national_bound_s'])}) ; sur une machine libre, la capture nationale "
        f"prend le plus long des deux par processus"
    )
    for line in f["tracemalloc"]:
        print(f"    {line}")


def io_bound_pair(
    args: argparse.Namespace,
    base: dict[str, Any],
    settings: dict[str, Any],
    web: WebProcess,
    data: Path,
    work: Path,
) -> dict[str, Any]:
    """1 process, then ``args.workers``, each with ``args.es_en_vol`` sites in flight on the
    first ``args.es_sites`` served sites: a capture bound by the waits (latency and
    politeness), not by the processor, as on machines where each worker has its cores."""
    local = {**settings, "in_flight": args.es_en_vol}
    runs = []
    for count, phase in ((1, "io-1"), (args.workers, "io-n")):
        measured_run = start_capture_workers(
            count,
            {
                **base,
                "edition": EDITIONS[phase],
                "warc": str(data / "warc"),
                "in_flight": args.es_en_vol,
                "limit": args.es_sites,
                "served": str(Path(base["served"])),
                "profile": False,
            },
            work,
        )
        figures = capture_figures(measured_run, web.stats(), local, count)
        print_capture(
            f"capture limitée par les entrées-sorties, {count} processus "
            f"({args.es_en_vol} sites en vol chacun, {load_note()}) :",
            figures,
            local,
        )
        runs.append(figures)
    one, several = runs
    result = {
        "sites": one["sites"],
        "in_flight": args.es_en_vol,
        "speedup": one["wall_s"] / several["wall_s"],
        "steady_speedup": (
            several["steady_sites_per_min"] / one["steady_sites_per_min"]
            if one["steady_sites_per_min"]
            else 0.0
        ),
        "runs": runs,
    }
    print(
        f"  accélération {result['speedup']:.2f} × en durée, {result['steady_speedup']:.2f} × "
        f"en régime établi pour {args.workers} processus (objectif de l'issue 17 : 1,7 × pour 2)"
    )
    return result


def print_targets(national: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    lines = [
        f"capture nationale ({NATIONAL_SITES:,} sites) extrapolée du régime établi : "
        f"{duration(national['national_s'])}, soit {national['national_s'] / TARGET_SECONDS:.2f} × "
        f"l'objectif d'1 h (borne de politesse : {duration(national['national_bound_s'])})",
        f"mémoire : {national['rss_growth_mb']:+.0f} Mo entre le quart et la fin "
        f"({national['growth_per_1000']:+.1f} Mo pour 1 000 sites, "
        f"{national['growth_per_1000'] * NATIONAL_SITES / 1000:+.0f} Mo extrapolés à "
        f"{NATIONAL_SITES:,} sites)",
    ]
    return lines


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"charge moyenne {one:.1f} (1 min), {five:.1f} (5 min), {os.cpu_count()} cœurs"


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    work = folder / "travail"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    web_info = generate(folder / "web", args.sites, args.latence)
    data = work / "donnees"
    database = f"sqlite:///{data / 'barometre.sqlite3'}"
    data.mkdir()
    prepared = run_child(
        "preparer",
        {"database": database, "registry": str(folder / "web" / "communes.csv")},
        work,
    )
    defaults = prepared["defaults"]
    settings = {
        "delay": defaults["capture_per_host_delay"] if args.delai is None else args.delai,
        "in_flight": defaults["capture_sites_in_flight"] if args.en_vol is None else args.en_vol,
        "max_fetches": defaults["capture_max_fetches"] if args.requetes is None else args.requetes,
        "latency": args.latence,
    }
    print(
        f"{prepared['authorities']:,} communes au registre ; réglages : délai par hôte "
        f"{settings['delay']:g} s, {settings['in_flight']} sites en vol, "
        f"{settings['max_fetches']} requêtes par site au plus (défauts : "
        f"{defaults['capture_per_host_delay']:g} s, {defaults['capture_sites_in_flight']}, "
        f"{defaults['capture_max_fetches']}) ; latence injectée {args.latence:g} s ; {load_note()}"
    )
    web = WebProcess(folder / "web", work / "web.log")
    summary: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": f"{os.cpu_count()} cœurs",
        "sites": args.sites,
        "settings": settings,
        "defaults": defaults,
        "web": {k: v for k, v in web_info.items() if k != "seed"},
    }
    base = {
        "database": database,
        "web": web.info,
        "user_agent": defaults["user_agent"],
        "timeout": defaults["capture_timeout"],
        "delay": settings["delay"],
        "in_flight": settings["in_flight"],
        "max_fetches": settings["max_fetches"],
        "profile": args.profil,
        "served": str(folder / "web" / "sites"),
    }
    national: dict[str, Any] | None = None
    audited = EDITIONS["capture"]
    try:
        web.stats()
        if not args.sans_defaut:
            run1 = start_capture_workers(
                1,
                {**base, "edition": EDITIONS["capture"], "warc": str(data / "warc")},
                work,
            )
            national = capture_figures(run1, web.stats(), settings, 1)
            print_capture("capture, 1 processus :", national, settings)
            summary["capture"] = national
        if national is not None and args.workers >= 2:
            run_n = start_capture_workers(
                args.workers,
                {
                    **base,
                    "edition": EDITIONS["workers"],
                    "warc": str(data / "warc"),
                    "profile": False,
                },
                work,
            )
            several = capture_figures(run_n, web.stats(), settings, args.workers)
            print_capture(f"capture, {args.workers} processus (baux) :", several, settings)
            several["speedup"] = national["wall_s"] / several["wall_s"]
            print(
                f"  accélération {several['speedup']:.2f} × pour {args.workers} processus "
                f"(objectif de l'issue 17 : 1,7 × pour 2)"
            )
            summary["workers"] = several
        if args.workers >= 2 and args.es_sites:
            summary["io_bound"] = io_bound_pair(args, base, settings, web, data, work)
            if national is None:  # audit what the single process captured
                audited = EDITIONS["io-1"]
        audit: dict[str, Any] = {}
        if not args.sans_audit:
            print(f"\naudit ({load_note()}) :")
            audit = run_child(
                "auditer",
                {
                    "database": database,
                    "edition": audited,
                    "today": web_info["today"],
                    "limit": args.audit_sites,
                },
                work,
            )
            marks = {int(k): v for k, v in audit["rss"].items()}
            audit["sites_per_min"] = (
                audit["sites"] / audit["sites_s"] * 60 if audit["sites_s"] else 0
            )
            audit["rss_growth_mb"] = marks[max(marks)] - marks[min(marks)] if marks else 0.0
            audit["national_s"] = (
                NATIONAL_SITES / audit["sites_per_min"] * 60 if audit["sites_per_min"] else 0
            )
            # CPU time (registry-level criteria included): what the wall time is on a
            # machine with one free core, whatever the load here.
            audit["cpu_per_site_s"] = audit["cpu_s"] / max(1, audit["sites"])
            audit["national_core_h"] = NATIONAL_SITES * audit["cpu_per_site_s"] / 3600
            print(
                f"  critères du registre pour {audit['registry_level']:,} collectivités en "
                f"{audit['registry_s']:.1f} s ; grille complète de {audit['sites']:,} sites en "
                f"{duration(audit['sites_s'])} : {audit['sites_per_min']:,.0f} sites/min "
                f"({audit['sites_s'] / max(1, audit['sites']) * 1000:.0f} ms par site, un cœur) ; "
                f"{NATIONAL_SITES:,} sites : {duration(audit['national_s'])}"
            )
            print(
                f"  CPU {audit['cpu_s']:.0f} s, {audit['cpu_per_site_s']:.2f} s par site : "
                f"{60 / max(audit['cpu_per_site_s'], 1e-9):.0f} sites/min par cœur libre ; "
                f"{NATIONAL_SITES:,} sites : {audit['national_core_h']:.1f} h de cœur"
            )
            print(
                f"  mémoire : RSS max {audit['rss_mb']:.0f} Mo ; RSS courant "
                + ", ".join(f"{mb:.0f} Mo à {n:,} sites" for n, mb in sorted(marks.items()))
                + f" (croissance {audit['rss_growth_mb']:+.0f} Mo)"
            )
            summary["audit"] = audit
        chromium = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
        if args.rendu and not Path(chromium).exists():
            print(f"\nrendu : Chromium introuvable ({chromium}), étape sautée")
        elif args.rendu:
            print(f"\nrendu de {args.rendu} sites ({load_note()}) :")
            run_r = start_capture_workers(
                1,
                {
                    **base,
                    "edition": EDITIONS["rendu"],
                    "warc": str(data / "warc"),
                    "delay": 0.0,
                    "limit": args.rendu,
                    "served": str(folder / "web" / "sites"),
                    "render": True,
                    "chromium": chromium,
                    "profile": False,
                },
                work,
            )
            web.stats()
            row = run_r["processes"][0]
            crawled = national or summary["io_bound"]["runs"][0]
            crawl_cpu = sum(crawled["cpu_s"]) / max(1, crawled["sites"])
            cpu = row["cpu_s"] + row["children_cpu_s"]
            render = {
                "sites": row["done"],
                "wall_s": run_r["wall_s"],
                "cpu_s": cpu,
                "cpu_per_site_s": cpu / max(1, row["done"]) - crawl_cpu,
                "sites_per_min": row["done"] / run_r["wall_s"] * 60,
            }
            render["per_core_per_min"] = 60 / render["cpu_per_site_s"]
            render["national_core_h"] = NATIONAL_SITES * render["cpu_per_site_s"] / 3600
            print(
                f"  {render['sites']} sites rendus (bureau et mobile, axe-core) en "
                f"{render['wall_s']:.0f} s : {render['sites_per_min']:.1f} sites/min ; CPU "
                f"(capture et Chromium) {cpu:.0f} s, dont rendu ≈ {render['cpu_per_site_s']:.1f} s "
                f"par site : {render['per_core_per_min']:.1f} sites/min par cœur ; "
                f"{NATIONAL_SITES:,} sites : {render['national_core_h']:.1f} h de cœur"
            )
            summary["render"] = render
    finally:
        web.stop()
    print(f"\nobjectifs ({load_note()}) :")
    if national is not None:
        for line in print_targets(national, settings):
            print(f"  {line}")
    if "workers" in summary:
        print(
            f"  {args.workers} processus aux réglages par défaut : "
            f"{summary['workers']['speedup']:.2f} × un processus (limité par le processeur ici)"
        )
    if "io_bound" in summary:
        io = summary["io_bound"]
        print(
            f"  {args.workers} processus, capture limitée par les entrées-sorties "
            f"({io['in_flight']} sites en vol chacun, {io['sites']:,} sites) : "
            f"{io['speedup']:.2f} × un processus en durée, {io['steady_speedup']:.2f} × en "
            f"régime établi (objectif : 1,7 ×)"
        )
    for key in ("capture", "workers"):
        if key in summary:
            summary[key].pop("tracemalloc", None)
    for row in summary.get("io_bound", {}).get("runs", []):
        row.pop("tracemalloc", None)
    (folder / "resultats.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    children = {
        "--web": lambda value: web_child(Path(value)),
        "--preparer": lambda value: prepare_child(json.loads(value)),
        "--capturer": lambda value: capture_child(json.loads(value)),
        "--auditer": lambda value: audit_child(json.loads(value)),
    }
    if argv[:1] and argv[0] in children:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its children
        children[argv[0]](argv[1])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000, help="communes du web synthétique")
    parser.add_argument(
        "--latence", type=float, default=0.1, help="secondes d'attente avant chaque réponse"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="processus de capture de la seconde mesure (1 : pas de seconde mesure)",
    )
    parser.add_argument("--delai", type=float, help="délai par hôte (défaut : réglages)")
    parser.add_argument("--en-vol", type=int, help="sites en vol (défaut : réglages)")
    parser.add_argument("--requetes", type=int, help="requêtes par site (défaut : réglages)")
    parser.add_argument(
        "--es-sites",
        type=int,
        default=600,
        help="sites de la comparaison 1 / N processus limitée par les entrées-sorties "
        "(0 : pas de comparaison)",
    )
    parser.add_argument(
        "--es-en-vol",
        type=int,
        default=40,
        help="sites en vol par processus dans cette comparaison (assez peu pour que le "
        "processeur ne limite pas)",
    )
    parser.add_argument(
        "--audit-sites",
        type=int,
        default=0,
        help="auditer les N premiers sites seulement (0 : tous)",
    )
    parser.add_argument("--sans-audit", action="store_true", help="capture seulement")
    parser.add_argument(
        "--sans-defaut",
        action="store_true",
        help="sans les captures de tous les sites aux réglages par défaut (1 et N processus) : "
        "la comparaison limitée par les entrées-sorties seulement, puis l'audit de ce "
        "qu'elle a capturé (machine chargée)",
    )
    parser.add_argument(
        "--rendu", type=int, default=12, help="sites rendus par Chromium (0 : aucun)"
    )
    parser.add_argument(
        "--rapide",
        action="store_true",
        help="essai court : 300 sites, délai 0,2 s, 3 rendus (les chiffres ne valent pas "
        "mesure nationale)",
    )
    parser.add_argument(
        "--profil",
        action="store_true",
        help="tracemalloc pendant la capture à un processus : ce qui grandit du quart à la fin",
    )
    parser.add_argument(
        "--dossier",
        type=Path,
        help="garder le web synthétique (réutilisé) et les données ici (défaut : temporaire)",
    )
    args = parser.parse_args(argv)
    if args.rapide:
        args.sites = min(args.sites, 300) if args.sites != 2000 else 300
        args.delai = 0.2 if args.delai is None else args.delai
        args.rendu = min(args.rendu, 3)
        args.es_sites = min(args.es_sites, 120)
        args.es_en_vol = min(args.es_en_vol, 16)
    if args.sites < 4 or args.workers < 1 or args.latence < 0:
        parser.error("--sites ≥ 4, --workers ≥ 1, --latence ≥ 0")
    if args.dossier is not None:
        args.dossier.mkdir(parents=True, exist_ok=True)
        summary = run(args, args.dossier.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="barometre-bench-national-") as folder:
            summary = run(args, Path(folder))
    print(
        json.dumps(
            {k: v for k, v in summary.items() if k != "web"}, ensure_ascii=False, default=str
        )[:4000]
    )


if __name__ == "__main__":
    main()
