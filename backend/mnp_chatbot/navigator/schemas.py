"""What the planner takes and returns; field aliases are the camelCase names of the HTTP body."""

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from mnp_chatbot.knowledge.schemas import MoveKind


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)


class ApplyChannel(StrEnum):
    ONLINE = "online"
    SHOP = "shop"


class SimType(StrEnum):
    ESIM = "esim"
    CARD = "card"


class Device(StrEnum):
    KEEP = "keep"  # keep using the current phone
    NEW = "new"  # a phone bought separately (SIM-free)
    BUNDLE = "bundle"  # a phone bought with the new contract


class PlanKind(StrEnum):
    ONE_STOP = "one_stop"
    TWO_STEP = "two_step"
    IN_GROUP = "in_group"


class Situation(Model):
    """The customer's switch as told; brands are ids, names or aliases and are resolved by the planner."""

    from_brand: str = Field(alias="from", min_length=1)
    to_brand: str = Field(alias="to", min_length=1)
    channel: ApplyChannel = ApplyChannel.ONLINE
    sim: SimType = SimType.CARD
    device: Device = Device.KEEP
    same_holder: bool = True
    family_discount: bool = False
    reservation_issued_on: dt.date | None = None


class SourceRef(Model):
    title: str
    url: str | None = None
    as_of: str | None = None
    verified: bool


class Step(Model):
    title: str
    detail: str
    sources: list[SourceRef] = Field(default_factory=list)
    verified: bool = True


class ReservationInfo(Model):
    needed: bool
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    days_left: int | None = None
    warnings: list[str] = Field(default_factory=list)


class Plan(Model):
    kind: PlanKind
    move_kind: MoveKind | None = None
    from_brand: str = Field(alias="from")
    to_brand: str = Field(alias="to")
    summary: str
    reservation: ReservationInfo = Field(alias="reservationNumber")
    steps: list[Step]
    after_switch: list[Step]
