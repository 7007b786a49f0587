from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
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
