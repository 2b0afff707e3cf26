"""robots.txt rules (RFC 9309) as the crawler applies them."""

from __future__ import annotations

from barometre.capture.robots import parse_robots
from barometre.models import FetchOutcome
from barometre.net.fetcher import FetchResult

AGENT = "BarometreNumeriqueTerritoires"


def result(
    status: int | None, body: bytes = b"", outcome: FetchOutcome = FetchOutcome.OK
) -> FetchResult:
    return FetchResult(
        url="http://x.test/robots.txt",
        final_url="http://x.test/robots.txt",
        outcome=outcome,
        status=status,
        body=body,
    )


def test_rules_for_everyone_and_for_our_agent() -> None:
    robots = parse_robots(
        "http://x.test",
        result(
            200,
            (
                b"User-agent: *\nDisallow: /prive/\n\n"
                b"User-agent: BarometreNumeriqueTerritoires\nDisallow: /lourd/\nCrawl-delay: 5\n"
                b"Sitemap: http://x.test/plan.xml\n"
            ),
        ),
    )
    assert robots.allows("http://x.test/prive/page", AGENT)  # our group replaces '*'
    assert not robots.allows("http://x.test/lourd/recherche", AGENT)
    assert not robots.allows("http://x.test/prive/page", "AutreRobot")
    assert robots.sitemaps == ["http://x.test/plan.xml"]
    assert robots.crawl_delay_for(AGENT) == 5.0 and robots.crawl_delay_for("AutreRobot") is None


def test_missing_file_allows_and_server_error_disallows() -> None:
    assert parse_robots("http://x.test", result(404)).allows("http://x.test/a", AGENT)
    assert not parse_robots("http://x.test", result(503, outcome=FetchOutcome.HTTP_ERROR)).allows(
        "http://x.test/a", AGENT
    )
    assert not parse_robots("http://x.test", result(None, outcome=FetchOutcome.TIMEOUT)).allows(
        "http://x.test/a", AGENT
    )


def test_garbage_is_tolerated() -> None:
    robots = parse_robots("http://x.test", result(200, b"\xff\xfe<html>not robots</html>\n" * 50))
    assert robots.allows("http://x.test/a", AGENT)
