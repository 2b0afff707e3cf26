"""The site's own institutional pages: legal notice, accessibility statement, privacy,
contact, open data, site map.

The barometer holds collectivités to these obligations; its own site meets them too
(and is audited with the barometer's own checks). The publisher's details are settings
(``publish_*``); when they are missing the pages say what is missing rather than
inventing it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from barometre.errors import ConfigurationError
from barometre.publish.pages.models import ExportFile, Link, SiteInfo
from barometre.vocab import fr

# The publisher's identity, one setting each (``publish_<key>``): a site that names no
# one is a preview, and a release build refuses to go out without them.
REQUIRED: dict[str, str] = {
    "publisher": "éditeur du site : nom et adresse",
    "director": "directeur ou directrice de la publication",
    "host": "hébergeur : nom, adresse et téléphone",
    "contact": "adresse électronique ou page de contact (explications et contestations)",
}
OPTIONAL: dict[str, str] = {"dpo": "délégué à la protection des données"}
NOT_GIVEN = "non renseigné dans cet aperçu"


def missing(publisher: Mapping[str, str]) -> list[str]:
    """The settings of the publisher's identity still empty (``publish_publisher``…)."""
    return [f"publish_{key}" for key in REQUIRED if not (publisher.get(key) or "").strip()]


def release_error(publisher: Mapping[str, str]) -> ConfigurationError | None:
    """Why a release build may not go out (the identity settings it lacks), or ``None``."""
    lacking = missing(publisher)
    if not lacking:
        return None
    lines = "\n".join(
        f"  - {name} (BAROMETRE_{name.upper()}) : {REQUIRED[name.removeprefix('publish_')]}"
        for name in lacking
    )
    return ConfigurationError(
        "Publication refusée : le site publié doit nommer son éditeur (LCEN, article 6-III). "
        f"Réglages à renseigner dans barometre.toml ou l'environnement :\n{lines}\n"
        "Sans --release ni publish_base_url, le site est construit comme un aperçu."
    )


def _value(publisher: Mapping[str, str], key: str) -> str:
    return publisher.get(key) or NOT_GIVEN


def _settings_to_fill(publisher: Mapping[str, str]) -> Markup:
    """For a preview: the settings that name the publisher, those still to fill first."""
    lacking = set(missing(publisher))
    if not lacking:
        return Markup("")
    items = Markup("").join(
        Markup(
            "<li><code>publish_{}</code> (<code>BAROMETRE_PUBLISH_{}</code>) : {}</li>\n"
        ).format(key, key.upper(), label)
        for key, label in {**REQUIRED, **OPTIONAL}.items()
        if f"publish_{key}" in lacking or (key in OPTIONAL and not publisher.get(key))
    )
    return Markup(
        '<div class="apercu-reglages"><p><strong>Aperçu : éditeur non renseigné.</strong> '
        "Ce site ne peut pas être publié tant que ces réglages ne sont pas renseignés "
        "(fichier <code>barometre.toml</code> ou variables d'environnement) :</p>\n"
        "<ul>\n{}</ul></div>\n"
    ).format(items)


def _paragraphs(*items: str | Markup) -> Markup:
    return Markup("").join(Markup("<p>{}</p>\n").format(item) for item in items)


