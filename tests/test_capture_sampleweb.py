"""The whole capture layer against the bundled sample web (normal and hostile sites)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import dns.asyncresolver
import pytest
import pytest_asyncio
from sqlalchemy import Engine
from warcio.archiveiterator import ArchiveIterator

from barometre.capture.archive import load_site_archive
from barometre.capture.facts import dns_facts, tls_facts
from barometre.capture.render import CHROMIUM
from barometre.capture.run import FactsConfig, Target, capture_edition, screenshot_uri, warc_path
from barometre.capture.site import capture_site
from barometre.checks.engine import audit
from barometre.checks.subject import Subject
from barometre.methodology import bundled
from barometre.models import Authority, AuthorityKind, FetchOutcome, Status, Website
from barometre.net.fetcher import FetchConfig, Fetcher, FetchResult
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.net.warc import (
    PLAN_TYPE,
    RENDER_TYPE,
    Replay,
    WarcRecorder,
    read_exchanges,
    read_metadata,
    read_resource,
)
from barometre.sampleweb import FORBIDDEN_DNS_HOST, SampleWeb
from barometre.storage import capture_repo, registry_repo

AGENT = "BarometreNumeriqueTerritoires"
CONFIG = FetchConfig(
    user_agent=f"{AGENT}/test (+http://contact.test/)",
    connect_timeout=2,
    read_timeout=2,
    total_timeout=2.5,
    max_bytes=4 * 2**20,
    max_raw_bytes=4 * 2**20,
    retries=3,
    backoff=0.05,
    per_host_delay=0.0,
    max_retry_after=2,
    max_crawl_delay=0.2,  # the sample web asks for 10 s on one site
)


@pytest_asyncio.fixture
async def web() -> AsyncIterator[SampleWeb]:
    async with SampleWeb(with_dns=True, slow_drip_limit=20) as sample:
        yield sample


def resolver_for(web: SampleWeb) -> GuardedResolver:
    return GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]), static_hosts=web.host_map, port_map=web.port_map
    )


@pytest.mark.asyncio
async def test_every_site_ends_within_bounds_with_its_named_outcome(
    web: SampleWeb, sqlite_engine: Engine, tmp_path: Path
) -> None:
    sites = [s for s in web.sites if s.kind != "social"]
    assert len(sites) >= 25
    targets = [
        Target(f"commune:T{i:04d}", web.url(s.host, s.home, https=s.https))
        for i, s in enumerate(sites)
    ]
    registry_repo.replace_registry(
        sqlite_engine,
        [
            Authority(AuthorityKind.COMMUNE, t.authority_id.split(":")[1], s.host)
            for t, s in zip(targets, sites, strict=True)
        ],
        "test",
        {},
    )
    capture_repo.ensure_edition(sqlite_engine, "2026-11", "Édition de test")
    assert web.dns is not None
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = web.dns.nameservers, web.dns.port
    report = await asyncio.wait_for(  # a guard against a hang, not a speed target
        capture_edition(
            sqlite_engine,
            "2026-11",
            targets,
            warc_root=tmp_path,
            config=CONFIG,
            resolver=resolver_for(web),
            ssl_context=web.client_ssl_context(),
            agent=AGENT,
            facts=FactsConfig(dns=resolver, trust=web.client_ssl_context(), timeout=2),
        ),
        120,
    )
    assert not report.failed and report.done == len(sites)
    outcomes = {}
    for target, site in zip(targets, sites, strict=True):
        plan = read_metadata(warc_path(tmp_path, "2026-11", target.authority_id))
        assert plan is not None
        outcomes[site.host] = plan["outcome"]
        assert plan["fetches"] <= 25, site.host  # type: ignore[operator]
    wrong = {h: (o, s.expected) for s in sites if (o := outcomes[(h := s.host)]) != s.expected}
    assert wrong == {}
    assert web.state.active_streams == 0 or await _drained(web)


async def _drained(web: SampleWeb) -> bool:
    for _ in range(50):
        if web.state.active_streams == 0:
            return True
        await asyncio.sleep(0.1)
    return False


@pytest.mark.asyncio
async def test_replay_gives_byte_identical_inputs(web: SampleWeb, tmp_path: Path) -> None:
    live: dict[tuple[str, bool], FetchResult] = {}
    warc = tmp_path / "ville.warc.gz"
    with WarcRecorder(warc) as recorder:
        async with Fetcher(
            CONFIG,
            resolver=resolver_for(web),
            ssl_context=web.client_ssl_context(),
            recorder=recorder.record,
        ) as f:

            async def fetch(url: str, *, follow_redirects: bool = True) -> FetchResult:
                result = await f.fetch(url, follow_redirects=follow_redirects)
                live[(url, follow_redirects)] = result
                return result

            site = await capture_site(
                fetch, "commune:T1", web.url("ville-exemple.test"), agent=AGENT
            )
    assert site.outcome is FetchOutcome.OK and {"legal", "accessibility"} <= set(site.pages)
    replay = Replay(warc, CONFIG)
    assert len(live) >= 10
    asked = [e.url for e in read_exchanges(warc)]
    assert len(asked) == len(set(asked))  # each URL asked once per site
    for (url, follow_redirects), original in live.items():
        again = await replay.fetch(url, follow_redirects=follow_redirects)
        assert (again.outcome, again.status, again.final_url, again.headers, again.body) == (
            original.outcome,
            original.status,
            original.final_url,
            original.headers,
            original.body,
        ), url


@pytest.mark.asyncio
async def test_dns_and_tls_facts(web: SampleWeb, tmp_path: Path) -> None:
    assert web.dns is not None
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = web.dns.nameservers, web.dns.port
    facts = await dns_facts(resolver, "www.ville-exemple.test", "ville-exemple.test")
    assert facts.a == ["127.0.0.1"] and facts.mx and facts.spf and facts.dmarc
    tls = await tls_facts(
        resolver_for(web), "www.ville-exemple.test", trust=web.client_ssl_context(), timeout=2
    )
    assert tls.chain_valid is True and tls.versions.get("TLSv1.3") is True
    assert "www.ville-exemple.test" in tls.san and tls.not_after
    expired = await tls_facts(
        resolver_for(web), "expired.badtls.test", trust=web.client_ssl_context(), timeout=2
    )
    assert expired.chain_valid is False and "expired" in (expired.chain_error or "")
    guarded = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        nameservers=web.dns.nameservers,
        dns_port=web.dns.port,
        port_map=web.port_map,
    )
    refused = await tls_facts(guarded, FORBIDDEN_DNS_HOST, timeout=2)
    assert refused.error and "127.0.0.2" in refused.error


@pytest.mark.asyncio
async def test_dns_answer_pointing_to_127_0_0_2_is_refused(web: SampleWeb) -> None:
    assert web.dns is not None
    guarded = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        nameservers=web.dns.nameservers,
        dns_port=web.dns.port,
        port_map=web.port_map,
    )
    async with Fetcher(CONFIG, resolver=guarded, ssl_context=web.client_ssl_context()) as f:
        good = await f.fetch("https://www.ville-exemple.test/")
        bad = await f.fetch(f"http://{FORBIDDEN_DNS_HOST}/")
    assert good.ok
    assert bad.outcome is FetchOutcome.FORBIDDEN_ADDRESS and "127.0.0.2" in (bad.error or "")


@pytest.mark.asyncio
@pytest.mark.skipif(
    os.environ.get("BAROMETRE_REQUIRE_CHROMIUM") != "1" and shutil.which(CHROMIUM) is None,
    reason="Debian chromium not installed",
)
async def test_rendering_is_archived_with_the_site(
    web: SampleWeb, sqlite_engine: Engine, tmp_path: Path
) -> None:
    registry_repo.replace_registry(
        sqlite_engine, [Authority(AuthorityKind.COMMUNE, "T0001", "SPA")], "t", {}
    )
    capture_repo.ensure_edition(sqlite_engine, "2026-11", "Édition de test")
    url = web.url("www.ville-numerique-exemple.test")
    report = await capture_edition(
        sqlite_engine,
        "2026-11",
        [Target("commune:T0001", url)],
        warc_root=tmp_path,
        config=CONFIG,
        resolver=resolver_for(web),
        ssl_context=web.client_ssl_context(),
        agent=AGENT,
        render=True,
    )
    assert report.done == 1 and not report.failed
    warc = warc_path(tmp_path, "2026-11", "commune:T0001")
    rendered = read_metadata(warc, RENDER_TYPE)
    assert rendered is not None and rendered["outcome"] == "ok"
    shot = read_resource(warc, screenshot_uri(url, "desktop"))
    assert shot is not None and shot.startswith(b"\x89PNG")
    # The browser asked for the home page again; replay still answers with the crawl's.
    homes = [e for e in read_exchanges(warc) if e.url == url and e.status is not None]
    crawl = [e for e in read_exchanges(warc, until_plan=True) if e.url == url]
    assert len(homes) > len(crawl) == 1
    replayed = await Replay(warc, CONFIG).fetch(url)
    assert replayed.chain[0].response_headers == crawl[0].response_headers
    # The crawl saw an empty shell; the pages its scripts link to were rendered instead.
    archive = await asyncio.to_thread(load_site_archive, warc)
    assert set(archive.pages) == set()
    assert {"legal", "contact", "accessibility"} <= set(archive.rendered_pages)
    legal = archive.rendered_pages["legal"]
    assert legal.final_url == url + "mentions-legales"
    assert "Directeur de la publication" in legal.text
    assert "Numérique-Exemple" in archive.rendered["desktop"].text


RENDERED_HOSTS = (
    "www.ville-numerique-exemple.test",  # keeps asking its slow server after the load
    "www.ville-exemple.test",
    "www.region-exemple.test",
    "www.departement-exemple.test",
    "www.cote-exemple.test",
    "www.petit-village-exemple.test",
    "www.riviere-exemple.test",
    "www.montagne-exemple.test",
)


@pytest.mark.asyncio
@pytest.mark.skipif(
    os.environ.get("BAROMETRE_REQUIRE_CHROMIUM") != "1" and shutil.which(CHROMIUM) is None,
    reason="Debian chromium not installed",
)
async def test_rendering_several_sites_never_drops_one(
    web: SampleWeb, sqlite_engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A page still asking for something when its rendering ends (here a single-page
    application polling a slow server) must not write into its site's archive after the
    archive closed, nor make another site's rendering fail (issue 13, item 2). One site
    at a time, that application first: whatever it leaves behind meets the next sites."""
    targets = [
        Target(f"commune:T{i:04d}", web.url(h, web.site(h).home, https=web.site(h).https))
        for i, h in enumerate(RENDERED_HOSTS)
    ]
    registry_repo.replace_registry(
        sqlite_engine,
        [Authority(AuthorityKind.COMMUNE, t.authority_id.split(":")[1], "x") for t in targets],
        "t",
        {},
    )
    capture_repo.ensure_edition(sqlite_engine, "2026-11", "Édition de test")
    report = await capture_edition(
        sqlite_engine,
        "2026-11",
        targets,
        warc_root=tmp_path,
        config=CONFIG,
        resolver=resolver_for(web),
        ssl_context=web.client_ssl_context(),
        agent=AGENT,
        render=True,
        sites_in_flight=1,
    )
    assert report.failed == [] and report.done == len(targets)
    assert capture_repo.completed_sites(sqlite_engine, "2026-11") == {
        t.authority_id for t in targets
    }
    for target in targets:
        warc = warc_path(tmp_path, "2026-11", target.authority_id)
        renders = read_metadata_all(warc)
        assert [(r["viewport"], r["outcome"]) for r in renders] == [
            ("desktop", "ok"),
            ("mobile", "ok"),
        ], (target.url, [r.get("error") for r in renders])
    spa = warc_path(tmp_path, "2026-11", targets[0].authority_id)
    polled = next(r for r in read_metadata_all(spa) if r["viewport"] == "desktop")["requests"]
    assert any(e["url"].endswith("/api/alertes.json") for e in polled)
    # Playwright hands a route handler's error to the next call of any site: none here.
    assert not [r for r in caplog.records if "event listener" in r.getMessage()]


