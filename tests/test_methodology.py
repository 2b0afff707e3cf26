"""The methodology file: loaded, validated, and its applicability rules applied."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from barometre.errors import MethodologyError
from barometre.methodology import available, bundled, load, parse
from barometre.models import Authority, AuthorityKind

RAW = resources.files("barometre.methodology").joinpath("2026.1.toml").read_text("utf-8")


def commune(population: int | None) -> Authority:
    return Authority(AuthorityKind.COMMUNE, "99001", "Exemple", population=population)


def test_bundled_grid_has_the_six_dimensions_and_every_criterion_of_the_research_note() -> None:
    grid = bundled()
    assert "2026.1" in available() and grid.version == "2026.1"
    assert [d.code for d in grid.dimensions] == ["P", "S", "D", "K", "L", "T"]
    assert sum(d.weight for d in grid.dimensions) == 100
    note = Path(__file__).parents[2] / "shared" / "reference" / "criteria.md"
    codes = {c.code for c in grid.criteria}
    if note.exists():
        listed = set(re.findall(r"^\| ([PSDKLT]\d+) \|", note.read_text("utf-8"), re.M))
        assert listed == codes
    assert len(codes) == len(grid.criteria) == 45
    # Weights and dimension membership follow the codes (P1 → presence…).
    prefix = {d.code: d.id for d in grid.dimensions}
    assert all(c.dimension == prefix[c.code[0]] for c in grid.criteria)
    assert grid.criterion("L1").id == "conformite.accessibilite_mention"
    assert grid.criterion("conformite.accessibilite_mention").weight == 4


def test_applicability_rules_follow_the_legal_thresholds() -> None:
    grid = bundled()
    opendata = grid.criterion("L10")
    assert opendata.applicability(commune(2000))[0] == "not_applicable"
    assert opendata.applicability(commune(3500))[0] == "applies"
    assert opendata.applicability(commune(None))[0] == "applies"
    acts = grid.criterion("L8")
    assert acts.applicability(commune(800))[0] == "bonus"
    assert acts.applicability(commune(12_000))[0] == "applies"
    region = Authority(AuthorityKind.REGION, "99", "Région", population=10)
    assert acts.applicability(region)[0] == "applies"
    planning = grid.criterion("S2")
    effect, reason = planning.applicability(region)
    assert effect == "not_applicable" and reason and "communes" in reason


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["dimensions"][0].update(weight=20), "pas 100"),
        (lambda d: d["criteria"][0].update(dimension="inconnue"), "dimension inconnue"),
        (lambda d: d["criteria"][1].update(id=d["criteria"][0]["id"]), "double"),
        (lambda d: d["criteria"][0].update(id="Presence Site"), "identifiant"),
        (lambda d: d["criteria"][0].update(weight=-1), "weight"),
        (lambda d: d["criteria"][0].update(nature="facultatif"), "nature"),
        (lambda d: d["criteria"][0].update(surprise=True), "surprise"),
    ],
)
def test_a_bad_methodology_is_a_clear_error(change: object, message: str, tmp_path: Path) -> None:
    import tomli_w

    data = tomllib.loads(RAW)
    change(data)  # type: ignore[operator]
    path = tmp_path / "grille.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    with pytest.raises(MethodologyError) as error:
        load(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_unreadable_or_malformed_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(MethodologyError, match="illisible"):
        load(tmp_path / "absente.toml")
    with pytest.raises(MethodologyError, match="TOML invalide"):
        parse("version = ", "grille.toml")
    with pytest.raises(MethodologyError, match="inconnue"):
        bundled("1999.1")
