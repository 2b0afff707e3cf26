"""The methodology as data: dimensions, criteria, weights, thresholds, applicability.

A methodology file (``methodology/<version>.toml``) is validated when loaded: a typo in
an identifier, an unknown dimension, a negative weight or a malformed rule stops the
program with a message naming the file and the field. The audit reads applicability and
thresholds from it; the scoring reads weights.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from barometre.errors import MethodologyError
from barometre.models import Authority, AuthorityKind, Status
from barometre.vocab.authorities import kind_plural

DEFAULT_VERSION = "2026.1"
_ID = re.compile(r"^[a-z]+\.[a-z0-9_]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dimension(_Strict):
    id: str
    code: str
    name: str
    question: str = ""
    weight: float = Field(gt=0)


class Rule(_Strict):
    """A condition under which a criterion does not apply, or only as a bonus."""

    kinds: tuple[AuthorityKind, ...] = ()
    population_below: int | None = Field(default=None, ge=0)
    population_at_least: int | None = Field(default=None, ge=0)
    effect: Literal["not_applicable", "bonus"]
    reason: str = Field(min_length=1)

    def matches(self, authority: Authority) -> bool:
        if self.kinds and authority.kind not in self.kinds:
            return False
        population = authority.population
        if self.population_below is not None and (
            population is None or population >= self.population_below
        ):
            return False
        return not (
            self.population_at_least is not None
            and (population is None or population < self.population_at_least)
        )


class Criterion(_Strict):
    id: str
    code: str
    dimension: str
    name: str
    nature: Literal["obligation", "recommandation"]
    basis: str
    # Short French recommendation shown to a collectivité that fails or partly passes
    # the criterion (what to do, and the reference it rests on).
    advice: str = ""
    modes: tuple[Literal["S", "R", "N", "A"], ...]
    weight: float = Field(gt=0)
    kinds: tuple[AuthorityKind, ...] = ()
    rules: tuple[Rule, ...] = ()
    params: dict[str, Any] = Field(default_factory=dict)
    registry_level: bool = False
    social: bool = False

    @field_validator("id")
    @classmethod
    def _dotted(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(
                f"identifiant « {value} » : attendu <dimension>.<critère> en minuscules"
            )
        return value

    @property
    def legal(self) -> bool:
        return self.nature == "obligation"

    def missing_status(self, authority: Authority) -> Status:
        """The status of this criterion for a collectivité that has no stored result.

        The audit stores only the decided results of a collectivité without a site; a
        criterion it never evaluated is therefore not applicable when its rules say so
        or when there is no site, and otherwise **not measurable** (a declared site that
        the edition did not capture). Scores and the published pages use this one rule.
        """
        effect, _ = self.applicability(authority)
        if effect == "not_applicable" or authority.website is None:
            return Status.NOT_APPLICABLE
        return Status.NOT_MEASURABLE

    def applicability(self, authority: Authority) -> tuple[str, str | None]:
        """``("applies" | "not_applicable" | "bonus", reason)`` for this collectivité."""
        if self.kinds and authority.kind not in self.kinds:
            kinds = ", ".join(kind_plural(k) for k in self.kinds)
            return "not_applicable", f"Critère réservé aux {kinds}."
        for rule in self.rules:
            if rule.matches(authority):
                return rule.effect, rule.reason
        return "applies", None


class Scoring(_Strict):
    """How scores become grades: the coverage a grade needs, and the grade bands.

    ``bands`` are the lower bounds of A, B, C and D (E below). Left empty, they are
    calibrated on the first national edition scored with this methodology (quintiles
    of its global scores) and kept with it, so later editions stay comparable.
    """

    min_coverage: float = Field(default=0.5, ge=0, le=1)
    bands: tuple[float, float, float, float] | None = None
    calibration: Literal["quintiles"] = "quintiles"

    @field_validator("bands")
    @classmethod
    def _decreasing(
        cls, value: tuple[float, float, float, float] | None
    ) -> tuple[float, float, float, float] | None:
        if value is not None and not all(a > b for a, b in pairwise(value)):
            raise ValueError("les bornes des notes A, B, C, D doivent décroître")
        if value is not None and not all(0 <= v <= 100 for v in value):
            raise ValueError("les bornes des notes sont entre 0 et 100")
        return value


class Methodology(_Strict):
    version: str
    title: str
    published: str
    source: str = ""
    dimensions: tuple[Dimension, ...]
    criteria: tuple[Criterion, ...]
    scoring: Scoring = Field(default_factory=Scoring)

    @model_validator(mode="after")
    def _consistent(self) -> Methodology:
        dims = {d.id for d in self.dimensions}
        if len(dims) != len(self.dimensions):
            raise ValueError("identifiant de dimension en double")
        total = sum(d.weight for d in self.dimensions)
        if abs(total - 100) > 1e-6:
            raise ValueError(f"les poids des dimensions font {total:g}, pas 100")
        seen: set[str] = set()
        for criterion in self.criteria:
            if criterion.id in seen:
                raise ValueError(f"critère en double : {criterion.id}")
            seen.add(criterion.id)
            if criterion.dimension not in dims:
                raise ValueError(f"{criterion.id} : dimension inconnue « {criterion.dimension} »")
            if not criterion.id.startswith(criterion.dimension + "."):
                raise ValueError(
                    f"{criterion.id} : l'identifiant doit commencer par « {criterion.dimension}. »"
                )
        for dimension in self.dimensions:
            if not any(c.dimension == dimension.id for c in self.criteria):
                raise ValueError(f"la dimension {dimension.id} n'a aucun critère")
        return self

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id or criterion.code == criterion_id.upper():
                return criterion
        raise MethodologyError(
            f"Critère inconnu dans la méthodologie {self.version} : {criterion_id}"
        )

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def by_dimension(self) -> Iterator[tuple[Dimension, list[Criterion]]]:
        for dimension in self.dimensions:
            yield dimension, [c for c in self.criteria if c.dimension == dimension.id]

    @property
    def ids(self) -> Mapping[str, Criterion]:
        return {c.id: c for c in self.criteria}


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "fichier"
        parts.append(f"{where} : {item['msg']}")
    return " ; ".join(parts)


def parse(text: str, origin: str) -> Methodology:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MethodologyError(f"{origin} : TOML invalide ({exc}).") from exc
    try:
        return Methodology.model_validate(data)
    except ValidationError as exc:
        raise MethodologyError(f"{origin} : méthodologie invalide — {_describe(exc)}.") from exc


def load(path: Path) -> Methodology:
    """A methodology file given by path (for a user-supplied grid)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MethodologyError(
            f"{path} : fichier de méthodologie illisible ({exc.strerror})."
        ) from exc
    return parse(text, str(path))


def available() -> list[str]:
    folder = resources.files("barometre.methodology")
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


@cache
def bundled(version: str = DEFAULT_VERSION) -> Methodology:
    """A methodology shipped with the package (``2026.1`` by default)."""
    if version not in available():
        raise MethodologyError(
            f"Méthodologie {version} inconnue ; disponibles : {', '.join(available())}."
        )
    resource = resources.files("barometre.methodology").joinpath(f"{version}.toml")
    return parse(resource.read_text(encoding="utf-8"), f"methodology/{version}.toml")
