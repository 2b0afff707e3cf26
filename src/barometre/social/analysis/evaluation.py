"""Measured quality of the post classifiers, against the labelled sample shipped in the repo.

The barometer publishes shares of posts per theme and per mode *with* the method's
measured quality beside them (research note, lesson 10). This module loads the labelled
sample (``social/data/labelled_posts.csv``, written and labelled by the guide in
``social/data/README.md``), splits it by a fixed rule (odd id: development half, even
id: held-out test half), and computes:

* themes (multi-label): per-theme precision, recall, F1 and support, micro and macro
  averages, and the share of posts whose theme set is exactly right;
* modes (one label): per-mode precision, recall, F1, accuracy, macro-F1 and the
  confusion matrix.

Conventions are scikit-learn's (so the figures can be checked against it): a ratio with
a zero denominator counts 0, and macro averages run over every label seen in the gold
labels or in the predictions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal, Protocol

from barometre.errors import ConfigurationError, SourceError, SourceMissingError
from barometre.social.analysis.modes import MODES, ModeResult, classify_mode
from barometre.social.analysis.themes import ThemeScore, classify_themes, load_themes
from barometre.vocab import fr
from barometre.vocab.platforms import PLATFORMS

Split = Literal["dev", "test", "all"]
SPLITS: tuple[Split, ...] = ("dev", "test", "all")

LABELLED_RESOURCE = ("data", "labelled_posts.csv")
COLUMNS = ("id", "platform", "is_reply", "text", "themes", "mode")


@dataclass(frozen=True)
class LabelledPost:
    """One post of the labelled sample, with its gold themes and mode."""

    id: int
    platform: str
    is_reply: bool
    text: str
    themes: frozenset[str]
    mode: str

    @property
    def split(self) -> Literal["dev", "test"]:
        return split_of(self.id)


def split_of(post_id: int) -> Literal["dev", "test"]:
    """The fixed split rule: odd ids are the development half, even ids the test half."""
    return "dev" if post_id % 2 else "test"


# --------------------------------------------------------------------------- loading


def load_labelled(path: Path | None = None, split: Split = "test") -> list[LabelledPost]:
    """The labelled posts of one half (``test`` by default), ``dev``, or ``all``.

    Raises :class:`~barometre.errors.SourceError` naming the file and the line of any
    malformed row (unknown theme or mode, bad id, missing column…).
    """
    if split not in SPLITS:
        raise ConfigurationError(
            f"Partie « {split} » inconnue de l'échantillon annoté (attendu : {', '.join(SPLITS)})."
        )
    if path is None:
        resource = resources.files("barometre.social").joinpath(*LABELLED_RESOURCE)
        text, origin = resource.read_text(encoding="utf-8"), Path("social/data/labelled_posts.csv")
    else:
        if not path.is_file():
            raise SourceMissingError(path, "échantillon annoté introuvable.")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(path, f"échantillon annoté illisible ({exc}).") from exc
        origin = path
    rows = parse_labelled(text, origin, themes=load_themes().ids)
    return rows if split == "all" else [r for r in rows if r.split == split]


def parse_labelled(
    text: str, origin: Path | str, *, themes: Collection[str], modes: Collection[str] = MODES
) -> list[LabelledPost]:
    """Parse and validate the CSV content of a labelled sample."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = tuple(reader.fieldnames or ())
    if sorted(header) != sorted(COLUMNS):
        raise SourceError(
            origin,
            f"colonnes {', '.join(header) or '(aucune)'} ; attendues : {', '.join(COLUMNS)}.",
            line=1,
        )
    rows: list[LabelledPost] = []
    seen: set[int] = set()
    start = 2
    for record in reader:
        line = start
        start = reader.line_num + 1
        if None in record or any(value is None for value in record.values()):
            raise SourceError(origin, "nombre de colonnes incorrect.", line=line)
        rows.append(_row(record, origin, line, themes, modes, seen))
    if not rows:
        raise SourceError(origin, "aucune publication annotée.")
    return rows


