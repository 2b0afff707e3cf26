"""Sponsored posts of a Facebook/Instagram page from the Meta Ad Library (Graph API).

Optional: without ``config.meta_token`` nothing is asked and :meth:`disabled_reason`
says which setting to fill (the figures are then "non mesurable"). With a token, one
``ads_archive`` search by page id, ads delivered in France since the window's start,
all statuses, paged by cursor up to ``config.max_pages``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from barometre.social.config import SocialConfig
from barometre.social.errors import ConnectorDisabled, ConnectorError, MalformedPayload
from barometre.social.http import SocialHttp, redact
from barometre.social.metaads.errors import DISABLED_MESSAGE, graph_error
from barometre.social.metaads.types import Ad, parse_ads_page
from barometre.social.metaads.urls import ads_archive_url

FIELDS = (
    "id",
    "page_id",
    "page_name",
    "ad_creation_time",
    "ad_delivery_start_time",
    "ad_delivery_stop_time",
    "publisher_platforms",
    "ad_snapshot_url",
    "eu_total_reach",
)


class MetaAdLibrary:
    def __init__(
        self,
        http: SocialHttp,
        config: SocialConfig,
        *,
        page_size: int = 100,
        countries: tuple[str, ...] = ("FR",),
    ) -> None:
        self.http = http
        self.config = config
        self.token = config.meta_token or None
        self.page_size = page_size
        self.countries = countries
        self.complete = True
        """False after :meth:`ads` stopped at ``config.max_pages`` with pages left."""
        self._refused: str | None = None
        if self.token and self.token not in http.secrets:
            # The token must never reach an archive or a message, whoever built ``http``.
            http.secrets = (*http.secrets, self.token)

    def disabled_reason(self) -> str | None:
        """Why nothing can be read (no token, or a token Meta refused), else ``None``."""
        if self.token is None:
            return DISABLED_MESSAGE
        return self._refused

    async def ads(self, page_id: str, since: datetime) -> list[Ad]:
        """Ads of the page delivered in France on or after ``since``, newest first."""
        reason = self.disabled_reason()
        if reason is not None:
            raise ConnectorDisabled(reason)
        if not page_id.isdigit():
            raise ConnectorError(f"Identifiant de page Facebook invalide : {page_id!r}")
        try:
            return await self._ads(page_id, since)
        except ConnectorDisabled as exc:
            self._refused = redact(str(exc), self.http.secrets)
            raise ConnectorDisabled(self._refused, status=exc.status, url=exc.url) from None
        except ConnectorError as exc:
            message = redact(str(exc), self.http.secrets)
            raise type(exc)(message, status=exc.status, url=exc.url) from None
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise MalformedPayload(
                redact(
                    f"Réponse de la bibliothèque publicitaire inattendue : {exc!r}",
                    self.http.secrets,
                )
            ) from None

    async def _ads(self, page_id: str, since: datetime) -> list[Ad]:
        url = ads_archive_url(self.config.meta_graph)
        params: dict[str, Any] = {
            "search_page_ids": page_id,
            "ad_reached_countries": json.dumps(list(self.countries)),
            "ad_active_status": "ALL",
            "ad_type": "ALL",
            "ad_delivery_date_min": since.date().isoformat(),
            "fields": ",".join(FIELDS),
            "limit": self.page_size,
            "access_token": self.token,
        }
        found: dict[str, Ad] = {}
        self.complete = True
        after: str | None = None
        for page in range(self.config.max_pages):
            # The next page is asked with our own parameters and the cursor, never by
            # following ``paging.next`` blindly: the token only goes to ``meta_graph``.
            query = {**params, "after": after} if after else params
            response, payload = await self.http.get_json(url, query)
            error = graph_error(payload, response.status, response.url)
            if error is not None:
                raise error
            ads, after = parse_ads_page(payload, self.http.secrets, response.url)
            for ad in ads:
                if ad.delivery_stop is None or ad.delivery_stop >= since.date():
                    found.setdefault(ad.id, ad)
            if after is None:
                break
            if page == self.config.max_pages - 1:
                self.complete = False
        return sorted(
            found.values(),
            key=lambda a: (a.delivery_start or a.created_on or since.date(), a.id),
            reverse=True,
        )
