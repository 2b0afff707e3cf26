"""Publishing benchmark: the site of the national registry-level edition against Eleventy.

    npm ci --prefix benchmarks          # once: Eleventy, pinned in benchmarks/package-lock.json
    uv run --group bench python benchmarks/publish.py [--dossier /tmp/bench-publish]

1. The national registry-level edition (the embedded registry, ≈36,000 collectivités,
   registry-level audit, scores) is prepared once in ``--dossier`` (reused when it is
   already there) as ``barometre run`` does it offline (``run_audit(registry_only=True)``,
   ``run_score``), then the open data the peer reads is exported from it.
2. barometre builds the whole site of the edition as ``barometre publish`` does
   (``site_inputs`` from the scoring stage, then ``SiteBuilder.build``), in a child
   process: wall time, peak RSS (``ru_maxrss`` of the child, from ``os.wait4``), HTML
   pages and bytes written, pages per second; inside the child, the RSS every 5 % of
   the report cards, so that a growth during the card phase shows even when the peak
   is reached elsewhere, and the time and RSS of each step of the builder. This process
   stays small and never imports barometre (the edition is prepared in a child too):
   on Linux a child's ``ru_maxrss`` starts at its parent's high-water mark.
3. Flatness: the same build for 10 %, 50 % and 100 % of the collectivités (``only=`` a
   prefix of the scored ids; rankings, home page and search index stay national), peak
   RSS of each and the ratio peak(100 %) / peak(10 %). ``--profil`` adds a tracemalloc
   run at the smallest fraction (slow: a few minutes at 10 %) that prints what grows
   between the first tenth and the last of the report cards.
4. The peer, in the same run: Eleventy (``@11ty/eleventy``, pinned), one page per
   collectivité (``pagination: size: 1``) from a JSON data file exported from the same
   edition (one record per collectivité: name, code, type, global and dimension scores,
   grade, rank, every criterion line with its status, reason and evidence, the
   recommendations) and a Nunjucks template of the same layout as ours
   (``collectivite.html.j2`` + ``base.html.j2``, same autoescaping, same filters and
   rounding): the pages are the same but for whitespace and the dimension chart, which
   only barometre writes (a ``<figure>`` and a Vega-Lite spec file per card). It runs in
   its own process, measured the same way, at the same fractions. The export is not
   counted in its time: Eleventy gets ready data, barometre reads storage.

Everything is local: no network at all (Eleventy reads and writes files only).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ELEVENTY = BENCH / "node_modules" / ".bin" / "eleventy"
ELEVENTY_PACKAGE = BENCH / "node_modules" / "@11ty" / "eleventy" / "package.json"
NPM_HINT = "lancez « npm ci --prefix benchmarks » (Node.js ≥ 18 requis)"
HUGO = os.environ.get("HUGO", "hugo")  # Debian package « hugo » (/usr/bin/hugo)
HUGO_TARGET = 1.5  # barometre's build within 1.5 × Hugo's time (issue 17)
FRACTIONS = (10, 50, 100)
CURVE_POINTS = 20  # RSS samples during the card phase (every 5 %)
TRACE_FRAMES = 4
PHASES = {
    "_static": "fichiers statiques",
    "_rankings": "classements",
    "_cards": "bulletins",
    "_home": "accueil, synthèse (PDF)",
    "_methodology": "méthodologie",
    "_search": "index de recherche",
    "_pages": "pages fixes, cartes",
}


def quiet_context(data_dir: Path) -> Any:
    from rich.console import Console

    from barometre.cli.context import AppContext

    return AppContext(
        data_dir=data_dir, console=Console(quiet=True), err=Console(stderr=True, quiet=True)
    )


def rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 2**20


# -- preflight ---------------------------------------------------------------------------


def preflight() -> str:
    """Eleventy's version; exit with a French message when Node.js or Eleventy is missing."""
    node = shutil.which("node")
    if node is None:
        sys.exit(f"Node.js introuvable (commande « node ») : installez-le puis {NPM_HINT}.")
    if not ELEVENTY.exists():
        sys.exit(f"Eleventy introuvable ({ELEVENTY.relative_to(BENCH.parent)}) : {NPM_HINT}.")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    if int(version.stdout.strip().lstrip("v").partition(".")[0] or 0) < 18:
        sys.exit(f"Node.js {version.stdout.strip()} trop ancien pour Eleventy : {NPM_HINT}.")
    package = json.loads(ELEVENTY_PACKAGE.read_text(encoding="utf-8"))
    return f"Eleventy {package['version']}, Node.js {version.stdout.strip()}"


# -- the national registry-level edition ---------------------------------------------------


def prepare(data_dir: Path) -> tuple[str, int]:
    """The national registry-level edition in ``data_dir`` (built once, then reused)."""
    from barometre.pipeline import audit as audit_stage
    from barometre.pipeline import registry as registry_stage
    from barometre.pipeline import score as score_stage
    from barometre.pipeline.core import Setup, open_edition
    from barometre.storage import edition_repo, publish_repo

    data_dir.mkdir(parents=True, exist_ok=True)
    context = quiet_context(data_dir)
    engine = context.engine
    for info in edition_repo.list_editions(engine):
        scored = len(publish_repo.scored_ids(engine, info.id))
        if not info.demo and scored:
            print(f"édition nationale réutilisée : {info.id}, {scored:,} collectivités notées")
            engine.dispose()
            return info.id, scored
    edition = f"{date.today():%Y-%m}"
    started = time.perf_counter()
    setup = Setup(context.settings, engine)
    registry_stage.ensure_registry(setup)
    audit_stage.audit(setup, edition, audit_stage.methodology(), registry_only=True)
    score_stage.score(setup, open_edition(engine, edition))
    scored = len(publish_repo.scored_ids(engine, edition))
    print(
        f"édition nationale {edition} préparée (registre embarqué, critères du registre, "
        f"scores) en {time.perf_counter() - started:.0f} s : {scored:,} collectivités notées"
    )
    engine.dispose()
    return edition, scored


# -- the peer's data: one record per report card -------------------------------------------


def _line(line: Any) -> dict[str, Any]:
    """One criterion line of a card (status, value, reason or default reason, evidence)."""
    out: dict[str, Any] = {"s": line.status.value}
    if line.value is not None:
        out["v"] = line.value
    if line.reason == "Critère non applicable à cette collectivité." and not line.measured:
        out["d"] = 1
    elif line.reason == "Non mesuré dans cette édition (site non capturé)." and not line.measured:
        out["d"] = 2
    elif line.reason:
        out["m"] = line.reason
    if line.evidence:
        out["p"] = [
            {k: v for k, v in (("u", e.url), ("t", e.text), ("h", e.header), ("n", e.note)) if v}
            for e in line.evidence[:6]
        ]
    if line.explanation:
        out["x"] = {
            "label": line.explanation.label,
            "text": line.explanation.text,
            "received": str(line.explanation.received),
            "expires": str(line.explanation.expires),
        }
    return out


def _record(context: Any, place: str, ranking_url: str | None) -> dict[str, Any]:
    """What one report card shows, from barometre's own view of it (``card_context``)."""
    from barometre.publish.site.views import card_path
    from barometre.vocab.fr import month as edition_label

    a = context.authority
    g = context.global_score
    return {
        "url": card_path(a.kind.value, a.code),
        "nom": a.name,
        "code": a.code,
        "type": context.kind_label,
        "population": a.population,
        "lieu": place,
        "site": a.website.url if a.website else None,
        "score": None
        if g is None
        else {"valeur": g.value, "note": g.grade, "rang": g.rank, "couverture": g.coverage},
        "groupe": {"titre": context.group_title, "taille": context.group_size, "url": ranking_url},
        "decompte": dict(context.counts),
        "dimensions": {
            d.id: {
                "valeur": d.score.value if d.score else None,
                "couverture": d.score.coverage if d.score else 0,
                "mediane": d.peer_median,
            }
            for d in context.dimensions
        },
        "resultats": {
            line.criterion.id: _line(line) for d in context.dimensions for line in d.lines
        },
        "recommandations": [
            {"code": r.code, "base": r.basis, "pairs": r.peers_text}
            for r in context.recommendations
        ],
        "comptes": [
            {
                "plateforme": acc.platform,
                "compte": acc.handle,
                "url": acc.url,
                "etat": acc.state,
                "lisible": acc.readable,
                "source": acc.source,
                "motif": acc.reason,
                "chiffres": [list(f) for f in acc.figures],
            }
            for acc in context.accounts
        ],
        "decouvertes": {
            category: [{"nom": f.name, "url": f.url} for f in items[:12]]
            for category, items in context.findings.items()
        },
        "historique": [[edition_label(e), v, g] for e, v, g in context.history],
    }