def _row(
    record: dict[str, str],
    origin: Path | str,
    line: int,
    themes: Collection[str],
    modes: Collection[str],
    seen: set[int],
) -> LabelledPost:
    def fail(message: str) -> SourceError:
        return SourceError(origin, message, line=line)

    raw_id = record["id"].strip()
    if not raw_id.isdigit() or int(raw_id) < 1:
        raise fail(f"id « {raw_id} » : un entier positif est attendu.")
    post_id = int(raw_id)
    if post_id in seen:
        raise fail(f"id {post_id} en double.")
    seen.add(post_id)
    platform = record["platform"].strip()
    if platform not in PLATFORMS:
        raise fail(f"plateforme « {platform} » inconnue ({', '.join(PLATFORMS)}).")
    reply = record["is_reply"].strip()
    if reply not in ("0", "1"):
        raise fail(f"is_reply « {reply} » : 0 ou 1 attendu.")
    if not record["text"].strip():
        raise fail("texte vide.")
    labels = frozenset(t.strip() for t in record["themes"].split(";") if t.strip())
    unknown = sorted(labels - set(themes))
    if unknown:
        raise fail(
            f"{fr.plural(len(unknown), 'thème inconnu', 'thèmes inconnus')} "
            f"{', '.join(unknown)} (voir le lexique)."
        )
    mode = record["mode"].strip()
    if mode not in modes:
        raise fail(f"mode « {mode} » inconnu (attendu : {', '.join(modes)}).")
    return LabelledPost(post_id, platform, reply == "1", record["text"], labels, mode)


# --------------------------------------------------------------------------- scores


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall and F1 of one label (or an average of labels)."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int
    """Posts that carry the label in the gold set."""
    predicted: int
    """Posts the classifier gave the label."""


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def scores(label: str, true_positives: int, predicted: int, support: int) -> ClassScores:
    """The scores of one label from its counts."""
    precision = _ratio(true_positives, predicted)
    recall = _ratio(true_positives, support)
    return ClassScores(
        label,
        precision,
        recall,
        _ratio(2 * precision * recall, precision + recall),
        support,
        predicted,
    )


def _macro(per_label: Sequence[ClassScores]) -> ClassScores:
    count = len(per_label)
    return ClassScores(
        "macro",
        _ratio(sum(s.precision for s in per_label), count),
        _ratio(sum(s.recall for s in per_label), count),
        _ratio(sum(s.f1 for s in per_label), count),
        sum(s.support for s in per_label),
        sum(s.predicted for s in per_label),
    )


@dataclass(frozen=True)
class ThemeReport:
    """Quality of a theme classifier on a set of labelled posts."""

    title: str
    posts: int
    per_theme: tuple[ClassScores, ...]
    micro: ClassScores
    macro: ClassScores
    exact_match: float
    """Share of posts whose predicted theme set equals the gold set (no theme included)."""


@dataclass(frozen=True)
class ModeReport:
    """Quality of a mode classifier on a set of labelled posts."""

    title: str
    posts: int
    per_mode: tuple[ClassScores, ...]
    accuracy: float
    macro: ClassScores
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]
    """``confusion[i][j]``: posts of gold mode ``labels[i]`` predicted ``labels[j]``."""


ThemeClassifier = Callable[[str], Iterable[ThemeScore | str]]
"""Themes of a post's text: :func:`~barometre.social.analysis.themes.classify_themes` or
any function giving theme codes."""


class ModeClassifier(Protocol):
    """Mode of a post's text: :func:`~barometre.social.analysis.modes.classify_mode`, the
    model's :meth:`~barometre.social.analysis.model.ModeModel.predict`, or any function
    giving a mode code."""

    def __call__(self, text: str, *, is_reply: bool = False) -> ModeResult | str: ...


def _theme_codes(found: Iterable[ThemeScore | str]) -> frozenset[str]:
    return frozenset(item.theme if isinstance(item, ThemeScore) else item for item in found)


def _mode_code(found: ModeResult | str) -> str:
    return found.mode if isinstance(found, ModeResult) else found


