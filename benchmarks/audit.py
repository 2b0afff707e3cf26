"""Audit benchmark: our audit on replayed captures against Lighthouse, same run, same machine.

    npm ci --prefix benchmarks          # once: Lighthouse, pinned in benchmarks/package-lock.json
    uv run --group bench python benchmarks/audit.py [--repeats 5] [--pages 5]

The bundled sample web (``src/barometre/sampleweb``) is started on loopback and captured
once, with rendering, into a temporary folder (SQLite + WARC), as ``barometre demo`` does.
Then, while the sample web keeps running:

1. throughput: ``audit_edition`` over the captured edition (registry-level criteria,
   WARC replay, the whole grid, storage), ``--repeats`` times, median; then the pure
   per-site cost split into archive loading (WARC replay) and the grid itself, with the
   slowest checks, so that it is clear what dominates;
2. one Lighthouse run (categories accessibility, SEO, best practices, performance) on
   the home page of www.ville-exemple.test, served by the same sample web; prints its
   wall time and how many sites our audit handles in that time;
3. agreement on the checks both tools make (lang, title, viewport, image alt, zoom
   blocking) on the home pages of ``--pages`` sample sites (0: all; by default 5, taken
   alternately among pages where our rules or the stored axe run see a violation and
   pages where they see none): our static RGAA rules
   (``barometre.checks.rgaa.static_rules``; the viewport's presence comes from the T7
   check, ``quality.viewport_facts``) against Lighthouse (one run per page, only those
   audits) and against the axe-core run our renderer stored in the archive. A rule not
   applicable (no image) counts as "no violation" on both sides.
4. performance (T8): on the same pages and the slow sample home page, the mobile figures
   our renderer stored in the archive (LCP, CLS, total blocking time; 4x CPU slowdown)
   against Lighthouse's performance audits, run twice per page: under our conditions
   (DevTools throttling, 4x CPU, no network throttling: the same measure) and with its
   defaults (simulated slow 4G and 4x CPU: the figures it publishes). Printed per metric:
   pages in the same Core Web Vitals band (the methodology's T8 thresholds), median
   difference and median ratio (Lighthouse / ours).

Chromium reaches the fictitious hosts only through ``--host-resolver-rules`` (every
sample host mapped to the loopback ports, every other name unresolvable), with no proxy,
no error reporting and Chrome's background networking off: nothing leaves the machine.
The sample web's test CA is not installed: Chromium runs with ``--ignore-certificate-errors``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from barometre.audit import audit_edition
from barometre.capture.archive import load_site_archive
from barometre.checks.base import CheckSpec, registered_checks
from barometre.checks.engine import audit
from barometre.checks.html import parse_page
from barometre.checks.quality import band, viewport_facts
from barometre.checks.subject import Subject
from barometre.methodology import Methodology, bundled
from barometre.models import Authority, AuthorityKind, SiteArchive
from barometre.pipeline.demo import SAMPLE_AS_OF, capture_sample
from barometre.sampleweb import SampleWeb
from barometre.storage import capture_repo, registry_repo
from barometre.storage.db import open_database

BENCH = Path(__file__).resolve().parent
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
EDITION = "bench-audit"
TIMING_HOST = "www.ville-exemple.test"
TIMING_CATEGORIES = "accessibility,seo,best-practices,performance"
LIGHTHOUSE_TIMEOUT = 300.0
NPM_HINT = "lancez « npm ci --prefix benchmarks » (Node.js ≥ 18.16 requis)"

PASS, FAIL, NA, MISSING = "réussi", "échec", "n/a", "—"


@dataclass(frozen=True)
class Rule:
    """One check both tools make: our rule id, the Lighthouse audits, the axe-core rules."""

    name: str
    ours: str
    lighthouse: tuple[str, ...]
    axe: tuple[str, ...]


RULES = (
    Rule(
        "lang", "lang", ("html-has-lang", "html-lang-valid"), ("html-has-lang", "html-lang-valid")
    ),
    Rule("title", "title", ("document-title",), ("document-title",)),
    # no static RGAA rule for the viewport's presence: T7's test (quality.viewport_facts);
    # axe-core has no such rule
    Rule("viewport", "viewport", ("viewport",), ()),
    Rule("image-alt", "image-alt", ("image-alt",), ("image-alt",)),
    Rule("viewport-zoom", "viewport-zoom", ("meta-viewport",), ("meta-viewport",)),
)
AGREEMENT_AUDITS = sorted({audit_id for rule in RULES for audit_id in rule.lighthouse})


# -- preflight -----------------------------------------------------------------------------


def preflight() -> None:
    """Exit with a French message when Node.js, Lighthouse or Chromium is missing."""
    node = shutil.which("node")
    if node is None:
        sys.exit(f"Node.js introuvable (commande « node ») : installez-le puis {NPM_HINT}.")
    if not LIGHTHOUSE.exists():
        sys.exit(f"Lighthouse introuvable ({LIGHTHOUSE.relative_to(BENCH.parent)}) : {NPM_HINT}.")
    if not (Path(CHROME).is_file() and os.access(CHROME, os.X_OK)):
        sys.exit(
            f"Chromium introuvable ({CHROME}) : installez le paquet chromium "
            "ou indiquez son chemin dans la variable CHROME_PATH."
        )
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major, _, minor = version.stdout.strip().lstrip("v").partition(".")
    if (int(major or 0), int(minor.partition(".")[0] or 0)) < (18, 16):
        sys.exit(f"Node.js {version.stdout.strip()} trop ancien pour Lighthouse : {NPM_HINT}.")


# -- capture ------------------------------------------------------------------------------


async def capture(web: SampleWeb, folder: Path) -> Engine:
    engine = open_database(f"sqlite:///{folder / 'barometre.sqlite'}")
    if capture_repo.completed_sites(engine, EDITION):
        print(f"capture réutilisée : {folder}")
        return engine
    start = time.perf_counter()
    result = await capture_sample(engine, web, folder / "warc", EDITION, render=True)
    if result.report.failed:
        sys.exit(f"capture du web d'essai en échec : {result.report.failed}")
    sites = len(capture_repo.archive_paths(engine, EDITION))
    print(
        f"capture du web d'essai (avec rendu) : {sites} sites en {time.perf_counter() - start:.0f} s"
    )
    return engine


# -- throughput -----------------------------------------------------------------------------


@dataclass
class SiteCost:
    load: float = 0.0  # WARC replay into a SiteArchive
    grid: float = 0.0  # discovery + every criterion
    checks: dict[str, float] = field(default_factory=dict)
    sites: dict[str, float] = field(default_factory=dict)


def time_edition(engine: Engine, methodology: Methodology) -> tuple[int, float]:
    start = time.perf_counter()
    report = audit_edition(engine, EDITION, methodology, as_of=SAMPLE_AS_OF)
    elapsed = time.perf_counter() - start
    if report.failed:
        sys.exit(f"audit en échec : {report.failed}")
    return report.sites, elapsed


def timed_checks(costs: dict[str, float]) -> dict[str, CheckSpec]:
    """The registered checks, each wrapped to add its time to ``costs``."""

    def wrap(spec: CheckSpec) -> CheckSpec:
        func = spec.func

        def timed(subject: Subject, params: Mapping[str, Any]) -> Any:
            start = time.perf_counter()
            try:
                return func(subject, params)
            finally:
                costs[spec.id] = costs.get(spec.id, 0.0) + time.perf_counter() - start

        return replace(spec, func=timed)

    return {key: wrap(spec) for key, spec in registered_checks().items()}


def time_sites(engine: Engine, methodology: Methodology) -> SiteCost:
    """Load every captured archive and run the grid on it, without storage."""
    paths = capture_repo.archive_paths(engine, EDITION)
    authorities = registry_repo.load_authorities(engine)
    epcis = {a.code: a for a in authorities if a.kind is AuthorityKind.EPCI}
    cost = SiteCost()
    checks = timed_checks(cost.checks)
    for authority in authorities:
        if authority.id not in paths:
            continue
        start = time.perf_counter()
        archive = load_site_archive(Path(paths[authority.id]))
        loaded = time.perf_counter()
        subject = Subject(authority, archive, SAMPLE_AS_OF, epcis.get(authority.epci or ""))
        audit(subject, methodology, checks=checks)
        done = time.perf_counter()
        cost.load += loaded - start
        cost.grid += done - loaded
        cost.sites[urlsplit(archive.start_url).hostname or authority.id] = done - start
    return cost


@dataclass(frozen=True)
class Throughput:
    sites: int
    edition_seconds: float  # median audit_edition wall time
    load: float  # median per-site seconds
    grid: float
    checks: dict[str, float]  # per-site seconds, last repeat
    slowest: list[tuple[str, float]]  # slowest sites (load + grid), last repeat

    @property
    def sites_per_s(self) -> float:
        return self.sites / self.edition_seconds

    @property
    def pure_sites_per_s(self) -> float:
        return 1 / (self.load + self.grid)


def measure_throughput(engine: Engine, repeats: int) -> Throughput:
    methodology = bundled()
    runs, costs = [], []
    for _ in range(repeats):  # interleaved: both measures see the same machine state
        runs.append(time_edition(engine, methodology))
        costs.append(time_sites(engine, methodology))
    sites = runs[0][0]
    return Throughput(
        sites=sites,
        edition_seconds=statistics.median(seconds for _, seconds in runs),
        load=statistics.median(c.load for c in costs) / sites,
        grid=statistics.median(c.grid for c in costs) / sites,
        checks={k: v / sites for k, v in costs[-1].checks.items()},
        slowest=sorted(costs[-1].sites.items(), key=lambda kv: -kv[1])[:3],
    )


def load_note() -> str:
    """The machine's load, printed next to each timing (other jobs skew it)."""
    one, five, _ = os.getloadavg()
    return f"charge {one:.1f}/{five:.1f} sur {os.cpu_count()} cœurs"