def read_metadata_all(path: Path) -> list[dict[str, Any]]:
    out = []
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type == "metadata" and record.content_type == RENDER_TYPE:
                out.append(json.loads(record.content_stream().read()))
    return out


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("host", "kinds"),
    [
        (
            "www.region-exemple.test",
            {"legal", "accessibility", "privacy", "contact", "procedures", "news", "budget"},
        ),
        (
            "www.departement-exemple.test",
            {"legal", "accessibility", "contact", "procedures", "news"},
        ),
        (
            "www.ville-exemple.test",
            {
                "legal",
                "accessibility",
                "privacy",
                "contact",
                "procedures",
                "news",
                "council",
                "budget",
            },
        ),
        ("www.petit-village-exemple.test", {"legal", "contact"}),
        ("www.ville-numerique-exemple.test", set()),  # a JS shell: nothing without rendering
    ],
)
async def test_crawl_plan_finds_the_pages_the_checks_need(
    web: SampleWeb, host: str, kinds: set[str]
) -> None:
    info = web.site(host)
    async with Fetcher(
        CONFIG, resolver=resolver_for(web), ssl_context=web.client_ssl_context()
    ) as f:
        site = await capture_site(
            f.fetch, "commune:T1", web.url(host, info.home, https=info.https), agent=AGENT
        )
    assert site.outcome is FetchOutcome.OK
    documents = {"accessibility_document", "accessibility_plan"}
    assert set(site.pages) - documents == kinds
    assert all(r.ok for k, r in site.pages.items() if k not in documents)
    assert site.fetches <= 25
    if host == "www.departement-exemple.test":  # its statement itself is a linked PDF
        assert site.pages["accessibility_document"].content_type == "application/pdf"
        assert site.pages["accessibility_document"].body.startswith(b"%PDF")
        # the multi-year plan is linked but missing: fetched, and recorded as such
        assert site.pages["accessibility_plan"].outcome is FetchOutcome.HTTP_ERROR


