"""Datasette ``metadata.json`` for the standalone database of an edition.

Keys as documented by Datasette (https://docs.datasette.io/en/stable/metadata.html):
``title``, ``description``, ``license``, ``license_url``, ``source``, ``source_url`` at
the top; per database and per table ``title``, ``description``, ``columns`` (column
descriptions) and ``label_column`` (the label shown for a foreign key).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from barometre.publish.tableschema import LICENCE, TableDef, descriptions

if TYPE_CHECKING:
    from barometre.publish.exports import PackageInfo


# Canned queries (Datasette « queries »), shown on the database page and named in the
# site's open-data page; each reads only the public tables of the export.
QUERIES: dict[str, dict[str, str]] = {
    "notes_par_groupe": {
        "title": "Notes par groupe de pairs",
        "description": (
            "Nombre de collectivités par note dans chaque groupe de pairs ; « non noté » "
            "quand la couverture ne suffit pas à noter."
        ),
        "sql": (
            "select groupe_pairs, coalesce(note, 'non noté') as note, "
            "count(*) as collectivites from scores where portee = 'global' "
            "group by groupe_pairs, coalesce(note, 'non noté') order by groupe_pairs, note"
        ),
    },
    "resultats_collectivite": {
        "title": "Résultats d'une collectivité",
        "description": (
            "Chaque critère d'une collectivité, avec son statut et son motif "
            "(identifiant comme commune:75056)."
        ),
        "sql": (
            "select c.nom, r.critere, r.statut, r.motif from resultats r "
            "join collectivites c on c.id = r.collectivite "
            "where r.collectivite = :collectivite order by r.critere"
        ),
    },
}


def metadata(info: PackageInfo, tables: Sequence[TableDef]) -> dict[str, Any]:
    sources = info.sources
    if info.demo:
        source, source_url = sources[0]["title"], None
    else:
        source = (
            "Mesures : Baromètre numérique des territoires ; registre : Etalab (découpage "
            "administratif, INSEE), DILA (annuaire de l'administration), DINUM (noms de "
            "domaine) et les autres sources ouvertes citées dans datapackage.json"
        )
        source_url = sources[0]["path"]
    out: dict[str, Any] = {
        "title": info.title,
        "description": info.description,
        "license": LICENCE["title"],
        "license_url": LICENCE["path"],
        "source": source,
    }
    if source_url:
        out["source_url"] = source_url
    out["databases"] = {
        info.database_name: {
            "title": info.title,
            "description": info.status_text,
            "tables": {
                table.name: {
                    "title": table.title,
                    "description": table.description,
                    "columns": dict(descriptions(table)),
                    **({"label_column": table.label_column} if table.label_column else {}),
                }
                for table in tables
            },
            "queries": QUERIES,
        }
    }
    return out
