"""Optional statistical classifiers trained on the labelled sample (the ``nlp`` extra).

The lexicon and rules stay the barometer's reference: they are explainable post by post.
These models are the second step of the research note's plan (§4.2, lesson 10): TF-IDF
over the same normal form as the lexicon (:func:`~.text.normalise`, light stemming),
plus four signal tokens (reply to another account, question, date, link), and a
logistic regression (scikit-learn), deterministic for a given training set. They are
compared with the lexicon on the same held-out test half.

scikit-learn is optional: without it every function raises a
:class:`~barometre.errors.ConfigurationError` saying how to install the extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from barometre.errors import ConfigurationError
from barometre.social.analysis.evaluation import LabelledPost, ModeReport, evaluate_modes
from barometre.social.analysis.modes import load_mode_rules
from barometre.social.analysis.text import find_urls, fold_post, stem, tokens

NLP_MISSING = (
    "Le modèle statistique demande scikit-learn, qui n'est pas installé : installez l'extra "
    "« nlp » (uv sync --extra nlp, ou pip install 'barometre[nlp]')."
)

RANDOM_STATE = 0
MODE_C = 1.0
"""Inverse regularisation strength of the mode model, chosen by 5-fold cross-validation on
the development half only (1, 10 and 100 tried: macro-F1 0.72, 0.67, 0.67)."""
THEME_C = 10.0
THEME_THRESHOLD = 0.25
"""Probability from which the theme model gives a theme (one-vs-rest). With C, chosen by
5-fold cross-validation on the development half only (C 1/10/30/100, thresholds 0.15 to
0.5): the small sample (a dozen posts per theme) keeps the probabilities low."""


def _sklearn() -> dict[str, Any]:
    """The scikit-learn pieces used here, or the French installation hint."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MultiLabelBinarizer
    except ImportError as exc:
        raise ConfigurationError(NLP_MISSING) from exc
    return {
        "TfidfVectorizer": TfidfVectorizer,
        "LogisticRegression": LogisticRegression,
        "StratifiedKFold": StratifiedKFold,
        "OneVsRestClassifier": OneVsRestClassifier,
        "make_pipeline": make_pipeline,
        "MultiLabelBinarizer": MultiLabelBinarizer,
    }


def features(text: str, *, is_reply: bool = False) -> str:
    """The document the vectoriser reads: stemmed normalised words and signal tokens."""
    signals = load_mode_rules().signals
    folded = fold_post(text)
    extra = [
        name
        for name, present in (
            ("zzreponse", is_reply),
            ("zzquestion", signals.has_question(folded)),
            ("zzdate", signals.has_date(folded)),
            ("zzlien", bool(find_urls(text))),
        )
        if present
    ]
    return " ".join([*(stem(w) for w in tokens(text)), *extra])


def _vectoriser(sk: dict[str, Any]) -> Any:
    return sk["TfidfVectorizer"](
        token_pattern=r"\S+",  # noqa: S106 (a regular expression, not a password)
        ngram_range=(1, 2),
        sublinear_tf=True,
        lowercase=False,
    )


@dataclass(frozen=True)
class ModeModel:
    """A trained mode classifier; :meth:`predict` fits the evaluation's classifier shape."""

    pipeline: Any
    classes: tuple[str, ...]

    def predict(self, text: str, *, is_reply: bool = False) -> str:
        return str(self.pipeline.predict([features(text, is_reply=is_reply)])[0])

    def predict_many(self, rows: Sequence[LabelledPost]) -> list[str]:
        docs = [features(r.text, is_reply=r.is_reply) for r in rows]
        return [str(label) for label in self.pipeline.predict(docs)]


def train_mode_model(rows: Sequence[LabelledPost], *, c: float = MODE_C) -> ModeModel:
    """Fit TF-IDF + logistic regression on labelled posts (deterministic)."""
    sk = _sklearn()
    modes = {r.mode for r in rows}
    if len(modes) < 2:
        raise ConfigurationError(
            "Entraînement impossible : il faut des publications d'au moins deux modes."
        )
    pipeline = sk["make_pipeline"](
        _vectoriser(sk),
        sk["LogisticRegression"](
            C=c, class_weight="balanced", max_iter=5000, random_state=RANDOM_STATE
        ),
    )
    pipeline.fit([features(r.text, is_reply=r.is_reply) for r in rows], [r.mode for r in rows])
    return ModeModel(pipeline, tuple(str(m) for m in pipeline.classes_))


def cross_validate(
    rows: Sequence[LabelledPost], folds: int = 5, *, c: float = MODE_C
) -> ModeReport:
    """Out-of-fold quality of the mode model: each post predicted by a model that did not
    see it (stratified folds, fixed shuffle), reported like the lexicon's."""
    sk = _sklearn()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.mode] = counts.get(row.mode, 0) + 1
    if folds < 2 or min(counts.values(), default=0) < folds:
        raise ConfigurationError(
            f"Validation croisée à {folds} plis impossible : chaque mode doit compter au moins "
            f"{max(folds, 2)} publications (effectifs : "
            + ", ".join(f"{m} {n}" for m, n in sorted(counts.items()))
            + ")."
        )
    splitter = sk["StratifiedKFold"](n_splits=folds, shuffle=True, random_state=RANDOM_STATE)
    predicted: dict[int, str] = {}
    labels = [r.mode for r in rows]
    for train, test in splitter.split(list(range(len(rows))), labels):
        model = train_mode_model([rows[i] for i in train], c=c)
        for i, label in zip(test, model.predict_many([rows[i] for i in test]), strict=True):
            predicted[int(i)] = label
    return evaluate_modes(
        rows,
        _Replay([predicted[i] for i in range(len(rows))]),
        title=f"modèle, validation croisée à {folds} plis",
    )


class _Replay:
    """A classifier that gives back precomputed predictions in the order it is asked."""

    def __init__(self, answers: Sequence[str]) -> None:
        self._answers = iter(answers)

    def __call__(self, text: str, *, is_reply: bool = False) -> str:
        return next(self._answers)


@dataclass(frozen=True)
class ThemeModel:
    """A trained multi-label theme classifier (one logistic regression per theme)."""

    pipeline: Any
    themes: tuple[str, ...]
    threshold: float = THEME_THRESHOLD

    def predict(self, text: str) -> list[str]:
        probabilities = self.pipeline.predict_proba([features(text)])[0]
        return [t for t, p in zip(self.themes, probabilities, strict=True) if p >= self.threshold]


def train_theme_model(rows: Sequence[LabelledPost], *, c: float = THEME_C) -> ThemeModel:
    """Fit TF-IDF + one-vs-rest logistic regression on the posts' theme sets.

    Only themes present in the training posts can be predicted.
    """
    sk = _sklearn()
    binariser = sk["MultiLabelBinarizer"]()
    targets = binariser.fit_transform([sorted(r.themes) for r in rows])
    if not len(binariser.classes_):
        raise ConfigurationError("Entraînement impossible : aucune publication n'a de thème.")
    pipeline = sk["make_pipeline"](
        _vectoriser(sk),
        sk["OneVsRestClassifier"](
            sk["LogisticRegression"](
                C=c, class_weight="balanced", max_iter=5000, random_state=RANDOM_STATE
            )
        ),
    )
    pipeline.fit([features(r.text) for r in rows], targets)
    return ThemeModel(pipeline, tuple(str(t) for t in binariser.classes_))