def print_throughput(t: Throughput, repeats: int) -> None:
    print(
        f"audit_edition : {t.sites} sites en {t.edition_seconds:.2f} s (médiane de {repeats}), "
        f"{t.sites_per_s:.1f} sites/s (registre, relecture WARC, grille, écriture SQLite) ; "
        f"{load_note()}"
    )
    total = t.load + t.grid
    print(
        f"coût pur par site : {total * 1000:.0f} ms = relecture WARC {t.load * 1000:.0f} ms "
        f"({t.load / total:.0%}) + grille {t.grid * 1000:.0f} ms ({t.grid / total:.0%}), "
        f"soit {t.pure_sites_per_s:.1f} sites/s ; registre et écriture SQLite : "
        f"{max(0.0, t.edition_seconds / t.sites - total) * 1000:.0f} ms/site"
    )
    print(
        "  sites les plus lents : "
        + ", ".join(f"{host} {seconds * 1000:.0f} ms" for host, seconds in t.slowest)
    )
    slowest = sorted(t.checks.items(), key=lambda kv: -kv[1])[:5]
    checks_total = sum(t.checks.values())
    print(
        f"  dans la grille : contrôles {checks_total * 1000:.0f} ms/site, découverte et "
        f"analyse HTML hors contrôles {(t.grid - checks_total) * 1000:.0f} ms/site ; "
        "contrôles les plus lents : "
        + ", ".join(f"{name} {seconds * 1000:.1f} ms" for name, seconds in slowest)
    )


