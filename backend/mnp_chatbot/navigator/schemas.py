"""What the planner takes and returns; field aliases are the camelCase names of the HTTP body."""

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from mnp_chatbot.core.validation import SingleLine
from mnp_chatbot.japanese.vocabulary import ApplyChannel, SimType
from mnp_chatbot.knowledge import schemas as knowledge

Brand = Annotated[str, StringConstraints(min_length=1, max_length=64), SingleLine]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)


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

    from_brand: Brand = Field(alias="from")
    to_brand: Brand = Field(alias="to")
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
    move_kind: knowledge.MoveKind | None = None
    from_brand: str = Field(alias="from")
    to_brand: str = Field(alias="to")
    summary: str
    reservation: ReservationInfo = Field(alias="reservationNumber")
    steps: list[Step]
    after_switch: list[Step]


class Question(StrEnum):
    """What the guided flow asked last; the first eight fill slots, the rest walk through the plan."""

    FROM = "from"
    TO = "to"
    CHANNEL = "channel"
    DEVICE = "device"
    SIM = "sim"
    HOLDER = "holder"
    FAMILY = "family"
    RESERVATION = "reservation"
    MODE = "mode"  # plan ready: whole roadmap or one step at a time?
    STEP = "step"  # showing steps[step_index]
    REVIEW = "review"  # roadmap or every step shown


class Mode(StrEnum):
    ROADMAP = "roadmap"
    STEP = "step"


class Slots(Model):
    """What the customer told so far; keys match `parsing.extract_slots`."""

    from_brand: str | None = None
    to_brand: str | None = None
    channel: ApplyChannel | None = None
    device: Device | None = None
    sim: SimType | None = None
    same_holder: bool | None = None
    family_discount: bool | None = None
    reservation_issued_on: dt.date | None = None
    reservation_answered: bool = False


class NavigatorState(Model):
    """The whole guided flow of one session, small enough to store as JSON between messages."""

    slots: Slots = Field(default_factory=Slots)
    question: Question = Question.FROM
    mode: Mode | None = None
    step_index: int = Field(default=0, ge=0)
    completed: tuple[int, ...] = ()
    active: bool = True


class Turn(Model):
    state: NavigatorState
    text: str
    quick_replies: list[str] = Field(max_length=13)
    plan: Plan | None = None