def pages(site: SiteInfo, publisher: Mapping[str, str]) -> dict[str, Markup]:
    """The bodies of the publisher's own pages, by path (their titles are the
    registry's, :data:`barometre.publish.pages.registry.PAGES`)."""
    name = escape(site.title)
    contact = _value(publisher, "contact")
    built = fr.day(site.built)
    year = site.built.year
    to_fill = _settings_to_fill(publisher)
    legal_notice = to_fill + Markup(
        "<h2>Éditeur</h2>{}<h2>Directeur de la publication</h2>{}<h2>Hébergeur</h2>{}"
        "<h2>Propriété et réutilisation</h2>{}"
    ).format(
        _paragraphs(f"{_value(publisher, 'publisher')} — contact : {contact}."),
        _paragraphs(_value(publisher, "director")),
        _paragraphs(_value(publisher, "host")),
        _paragraphs(
            "Les données publiées (mesures, scores, preuves) sont sous Licence Ouverte 2.0 "
            "(Etalab) : vous pouvez les réutiliser librement en citant la source. Le logiciel "
            "qui les produit est libre (AGPL-3.0-or-later). Les données du registre des "
            "collectivités restent sous leurs licences d'origine, citées dans la page "
            "données ouvertes."
        ),
    )
    accessibility = Markup(
        "<h2>Déclaration d'accessibilité</h2>{}<h2>État de conformité</h2>{}"
        "<h2>Contenus non accessibles</h2>{}<h2>Établissement de cette déclaration</h2>{}"
        "<h2>Retour d'information et contact</h2>{}<h2>Voies de recours</h2>{}"
        "<h2>Schéma pluriannuel</h2>{}"
    ).format(
        _paragraphs(
            f"L'éditeur de {name} s'engage à rendre son site accessible, conformément à "
            "l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration "
            "d'accessibilité s'applique au site du baromètre."
        ),
        _paragraphs(
            f"Ce site est {escape(site.accessibility_status)} avec le référentiel général "
            "d'amélioration de l'accessibilité (RGAA), version 4.1.2. Chaque page est contrôlée "
            "automatiquement à chaque publication (axe-core et contrôles statiques du "
            "baromètre) ; un audit complet par une personne qualifiée reste à faire, d'où la "
            "mention « partiellement conforme » tant qu'il n'a pas eu lieu."
        ),
        _paragraphs(
            "Les graphiques et cartes sont doublés d'un tableau de données ; sans JavaScript, "
            "tout le contenu reste disponible. Les captures d'écran des sites des collectivités "
            "sont des illustrations : leur contenu est décrit par les résultats des critères."
        ),
        _paragraphs(f"Cette déclaration a été établie le {built}, à la publication de l'édition."),
        _paragraphs(
            f"Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez l'éditeur "
            f"({contact}) pour être orienté vers une alternative accessible."
        ),
        _paragraphs(
            "Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu "
            "et que vous n'obtenez pas de réponse satisfaisante, vous pouvez écrire au Défenseur "
            "des droits, contacter le délégué du Défenseur des droits de votre région, ou "
            "envoyer un courrier gratuit (Défenseur des droits, libre réponse 71120, 75342 Paris "
            "CEDEX 07)."
        ),
        _paragraphs(
            f"Schéma pluriannuel de mise en accessibilité {year}-{year + 2} : aucune "
            "publication sans contrôle automatique sans erreur (axe-core, règles WCAG 2.x "
            "de niveaux A et AA, et contrôles du baromètre), un audit RGAA complet par une "
            "personne qualifiée avant la première édition nationale publique, puis à chaque "
            "refonte du site.",
            f"Plan d'action {year} : contrôler automatiquement chaque page type à chaque "
            "publication, corriger avant publication tout défaut relevé, faire réaliser "
            "l'audit RGAA complet et publier son taux de conformité dans cette déclaration.",
        ),
    )
    privacy = to_fill + Markup(
        "<h2>Données personnelles</h2>{}<h2>Cookies et traceurs</h2>{}"
    ).format(
        _paragraphs(
            f"{name} ne collecte aucune donnée personnelle sur ses visiteurs : pas de compte, "
            "pas de formulaire, pas de journal de consultation exploité. Finalité du site : "
            "publier des mesures sur les collectivités, qui sont des personnes morales.",
            "Les comptes sociaux mesurés sont ceux des collectivités ; les commentaires et "
            "les auteurs des réponses ne sont ni publiés ni conservés (seuls des nombres le "
            "sont). Durée de conservation des mesures : celle de l'archive des éditions. Aucun "
            "sous-traitant ne reçoit de donnée des visiteurs.",
            f"Pour exercer vos droits (accès, rectification, opposition) ou pour toute question : "
            f"{contact}. Vous pouvez aussi saisir la CNIL.",
            "Délégué à la protection des données (DPO) : "
            f"{publisher.get('dpo') or (NOT_GIVEN if missing(publisher) else 'non désigné')}.",
        ),
        _paragraphs(
            "Ce site ne dépose aucun cookie et n'utilise aucun traceur ni mesure d'audience ; il "
            "ne charge aucune ressource d'un site tiers (polices, scripts et graphiques sont "
            "servis par le site lui-même)."
        ),
    )
    contact_page = to_fill + Markup("{}<h2>Expliquer ou contester un résultat</h2>{}{}").format(
        _paragraphs(f"Écrire à l'éditeur : {contact}."),
        _paragraphs(
            "Une collectivité peut envoyer une explication ou une contestation sur un résultat "
            "(critère, date, texte). Elle est publiée à côté du résultat, pour une durée "
            "limitée, sans modifier la mesure : la mesure suivante dira si la situation a "
            "changé. Les preuves de chaque résultat (adresse, texte trouvé, en-tête) sont dans "
            "le bulletin de la collectivité."
        ),
        explanation_format(),
    )
    ecodesign = Markup(
        "<h2>Engagement</h2>{}<h2>Ce que le site fait pour rester léger</h2>{}"
        "<h2>Mesure</h2>{}<h2>Limites connues</h2>{}"
    ).format(
        _paragraphs(
            f"{name} applique le référentiel général d'écoconception de services numériques "
            "(RGESN, version 2024). Cette déclaration d'écoconception décrit ce que le site "
            f"fait réellement ; elle a été établie le {built}, à la publication de l'édition."
        ),
        Markup("<ul>\n{}</ul>").format(
            Markup("").join(
                Markup("<li>{}</li>\n").format(item)
                for item in (
                    "Pages statiques produites une fois par édition : aucun calcul côté "
                    "serveur à chaque visite.",
                    "Aucune ressource tierce : ni police téléchargée (polices du système), ni "
                    "traceur, ni mesure d'audience, ni vidéo ou carte d'un autre site.",
                    "JavaScript limité au tri et au filtre des classements, à la recherche et "
                    "au dessin des graphiques ; sans lui, tout le contenu reste lisible.",
                    "Graphiques et cartes livrés en SVG, doublés d'un tableau de données.",
                    "Données téléchargeables dans des formats ouverts, pour les réutiliser "
                    "sans recopier les pages.",
                )
            )
        ),
        _paragraphs(
            "Les tests automatiques du logiciel mesurent la page d'accueil avec les contrôles "
            "du baromètre lui-même (EcoIndex : nombre d'éléments, de requêtes et poids "
            "transféré), comme le site d'une collectivité."
        ),
        _paragraphs(
            "Les bulletins des plus grandes éditions sont longs (45 critères et leurs preuves) ; "
            "les classements très fournis sont découpés par département."
        ),
    )
    return {
        "mentions-legales.html": legal_notice,
        "accessibilite.html": accessibility,
        "donnees-personnelles.html": privacy,
        "contact.html": contact_page,
        "ecoconception.html": ecodesign,
        "404.html": _paragraphs(
            Markup("La page demandée n'existe pas. <a href=\"/index.html\">Retour à l'accueil</a>.")
        ),
    }