# -- Lighthouse -------------------------------------------------------------------------------


def chrome_flags(web: SampleWeb) -> str:
    """Headless Chromium that reaches the sample hosts on loopback and nothing else."""
    rules = []
    for host in web.host_map:
        rules.append(f"MAP {host}:443 127.0.0.1:{web.https_port}")
        rules.append(f"MAP {host}:80 127.0.0.1:{web.http_port}")
    rules.append("MAP * ~NOTFOUND")
    return " ".join(
        [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-proxy-server",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--ignore-certificate-errors",
            f"--host-resolver-rules='{', '.join(rules)}'",
        ]
    )


@dataclass(frozen=True)
class LighthouseRun:
    url: str
    seconds: float  # wall time of the whole command (Node.js, Chromium start, audit)
    report: Mapping[str, Any]

    @property
    def error(self) -> str | None:
        runtime = self.report.get("runtimeError")
        return str(runtime.get("message") or runtime.get("code")) if runtime else None


async def run_lighthouse(
    web: SampleWeb,
    url: str,
    out: Path,
    *,
    categories: str = "",
    audits: str = "",
    extra: tuple[str, ...] = (),
) -> LighthouseRun:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--no-enable-error-reporting",
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={chrome_flags(web)}",
    ]
    command.append(f"--only-categories={categories}" if categories else f"--only-audits={audits}")
    command.extend(extra)
    start = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command,
        env={**os.environ, "CHROME_PATH": CHROME},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), LIGHTHOUSE_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        sys.exit(f"Lighthouse n'a pas fini en {LIGHTHOUSE_TIMEOUT:.0f} s sur {url}")
    seconds = time.perf_counter() - start
    if process.returncode != 0 or not out.exists():
        message = stderr.decode(errors="replace").strip().splitlines()[-5:]
        sys.exit(f"Lighthouse en échec sur {url} ({process.returncode}) : " + " / ".join(message))
    return LighthouseRun(url, seconds, json.loads(out.read_text(encoding="utf-8")))


