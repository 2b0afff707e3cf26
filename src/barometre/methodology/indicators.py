"""The indicator catalogue as data: every national figure the barometer publishes.

``methodology/indicators.toml`` lists the indicators: a stable id, a French label and
definition, what is counted (the numerator), over whom (the denominator: the eligible
collectivités, or accounts), the criteria or findings it rests on and the peer groups
it is shown for. ``barometre stats``, the synthèse, the series, the maps and the
rankings are all generated from it (:mod:`barometre.indicators`).

The file is validated when loaded: an unknown kind, a criterion absent from the
methodology, a missing field or a duplicated id stops the program with a French message
naming the file and the indicator.

Kinds of indicator (``kind``):

* ``site`` — collectivités with a declared official site, over every collectivité;
* ``criterion`` — collectivités whose criterion (one of ``criteria``, ``match = "any"``,
  or all of them) has one of ``statuses`` (``pass`` by default), over those where it
  was measured; eligible: those it applies to;
* ``finding`` — collectivités with a finding of ``category`` (``names`` to restrict),
  over those whose site was read (``read_by``: a criterion measured on the site);
* ``platforms`` — collectivités with an account on the ``platforms`` (any, or all with
  ``match = "all"``), over those whose accounts could be looked for;
* ``accounts`` — accounts per collectivité (a mean), over the same;
* ``account_metric`` — accounts whose social ``metric`` is above ``above``, or below
  ``below`` (or whose dominant mode is ``dominant``), over the accounts where it was
  measured; eligible: every account on the platforms, or with ``eligible = "metric"``
  only those the social layer measured the metric for;
* ``metric_mean`` — the mean of an account ``metric`` (its distribution in the detail);
* ``mode_switch`` — collectivités whose dominant mode (over all their classified posts)
  was ``since_mode`` in the previous edition of the series and is ``dominant`` in this
  one, over those whose mode was measured in both (the list of who switched is in the
  value's detail); « non mesuré » without a previous edition;
* ``search`` — collectivités whose official site comes first (``position = "first"``)
  or on the first page (``"page"``) of a search engine for their name, over those
  searched (a connector must be configured; « non mesuré » without).

``each_platform = true`` repeats an indicator for every platform of the vocabulary
(``{platform}`` in its id and ``{label}`` in its label are replaced).
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from barometre.errors import MethodologyError
from barometre.methodology import Methodology
from barometre.models import POST_MODES
from barometre.vocab.platforms import PLATFORMS, platform_label

CATALOGUE = "indicators.toml"
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_{}]+)+$")
GROUPS = ("ensemble", "region", "departement", "commune", "epci", "strates")
STATUSES = ("pass", "partial", "fail")
SCOPES = ("tout", "grandes-villes")
Kind = Literal[
    "site",
    "criterion",
    "finding",
    "platforms",
    "accounts",
    "account_metric",
    "metric_mean",
    "search",
    "mode_switch",
]


class Indicator(BaseModel):
    """One national figure (see the module docstring for the kinds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    section: str = Field(min_length=1)
    label: str = Field(min_length=1)
    definition: str = Field(min_length=1)
    kind: Kind
    groups: tuple[
        Literal["ensemble", "region", "departement", "commune", "epci", "strates"], ...
    ] = (
        "ensemble",
        "region",
        "departement",
        "commune",
        "epci",
    )
    # the collectivités it is computed on: all of the edition, or the largest communes
    scope: Literal["tout", "grandes-villes"] = "tout"
    criteria: tuple[str, ...] = ()
    statuses: tuple[Literal["pass", "partial", "fail"], ...] = ("pass",)
    match: Literal["any", "all"] = "any"
    category: str = ""
    names: tuple[str, ...] = ()
    read_by: str = ""
    platforms: tuple[str, ...] = ()
    metric: str = ""
    above: float | None = None
    below: float | None = None
    # the accounts an account_metric counts: every account of the collectivité on the
    # platforms, or only those the social layer measured the metric for (even without
    # a value: eligible, not measured)
    eligible: Literal["accounts", "metric"] = "accounts"
    since_mode: str = ""  # mode_switch: the dominant mode in the previous edition
    dominant: str = ""
    position: Literal["first", "page", ""] = ""
    each_platform: bool = False
    each_criterion: bool = False
    # the claim of an earlier barometer this indicator measures again (closing note)
    reference: str = ""
    references: dict[str, str] = Field(default_factory=dict)  # per platform, with each_platform
    source: str = ""  # written for the reader; derived from the fields when empty

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Indicator:
        if not _ID.match(self.id):
            raise ValueError(
                "identifiant attendu en minuscules, avec au moins un point (ex. presence.facebook)"
            )
        need: dict[str, tuple[str, ...]] = {
            "criterion": () if self.each_criterion else ("criteria",),
            "finding": ("category", "read_by"),
            "platforms": ("platforms",),
            "accounts": (),
            "account_metric": ("metric",),
            "metric_mean": ("metric",),
            "search": ("position",),
            "site": (),
            "mode_switch": ("dominant", "since_mode"),
        }
        for name in need[self.kind]:
            if not getattr(self, name):
                raise ValueError(f"le champ « {name} » est requis pour le genre « {self.kind} »")
        if (
            self.kind == "account_metric"
            and self.above is None
            and self.below is None
            and not self.dominant
        ):
            raise ValueError(
                "« above », « below » ou « dominant » est requis pour le genre account_metric"
            )
        modes = POST_MODES
        for name in ("dominant", "since_mode"):
            value = getattr(self, name)
            if value and value not in modes:
                raise ValueError(f"mode inconnu pour « {name} » : {value}")
        unknown = [p for p in self.platforms if p not in PLATFORMS and p != "{platform}"]
        if unknown:
            raise ValueError(f"plateforme inconnue : {', '.join(unknown)}")
        if self.each_platform != ("{platform}" in self.id):
            raise ValueError("« each_platform » va avec « {platform} » dans l'identifiant")
        if self.each_criterion != ("{criterion}" in self.id):
            raise ValueError("« each_criterion » va avec « {criterion} » dans l'identifiant")
        return self

    @property
    def unit(self) -> str:
        if self.kind in ("account_metric", "metric_mean"):
            return "comptes"
        return "collectivités"

    @property
    def is_share(self) -> bool:
        return self.kind not in ("accounts", "metric_mean")

    def sources(self) -> str:
        if self.source:
            return self.source
        if self.kind == "criterion":
            return "critères " + ", ".join(self.criteria)
        if self.kind == "finding":
            names = f" ({', '.join(self.names)})" if self.names else ""
            return f"découverte « {self.category} »{names}, site lu ({self.read_by})"
        if self.kind in ("platforms", "accounts"):
            return "comptes découverts sur le site et lus par la couche sociale"
        if self.kind in ("account_metric", "metric_mean"):
            return f"couche sociale, mesure « {self.metric} »"
        if self.kind == "mode_switch":
            return "couche sociale, modes dominants de l'édition précédente et de celle-ci"
        if self.kind == "search":
            return "connecteur de moteur de recherche (SearXNG)"
        return "registre (sites déclarés)"

    def expand(self, methodology: Methodology | None = None) -> list[Indicator]:
        """One indicator per platform when ``each_platform``, per criterion of the
        methodology when ``each_criterion``; itself otherwise."""
        if self.each_criterion:
            if methodology is None:
                return []
            return [
                Indicator.model_validate(
                    self.model_dump()
                    | {
                        "id": self.id.replace("{criterion}", c.id),
                        "label": self.label.replace("{code}", c.code).replace("{name}", c.name),
                        "definition": self.definition.replace("{code}", c.code).replace(
                            "{name}", c.name
                        ),
                        "criteria": (c.id,),
                        "each_criterion": False,
                    }
                )
                for c in methodology.criteria
            ]
        if not self.each_platform:
            return [self]
        out = []
        for platform in PLATFORMS:
            label = platform_label(platform)
            data = self.model_dump()
            data.update(
                id=self.id.replace("{platform}", platform),
                label=self.label.replace("{label}", label),
                definition=self.definition.replace("{label}", label),
                platforms=tuple(platform if p == "{platform}" else p for p in self.platforms),
                each_platform=False,
                reference=self.references.get(platform, self.reference),
                references={},
            )
            out.append(Indicator.model_validate(data))
        return out


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    top_communes: int = Field(default=50, gt=0)
    sections: tuple[Section, ...]
    indicators: tuple[Indicator, ...]

    def get(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise MethodologyError(f"Indicateur inconnu du catalogue : {indicator_id}")

    def section_title(self, section: str) -> str:
        return next((s.title for s in self.sections if s.id == section), section)

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]


def _name(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return f"indicateur « {raw['id']} »"
    return f"indicateur n° {index + 1}"


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(p) for p in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{where} : {message}" if where else message)
    return " ; ".join(parts)


def parse(text: str, origin: str, methodology: Methodology | None = None) -> Catalogue:
    """The catalogue in ``text``; every error names ``origin`` and the indicator."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MethodologyError(f"{origin} : TOML invalide ({exc}).") from exc
    raw = data.pop("indicator", [])
    if not isinstance(raw, list) or not raw:
        raise MethodologyError(f"{origin} : aucun indicateur ([[indicator]]).")
    indicators: list[Indicator] = []
    for index, item in enumerate(raw):
        try:
            indicators += Indicator.model_validate(item).expand(methodology)
        except ValidationError as exc:
            raise MethodologyError(f"{origin}, {_name(item, index)} : {_describe(exc)}.") from exc
    try:
        catalogue = Catalogue.model_validate({**data, "indicators": indicators})
    except ValidationError as exc:
        raise MethodologyError(f"{origin} : catalogue invalide — {_describe(exc)}.") from exc
    _check(catalogue, origin, methodology)
    return catalogue


def _check(catalogue: Catalogue, origin: str, methodology: Methodology | None) -> None:
    sections = {s.id for s in catalogue.sections}
    seen: set[str] = set()
    known = methodology.ids if methodology is not None else None
    for indicator in catalogue.indicators:
        where = f"{origin}, indicateur « {indicator.id} »"
        if indicator.id in seen:
            raise MethodologyError(f"{where} : identifiant en double.")
        seen.add(indicator.id)
        if indicator.section not in sections:
            raise MethodologyError(
                f"{where} : section « {indicator.section} » absente de [[sections]]."
            )
        if known is not None:
            for criterion in (
                *indicator.criteria,
                *([indicator.read_by] if indicator.read_by else []),
            ):
                if criterion not in known:
                    raise MethodologyError(
                        f"{where} : critère « {criterion} » absent de la méthodologie "
                        f"{methodology.version if methodology else ''}."
                    )


def load(path: Path, methodology: Methodology | None = None) -> Catalogue:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MethodologyError(
            f"{path} : catalogue d'indicateurs illisible ({exc.strerror})."
        ) from exc
    return parse(text, str(path), methodology)


@cache
def bundled() -> Catalogue:
    """The catalogue shipped with the package, checked against the default methodology."""
    from barometre.methodology import bundled as bundled_methodology

    resource = resources.files("barometre.methodology").joinpath(CATALOGUE)
    return parse(
        resource.read_text(encoding="utf-8"), f"methodology/{CATALOGUE}", bundled_methodology()
    )
