"""WARC archive: one file per site per edition, and replay from it.

Each exchange becomes a ``request`` and a ``response`` record (bytes as received,
compressed or not; ``WARC-Truncated`` when the cap cut them). A fetch that produced no
response (timeout, refused address, TLS error…) becomes a ``metadata`` record holding
its outcome, so that replay reproduces failures as well as pages.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParserException
from warcio.warcwriter import WARCWriter

from barometre.models import FetchOutcome
from barometre.net.fetcher import Exchange, FetchConfig, FetchResult, decode_body, follow

OUTCOME_TYPE = "application/vnd.barometre.outcome+json"
PLAN_TYPE = "application/vnd.barometre.plan+json"
FACTS_TYPE = "application/vnd.barometre.facts+json"
RENDER_TYPE = "application/vnd.barometre.render+json"
# Pages rendered because the home links to them only once its scripts ran:
# {"pages": {kind: {"url", "outcome", "error"}}}.
RENDERED_PAGES_TYPE = "application/vnd.barometre.rendered-pages+json"
DOM_PREFIX = "urn:barometre:dom:"  # resource records: the rendered DOM, per viewport


@dataclass(frozen=True)
class IndexEntry:
    url: str
    record_type: str
    offset: int
    length: int
    status: int | None
    outcome: str
    content_type: str = ""


class WarcRecorder:
    """Appends exchanges to a gzipped WARC file and keeps an index of the records."""

    def __init__(self, path: Path, *, software: str = "barometre") -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle: IO[bytes] = path.open("ab")
        self._writer = WARCWriter(self._handle, gzip=True)
        self.index: list[IndexEntry] = []
        if self._handle.tell() == 0:
            info = self._writer.create_warcinfo_record(
                path.name, {"software": software, "format": "WARC File Format 1.1"}
            )
            self._writer.write_record(info)

    def close(self) -> None:
        self._handle.flush()
        self._handle.close()

    def __enter__(self) -> WarcRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(
        self, record: object, url: str, status: int | None, outcome: str, content_type: str = ""
    ) -> None:
        offset = self._handle.tell()
        self._writer.write_record(record)
        self.index.append(
            IndexEntry(
                url,
                str(getattr(record, "rec_type", "")),
                offset,
                self._handle.tell() - offset,
                status,
                outcome,
                content_type,
            )
        )

    def record_metadata(self, url: str, data: Mapping[str, object], content_type: str) -> None:
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        record = self._writer.create_warc_record(
            url, "metadata", payload=BytesIO(payload), warc_content_type=content_type
        )
        self._write(record, url, None, str(data.get("outcome", "ok")), content_type)

    def record_resource(self, uri: str, payload: bytes, content_type: str) -> None:
        """A file produced by the crawler itself (e.g. a screenshot)."""
        record = self._writer.create_warc_record(
            uri, "resource", payload=BytesIO(payload), warc_content_type=content_type
        )
        self._write(record, uri, None, "ok", content_type)

    def record(self, exchange: Exchange) -> None:
        date = exchange.started_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if exchange.status is None:
            payload = json.dumps(
                {"url": exchange.url, "outcome": exchange.outcome.value, "error": exchange.error},
                ensure_ascii=False,
            ).encode("utf-8")
            record = self._writer.create_warc_record(
                exchange.url,
                "metadata",
                payload=BytesIO(payload),
                warc_content_type=OUTCOME_TYPE,
                warc_headers_dict={"WARC-Date": date},
            )
            self._write(record, exchange.url, None, exchange.outcome.value, OUTCOME_TYPE)
            return
        path = exchange.url.split("://", 1)[-1]
        path = "/" + path.split("/", 1)[1] if "/" in path else "/"
        request = self._writer.create_warc_record(
            exchange.url,
            "request",
            payload=BytesIO(b""),
            http_headers=StatusAndHeaders(
                f"GET {path} HTTP/1.1", exchange.request_headers, is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": date},
        )
        headers = {
            "WARC-Date": date,
            "WARC-Barometre-Outcome": exchange.outcome.value,
        }
        if exchange.peer:
            headers["WARC-IP-Address"] = exchange.peer
        if exchange.truncated:
            headers["WARC-Truncated"] = "length"
        response = self._writer.create_warc_record(
            exchange.url,
            "response",
            payload=BytesIO(exchange.raw_body),
            http_headers=StatusAndHeaders(
                f"{exchange.status} {exchange.reason}".strip(),
                exchange.response_headers,
                protocol=f"HTTP/{exchange.http_version}",
            ),
            warc_headers_dict=headers,
        )
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
        self._write(request, exchange.url, exchange.status, exchange.outcome.value)
        self._write(response, exchange.url, exchange.status, exchange.outcome.value)


# What reading a damaged or truncated WARC raises (warcio, gzip, a record's JSON…).
WARC_DAMAGE: tuple[type[Exception], ...] = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    EOFError,
    zlib.error,
    ValueError,
    KeyError,
)


def describe_damage(exc: BaseException) -> str:
    """What a :data:`WARC_DAMAGE` error means, in French (the bytes it quotes are not
    worth showing)."""
    if isinstance(exc, ArchiveLoadFailed) and "digest" in str(getattr(exc, "msg", "")):
        return "empreinte WARC fausse"
    if isinstance(exc, ArchiveLoadFailed | StatusAndHeadersParserException):
        return "en-têtes WARC invalides"
    if isinstance(exc, zlib.error):
        return "données compressées invalides"
    if isinstance(exc, EOFError):
        return "fin de fichier prématurée"
    return f"contenu invalide ({type(exc).__name__})"


def check_record(
    handle: IO[bytes], offset: int, length: int, url: str, sha256: str | None = None
) -> str | None:
    """Read back the record an index entry points to; ``None`` when it is there, intact,
    else what is wrong (in French).

    The bytes at ``offset`` must be exactly one whole gzip member holding one WARC record
    for ``url``, whose WARC digests verify, and hash to ``sha256`` when it is given."""
    handle.seek(offset)
    chunk = handle.read(length)
    if len(chunk) != length:
        return f"{url} : {length} octets attendus à la position {offset}, {len(chunk)} lus"
    if sha256 is not None and hashlib.sha256(chunk).hexdigest() != sha256:
        return f"{url} : empreinte différente de l'index à la position {offset}"
    try:
        records = ArchiveIterator(BytesIO(chunk), check_digests="raise")
        record = next(records)
        found = record.rec_headers.get_header("WARC-Target-URI")
        records.read_to_end()
        whole = records.get_record_length() == length
        extra = next(records, None) is not None
    except (ArchiveLoadFailed, EOFError, StopIteration, ValueError, zlib.error) as exc:
        return (
            f"{url} : enregistrement illisible à la position {offset} ({exc or type(exc).__name__})"
        )
    if found != url:
        return f"{url} : la position {offset} contient l'enregistrement de {found}"
    if not whole or extra:
        return f"{url} : l'enregistrement ne couvre pas exactement les {length} octets indexés"
    return None


def read_metadata(path: Path, content_type: str = PLAN_TYPE) -> dict[str, object] | None:
    """The last metadata record of the given type (the crawl plan by default)."""
    found = None
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type == "metadata" and record.content_type == content_type:
                found = json.loads(record.content_stream().read())
    return found


def read_resource(path: Path, uri: str) -> bytes | None:
    """The payload of a ``resource`` record (screenshot…) by its URI."""
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            if (
                record.rec_type == "resource"
                and record.rec_headers.get_header("WARC-Target-URI") == uri
            ):
                return bytes(record.content_stream().read())
    return None


def read_exchanges(path: Path, *, until_plan: bool = False) -> Iterator[Exchange]:
    """The exchanges of a WARC file, in order (responses and failure records).

    With ``until_plan``, stop at the crawl plan record: what follows it (rendering)
    belongs to another phase of the capture.
    """
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            if until_plan and record.rec_type == "metadata" and record.content_type == PLAN_TYPE:
                return
            url = record.rec_headers.get_header("WARC-Target-URI")
            date = datetime.strptime(
                record.rec_headers.get_header("WARC-Date"), "%Y-%m-%dT%H:%M:%SZ"
            ).replace(tzinfo=UTC)
            if record.rec_type == "metadata" and record.content_type == OUTCOME_TYPE:
                data = json.loads(record.content_stream().read())
                yield Exchange(
                    url=url,
                    method="GET",
                    request_headers=[],
                    started_at=date,
                    outcome=FetchOutcome(data["outcome"]),
                    error=data["error"],
                )
            elif record.rec_type == "response":
                http = record.http_headers
                status_text = http.get_statuscode()
                yield Exchange(
                    url=url,
                    method="GET",
                    request_headers=[],
                    started_at=date,
                    status=int(status_text) if status_text else None,
                    reason=http.statusline.split(" ", 1)[1] if " " in http.statusline else "",
                    response_headers=list(http.headers),
                    raw_body=record.raw_stream.read(),
                    truncated=bool(record.rec_headers.get_header("WARC-Truncated")),
                    peer=record.rec_headers.get_header("WARC-IP-Address"),
                    outcome=FetchOutcome(
                        record.rec_headers.get_header("WARC-Barometre-Outcome") or "ok"
                    ),
                )


class Replay:
    """Serves a site's archived fetches back, offline: same outcome, headers and bytes."""

    def __init__(self, path: Path, config: FetchConfig) -> None:
        self.config = config
        self.latest: dict[str, Exchange] = {}
        # The crawl's exchanges come first; the browser's (after the plan record) only
        # answer for URLs the crawl never asked. A retried URL keeps its last attempt.
        for exchange in read_exchanges(path):
            self.latest[exchange.url] = exchange
        for exchange in read_exchanges(path, until_plan=True):
            self.latest[exchange.url] = exchange

    async def _hop(self, url: str) -> tuple[Exchange, bytes]:
        exchange = self.latest.get(url)
        if exchange is None:
            missing = Exchange(
                url=url,
                method="GET",
                request_headers=[],
                started_at=datetime.now(UTC),
                outcome=FetchOutcome.CONNECTION_ERROR,
                error=f"absent de l'archive : {url}",
            )
            return missing, b""
        if exchange.status is None or exchange.outcome is not FetchOutcome.OK:
            return exchange, b""
        encoding = next(
            (v for k, v in exchange.response_headers if k.lower() == "content-encoding"), None
        )
        return exchange, decode_body(exchange.raw_body, encoding, self.config.max_bytes)

    async def fetch(
        self,
        url: str,
        *,
        follow_redirects: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult:
        """The same result the live fetch gave, rebuilt from the archive (``headers``,
        sent live, change nothing here)."""
        limit = self.config.max_redirects if follow_redirects else 0
        return await follow(url, self._hop, limit, stop_at_redirect=not follow_redirects)