# -- agreement ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    authority: Authority
    host: str
    archive: SiteArchive

    @property
    def url(self) -> str:
        assert self.archive.home is not None
        return self.archive.home.final_url


def normal_samples(engine: Engine, web: SampleWeb) -> list[Sample]:
    """Sample sites that are not hostile and whose home page was captured as HTML."""
    paths = capture_repo.archive_paths(engine, EDITION)
    out = []
    for authority in sorted(registry_repo.load_authorities(engine), key=lambda a: a.id):
        if authority.website is None or authority.id not in paths:
            continue
        host = urlsplit(authority.website.url).hostname or ""
        if web.site(host).kind == "hostile":
            continue
        archive = load_site_archive(Path(paths[authority.id]))
        if archive.home is not None and archive.home.ok and archive.home.is_html:
            out.append(Sample(authority, host, archive))
    return out


def ours(sample: Sample) -> dict[str, tuple[str, str]]:
    """Our static rules on the captured home page: rule id → (outcome, detail)."""
    from barometre.checks.rgaa import static_rules  # written alongside this benchmark

    assert sample.archive.home is not None
    doc = parse_page(sample.archive.home)
    out = {}
    for result in static_rules(doc, doc.html()):
        outcome = NA if result.passed is None else PASS if result.passed else FAIL
        out[result.rule] = (outcome, result.detail or "")
    if "viewport" not in out:  # the T7 mobile check's viewport test (width=device-width)
        content = doc.meta("viewport") or ""
        responsive, _ = viewport_facts(content)
        out["viewport"] = (PASS if responsive else FAIL, f"viewport « {content or 'absent'} »")
    return out


def lighthouse_outcome(report: Mapping[str, Any], audit_ids: tuple[str, ...]) -> tuple[str, str]:
    """Combined outcome of several Lighthouse audits: any failure fails, else any pass."""
    outcomes, details = [], []
    for audit_id in audit_ids:
        item = report.get("audits", {}).get(audit_id)
        if item is None or item.get("scoreDisplayMode") == "error":
            outcomes.append(MISSING)
            continue
        score = item.get("score")
        outcomes.append(NA if score is None else PASS if score >= 1 else FAIL)
        if score is not None and score < 1:
            details.append(f"{audit_id}: {item.get('explanation') or item.get('title', '')}")
    for value in (FAIL, PASS, NA):
        if value in outcomes:
            return value, "; ".join(details)
    return MISSING, ""


def axe_outcome(archive: SiteArchive, rule_ids: tuple[str, ...]) -> tuple[str, str]:
    """axe-core as stored by our renderer (violations only; either viewport)."""
    if not rule_ids:
        return MISSING, ""
    if not archive.renders:
        return MISSING, "pas de rendu"
    found = [
        f"{v.get('id')} ({render.get('viewport')}, {v.get('nodes')} nœud(s))"
        for render in archive.renders
        for v in render.get("axe_violations") or []
        if v.get("id") in rule_ids
    ]
    return (FAIL, "; ".join(found)) if found else (PASS, "aucune violation")


def agrees(a: str, b: str) -> bool | None:
    """Violation found or not on both sides (a rule not applicable is not a violation)."""
    if MISSING in (a, b):
        return None
    return (a == FAIL) == (b == FAIL)