@pytest.mark.asyncio
async def test_bytes_that_are_not_text_are_not_measurable(
    web: SampleWeb, sqlite_engine: Engine, tmp_path: Path
) -> None:
    """Random bytes served as text/html: the capture records « not text » and the audit
    judges nothing on them; odd but real text (wrong charset, a very deep DOM) stays text."""
    hosts = ["random-bytes.hostile.test", "wrong-charset.hostile.test", "deep-dom.hostile.test"]
    targets = [Target(f"commune:T{i}", web.url(host)) for i, host in enumerate(hosts)]
    authorities = [
        Authority(
            AuthorityKind.COMMUNE,
            t.authority_id.split(":")[1],
            host,
            websites=(Website(t.url, host, "test", True),),
        )
        for t, host in zip(targets, hosts, strict=True)
    ]
    registry_repo.replace_registry(sqlite_engine, authorities, "test", {})
    capture_repo.ensure_edition(sqlite_engine, "2026-11", "Édition de test")
    report = await capture_edition(
        sqlite_engine,
        "2026-11",
        targets,
        warc_root=tmp_path,
        config=CONFIG,
        resolver=resolver_for(web),
        ssl_context=web.client_ssl_context(),
        agent=AGENT,
    )
    assert not report.failed
    archives = {  # read back as the audit reads it (its own event loop: another thread)
        host: await asyncio.to_thread(
            load_site_archive, warc_path(tmp_path, "2026-11", t.authority_id)
        )
        for host, t in zip(hosts, targets, strict=True)
    }
    plan = read_metadata(warc_path(tmp_path, "2026-11", targets[0].authority_id))
    assert plan is not None and plan["outcome"] == "not_text"
    binary = archives["random-bytes.hostile.test"]
    assert binary.outcome is FetchOutcome.NOT_TEXT and binary.home is not None
    assert binary.home.outcome is FetchOutcome.NOT_TEXT and binary.home.text == ""
    assert "octets de contrôle ou indécodables" in (binary.home.error or "")
    for host in hosts[1:]:
        home = archives[host].home
        assert home is not None and home.outcome is FetchOutcome.OK and home.text, host
    result = audit(
        Subject(authorities[0], binary, date(2026, 11, 20)),
        bundled(),
        only={"presence.site_joignable", "services.actualite", "conformite.mentions_legales"},
    )
    assert {r.status for r in result.results} == {Status.NOT_MEASURABLE}
    assert all("pas du texte" in (r.reason or "") for r in result.results)