def export_peer_data(data_dir: Path, edition: str, target: Path) -> tuple[int, float]:
    """The edition's report cards as the peer's JSON data (streamed: one record a line),
    and the global data its template needs (the grid, the edition's banner)."""
    from barometre.audit import load_methodology
    from barometre.models import AuthorityKind
    from barometre.pipeline.publish import site_inputs
    from barometre.publish.site.builder import FINDING_CATEGORIES
    from barometre.publish.site.views import card_context, place_of, ranking_path
    from barometre.storage import edition_repo, publish_repo, registry_repo
    from barometre.vocab import fr

    started = time.perf_counter()
    context = quiet_context(data_dir)
    engine = context.engine
    info = edition_repo.get_edition(engine, edition)
    grid = load_methodology(info.methodology_version or "")
    inputs = site_inputs(context.settings, engine, edition, grid, created=info.created_at)
    sizes = Counter(row.peer_group for row in publish_repo.ranking(engine, edition))
    medians = publish_repo.dimension_medians(engine, edition)
    earlier = publish_repo.earlier_editions(engine, edition, demo=info.demo)
    names = {
        (a.kind.value, a.code): a.name
        for a in registry_repo.load_authorities(
            engine, kinds=[AuthorityKind.REGION, AuthorityKind.DEPARTEMENT]
        )
    }
    target.mkdir(parents=True, exist_ok=True)
    site = {
        "title": "Baromètre numérique des territoires",
        "edition_fr": fr.month(edition),
        "edition_title": "édition de démonstration"
        if info.demo
        else f"édition {fr.month(edition)}",
        "demo": info.demo,
        "methodology": grid.version,
        "frozen": info.frozen_at.date().isoformat() if info.frozen_at else None,
        "manifest": info.manifest_sha256 or "",
        "built": date.today().isoformat(),
        "min_coverage": grid.scoring.min_coverage,
        "accessibility_status": "partiellement conforme",
    }
    dimensions: list[dict[str, Any]] = [
        {
            "id": dimension.id,
            "code": dimension.code,
            "nom": dimension.name,
            "question": dimension.question,
            "criteres": [
                {
                    "id": c.id,
                    "code": c.code,
                    "nom": c.name,
                    "nature": c.nature,
                    "base": c.basis,
                    "conseil": c.advice,
                }
                for c in criteria
            ],
        }
        for dimension, criteria in grid.by_dimension()
    ]
    by_code = {c["code"]: c for d in dimensions for c in d["criteres"]}
    (target / "grille.json").write_text(
        json.dumps(
            {
                "site": site,
                "dimensions": dimensions,
                "criteres": by_code,
                "categories": FINDING_CATEGORIES,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    count = 0
    partial = target / "bulletins-100.json.en-cours"
    with partial.open("w", encoding="utf-8") as out:
        out.write("[\n")
        pending: list[Any] = []

        def flush() -> None:
            nonlocal count
            explanations: Any = {}
            if inputs.explanations is not None and pending:
                explanations = inputs.explanations([c.authority.id for c in pending])
            for card in pending:
                view = card_context(
                    card,
                    grid,
                    group_sizes=sizes,
                    peer_medians=medians,
                    explanations=explanations.get(card.authority.id, {}),
                    recommendations=inputs.recommendations(card) if inputs.recommendations else (),
                )
                group = card.global_score.peer_group if card.global_score else None
                record = _record(
                    view,
                    place_of(card.authority, names),
                    ranking_path(group) if group else None,
                )
                out.write(("," if count else "") + json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
            pending.clear()

        for card in publish_repo.iter_cards(engine, edition, earlier=earlier):
            pending.append(card)
            if len(pending) >= publish_repo.CHUNK:
                flush()
        flush()
        out.write("]\n")
    partial.rename(target / "bulletins-100.json")
    engine.dispose()
    return count, time.perf_counter() - started


def prefix_file(full: Path, fraction: int, total: int) -> Path:
    """The first ``fraction`` % of the records of the full data file (same id order)."""
    if fraction >= 100:
        return full
    target = full.with_name(f"bulletins-{fraction}.json")
    wanted = count_for(fraction, total)
    with full.open(encoding="utf-8") as source, target.open("w", encoding="utf-8") as out:
        out.write(next(source))  # "["
        for n, line in enumerate(source):
            if n >= wanted:
                break
            out.write(line)
        out.write("]\n")
    return target


def count_for(fraction: int, total: int) -> int:
    return max(1, total * fraction // 100)


# -- the peer's project: Eleventy, Nunjucks, the same layout as ours -----------------------

ELEVENTY_CONFIG = r"""// Eleventy project of benchmarks/publish.py (written by the benchmark).
const fs = require("node:fs");

const NNBSP = "\u202f";
const MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
  "septembre", "octobre", "novembre", "décembre"];
const LABELS = { pass: "réussi", partial: "partiel", fail: "échec",
  not_applicable: "non applicable", not_measurable: "non mesurable" };
const SYMBOLS = { pass: "✓", partial: "◐", fail: "✗", not_applicable: "–", not_measurable: "?" };

function escape(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" }[c]));
}
function fixed(value, digits) {
  // Python rounds an exact tie to even, toFixed rounds it up: round as Python does.
  const scale = 10 ** digits;
  const twice = value * scale * 2;
  if (Number.isInteger(twice) && twice % 2 !== 0 && twice / 2 / scale === value) {
    const low = Math.floor(twice / 2);
    return ((low % 2 === 0 ? low : low + 1) / scale).toFixed(digits);
  }
  return value.toFixed(digits);
}
function nombre(value, digits = 0) {
  if (value === null || value === undefined) return "—";
  const [int, dec] = fixed(Number(value), digits).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, NNBSP);
  return dec ? `${grouped},${dec}` : grouped;
}
function pourcent(value, digits = 0) {
  return value === null || value === undefined ? "—" : `${nombre(value * 100, digits)}${NNBSP}%`;
}
function score(value) {
  return value === null || value === undefined ? "—" : nombre(value, 1);
}
function dateFr(value) {
  if (!value) return "—";
  const [y, m, d] = String(value).slice(0, 10).split("-").map(Number);
  return `${d === 1 ? "1er" : d} ${MONTHS[m - 1]} ${y}`;
}
function safeUrl(url) {
  if (!url) return null;
  try {
    const parsed = new URL(String(url).trim());
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.host
      ? String(url).trim() : null;
  } catch { return null; }
}
function lien(url, text) {
  const shown = text ?? url ?? "";
  const target = safeUrl(url);
  if (target === null) return `<span class="texte-lien">${escape(shown)}</span>`;
  return `<a href="${escape(target)}" rel="noopener noreferrer nofollow">${escape(shown)}</a>`;
}
function tronque(text, length = 160) {
  if (!text) return "";
  const flat = String(text).split(/\s+/).filter(Boolean).join(" ");
  return flat.length <= length ? flat : `${flat.slice(0, length - 1).trimEnd()}…`;
}
function statut(status) {
  return `<span class="statut statut-${status.replace("_", "-")}"><span aria-hidden="true">`
    + `${SYMBOLS[status]}</span> ${LABELS[status]}</span>`;
}
function note(grade) {
  if (!grade) return '<span class="note note-aucune" title="Couverture insuffisante pour une note">—</span>';
  return `<span class="note note-${grade.toLowerCase()}">${escape(grade)}</span>`;
}

module.exports = function (eleventyConfig) {
  eleventyConfig.setNunjucksEnvironmentOptions({
    autoescape: true, trimBlocks: true, lstripBlocks: true,
  });
  eleventyConfig.addGlobalData("bulletins", () => JSON.parse(
    fs.readFileSync(process.env.BAROMETRE_BULLETINS, "utf-8")));
  const grille = JSON.parse(fs.readFileSync(process.env.BAROMETRE_GRILLE, "utf-8"));
  eleventyConfig.addGlobalData("grille", grille);
  eleventyConfig.addGlobalData("site", grille.site);
  eleventyConfig.addGlobalData("racine", "../../");
  const filters = { nombre, pourcent, score, date_fr: dateFr, lien, tronque, statut, note };
  for (const [name, filter] of Object.entries(filters)) eleventyConfig.addFilter(name, filter);
  eleventyConfig.addFilter("premiers", (items, n) => (items || []).slice(0, n));
  return { templateFormats: ["njk"], htmlTemplateEngine: "njk" };
};
"""

# Same layout as src/barometre/publish/site/templates/base.html.j2. The filters that make
# markup escape what they show and are marked safe; everything else is autoescaped.
ELEVENTY_BASE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'">
<meta name="referrer" content="no-referrer">
<meta name="description" content="{% block description %}{{ site.title }} : mesure ouverte de la présence numérique des collectivités françaises, avec les preuves publiées.{% endblock %}">
<title>{% block title %}{{ site.title }}{% endblock %} — {{ site.title }}, {{ site.edition_title }}</title>
{% block og %}{% endblock %}
<meta property="og:type" content="website">
<meta property="og:site_name" content="{{ site.title }}">
<meta property="og:locale" content="fr_FR">
<link rel="stylesheet" href="{{ racine }}static/site.css">
<link rel="icon" href="{{ racine }}static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{{ racine }}static/css/barometre-charts.css">
{% block head %}{% endblock %}
</head>
<body>
<a class="evitement" href="#contenu">Aller au contenu</a>
<header class="entete" role="banner">
  <div class="conteneur entete-ligne">
    <p class="marque"><a href="{{ racine }}index.html"><span class="marque-nom">{{ site.title }}</span></a></p>
    <nav aria-label="Navigation principale">
      <ul class="menu">
        <li><a href="{{ racine }}classements/index.html"{% if rubrique == "classements" %} aria-current="page"{% endif %}>Classements</a></li>
        <li><a href="{{ racine }}cartes.html"{% if rubrique == "cartes" %} aria-current="page"{% endif %}>Cartes</a></li>
        <li><a href="{{ racine }}recherche.html"{% if rubrique == "recherche" %} aria-current="page"{% endif %}>Chercher une collectivité</a></li>
        <li><a href="{{ racine }}prestataires.html"{% if rubrique == "prestataires" %} aria-current="page"{% endif %}>Prestataires</a></li>
        <li><a href="{{ racine }}methodologie.html"{% if rubrique == "methodologie" %} aria-current="page"{% endif %}>Méthodologie</a></li>
        <li><a href="{{ racine }}donnees.html"{% if rubrique == "donnees" %} aria-current="page"{% endif %}>Données ouvertes</a></li>
      </ul>
    </nav>
  </div>
  <div class="bandeau-edition{% if site.demo %} bandeau-demo{% endif %}">
    <p class="conteneur">
      {% if site.demo %}<strong>Édition de démonstration</strong> : collectivités et sites fictifs du web d'exemple, aucune donnée réelle.
      {% else %}<strong>Édition {{ site.edition_fr }}</strong>{% endif %}
      Méthodologie {{ site.methodology }}.
      {% if site.frozen %}Édition figée le {{ site.frozen | date_fr }} (empreinte <code>{{ site.manifest.slice(0, 12) }}</code>).{% else %}Édition non figée : ses résultats peuvent encore changer.{% endif %}
    </p>
  </div>
</header>
<main id="contenu" tabindex="-1">
<div class="conteneur">
{% block content %}{% endblock %}
</div>
</main>
<footer class="pied" role="contentinfo">
  <div class="conteneur">
    <p>{{ site.title }} — {% if site.demo %}édition de démonstration{% else %}édition {{ site.edition_fr }}{% endif %}, méthodologie {{ site.methodology }}, publiée le {{ site.built | date_fr }}.
    Données sous Licence Ouverte 2.0 ; logiciel libre sous licence AGPL-3.0-or-later.</p>
    <ul class="pied-liens">
      <li><a href="{{ racine }}mentions-legales.html">Mentions légales</a></li>
      <li><a href="{{ racine }}accessibilite.html">Accessibilité : {{ site.accessibility_status }}</a></li>
      <li><a href="{{ racine }}donnees-personnelles.html">Données personnelles et cookies</a></li>
      <li><a href="{{ racine }}contact.html">Contact et contestation d'un résultat</a></li>
      <li><a href="{{ racine }}ecoconception.html">Déclaration d'écoconception</a></li>
      <li><a href="{{ racine }}plan-du-site.html">Plan du site</a></li>
    </ul>
  </div>
</footer>
{% block scripts %}<script src="{{ racine }}static/site.js" defer></script>
<script src="{{ racine }}static/js/barometre-charts.js" defer></script>{% endblock %}
</body>
</html>
"""

# Same sections as src/barometre/publish/site/templates/collectivite.html.j2; the criteria
# and their advice come from the grid (global data), joined to each record's results.
ELEVENTY_CARD = """---
pagination:
  data: bulletins
  size: 1
  alias: b
permalink: "{{ b.url }}"
eleventyExcludeFromCollections: true
rubrique: ""
---
{% extends "base.njk" %}
{% block title %}{{ b.nom }}{% endblock %}
{% block description %}Bulletin de {{ b.nom }} ({{ b.type }}) : score, critères, preuves et recommandations — {{ site.title }}.{% endblock %}
{% block og %}<meta property="og:title" content="{{ b.nom }} — {{ site.title }}">
<meta property="og:description" content="Bulletin de {{ b.nom }} ({{ b.type }}) : score, critères, preuves et recommandations — {{ site.title }}.">{% endblock %}
{% block content %}
{% set g = b.score %}
<nav aria-label="Fil d'Ariane" class="ariane"><ol>
  <li><a href="{{ racine }}index.html">Accueil</a></li>
  {% if b.groupe.url %}<li><a href="{{ racine }}{{ b.groupe.url }}">{{ b.groupe.titre }}</a></li>{% endif %}
  <li aria-current="page">{{ b.nom }}</li>
</ol></nav>

<h1>{{ b.nom }}</h1>
<p class="chapeau">{{ b.type | capitalize }} — code {{ b.code }}{% if b.lieu %} — {{ b.lieu }}{% endif %}{% if b.population %} — {{ b.population | nombre }} habitants{% endif %}.
{% if b.site %}Site officiel : {{ b.site | lien | safe }}.{% else %}Aucun site officiel déclaré.{% endif %}</p>

<section aria-labelledby="synthese" class="synthese">
  <h2 id="synthese">Synthèse</h2>
  <dl class="chiffres">
    <div><dt>Score global</dt><dd class="grand">{% if g and g.valeur != none %}{{ g.valeur | score }}<span class="sur"> / 100</span>{% else %}—{% endif %}</dd></div>
    <div><dt>Note</dt><dd class="grand">{{ (g.note if g else none) | note | safe }}</dd></div>
    <div><dt>Rang</dt><dd>{% if g and g.rang %}{{ g.rang }}<sup>{% if g.rang == 1 %}er{% else %}e{% endif %}</sup> parmi les {{ b.groupe.taille | nombre }} {{ b.groupe.titre | lower }}{% else %}non classée{% endif %}</dd></div>
    <div><dt>Couverture</dt><dd>{{ (g.couverture if g else 0) | pourcent }} du poids des critères applicables mesuré</dd></div>
  </dl>
  <p class="explication">{{ b.decompte.pass or 0 }} critère(s) réussi(s), {{ b.decompte.partial or 0 }} partiel(s), {{ b.decompte.fail or 0 }} en échec, {{ b.decompte.not_measurable or 0 }} non mesurable(s), {{ b.decompte.not_applicable or 0 }} non applicable(s).
  {% if g and not g.note %}La note n'est donnée qu'à partir de {{ site.min_coverage | pourcent }} de couverture : un critère non mesurable n'est jamais compté comme un échec.{% endif %}</p>
</section>

<section aria-labelledby="dimensions">
  <h2 id="dimensions">Scores par dimension</h2>
  <table class="donnees">
    <caption>Score de chaque dimension (sur 100), médiane des {{ b.groupe.titre | lower }} et couverture</caption>
    <thead><tr><th scope="col">Dimension</th><th scope="col">Score</th><th scope="col">Médiane du groupe</th><th scope="col">Couverture</th></tr></thead>
    <tbody>
    {% for d in grille.dimensions %}
      {% set s = b.dimensions[d.id] %}
      <tr><th scope="row"><a href="#dim-{{ d.id }}">{{ d.code }} — {{ d.nom }}</a></th>
      <td>{{ s.valeur | score }}</td>
      <td>{{ s.mediane | score }}</td>
      <td>{{ s.couverture | pourcent }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
</section>

{% if b.recommandations.length %}
<section aria-labelledby="recommandations">
  <h2 id="recommandations">Recommandations</h2>
  <p>Par ordre de priorité : poids du critère × écart à la réussite × part des collectivités comparables qui le réussissent déjà.</p>
  <ol class="recommandations">
  {% for r in b.recommandations %}
    {% set c = grille.criteres[r.code] %}
    <li><p><strong>{{ r.code }} — {{ c.nom }}</strong> ({{ c.nature }}) : {{ c.conseil }}</p>
    <p class="petit">{{ r.pairs }}{% if r.base %} Base : {{ r.base }}.{% endif %}</p></li>
  {% endfor %}
  </ol>
</section>
{% endif %}

<section aria-labelledby="reseaux">
  <h2 id="reseaux">Comptes sociaux</h2>
  {% if b.comptes.length %}
  <table class="donnees">
    <caption>Comptes officiels trouvés, ce qui a pu en être lu, et la source de chaque chiffre</caption>
    <thead><tr><th scope="col">Plateforme</th><th scope="col">Compte</th><th scope="col">Lecture</th><th scope="col">Indicateurs (source)</th></tr></thead>
    <tbody>
    {% for acc in b.comptes %}
      <tr><th scope="row">{{ acc.plateforme | capitalize }}</th>
      <td>{{ acc.url | lien(acc.compte) | safe }}</td>
      <td>{{ acc.etat }}{% if acc.lisible %} ({{ acc.source }}){% endif %}{% if acc.motif %}<br><span class="petit">{{ acc.motif | tronque(200) }}</span>{% endif %}</td>
      <td>{% if acc.chiffres.length %}<ul class="liste-simple">{% for label, value, source in acc.chiffres %}<li>{{ label }} : {{ value }} <span class="source">({{ source }})</span></li>{% endfor %}</ul>{% else %}—{% endif %}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}
  <p>Aucun compte social trouvé sur le site ni déclaré.</p>
  {% endif %}
</section>

<section aria-labelledby="criteres">
  <h2 id="criteres">Critères et preuves</h2>
  {% for d in grille.dimensions %}
  {% set s = b.dimensions[d.id] %}
  <h3 id="dim-{{ d.id }}">{{ d.code }} — {{ d.nom }}{% if s.valeur != none %} : {{ s.valeur | score }} / 100{% endif %}</h3>
  <p class="question">{{ d.question }}</p>
  <table class="donnees criteres">
    <caption>Critères de la dimension « {{ d.nom }} »</caption>
    <thead><tr><th scope="col">Critère</th><th scope="col">Résultat</th><th scope="col">Preuves et motif</th></tr></thead>
    <tbody>
    {% for c in d.criteres %}
      {% set line = b.resultats[c.id] %}
      <tr class="ligne-{{ line.s | replace('_', '-') }}">
        <th scope="row"><span class="code">{{ c.code }}</span> {{ c.nom }}
          <span class="petit nature">{{ c.nature }} — {{ c.base }}</span></th>
        <td>{{ line.s | statut | safe }}{% if line.v != none and line.s == "partial" %}<br><span class="petit">{{ line.v | pourcent }}</span>{% endif %}</td>
        <td>{% if line.d == 1 %}<p>Critère non applicable à cette collectivité.</p>{% elif line.d == 2 %}<p>Non mesuré dans cette édition (site non capturé).</p>{% elif line.m %}<p>{{ line.m | tronque(400) }}</p>{% endif %}
          {% if line.p %}<ul class="preuves">{% for e in line.p %}<li>{% if e.u %}{{ e.u | lien(e.u | tronque(90)) | safe }}{% endif %}{% if e.t %} <q>{{ e.t | tronque(200) }}</q>{% endif %}{% if e.h %} <code>{{ e.h | tronque(120) }}</code>{% endif %}{% if e.n %} <span class="petit">({{ e.n | tronque(120) }})</span>{% endif %}</li>{% endfor %}</ul>{% endif %}
          {% if line.x %}<div class="explication-collectivite"><p><strong>{{ line.x.label }}</strong> de la collectivité ({{ line.x.received | date_fr }}, valable jusqu'au {{ line.x.expires | date_fr }}) : {{ line.x.text }}</p><p class="petit">Le résultat mesuré ci-contre n'est pas modifié.</p></div>{% endif %}
        </td>
      </tr>
    {% endfor %}
    </tbody>
  </table>
  {% endfor %}
</section>

{% if b.decouvertes | length %}
<section aria-labelledby="ecosysteme">
  <h2 id="ecosysteme">Écosystème numérique découvert</h2>
  <dl class="ecosysteme">
  {% for category, items in b.decouvertes %}
    <div><dt>{{ grille.categories[category] or category }}</dt>
    <dd><ul class="liste-simple">{% for f in items | premiers(12) %}<li>{{ f.nom }}{% if f.url %} — {{ f.url | lien(f.url | tronque(70)) | safe }}{% endif %}</li>{% endfor %}</ul></dd></div>
  {% endfor %}
  </dl>
</section>
{% endif %}

<section aria-labelledby="evolution">
  <h2 id="evolution">Évolution</h2>
  {% if b.historique.length %}
  <table class="donnees">
    <caption>Score global dans les éditions précédentes</caption>
    <thead><tr><th scope="col">Édition</th><th scope="col">Score</th><th scope="col">Note</th></tr></thead>
    <tbody>{% for edition, value, grade in b.historique %}<tr><th scope="row">{{ edition }}</th><td>{{ value | score }}</td><td>{{ grade | note | safe }}</td></tr>{% endfor %}
    <tr><th scope="row">{{ site.edition_fr }} (cette édition)</th><td>{{ (g.valeur if g else none) | score }}</td><td>{{ (g.note if g else none) | note | safe }}</td></tr></tbody>
  </table>
  {% else %}
  <p>Première édition mesurée pour cette collectivité.</p>
  {% endif %}
</section>

<section aria-labelledby="contester">
  <h2 id="contester">Expliquer ou contester un résultat</h2>
  <p>Une collectivité peut joindre une explication ou une contestation à un résultat ; elle est publiée à côté, pour une durée limitée, sans changer la mesure. Voir la page <a href="{{ racine }}contact.html">contact</a>.
  </p>
</section>
{% endblock %}
"""


# -- the second peer's project: Hugo, Go templates, the same layout -------------------------

HUGO_CONFIG = """# Hugo project of benchmarks/publish.py (written by the benchmark): report cards only.
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404", "section", "home"]
disableHugoGeneratorInject = true
"""

# The filters of ELEVENTY_CONFIG as partials that return a value (Go templates have no
# user filters): same French formatting (Go's printf rounds as Python's format does),
# same escaping of the markup they build (htmlEscape: & < > " ' as Jinja escapes them).
HUGO_PARTIALS = {
    "nombre": """{{- $v := index . 0 -}}{{- $out := "—" -}}
{{- if ne $v nil -}}
  {{- $txt := printf (printf "%%.%df" (index . 1)) (float $v) -}}
  {{- $parts := split $txt "." -}}
  {{- $int := index $parts 0 -}}{{- $sign := "" -}}
  {{- if hasPrefix $int "-" -}}{{- $sign = "-" -}}{{- $int = strings.TrimPrefix "-" $int -}}{{- end -}}
  {{- $n := len $int -}}{{- $out = $sign -}}
  {{- range $i, $c := split $int "" -}}
    {{- if and (gt $i 0) (eq (mod (sub $n $i) 3) 0) -}}{{- $out = print $out "\\u202f" -}}{{- end -}}
    {{- $out = print $out $c -}}
  {{- end -}}
  {{- if gt (len $parts) 1 -}}{{- $out = print $out "," (index $parts 1) -}}{{- end -}}
{{- end -}}
{{- return $out -}}""",
    "pourcent": """{{- $out := "—" -}}
{{- if ne . nil -}}{{- $out = print (partial "f/nombre.html" (slice (mul (float .) 100) 0)) "\\u202f%" -}}{{- end -}}
{{- return $out -}}""",
    "score": """{{- $out := "—" -}}
{{- if ne . nil -}}{{- $out = partial "f/nombre.html" (slice . 1) -}}{{- end -}}
{{- return $out -}}""",
    "date_fr": """{{- $out := "—" -}}
{{- if . -}}
  {{- $t := time (substr . 0 10) -}}
  {{- $months := slice "janvier" "février" "mars" "avril" "mai" "juin" "juillet" "août" "septembre" "octobre" "novembre" "décembre" -}}
  {{- $out = printf "%s %s %d" (cond (eq $t.Day 1) "1er" (string $t.Day)) (index $months (sub (int $t.Month) 1)) $t.Year -}}
{{- end -}}
{{- return $out -}}""",
    "lien": """{{- $url := index . 0 -}}{{- $shown := "" -}}
{{- if gt (len .) 1 -}}{{- $shown = index . 1 -}}{{- else if $url -}}{{- $shown = $url -}}{{- end -}}
{{- $target := "" -}}
{{- if $url -}}
  {{- if not (findRE "(?i)[\\\\s,;]+https?://" $url 1) -}}
    {{- $trimmed := replaceRE "^[\\\\s\\\\v\\\\x1c-\\\\x1f\\\\x{85}\\\\p{Z}]+|[\\\\s\\\\v\\\\x1c-\\\\x1f\\\\x{85}\\\\p{Z}]+$" "" $url -}}
    {{- if findRE "^(?i)https?://[^/?#]" $trimmed 1 -}}{{- $target = $trimmed -}}{{- end -}}
  {{- end -}}
{{- end -}}
{{- $out := "" -}}
{{- if $target -}}
  {{- $out = printf `<a href="%s" rel="noopener noreferrer nofollow">%s</a>` (htmlEscape $target) (htmlEscape $shown) -}}
{{- else -}}
  {{- $out = printf `<span class="texte-lien">%s</span>` (htmlEscape $shown) -}}
{{- end -}}
{{- return $out -}}""",
    "tronque": """{{- $text := index . 0 -}}{{- $n := index . 1 -}}{{- $out := "" -}}
{{- if $text -}}
  {{- $out = replaceRE "[\\\\s\\\\v\\\\x1c-\\\\x1f\\\\x{85}\\\\p{Z}]+" " " $text | strings.TrimPrefix " " | strings.TrimSuffix " " -}}
  {{- if gt (strings.RuneCount $out) $n -}}
    {{- $out = print (strings.TrimRight " " (substr $out 0 (sub $n 1))) "…" -}}
  {{- end -}}
{{- end -}}
{{- return $out -}}""",
    "statut": """{{- $labels := dict "pass" "réussi" "partial" "partiel" "fail" "échec" "not_applicable" "non applicable" "not_measurable" "non mesurable" -}}
{{- $symbols := dict "pass" "✓" "partial" "◐" "fail" "✗" "not_applicable" "–" "not_measurable" "?" -}}
{{- return printf `<span class="statut statut-%s"><span aria-hidden="true">%s</span> %s</span>` (replace . "_" "-") (index $symbols .) (index $labels .) -}}""",
    "note": """{{- $out := `<span class="note note-aucune" title="Couverture insuffisante pour une note">—</span>` -}}
{{- if . -}}{{- $out = printf `<span class="note note-%s">%s</span>` (lower .) (htmlEscape .) -}}{{- end -}}
{{- return $out -}}""",
    "capitalize": """{{- return strings.FirstUpper (lower .) -}}""",
}

# Same layout as ELEVENTY_BASE (html/template escapes by context: the same characters
# as Jinja and Nunjucks, plus « + » written &#43;).
HUGO_BASE = """{{- $s := site.Data.grille.site -}}{{- $racine := "../../" -}}{{- $rubrique := "" -}}
<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'">
<meta name="referrer" content="no-referrer">
<meta name="description" content="{{ block "description" . }}{{ site.Data.grille.site.title }} : mesure ouverte de la présence numérique des collectivités françaises, avec les preuves publiées.{{ end }}">
<title>{{ block "title" . }}{{ site.Data.grille.site.title }}{{ end }} — {{ $s.title }}, {{ $s.edition_title }}</title>
{{ block "og" . }}{{ end }}
<meta property="og:type" content="website">
<meta property="og:site_name" content="{{ $s.title }}">
<meta property="og:locale" content="fr_FR">
<link rel="stylesheet" href="{{ $racine }}static/site.css">
<link rel="icon" href="{{ $racine }}static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{{ $racine }}static/css/barometre-charts.css">
{{ block "head" . }}{{ end }}
</head>
<body>
<a class="evitement" href="#contenu">Aller au contenu</a>
<header class="entete" role="banner">
  <div class="conteneur entete-ligne">
    <p class="marque"><a href="{{ $racine }}index.html"><span class="marque-nom">{{ $s.title }}</span></a></p>
    <nav aria-label="Navigation principale">
      <ul class="menu">
        <li><a href="{{ $racine }}classements/index.html"{{ if eq $rubrique "classements" }} aria-current="page"{{ end }}>Classements</a></li>
        <li><a href="{{ $racine }}cartes.html"{{ if eq $rubrique "cartes" }} aria-current="page"{{ end }}>Cartes</a></li>
        <li><a href="{{ $racine }}recherche.html"{{ if eq $rubrique "recherche" }} aria-current="page"{{ end }}>Chercher une collectivité</a></li>
        <li><a href="{{ $racine }}prestataires.html"{{ if eq $rubrique "prestataires" }} aria-current="page"{{ end }}>Prestataires</a></li>
        <li><a href="{{ $racine }}methodologie.html"{{ if eq $rubrique "methodologie" }} aria-current="page"{{ end }}>Méthodologie</a></li>
        <li><a href="{{ $racine }}donnees.html"{{ if eq $rubrique "donnees" }} aria-current="page"{{ end }}>Données ouvertes</a></li>
      </ul>
    </nav>
  </div>
  <div class="bandeau-edition{{ if $s.demo }} bandeau-demo{{ end }}">
    <p class="conteneur">
      {{ if $s.demo }}<strong>Édition de démonstration</strong> : collectivités et sites fictifs du web d'exemple, aucune donnée réelle.
      {{ else }}<strong>Édition {{ $s.edition_fr }}</strong>{{ end }}
      Méthodologie {{ $s.methodology }}.
      {{ if $s.frozen }}Édition figée le {{ partial "f/date_fr.html" $s.frozen }} (empreinte <code>{{ substr $s.manifest 0 12 }}</code>).{{ else }}Édition non figée : ses résultats peuvent encore changer.{{ end }}
    </p>
  </div>
</header>
<main id="contenu" tabindex="-1">
<div class="conteneur">
{{ block "main" . }}{{ end }}
</div>
</main>
<footer class="pied" role="contentinfo">
  <div class="conteneur">
    <p>{{ $s.title }} — {{ if $s.demo }}édition de démonstration{{ else }}édition {{ $s.edition_fr }}{{ end }}, méthodologie {{ $s.methodology }}, publiée le {{ partial "f/date_fr.html" $s.built }}.
    Données sous Licence Ouverte 2.0 ; logiciel libre sous licence AGPL-3.0-or-later.</p>
    <ul class="pied-liens">
      <li><a href="{{ $racine }}mentions-legales.html">Mentions légales</a></li>
      <li><a href="{{ $racine }}accessibilite.html">Accessibilité : {{ $s.accessibility_status }}</a></li>
      <li><a href="{{ $racine }}donnees-personnelles.html">Données personnelles et cookies</a></li>
      <li><a href="{{ $racine }}contact.html">Contact et contestation d'un résultat</a></li>
      <li><a href="{{ $racine }}ecoconception.html">Déclaration d'écoconception</a></li>
      <li><a href="{{ $racine }}plan-du-site.html">Plan du site</a></li>
    </ul>
  </div>
</footer>
{{ block "scripts" . }}<script src="../../static/site.js" defer></script>
<script src="../../static/js/barometre-charts.js" defer></script>{{ end }}
</body>
</html>
"""

# Same sections as ELEVENTY_CARD; the record is the page's front matter (``b``).
HUGO_CARD = """{{ define "title" }}{{ .Params.b.nom }}{{ end }}
{{ define "description" }}Bulletin de {{ .Params.b.nom }} ({{ .Params.b.type }}) : score, critères, preuves et recommandations — {{ site.Data.grille.site.title }}.{{ end }}
{{ define "og" }}<meta property="og:title" content="{{ .Params.b.nom }} — {{ site.Data.grille.site.title }}">
<meta property="og:description" content="Bulletin de {{ .Params.b.nom }} ({{ .Params.b.type }}) : score, critères, preuves et recommandations — {{ site.Data.grille.site.title }}.">{{ end }}
{{ define "main" }}
{{- $b := .Params.b -}}{{- $grille := site.Data.grille -}}{{- $s := $grille.site -}}{{- $racine := "../../" -}}
{{- $g := $b.score -}}{{- $none := index (dict) "none" -}}
{{- $valeur := $none -}}{{- $note := $none -}}{{- $rang := $none -}}{{- $couverture := 0 -}}
{{- with $g -}}{{- $valeur = .valeur -}}{{- $note = .note -}}{{- $rang = .rang -}}{{- $couverture = .couverture -}}{{- end -}}
<nav aria-label="Fil d'Ariane" class="ariane"><ol>
  <li><a href="{{ $racine }}index.html">Accueil</a></li>
  {{ if $b.groupe.url }}<li><a href="{{ $racine }}{{ $b.groupe.url }}">{{ $b.groupe.titre }}</a></li>{{ end }}
  <li aria-current="page">{{ $b.nom }}</li>
</ol></nav>

<h1>{{ $b.nom }}</h1>
<p class="chapeau">{{ partial "f/capitalize.html" $b.type }} — code {{ $b.code }}{{ if $b.lieu }} — {{ $b.lieu }}{{ end }}{{ if $b.population }} — {{ partial "f/nombre.html" (slice $b.population 0) }} habitants{{ end }}.
{{ if $b.site }}Site officiel : {{ partial "f/lien.html" (slice $b.site) | safeHTML }}.{{ else }}Aucun site officiel déclaré.{{ end }}</p>

<section aria-labelledby="synthese" class="synthese">
  <h2 id="synthese">Synthèse</h2>
  <dl class="chiffres">
    <div><dt>Score global</dt><dd class="grand">{{ if and $g (ne $valeur nil) }}{{ partial "f/score.html" $valeur }}<span class="sur"> / 100</span>{{ else }}—{{ end }}</dd></div>
    <div><dt>Note</dt><dd class="grand">{{ partial "f/note.html" $note | safeHTML }}</dd></div>
    <div><dt>Rang</dt><dd>{{ if and $g $rang }}{{ $rang }}<sup>{{ if eq (float $rang) 1.0 }}er{{ else }}e{{ end }}</sup> parmi les {{ partial "f/nombre.html" (slice $b.groupe.taille 0) }} {{ lower $b.groupe.titre }}{{ else }}non classée{{ end }}</dd></div>
    <div><dt>Couverture</dt><dd>{{ partial "f/pourcent.html" $couverture }} du poids des critères applicables mesuré</dd></div>
  </dl>
  <p class="explication">{{ or $b.decompte.pass 0 }} critère(s) réussi(s), {{ or $b.decompte.partial 0 }} partiel(s), {{ or $b.decompte.fail 0 }} en échec, {{ or $b.decompte.not_measurable 0 }} non mesurable(s), {{ or $b.decompte.not_applicable 0 }} non applicable(s).
  {{ if and $g (not $note) }}La note n'est donnée qu'à partir de {{ partial "f/pourcent.html" $s.min_coverage }} de couverture : un critère non mesurable n'est jamais compté comme un échec.{{ end }}</p>
</section>

<section aria-labelledby="dimensions">
  <h2 id="dimensions">Scores par dimension</h2>
  <table class="donnees">
    <caption>Score de chaque dimension (sur 100), médiane des {{ lower $b.groupe.titre }} et couverture</caption>
    <thead><tr><th scope="col">Dimension</th><th scope="col">Score</th><th scope="col">Médiane du groupe</th><th scope="col">Couverture</th></tr></thead>
    <tbody>
    {{ range $d := $grille.dimensions }}
      {{- $ds := index $b.dimensions $d.id }}
      <tr><th scope="row"><a href="#dim-{{ $d.id }}">{{ $d.code }} — {{ $d.nom }}</a></th>
      <td>{{ partial "f/score.html" $ds.valeur }}</td>
      <td>{{ partial "f/score.html" $ds.mediane }}</td>
      <td>{{ partial "f/pourcent.html" $ds.couverture }}</td></tr>
    {{ end }}
    </tbody>
  </table>
</section>

{{ with $b.recommandations }}
<section aria-labelledby="recommandations">
  <h2 id="recommandations">Recommandations</h2>
  <p>Par ordre de priorité : poids du critère × écart à la réussite × part des collectivités comparables qui le réussissent déjà.</p>
  <ol class="recommandations">
  {{ range $r := . }}
    {{- $c := index $grille.criteres $r.code }}
    <li><p><strong>{{ $r.code }} — {{ $c.nom }}</strong> ({{ $c.nature }}) : {{ $c.conseil }}</p>
    <p class="petit">{{ $r.pairs }}{{ if $r.base }} Base : {{ $r.base }}.{{ end }}</p></li>
  {{ end }}
  </ol>
</section>
{{ end }}

<section aria-labelledby="reseaux">
  <h2 id="reseaux">Comptes sociaux</h2>
  {{ with $b.comptes }}
  <table class="donnees">
    <caption>Comptes officiels trouvés, ce qui a pu en être lu, et la source de chaque chiffre</caption>
    <thead><tr><th scope="col">Plateforme</th><th scope="col">Compte</th><th scope="col">Lecture</th><th scope="col">Indicateurs (source)</th></tr></thead>
    <tbody>
    {{ range $acc := . }}
      <tr><th scope="row">{{ partial "f/capitalize.html" $acc.plateforme }}</th>
      <td>{{ partial "f/lien.html" (slice $acc.url $acc.compte) | safeHTML }}</td>
      <td>{{ $acc.etat }}{{ if $acc.lisible }} ({{ $acc.source }}){{ end }}{{ if $acc.motif }}<br><span class="petit">{{ partial "f/tronque.html" (slice $acc.motif 200) }}</span>{{ end }}</td>
      <td>{{ with $acc.chiffres }}<ul class="liste-simple">{{ range $f := . }}<li>{{ index $f 0 }} : {{ index $f 1 }} <span class="source">({{ index $f 2 }})</span></li>{{ end }}</ul>{{ else }}—{{ end }}</td></tr>
    {{ end }}
    </tbody>
  </table>
  {{ else }}
  <p>Aucun compte social trouvé sur le site ni déclaré.</p>
  {{ end }}
</section>

<section aria-labelledby="criteres">
  <h2 id="criteres">Critères et preuves</h2>
  {{ range $d := $grille.dimensions }}
  {{- $ds := index $b.dimensions $d.id }}
  <h3 id="dim-{{ $d.id }}">{{ $d.code }} — {{ $d.nom }}{{ if ne $ds.valeur nil }} : {{ partial "f/score.html" $ds.valeur }} / 100{{ end }}</h3>
  <p class="question">{{ $d.question }}</p>
  <table class="donnees criteres">
    <caption>Critères de la dimension « {{ $d.nom }} »</caption>
    <thead><tr><th scope="col">Critère</th><th scope="col">Résultat</th><th scope="col">Preuves et motif</th></tr></thead>
    <tbody>
    {{ range $c := $d.criteres }}
      {{- $line := index $b.resultats $c.id }}
      <tr class="ligne-{{ replace $line.s "_" "-" }}">
        <th scope="row"><span class="code">{{ $c.code }}</span> {{ $c.nom }}
          <span class="petit nature">{{ $c.nature }} — {{ $c.base }}</span></th>
        <td>{{ partial "f/statut.html" $line.s | safeHTML }}{{ if and (ne $line.v nil) (eq $line.s "partial") }}<br><span class="petit">{{ partial "f/pourcent.html" $line.v }}</span>{{ end }}</td>
        <td>{{ if eq $line.d 1.0 }}<p>Critère non applicable à cette collectivité.</p>{{ else if eq $line.d 2.0 }}<p>Non mesuré dans cette édition (site non capturé).</p>{{ else if $line.m }}<p>{{ partial "f/tronque.html" (slice $line.m 400) }}</p>{{ end }}
          {{ with $line.p }}<ul class="preuves">{{ range $e := . }}<li>{{ if $e.u }}{{ partial "f/lien.html" (slice $e.u (partial "f/tronque.html" (slice $e.u 90))) | safeHTML }}{{ end }}{{ if $e.t }} <q>{{ partial "f/tronque.html" (slice $e.t 200) }}</q>{{ end }}{{ if $e.h }} <code>{{ partial "f/tronque.html" (slice $e.h 120) }}</code>{{ end }}{{ if $e.n }} <span class="petit">({{ partial "f/tronque.html" (slice $e.n 120) }})</span>{{ end }}</li>{{ end }}</ul>{{ end }}
          {{ with $line.x }}<div class="explication-collectivite"><p><strong>{{ .label }}</strong> de la collectivité ({{ partial "f/date_fr.html" .received }}, valable jusqu'au {{ partial "f/date_fr.html" .expires }}) : {{ .text }}</p><p class="petit">Le résultat mesuré ci-contre n'est pas modifié.</p></div>{{ end }}
        </td>
      </tr>
    {{ end }}
    </tbody>
  </table>
  {{ end }}
</section>

{{ with $b.decouvertes }}
<section aria-labelledby="ecosysteme">
  <h2 id="ecosysteme">Écosystème numérique découvert</h2>
  <dl class="ecosysteme">
  {{ range $pair := . }}
    {{- $category := index $pair 0 }}
    <div><dt>{{ or (index $grille.categories $category) $category }}</dt>
    <dd><ul class="liste-simple">{{ range $f := first 12 (index $pair 1) }}<li>{{ $f.nom }}{{ if $f.url }} — {{ partial "f/lien.html" (slice $f.url (partial "f/tronque.html" (slice $f.url 70))) | safeHTML }}{{ end }}</li>{{ end }}</ul></dd></div>
  {{ end }}
  </dl>
</section>
{{ end }}

<section aria-labelledby="evolution">
  <h2 id="evolution">Évolution</h2>
  {{ with $b.historique }}
  <table class="donnees">
    <caption>Score global dans les éditions précédentes</caption>
    <thead><tr><th scope="col">Édition</th><th scope="col">Score</th><th scope="col">Note</th></tr></thead>
    <tbody>{{ range $h := . }}<tr><th scope="row">{{ index $h 0 }}</th><td>{{ partial "f/score.html" (index $h 1) }}</td><td>{{ partial "f/note.html" (index $h 2) | safeHTML }}</td></tr>{{ end }}
    <tr><th scope="row">{{ $s.edition_fr }} (cette édition)</th><td>{{ partial "f/score.html" $valeur }}</td><td>{{ partial "f/note.html" $note | safeHTML }}</td></tr></tbody>
  </table>
  {{ else }}
  <p>Première édition mesurée pour cette collectivité.</p>
  {{ end }}
</section>

<section aria-labelledby="contester">
  <h2 id="contester">Expliquer ou contester un résultat</h2>
  <p>Une collectivité peut joindre une explication ou une contestation à un résultat ; elle est publiée à côté, pour une durée limitée, sans changer la mesure. Voir la page <a href="{{ $racine }}contact.html">contact</a>.
  </p>
</section>
{{ end }}
"""


def write_hugo_project(project: Path, grid: Path) -> None:
    """Hugo's configuration, layouts and partials; the grid as its data file."""
    partials = project / "layouts" / "partials" / "f"
    partials.mkdir(parents=True, exist_ok=True)
    (project / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (project / "data").mkdir(exist_ok=True)
    (project / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (project / "layouts" / "_default" / "baseof.html").write_text(HUGO_BASE, encoding="utf-8")
    (project / "layouts" / "_default" / "single.html").write_text(HUGO_CARD, encoding="utf-8")
    for name, text in HUGO_PARTIALS.items():
        (partials / f"{name}.html").write_text(text, encoding="utf-8")
    shutil.copyfile(grid, project / "data" / "grille.json")


def hugo_content(project: Path, full: Path, fraction: int, total: int) -> Path:
    """The first ``fraction`` % of the records as Hugo pages (``content-<fraction>/``):
    one file per card, its record as JSON front matter (``b``), its address as ``url``.
    Made once from the peers' data file (the same records as Eleventy's), then reused;
    the smaller fractions are hard links to the first files of the whole."""
    folder = project / f"content-{fraction}"
    wanted = count_for(fraction, total)
    done = folder / ".complet"
    if done.exists():
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    whole = project / "content-100"
    with full.open(encoding="utf-8") as source:
        next(source)  # "["
        for n, line in enumerate(source):
            if n >= wanted or line.startswith("]"):
                break
            name = f"{n:06d}.html"
            if fraction < 100 and (whole / ".complet").exists():
                os.link(whole / name, folder / name)
                continue
            record = json.loads(line.lstrip(","))
            # Go templates range over a map in key order: the categories keep theirs.
            record["decouvertes"] = list(record["decouvertes"].items())
            front = {"url": "/" + record["url"], "title": record["nom"], "b": record}
            (folder / name).write_text(
                json.dumps(front, ensure_ascii=False) + "\n", encoding="utf-8"
            )
    done.touch()
    return folder


def hugo_version() -> str | None:
    if shutil.which(HUGO) is None:
        return None
    found = subprocess.run([HUGO, "version"], capture_output=True, text=True, check=False)
    return found.stdout.split()[1] if found.returncode == 0 and found.stdout else None


def write_peer_project(project: Path) -> None:
    (project / "src" / "_includes").mkdir(parents=True, exist_ok=True)
    (project / "eleventy.config.cjs").write_text(ELEVENTY_CONFIG, encoding="utf-8")
    (project / "src" / "_includes" / "base.njk").write_text(ELEVENTY_BASE, encoding="utf-8")
    (project / "src" / "bulletin.njk").write_text(ELEVENTY_CARD, encoding="utf-8")


# -- measuring a child process -------------------------------------------------------------


def measured(command: Sequence[str], cwd: Path, env: dict[str, str], log: Path) -> dict[str, Any]:
    """Run ``command``; its wall time and peak RSS (``ru_maxrss`` from ``os.wait4``: this
    child and the descendants it waited for, the largest of them)."""
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=output)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
        sys.exit(f"{Path(command[0]).name} en échec ({process.returncode}) :\n" + "\n".join(tail))
    return {
        "seconds": seconds,
        "rss_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def written(folder: Path) -> tuple[int, int]:
    """HTML pages and bytes (every file) under ``folder``."""
    pages = size = 0
    stack = [folder]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    size += entry.stat(follow_symlinks=False).st_size
                    pages += entry.name.endswith(".html")
    return pages, size


def run_barometre(
    data_dir: Path, edition: str, fraction: int, work: Path, *, profile: bool = False
) -> dict[str, Any]:
    out = work / f"site-barometre-{fraction}"
    result = work / f"barometre-{fraction}.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--enfant",
        str(data_dir),
        edition,
        str(fraction),
        str(out),
        str(result),
    ]
    if profile:
        command.append("--profil")
    row = measured(command, BENCH.parent, dict(os.environ), work / f"barometre-{fraction}.log")
    row.update(json.loads(result.read_text(encoding="utf-8")))
    row["pages"], row["bytes"] = written(out)
    shutil.rmtree(out)
    return row


def run_eleventy(project: Path, data: Path, fraction: int, keep: bool = False) -> dict[str, Any]:
    out = project / f"_site-{fraction}"
    if out.exists():
        shutil.rmtree(out)
    env = {
        **os.environ,
        "BAROMETRE_BULLETINS": str(data),
        "BAROMETRE_GRILLE": str(project / "grille.json"),
    }
    command = [
        str(ELEVENTY),
        "--config=eleventy.config.cjs",
        "--input=src",
        f"--output={out.name}",
        "--quiet",
    ]
    row = measured(command, project, env, project / f"eleventy-{fraction}.log")
    row["pages"], row["bytes"] = written(out)
    row["log"] = (project / f"eleventy-{fraction}.log").read_text(encoding="utf-8").strip()
    if not keep:
        shutil.rmtree(out)
    return row


def run_hugo(project: Path, content: Path, fraction: int, keep: bool = False) -> dict[str, Any]:
    out = project / f"_site-{fraction}"
    if out.exists():
        shutil.rmtree(out)
    command = [
        HUGO,
        "--source",
        str(project),
        "--contentDir",
        content.name,
        "--destination",
        out.name,
        "--quiet",
    ]
    row = measured(command, project, dict(os.environ), project / f"hugo-{fraction}.log")
    row["pages"], row["bytes"] = written(out)
    if not keep:
        shutil.rmtree(out)
    return row


_TAGS_GAP = re.compile(r">\s+<")
_SPACES = re.compile(r"\s+")


def normalised(page: Path) -> str:
    """A page as a reader gets it: entities decoded, whitespace runs made one space and
    removed between tags (the two peers differ there, and in escaping « + »)."""
    text = html.unescape(page.read_text(encoding="utf-8"))
    return _SPACES.sub(" ", _TAGS_GAP.sub("><", text)).strip()


def compare_peers(first: Path, second: Path, count: int) -> tuple[int, int, str]:
    """Compare ``count`` pages spread over the first peer's output with the second's:
    (same, compared, first difference)."""
    pages = sorted(p.relative_to(first) for p in first.rglob("*.html"))
    step = max(1, len(pages) // max(1, count))
    same = compared = 0
    difference = ""
    for relative in pages[::step][:count]:
        compared += 1
        a, b = (
            normalised(first / relative),
            normalised(second / relative) if (second / relative).exists() else "",
        )
        if a == b:
            same += 1
        elif not difference:
            at = next(
                (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                min(len(a), len(b)),
            )
            difference = f"{relative} : « {a[max(0, at - 60) : at + 60]} » / « {b[max(0, at - 60) : at + 60]} »"
    return same, compared, difference


# -- the child: barometre builds the site -----------------------------------------------------


def child(argv: list[str]) -> None:
    """``--enfant DATA_DIR EDITION FRACTION OUT RESULT [--profil]``: build the site as
    ``barometre publish`` does, write the phases and the RSS curve to RESULT."""
    data_dir, edition, fraction, out, result = argv[:5]
    profile = "--profil" in argv
    import tracemalloc

    from barometre.audit import load_methodology
    from barometre.pipeline.publish import site_inputs
    from barometre.publish.site.builder import SiteBuilder
    from barometre.storage import edition_repo, publish_repo

    started = time.perf_counter()
    context = quiet_context(Path(data_dir))
    engine = context.engine
    ids = publish_repo.scored_ids(engine, edition)
    wanted = count_for(int(fraction), len(ids))
    only = None if wanted >= len(ids) else ids[:wanted]
    info = edition_repo.get_edition(engine, edition)
    grid = load_methodology(info.methodology_version or "")
    inputs = site_inputs(context.settings, engine, edition, grid, created=info.created_at)
    inputs_done = time.perf_counter()
    rss_inputs = rss_mb()
    step = max(1, wanted // CURVE_POINTS)
    curve: list[tuple[int, float]] = []
    state: dict[str, Any] = {"cards": 0, "first": None, "last": None, "snapshot": None}

    def on_card(_: str) -> None:
        state["cards"] += 1
        now = time.perf_counter()
        if state["first"] is None:
            state["first"] = now
            curve.append((0, rss_mb()))
            if profile:  # traced from the first card on: what the card phase keeps
                tracemalloc.start(TRACE_FRAMES)
        state["last"] = now
        if state["cards"] % step == 0 or state["cards"] == wanted:
            curve.append((state["cards"], rss_mb()))
        if profile and state["cards"] == max(1, wanted // 10):
            state["snapshot"] = tracemalloc.take_snapshot()
        if profile and state["cards"] == wanted:
            state["end"] = tracemalloc.take_snapshot()
            tracemalloc.stop()

    builder = SiteBuilder(
        engine, edition, Path(out), grid, inputs=inputs, only=only, on_card=on_card
    )
    phases: list[tuple[str, float, float, float, float]] = []

    def timed(name: str, method: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            begun, before = time.perf_counter(), rss_mb()
            try:
                return method(*args, **kwargs)
            finally:
                high = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                phases.append((name, time.perf_counter() - begun, before, rss_mb(), high))

        return wrapper

    for name in PHASES:  # the builder's steps, timed from outside (the builder is unchanged)
        setattr(builder, name, timed(name, getattr(builder, name)))
    report = builder.build()
    finished = time.perf_counter()
    growth: list[str] = []
    if profile and state["snapshot"] is not None and "end" in state:
        stats = state["end"].compare_to(state["snapshot"], "traceback")
        for stat in [s for s in stats if s.size_diff > 0][:8]:
            frames = [f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback][-6:]
            growth.append(
                f"{stat.size_diff / 2**20:+.2f} Mo ({stat.count_diff:+,} blocs) : "
                + " ← ".join(reversed(frames))
            )
    Path(result).write_text(
        json.dumps(
            {
                "fraction": int(fraction),
                "cards": report.cards,
                "builder_pages": report.pages,
                "builder_bytes": report.bytes,
                "startup_s": inputs_done - started,
                "build_s": report.seconds,
                "cards_s": (state["last"] or finished) - (state["first"] or finished),
                "rss_inputs_mb": rss_inputs,
                "curve": curve,
                "child_total_s": finished - started,
                "self_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "growth": growth,
                "phases": phases,
            }
        ),
        encoding="utf-8",
    )
    engine.dispose()


# -- main ---------------------------------------------------------------------------------------


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"charge moyenne {one:.1f} (1 min), {five:.1f} (5 min), {os.cpu_count()} cœurs"


def print_row(name: str, row: dict[str, Any]) -> None:
    row["pages_per_s"] = row["pages"] / row["seconds"]
    print(
        f"{name:>10} : {row['pages']:,} pages HTML, {row['bytes'] / 2**20:,.0f} Mo écrits, en "
        f"{row['seconds']:.1f} s, {row['pages_per_s']:,.0f} pages/s, RSS max "
        f"{row['rss_mb']:.0f} Mo, CPU {row['cpu_s']:.1f} s"
    )


def print_phases(row: dict[str, Any]) -> None:
    """The builder's steps in one build: time, RSS before and after, the process's peak."""
    print(
        f"étapes de la construction à {row['fraction']} % (préparation "
        f"{row['startup_s']:.1f} s, RSS {row['rss_inputs_mb']:.0f} Mo à sa fin) :"
    )
    print(f"  {'étape':<26} {'durée':>8} {'RSS avant → après':>20} {'pic atteint':>12}")
    for name, seconds, before, after, high in row["phases"]:
        print(
            f"  {PHASES[name]:<26} {seconds:>6.1f} s {before:>9.0f} → {after:>5.0f} Mo "
            f"{high:>9.0f} Mo"
        )


def prepare_child(argv: list[str]) -> None:
    """``--preparer FOLDER RESULT``: the edition and the peer's data, in a child process."""
    folder, result = Path(argv[0]), Path(argv[1])
    data_dir = folder / "donnees"
    edition, scored = prepare(data_dir)
    project = folder / "eleventy"
    full = project / "bulletins-100.json"
    if full.exists():
        records = sum(1 for _ in full.open(encoding="utf-8")) - 2
        print(f"données de l'outil de référence réutilisées : {full} ({records:,} fiches)")
    else:
        records, seconds = export_peer_data(data_dir, edition, project)
        print(
            f"données de l'outil de référence exportées de la même édition en {seconds:.0f} s : "
            f"{records:,} fiches, {full.stat().st_size / 2**20:,.0f} Mo de JSON"
        )
    if records != scored:
        sys.exit(f"{full} a {records} fiches pour {scored} collectivités : supprimez-le")
    result.write_text(json.dumps({"edition": edition, "scored": scored}), encoding="utf-8")


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    # This process stays small and never imports barometre: a child's ru_maxrss starts at
    # its parent's high-water mark (Linux folds the old memory map's peak into it at
    # exec), so the edition and the peer's data are made in a child process too.
    versions = "sans Eleventy" if args.sans_pair else preflight()
    hugo = None if args.sans_pair else hugo_version()
    if not args.sans_pair:
        versions += (
            f", Hugo {hugo}" if hugo else ", sans Hugo (installez le paquet Debian « hugo »)"
        )
    data_dir = folder / "donnees"
    project = folder / "eleventy"
    hugo_project = folder / "hugo"
    write_peer_project(project)
    prepared = folder / "preparation.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--preparer", str(folder)]
    if subprocess.run([*command, str(prepared)], cwd=BENCH.parent, check=False).returncode:
        sys.exit("préparation de l'édition en échec (voir ci-dessus)")
    setup = json.loads(prepared.read_text(encoding="utf-8"))
    edition, scored = setup["edition"], setup["scored"]
    full = project / "bulletins-100.json"
    if hugo:
        write_hugo_project(hugo_project, project / "grille.json")
    floor = measured([sys.executable, "-c", "pass"], folder, dict(os.environ), folder / "vide.log")
    print(f"RSS max d'un processus Python vide lancé d'ici : {floor['rss_mb']:.0f} Mo")
    print(f"{versions} ; {load_note()}")
    fractions = sorted(set(args.fractions))
    rows: dict[str, dict[int, dict[str, Any]]] = {"barometre": {}, "eleventy": {}, "hugo": {}}
    work = Path(tempfile.mkdtemp(prefix="sites-", dir=folder))
    try:
        for fraction in fractions:
            wanted = count_for(fraction, scored)
            print(f"\n{fraction} % des collectivités ({wanted:,} bulletins) :")
            ours = run_barometre(data_dir, edition, fraction, work)
            print_row("barometre", ours)
            print(
                f"{'':>10}   dont préparation (figures nationales, recommandations) "
                f"{ours['startup_s']:.1f} s, construction {ours['build_s']:.1f} s dont "
                f"bulletins {ours['cards_s']:.1f} s ({ours['cards'] / ours['cards_s']:,.0f}/s) ; "
                "RSS pendant les bulletins "
                + " → ".join(f"{mb:.0f}" for _, mb in ours["curve"][:: max(1, CURVE_POINTS // 4)])
                + f" → {ours['curve'][-1][1]:.0f} Mo"
            )
            rows["barometre"][fraction] = ours
            check = bool(args.verifier and hugo and fraction == fractions[0])
            if not args.sans_pair:
                peer = run_eleventy(project, prefix_file(full, fraction, scored), fraction, check)
                print_row("eleventy", peer)
                rows["eleventy"][fraction] = peer
            if hugo:
                content = hugo_content(hugo_project, full, fraction, scored)
                peer = run_hugo(hugo_project, content, fraction, check)
                print_row("hugo", peer)
                rows["hugo"][fraction] = peer
                if check:
                    same, compared, difference = compare_peers(
                        project / f"_site-{fraction}",
                        hugo_project / f"_site-{fraction}",
                        args.verifier,
                    )
                    print(
                        f"{'':>10}   pages d'Eleventy et de Hugo identiques (entités décodées, "
                        f"blancs réduits) : {same} sur {compared}"
                        + (f" ; première différence : {difference}" if difference else "")
                    )
                    for out in (project / f"_site-{fraction}", hugo_project / f"_site-{fraction}"):
                        shutil.rmtree(out)
        if args.profil:
            fraction = min(fractions)
            print(f"\ntracemalloc, {fraction} % des collectivités (lent) :")
            traced = run_barometre(data_dir, edition, fraction, work, profile=True)
            cards = count_for(fraction, scored)
            print(
                "  plus fortes croissances entre le premier dixième et le dernier bulletin "
                f"(≈ {cards - cards // 10:,} bulletins entre les deux : une ligne qui a autant "
                "de blocs grandit avec eux ; le morceau de bulletins en cours y figure aussi) : "
                + ("aucune" if not traced["growth"] else "")
            )
            for line in traced["growth"]:
                print(f"  {line}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{load_note()}")
    ours_by = rows["barometre"]
    low, high = min(fractions), max(fractions)
    if low != high:
        flat = ours_by[high]["rss_mb"] / ours_by[low]["rss_mb"]
        curve = ours_by[high]["curve"]
        drift = curve[-1][1] - curve[0][1]
        print(
            "mémoire barometre : RSS max "
            + ", ".join(f"{f} % {ours_by[f]['rss_mb']:.0f} Mo" for f in fractions)
            + f" ; rapport {high} %/{low} % : {flat:.2f} ; pendant les {curve[-1][0]:,} "
            f"bulletins du {high} %, RSS {curve[0][1]:.0f} → {curve[-1][1]:.0f} Mo "
            f"({drift:+.0f} Mo)"
        )
        if rows["eleventy"]:
            peer_by = rows["eleventy"]
            print(
                "mémoire eleventy : RSS max "
                + ", ".join(f"{f} % {peer_by[f]['rss_mb']:.0f} Mo" for f in fractions)
                + f" ; rapport {high} %/{low} % : {peer_by[high]['rss_mb'] / peer_by[low]['rss_mb']:.2f}"
            )
    print_phases(ours_by[high])
    for name in ("eleventy", "hugo"):
        if not rows[name]:
            continue
        ours, peer = ours_by[high], rows[name][high]
        print(f"rapport temps barometre/{name} : {ours['seconds'] / peer['seconds']:.2f}")
        print(
            f"rapport débit barometre/{name} : {ours['pages_per_s'] / peer['pages_per_s']:.2f}"
            f" (pages/s : {ours['pages_per_s']:,.0f} / {peer['pages_per_s']:,.0f})"
        )
        print(f"rapport mémoire barometre/{name} : {ours['rss_mb'] / peer['rss_mb']:.2f}")
        if low != high and name == "hugo":
            print(
                f"mémoire {name} : RSS max "
                + ", ".join(f"{f} % {rows[name][f]['rss_mb']:.0f} Mo" for f in fractions)
            )
    if rows["hugo"]:
        ratio = ours_by[high]["seconds"] / rows["hugo"][high]["seconds"]
        print(
            f"objectif : au plus {HUGO_TARGET:g} × le temps de Hugo ; mesuré {ratio:.2f} × "
            f"({'atteint' if ratio <= HUGO_TARGET else 'manqué'})"
        )
    for by_fraction in rows.values():
        for row in by_fraction.values():
            for key in ("log", "curve", "phases", "growth"):
                row.pop(key, None)
    return {"edition": edition, "collectivites": scored, "versions": versions, **rows}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--enfant"]:
        child(argv[1:])
        return
    if argv[:1] == ["--preparer"]:
        prepare_child(argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dossier",
        type=Path,
        help="garder l'édition et les données dans ce dossier et les réutiliser "
        "(défaut : dossier temporaire)",
    )
    parser.add_argument(
        "--fractions",
        type=int,
        nargs="+",
        default=list(FRACTIONS),
        help="parts des collectivités publiées, en %% (défaut : 10 50 100)",
    )
    parser.add_argument("--sans-pair", action="store_true", help="ne lancer ni Eleventy ni Hugo")
    parser.add_argument(
        "--verifier",
        type=int,
        default=0,
        metavar="N",
        help="comparer N pages d'Eleventy et de Hugo à la plus petite fraction",
    )
    parser.add_argument(
        "--profil", action="store_true", help="ajouter une construction sous tracemalloc"
    )
    args = parser.parse_args(argv)
    if any(not 0 < f <= 100 for f in args.fractions):
        parser.error("--fractions : des parts entre 1 et 100")
    if args.dossier is not None:
        args.dossier.mkdir(parents=True, exist_ok=True)
        summary = run(args, args.dossier.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="barometre-bench-publish-") as folder:
            summary = run(args, Path(folder))
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
