"""D5–D7 and K1: activity, responsiveness, post quality and back-links of the accounts.

These checks read the records of the social stage (profiles, posts and metrics per
account, each with its source) — never a platform. A criterion is computed on the
accounts whose data could be read (open APIs and feeds, imported exports) and its
evidence says how many accounts that is out of those present: the closed platforms
(Facebook, Instagram, X, LinkedIn, TikTok, Threads without an import) are presence
only, and are never extrapolated from the open ones [criteria.md §5.4].
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from barometre.checks.base import Verdict, check, not_applicable, not_measurable, scored
from barometre.checks.subject import Subject
from barometre.domains import registrable_domain
from barometre.models import AccountState, Evidence, SocialAccount
from barometre.vocab import fr
from barometre.vocab.platforms import platform_label
from barometre.vocab.status import label_of

NO_ACCOUNT = "Aucun compte social connu pour cette collectivité."
# Platforms whose posts never show replies to users (videos): not counted for D6.
NO_REPLIES = frozenset({"youtube", "peertube"})


def _unmeasured(accounts: Sequence[SocialAccount]) -> list[str]:
    return [
        f"{platform_label(a.profile.platform)} ({a.profile.reason or label_of(a.profile.state)})"
        for a in accounts
        if a.profile.state is not AccountState.OK
    ]


def _coverage_note(measured: int, accounts: Sequence[SocialAccount]) -> str:
    missing = _unmeasured(accounts)
    note = f"Mesuré sur {fr.count(measured, 'compte')} sur {len(accounts)}"
    if missing:
        note += " ; non mesurés : " + " ; ".join(missing)
    return note + "."


def _per_account(
    subject: Subject,
    score: Callable[[SocialAccount], tuple[float, str] | None],
    *,
    eligible: Callable[[SocialAccount], bool] = lambda a: True,
    empty_reason: str,
) -> Verdict:
    """Mean of the per-account scores, with one piece of evidence per account."""
    accounts = subject.social
    if not accounts:
        if subject.found("social"):
            return not_measurable(
                "Comptes découverts mais pas encore lus par l'étape sociale de cette édition."
            )
        return not_applicable(NO_ACCOUNT)
    results: list[tuple[SocialAccount, float, str]] = []
    for account in accounts:
        if account.profile.state is not AccountState.OK or not eligible(account):
            continue
        outcome = score(account)
        if outcome is not None:
            results.append((account, *outcome))
    note = _coverage_note(len(results), accounts)
    if not results:
        return not_measurable(f"{empty_reason} {note}")
    evidence = [
        Evidence(
            url=account.profile.url,
            text=text,
            note=f"{platform_label(account.profile.platform)} : {fr.number(value, 2)}",
        )
        for account, value, text in results
    ]
    value = sum(v for _, v, _ in results) / len(results)
    return scored(value, evidence, reason=note)


def _source(account: SocialAccount, metric: str) -> str:
    found = account.metrics.get(metric)
    return label_of(found.source if found is not None else account.profile.source)


@check("dialogue.activite_comptes", version="1", needs="social")
def activity(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """Last post ≤ 7 days and ≥ 1 post a week → 1; last post ≤ 30 days → 0.5; else 0."""
    fresh = float(params.get("fresh_days", 7))
    recent = float(params.get("recent_days", 30))
    weekly = float(params.get("min_posts_per_week", 1))

    def score(account: SocialAccount) -> tuple[float, str] | None:
        days = account.metric("days_since_last_post")
        if days is None:
            if account.profile.posts_count == 0:
                return 0.0, f"Aucune publication ({_source(account, 'posts_per_week')})."
            return None
        per_week = account.metric("posts_per_week") or 0.0
        value = 1.0 if days <= fresh and per_week >= weekly else 0.5 if days <= recent else 0.0
        text = (
            f"Dernière publication il y a {fr.number(days)} {fr.plural(fr.rounded(days), 'jour')}, "
            f"{fr.number(per_week, 1)} {fr.plural(fr.rounded(per_week, 1), 'publication')} par "
            "semaine sur 90 jours "
            f"({_source(account, 'posts_per_week')})."
        )
        return value, text

    return _per_account(subject, score, empty_reason="Aucune activité lisible.")


@check("dialogue.reponses", version="1", needs="social")
def responsiveness(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """Share of own posts answering someone else, against a target (20 % after §5.5)."""
    target = float(params.get("reply_target", 0.2))
    min_posts = int(params.get("min_posts", 5))

    def eligible(account: SocialAccount) -> bool:
        return account.profile.platform not in NO_REPLIES

    def score(account: SocialAccount) -> tuple[float, str] | None:
        found = account.metrics.get("reply_share")
        if found is None or found.value is None or (found.sample or 0) < min_posts:
            return None
        value = min(1.0, found.value / target) if target > 0 else 1.0
        text = (
            f"{fr.percent(found.value)} de réponses à des usagers sur "
            f"{fr.count(found.sample or 0, 'publication')} "
            f"({label_of(found.source)})."
        )
        return value, text

    return _per_account(
        subject,
        score,
        eligible=eligible,
        empty_reason=f"Pas assez de publications lisibles (au moins {min_posts}) sur une "
        "plateforme qui montre les réponses.",
    )


@check("dialogue.qualite_publications", version="1", needs="social")
def post_quality(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """Mean of (a) no more than half auto-posted or pure relays, (b) ≥ 2 formats,
    (c) ≥ 80 % of images with alternative text (left out when there is no image)."""
    auto_max = float(params.get("auto_max", 0.5))
    min_formats = int(params.get("min_formats", 2))
    alt_min = float(params.get("alt_min", 0.8))

    def score(account: SocialAccount) -> tuple[float, str] | None:
        if account.metric("posts_per_week") is None or account.metric("formats") is None:
            return None
        parts: list[float] = []
        said: list[str] = []
        relay = max(
            account.metric("auto_post_share") or 0.0,
            account.metric("pure_republication_share") or 0.0,
        )
        parts.append(1.0 if relay <= auto_max else 0.0)
        said.append(f"{fr.percent(relay)} de relais automatiques ou simples")
        formats = int(account.metric("formats") or 0)
        parts.append(1.0 if formats >= min_formats else 0.0)
        said.append(fr.count(formats, "format"))
        alt = account.metric("alt_text_share")
        if alt is not None:
            parts.append(1.0 if alt >= alt_min else 0.0)
            said.append(f"{fr.percent(alt)} d'images avec texte alternatif")
        else:
            said.append("aucune image")
        return sum(parts) / len(parts), ", ".join(said) + f" ({_source(account, 'formats')})."

    return _per_account(subject, score, empty_reason="Aucune publication lisible.")


def _own_domain(text: str | None, domain: str) -> bool:
    if not text:
        return False
    lowered = text.lower()
    return domain in lowered


@check("coherence.liens_croises", version="1", needs="social")
def back_links(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """Each readable account links back to the official domain: a verified link
    (Mastodon ``rel=me``, Bluesky handle on the domain) scores 1, a plain link 0.5."""
    verified = float(params.get("verified", 1.0))
    plain = float(params.get("unverified", 0.5))
    host = subject.site_host
    if host is None:
        return not_applicable("Pas de site officiel : pas de lien de retour à vérifier.")
    domain = registrable_domain(host)

    def score(account: SocialAccount) -> tuple[float, str] | None:
        profile = account.profile
        if profile.verified_domain and registrable_domain(profile.verified_domain) == domain:
            return verified, f"Identifiant {profile.handle} sur le domaine {domain} (vérifié)."
        links = [link for link in profile.links if _own_domain(link.url, domain)]
        if any(link.verified for link in links):
            return verified, f"Lien vérifié (rel=me) vers {links[0].url}."
        if links:
            return plain, f"Lien non vérifié vers {links[0].url}."
        if _own_domain(profile.description, domain):
            return plain, f"Le domaine {domain} figure dans la description du compte."
        if profile.source.value in ("import", "declared"):
            return None  # an export does not show the profile's links
        return 0.0, f"Aucun lien vers {domain} sur le profil."

    return _per_account(subject, score, empty_reason="Aucun profil lisible.")