@pytest.mark.asyncio
@pytest.mark.parametrize("host", ["www.ville-exemple.test", "robots-disallow.hostile.test"])
async def test_a_robots_file_without_answer_means_disallow_though_the_home_answers(
    web: SampleWeb, host: str, tmp_path: Path
) -> None:
    """robots.txt times out (its answer lost under load) while the home answers: nothing
    of the site is read (RFC 9309 §2.3.1.4). Before, the home was read and audited as if
    robots.txt allowed it, so a site forbidding exploration was measured whenever the
    machine was loaded."""
    info = web.site(host)
    asked: list[str] = []
    warc = tmp_path / "site.warc.gz"
    with WarcRecorder(warc) as recorder:
        async with Fetcher(
            CONFIG, resolver=resolver_for(web), ssl_context=web.client_ssl_context()
        ) as f:

            async def fetch(url: str, *, follow_redirects: bool = True) -> FetchResult:
                result = await f.fetch(url, follow_redirects=follow_redirects)
                asked.append(url)
                if url.endswith("/robots.txt"):  # the answer is lost on the way
                    lost = replace(
                        result.chain[-1],
                        outcome=FetchOutcome.TIMEOUT,
                        status=None,
                        response_headers=[],
                        raw_body=b"",
                    )
                    result = replace(
                        result, outcome=FetchOutcome.TIMEOUT, status=None, body=b"", chain=[lost]
                    )
                for exchange in result.chain:
                    recorder.record(exchange)
                return result

            site = await capture_site(
                fetch, "commune:T1", web.url(host, info.home, https=info.https), agent=AGENT
            )
        recorder.record_metadata(site.start_url, site.summary(), PLAN_TYPE)
    assert site.outcome is FetchOutcome.ROBOTS
    assert site.home is None and not site.pages and site.skipped == {"home": "robots"}
    assert any(not u.endswith("/robots.txt") for u in asked)  # the home was asked
    # the archive holds the home's answer, but the audit reads nothing of the site
    archive = await asyncio.to_thread(load_site_archive, warc)
    assert archive.outcome is FetchOutcome.ROBOTS and archive.home is None
