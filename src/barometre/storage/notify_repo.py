"""Messages sent to collectivités: one per (edition, collectivité, address), ever.

A send is claimed (``sending``) in its own transaction before the SMTP exchange and
marked ``sent`` after it: two runs at once cannot both claim it, and a run killed in
between leaves the claim, so the message is not sent a second time (the operator sees it
as uncertain). A send the server refused is released, to be tried again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from barometre.storage.schema import notifications

SENDING = "sending"
SENT = "sent"


def states(engine: Engine, edition: str) -> dict[tuple[str, str], str]:
    """``(authority_id, address) → state`` of the edition's messages."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                notifications.c.authority_id, notifications.c.address, notifications.c.state
            ).where(notifications.c.edition_id == edition)
        )
        return {(r.authority_id, r.address): r.state for r in rows}


def claim(engine: Engine, edition: str, authority_id: str, address: str, message_id: str) -> bool:
    """Claim the send; ``False`` when it was already claimed or sent."""
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(notifications).values(
                    edition_id=edition,
                    authority_id=authority_id,
                    address=address,
                    message_id=message_id,
                    state=SENDING,
                    started_at=datetime.now(UTC),
                )
            )
    except IntegrityError:
        return False
    return True


def _key(edition: str, authority_id: str, address: str) -> object:
    return (
        (notifications.c.edition_id == edition)
        & (notifications.c.authority_id == authority_id)
        & (notifications.c.address == address)
    )


def mark_sent(engine: Engine, edition: str, authority_id: str, address: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(notifications)
            .where(_key(edition, authority_id, address))  # type: ignore[arg-type]
            .values(state=SENT, sent_at=datetime.now(UTC))
        )


def release(engine: Engine, edition: str, authority_id: str, address: str) -> None:
    """Forget a claim whose send failed (the server refused it): a later run retries."""
    with engine.begin() as connection:
        connection.execute(
            delete(notifications).where(
                _key(edition, authority_id, address),  # type: ignore[arg-type]
                notifications.c.state == SENDING,
            )
        )