EXPLANATION_EXAMPLE = """[[explications]]
type = "commune"
code = "75056"
critere = "L4"
nature = "contestation"
texte = \"\"\"
Les mentions légales sont en ligne depuis le 3 mars à l'adresse /mentions-legales.
\"\"\"
auteur = "Service communication"
date = 2026-12-07
"""


def explanation_format() -> Markup:
    """The explanation file format, as the card's « contester » links produce it."""
    return Markup("<h3>Format du message</h3>{}<pre><code>{}</code></pre>{}").format(
        _paragraphs(
            "Le lien « Expliquer ou contester ce résultat » de chaque bulletin prépare un "
            "message dans le format que l'éditeur importe tel quel (fichier TOML, une table "
            "[[explications]] par résultat ; les lignes commençant par # sont des "
            "commentaires qui rappellent l'édition, le résultat mesuré et ses preuves). Il "
            "suffit d'écrire le texte entre les triples guillemets et de signer :"
        ),
        EXPLANATION_EXAMPLE,
        _paragraphs(
            "Champs : type (region, departement, commune ou epci) et code (code INSEE ou "
            "SIREN) de la collectivité ; critere (code du critère, comme L4, ou son "
            "identifiant) ; nature : contestation (la mesure est fausse) ou explication (elle "
            "est juste, voici pourquoi) ; texte (4 000 caractères au plus) ; auteur ; date "
            "de l'envoi (AAAA-MM-JJ) ; expire, facultatif (un an après la date par défaut). "
            "Le même format existe en CSV, une ligne par résultat, avec ces colonnes."
        ),
    )


