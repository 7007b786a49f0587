"""SQL of the `carriers` table: the only module that reads or writes it."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.carriers.models import Carrier


class CarrierRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, carrier_id: str) -> Carrier | None:
        return await self.session.get(Carrier, carrier_id)

    async def list_all(self) -> Sequence[Carrier]:
        return (await self.session.scalars(select(Carrier).order_by(Carrier.group_id, Carrier.id))).all()

    async def upsert_many(self, rows: Sequence[dict[str, Any]]) -> int:
        if not rows:
            return 0
        stmt = insert(Carrier).values(list(rows))
        updated: dict[str, Any] = {key: stmt.excluded[key] for key in rows[0] if key != "id"}
        updated["updated_at"] = func.now()
        await self.session.execute(stmt.on_conflict_do_update(index_elements=[Carrier.id], set_=updated))
        return len(rows)

    async def list_ids_named(self, word: str) -> list[str]:
        """The carriers a console user means by `word`: its id, name or an alias (「ドコモ」 → docomo),
        compared without case."""
        wanted = word.strip().lower()
        aliases = cast(func.lower(cast(Carrier.aliases, Text)), ARRAY(Text))
        stmt = select(Carrier.id).where(
            or_(func.lower(Carrier.id) == wanted, func.lower(Carrier.name) == wanted, aliases.any(wanted))
        )
        return list((await self.session.scalars(stmt)).all())

    async def stamp(self) -> str:
        """Changes whenever a carrier is added, edited or removed."""
        stmt = select(func.count(), func.max(Carrier.updated_at)).select_from(Carrier)
        count, latest = (await self.session.execute(stmt)).one()
        return f"{count}-{latest.timestamp():.6f}" if latest else f"{count}-0"