@dataclass
class Tally:
    compared: int = 0
    agreed: int = 0
    ours_failed: int = 0  # pages where we found a violation
    theirs_failed: int = 0
    disagreements: list[str] = field(default_factory=list)

    def add(self, host: str, mine: tuple[str, str], theirs: tuple[str, str]) -> None:
        verdict = agrees(mine[0], theirs[0])
        if verdict is None:
            return
        self.compared += 1
        self.agreed += verdict
        self.ours_failed += mine[0] == FAIL
        self.theirs_failed += theirs[0] == FAIL
        if not verdict:
            self.disagreements.append(
                f"{host} : nous {mine[0]} ({mine[1][:90]}) / eux {theirs[0]} ({theirs[1][:90]})"
            )

    def cell(self) -> str:
        if not self.compared:
            return "—"
        return (
            f"{self.agreed}/{self.compared} {self.agreed / self.compared:4.0%} "
            f"(échecs {self.ours_failed}/{self.theirs_failed})"
        )


async def agreement(
    web: SampleWeb, samples: list[Sample], folder: Path
) -> dict[str, dict[str, Tally]]:
    tallies = {rule.name: {"lighthouse": Tally(), "axe": Tally()} for rule in RULES}
    for n, sample in enumerate(samples, 1):
        run = await run_lighthouse(
            web, sample.url, folder / f"lh-{n}.json", audits=",".join(AGREEMENT_AUDITS)
        )
        if run.error:
            print(f"  {sample.host} : Lighthouse en erreur ({run.error}), page ignorée")
            continue
        mine = ours(sample)
        failed: dict[str, list[str]] = {"nous": [], "Lighthouse": [], "axe": []}
        for rule in RULES:
            own = mine.get(rule.ours, (MISSING, "règle absente"))
            theirs = lighthouse_outcome(run.report, rule.lighthouse)
            axe = axe_outcome(sample.archive, rule.axe)
            tallies[rule.name]["lighthouse"].add(sample.host, own, theirs)
            tallies[rule.name]["axe"].add(sample.host, own, axe)
            for who, outcome in (("nous", own), ("Lighthouse", theirs), ("axe", axe)):
                if outcome[0] == FAIL:
                    failed[who].append(rule.name)
        summary = " ; ".join(f"{who} {', '.join(names) or '—'}" for who, names in failed.items())
        print(f"  {sample.host} : Lighthouse {run.seconds:.1f} s ; échecs : {summary}")
    return tallies


def print_agreement(tallies: dict[str, dict[str, Tally]], pages: int, total: int) -> None:
    print(
        f"\naccord sur {pages} page(s) d'accueil sur {total} (violation trouvée ou non des deux "
        "côtés ; "
        "échecs : pages en échec chez nous / chez eux) :"
    )
    print(f"{'règle':<14} {'Lighthouse':<28} {'axe-core (notre rendu)':<28}")
    for name, by_tool in tallies.items():
        print(f"{name:<14} {by_tool['lighthouse'].cell():<28} {by_tool['axe'].cell():<28}")
    for name, by_tool in tallies.items():
        for tool, tally in by_tool.items():
            for line in tally.disagreements:
                print(f"  désaccord {name} / {tool} — {line}")


# -- performance (T8) -------------------------------------------------------------------------

# Lighthouse as it publishes its figures: mobile profile, simulated slow 4G and 4x CPU.
SIMULATED: tuple[str, ...] = ()
# The conditions of our mobile rendering: 4x CPU slowdown applied by DevTools, network
# as it is (loopback here), nothing simulated.
OUR_CONDITIONS = (
    "--throttling-method=devtools",
    "--throttling.cpuSlowdownMultiplier=4",
    "--throttling.requestLatencyMs=0",
    "--throttling.downloadThroughputKbps=0",
    "--throttling.uploadThroughputKbps=0",
)
PERF_AUDITS = {
    "lcp_ms": "largest-contentful-paint",
    "cls": "cumulative-layout-shift",
    "tbt_ms": "total-blocking-time",
}
PERF_LABELS = {"lcp_ms": "LCP", "cls": "CLS", "tbt_ms": "TBT"}
SLOW_HOST = "www.cote-exemple.test"  # the sample's slow home page


def t8_params() -> Mapping[str, Any]:
    return next(c for c in bundled().criteria if c.id == "technique.performance").params


def our_figures(sample: Sample) -> Mapping[str, Any] | None:
    render = sample.archive.render("mobile")
    figures = render.get("performance") if render is not None else None
    return figures if isinstance(figures, Mapping) and figures.get("observed") else None