DATASETTE_EXAMPLE = (
    "select c.nom, s.score, s.note from scores s join collectivites c on c.id = s.collectivite "
    "where s.portee = 'global' and s.groupe_pairs = 'region' order by s.score desc"
)


def live_queries() -> Markup:
    """How to query the edition's SQLite database with Datasette."""
    return Markup("{}<pre><code>{}</code></pre>{}<pre><code>{}</code></pre>{}").format(
        _paragraphs(
            "La base SQLite de l'édition s'explore avec Datasette, en lecture seule : "
            "filtres, tris, requêtes SQL et export CSV ou JSON de chaque résultat. Après "
            "avoir téléchargé le logiciel du baromètre et la base (ou l'avoir produite avec "
            "« barometre export --format sqlite ») :"
        ),
        "uv sync --extra datasette\nuv run barometre serve --datasette --edition AAAA-MM",
        _paragraphs(
            "Datasette répond alors sur http://127.0.0.1:8000/ (sur cette machine seulement). "
            "Chaque table est décrite colonne par colonne ; deux requêtes toutes prêtes "
            "figurent sur la page de la base : « Notes par groupe de pairs » et « Résultats "
            "d'une collectivité » (identifiant comme commune:75056). Toute requête SQL en "
            "lecture est possible, par exemple le classement des régions :"
        ),
        DATASETTE_EXAMPLE,
        _paragraphs(
            "Ajoutez .json ou .csv à l'adresse d'une page de résultats pour en obtenir les "
            "données dans ce format."
        ),
    )


def open_data(exports: Sequence[ExportFile]) -> Markup:
    """The body of the open-data page: the files joined to the site, their sources."""
    if exports:
        items = Markup("").join(
            Markup('<li><a href="{}">{}</a> ({})</li>\n').format(
                e.path, e.name, fr.number(e.bytes / 1024) + f"{fr.NNBSP}ko"
            )
            for e in exports
        )
        listing = Markup("<ul>\n{}</ul>").format(items)
    else:
        listing = _paragraphs(
            "Les fichiers de cette édition ne sont pas joints à cette publication : produisez-les "
            "avec « barometre export ».",
        )
    return Markup(
        "{}<h2>Fichiers</h2>{}<h2>Interroger les données en direct</h2>{}<h2>Sources</h2>{}"
    ).format(
        _paragraphs(
            "Toutes les données de l'édition sont ouvertes : CSV (UTF-8) décrits par un schéma "
            "Table Schema, JSON, Parquet et une base SQLite prête pour Datasette. Licence "
            "Ouverte 2.0 (Etalab).",
            "La table « indicateurs » donne les chiffres nationaux du catalogue d'indicateurs, "
            "un par indicateur et par groupe de collectivités : numérateur, dénominateur, "
            "couverture, état « non mesuré » quand personne n'a pu l'être, et évolution depuis "
            "l'édition précédente et sur 12 mois.",
        ),
        listing,
        live_queries(),
        _paragraphs(
            "Registre des collectivités : découpage administratif (Etalab, Licence Ouverte 2.0), "
            "Annuaire de l'administration (DILA, Licence Ouverte 2.0), listes de noms de domaine "
            "publics (Etalab), observatoire OpenDataFrance ; fonds de carte : IGN et INSEE via "
            "france-geojson (Licence Ouverte)."
        ),
    )


def site_map(links: Sequence[Link]) -> Markup:
    """The body of the « plan du site » (its links come from the page registry)."""
    return Markup("<ul>\n{}</ul>").format(
        Markup("").join(
            Markup('<li><a href="{}">{}</a></li>\n').format(link.path, link.title) for link in links
        )
    )