def evaluate_themes(
    rows: Sequence[LabelledPost],
    classify: ThemeClassifier | None = None,
    *,
    labels: Sequence[str] | None = None,
    title: str = "",
) -> ThemeReport:
    """Per-theme and averaged scores of ``classify`` (the lexicon by default) on ``rows``.

    ``labels`` fixes the themes reported and averaged; by default, every theme seen in
    the gold labels or the predictions, in the lexicon's order.
    """
    classify = classify or classify_themes
    predictions = [_theme_codes(classify(row.text)) for row in rows]
    if labels is None:
        seen = set().union(*(r.themes for r in rows), *predictions) if rows else set()
        order = list(load_themes().ids)
        labels = [t for t in order if t in seen] + sorted(seen - set(order))
    per_theme = []
    total_tp = total_predicted = total_support = 0
    for label in labels:
        tp = sum(
            1 for row, pred in zip(rows, predictions, strict=True) if label in row.themes & pred
        )
        predicted = sum(1 for pred in predictions if label in pred)
        support = sum(1 for row in rows if label in row.themes)
        per_theme.append(scores(label, tp, predicted, support))
        total_tp, total_predicted, total_support = (
            total_tp + tp,
            total_predicted + predicted,
            total_support + support,
        )
    exact = sum(1 for row, pred in zip(rows, predictions, strict=True) if row.themes == pred)
    return ThemeReport(
        title,
        len(rows),
        tuple(per_theme),
        scores("micro", total_tp, total_predicted, total_support),
        _macro(per_theme),
        _ratio(exact, len(rows)),
    )


def evaluate_modes(
    rows: Sequence[LabelledPost],
    classify: ModeClassifier | None = None,
    *,
    labels: Sequence[str] = MODES,
    title: str = "",
) -> ModeReport:
    """Per-mode scores, accuracy, macro-F1 and confusion matrix of ``classify`` on ``rows``.

    Every mode of ``labels`` is reported; a gold or predicted mode outside ``labels``
    is an error of the caller.
    """
    classify = classify or classify_mode
    predictions = [_mode_code(classify(row.text, is_reply=row.is_reply)) for row in rows]
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for row, pred in zip(rows, predictions, strict=True):
        if row.mode not in index or pred not in index:
            raise ConfigurationError(
                f"Mode « {row.mode if row.mode not in index else pred} » hors de la liste évaluée "
                f"({', '.join(labels)})."
            )
        matrix[index[row.mode]][index[pred]] += 1
    per_mode = tuple(
        scores(
            label,
            matrix[i][i],
            sum(matrix[g][i] for g in range(len(labels))),
            sum(matrix[i]),
        )
        for i, label in enumerate(labels)
    )
    correct = sum(matrix[i][i] for i in range(len(labels)))
    return ModeReport(
        title,
        len(rows),
        per_mode,
        _ratio(correct, len(rows)),
        _macro([s for s in per_mode if s.support or s.predicted]),
        tuple(labels),
        tuple(tuple(r) for r in matrix),
    )


# --------------------------------------------------------------------------- rendering


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(widths[i + 1]) for i, cell in enumerate(cells[1:])]
        return "  ".join([first, *rest]).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _score_rows(per_label: Sequence[ClassScores], name: Callable[[str], str]) -> list[list[str]]:
    return [
        [
            name(s.label),
            fr.number(s.precision, 2),
            fr.number(s.recall, 2),
            fr.number(s.f1, 2),
            str(s.support),
            str(s.predicted),
        ]
        for s in per_label
    ]


def format_report(report: ThemeReport | ModeReport) -> str:
    """A French plain-text table of a report (what ``barometre social evaluate`` prints)."""
    header = ["", "précision", "rappel", "F1", "effectif", "prédits"]
    if isinstance(report, ThemeReport):
        header[0] = "thème"
        lines = [f"Thèmes — {report.title or 'évaluation'} — {report.posts} publications", ""]
        rows = _score_rows(report.per_theme, str)
        rows += _score_rows([report.micro], lambda _: "moyenne micro")
        rows += _score_rows([report.macro], lambda _: "moyenne macro")
        lines += _table(header, rows)
        lines += ["", f"Ensemble de thèmes exact : {fr.number(report.exact_match, 2)}"]
        return "\n".join(lines) + "\n"
    header[0] = "mode"
    lines = [f"Modes — {report.title or 'évaluation'} — {report.posts} publications", ""]
    rows = _score_rows(report.per_mode, str)
    rows += _score_rows([report.macro], lambda _: "moyenne macro")
    lines += _table(header, rows)
    lines += [
        "",
        f"Exactitude : {fr.number(report.accuracy, 2)}   F1 macro : {fr.number(report.macro.f1, 2)}",
        "",
    ]
    lines.append("Matrice de confusion (lignes : mode annoté ; colonnes : mode prédit)")
    matrix_header = ["", *report.labels]
    matrix_rows = [
        [label, *(str(n) for n in counts)]
        for label, counts in zip(report.labels, report.confusion, strict=True)
    ]
    lines += _table(matrix_header, matrix_rows)
    return "\n".join(lines) + "\n"