def lighthouse_figures(report: Mapping[str, Any]) -> dict[str, float | None]:
    audits = report.get("audits", {})
    return {
        key: (audits.get(audit_id) or {}).get("numericValue")
        for key, audit_id in PERF_AUDITS.items()
    }


@dataclass
class MetricTally:
    compared: int = 0
    same_band: int = 0
    ratios: list[float] = field(default_factory=list)  # theirs / ours, when ours > 0
    differences: list[float] = field(default_factory=list)  # theirs - ours

    def add(self, key: str, ours: float, theirs: float) -> None:
        limits = t8_params()[key]
        self.compared += 1
        self.same_band += band(ours, limits) == band(theirs, limits)
        self.differences.append(theirs - ours)
        if ours > 0:
            self.ratios.append(theirs / ours)

    def cell(self) -> str:
        if not self.compared:
            return "—"
        ratio = (
            f", rapport médian {statistics.median(self.ratios):.2f} "
            f"({min(self.ratios):.2f} à {max(self.ratios):.2f})"
            if self.ratios
            else ""
        )
        return (
            f"bande {self.same_band}/{self.compared}, écart médian "
            f"{statistics.median(self.differences):+.2f}{ratio}"
        )


def _show(key: str, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if key == "cls" else f"{value:.0f}"


async def performance_agreement(
    web: SampleWeb, samples: list[Sample], folder: Path
) -> dict[str, dict[str, MetricTally]]:
    """Our mobile figures against Lighthouse's on the same pages, under our conditions
    (same measure) and under Lighthouse's default simulation (its published figures)."""
    tallies = {
        mode: {key: MetricTally() for key in PERF_AUDITS} for mode in ("mêmes conditions", "simulé")
    }
    print(f"\n{'page':<34} {'nous LCP/CLS/TBT':<22} {'LH mêmes conditions':<22} {'LH simulé':<22}")
    for n, sample in enumerate(samples, 1):
        ours = our_figures(sample)
        if ours is None:
            print(f"  {sample.host} : pas de mesure de performance dans l'archive, page ignorée")
            continue
        cells = []
        for mode, extra in (("mêmes conditions", OUR_CONDITIONS), ("simulé", SIMULATED)):
            run = await run_lighthouse(
                web,
                sample.url,
                folder / f"lh-perf-{n}-{len(extra)}.json",
                categories="performance",
                extra=extra,
            )
            if run.error:
                cells.append(f"erreur ({run.error[:16]})")
                continue
            theirs = lighthouse_figures(run.report)
            for key, value in theirs.items():
                mine = ours.get(key)
                if isinstance(value, int | float) and isinstance(mine, int | float):
                    tallies[mode][key].add(key, float(mine), float(value))
            cells.append("/".join(_show(k, theirs[k]) for k in PERF_AUDITS))
        mine_cell = "/".join(_show(k, ours.get(k)) for k in PERF_AUDITS)
        print(f"  {sample.host:<32} {mine_cell:<22} {cells[0]:<22} {cells[-1]:<22}")
    return tallies


def print_performance(tallies: dict[str, dict[str, MetricTally]]) -> None:
    print("\naccord des mesures de performance (rendu mobile) avec Lighthouse :")
    for mode, by_metric in tallies.items():
        for key, tally in by_metric.items():
            print(f"  {mode:<17} {PERF_LABELS[key]:<4} {tally.cell()}")


# -- main ---------------------------------------------------------------------------------------


def timing_sample(samples: list[Sample]) -> Sample:
    found = next((s for s in samples if s.host == TIMING_HOST), None)
    if found is None:
        sys.exit(f"page d'accueil de {TIMING_HOST} absente de la capture")
    return found


def flagged(sample: Sample) -> bool:
    """Whether our rules or the stored axe-core run see a violation of a compared rule."""
    mine = ours(sample)
    return any(
        mine.get(rule.ours, (MISSING, ""))[0] == FAIL
        or axe_outcome(sample.archive, rule.axe)[0] == FAIL
        for rule in RULES
    )


def pick(samples: list[Sample], pages: int) -> list[Sample]:
    """Every page (``pages`` 0), else alternately a page where our rules or the stored axe
    run see a violation and a page where they see none (in id order): on the sample web
    the first pages have no violation at all, and agreement needs both cases."""
    if pages <= 0 or pages >= len(samples):
        return samples
    groups: tuple[list[Sample], list[Sample]] = ([], [])
    for sample in samples:
        groups[0 if flagged(sample) else 1].append(sample)
    chosen: list[Sample] = []
    while len(chosen) < pages:
        for group in groups:
            if group and len(chosen) < pages:
                chosen.append(group.pop(0))
    return sorted(chosen, key=samples.index)


async def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    async with SampleWeb(with_dns=True, slow_drip_limit=20) as web:
        engine = await capture(web, folder)
        throughput = await asyncio.to_thread(measure_throughput, engine, args.repeats)
        print_throughput(throughput, args.repeats)
        samples = await asyncio.to_thread(normal_samples, engine, web)
        target = timing_sample(samples)
        timing = await run_lighthouse(
            web, target.url, folder / "lh-timing.json", categories=TIMING_CATEGORIES
        )
        if timing.error:
            sys.exit(f"Lighthouse en erreur sur {target.url} : {timing.error}")
        internal = timing.report.get("timing", {}).get("total", 0) / 1000
        version = timing.report.get("lighthouseVersion")
        print(
            f"Lighthouse {version} ({TIMING_CATEGORIES}) sur {target.url} : {timing.seconds:.1f} s "
            f"(dont {internal:.1f} s d'audit selon Lighthouse) ; {load_note()}"
        )
        ratio = throughput.sites_per_s * timing.seconds
        pure_ratio = throughput.pure_sites_per_s * timing.seconds
        print(
            f"rapport : barometre audite {ratio:.0f} sites (grille complète, {pure_ratio:.0f} sans "
            "le registre ni l'écriture) pendant que Lighthouse audite une page"
        )
        tallies: dict[str, dict[str, Tally]] = {}
        if importlib.util.find_spec("barometre.checks.rgaa") is None:
            print("\nbarometre.checks.rgaa absent : pas de comparaison des règles RGAA")
        else:
            chosen = pick(samples, args.pages)
            print(f"\nLighthouse page par page ({', '.join(AGREEMENT_AUDITS)}) :")
            tallies = await agreement(web, chosen, folder)
            print_agreement(tallies, len(chosen), len(samples))
        chosen = pick(samples, args.pages)
        slow = next((s for s in samples if s.host == SLOW_HOST), None)
        if slow is not None and slow not in chosen:
            chosen.append(slow)
        print(f"\nperformance (T8) sur {len(chosen)} page(s) : nous contre Lighthouse")
        performance = await performance_agreement(web, chosen, folder)
        print_performance(performance)
    return {
        "sites": throughput.sites,
        "sites_per_s": throughput.sites_per_s,
        "pure_sites_per_s": throughput.pure_sites_per_s,
        "load_ms": throughput.load * 1000,
        "grid_ms": throughput.grid * 1000,
        "lighthouse_version": version,
        "load_average": os.getloadavg()[0],
        "lighthouse_s": timing.seconds,
        "ratio": ratio,
        "performance": {
            mode: {
                key: [t.same_band, t.compared, statistics.median(t.differences)]
                for key, t in by_metric.items()
                if t.compared
            }
            for mode, by_metric in performance.items()
        },
        "agreement": {
            name: {
                tool: [t.agreed, t.compared, t.ours_failed, t.theirs_failed]
                for tool, t in by_tool.items()
            }
            for name, by_tool in tallies.items()
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="mesures de débit (médiane)")
    parser.add_argument(
        "--pages", type=int, default=5, help="pages d'accueil comparées à Lighthouse (0 : toutes)"
    )
    parser.add_argument(
        "--dossier",
        type=Path,
        help="garder la capture dans ce dossier et la réutiliser (défaut : dossier temporaire)",
    )
    args = parser.parse_args(argv)
    preflight()
    if args.dossier is not None:
        args.dossier.mkdir(parents=True, exist_ok=True)
        summary = asyncio.run(run(args, args.dossier))
    else:
        with tempfile.TemporaryDirectory(prefix="barometre-bench-audit-") as folder:
            summary = asyncio.run(run(args, Path(folder)))
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
