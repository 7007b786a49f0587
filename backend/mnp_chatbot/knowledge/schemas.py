"""The shape of the curated knowledge files (`data/faqs/*.yaml`, `data/carriers.yaml`, `data/synonyms.yaml`).

These are the source of truth that the seed step loads into PostgreSQL; every fact carries its
sources, its "as of" date and whether an official page confirms it.

Field names: the files, exports and the stored JSON use the Python names (snake_case); the HTTP API reads
and writes the camelCase aliases. Validation accepts either, so a file in one casing or the other imports.
"""

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, model_validator
from pydantic.alias_generators import to_camel

from mnp_chatbot.core.field_errors import FieldRuleError

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,80}$")]
BrandId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,40}$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

# The rules across fields, in the words operators read next to the field (the console, the API, imports).
NEEDS_SOURCE = "出典を1件以上指定してください（事実を述べるFAQには出典が必要です）"
NEEDS_OFFICIAL_URL = "公式で確認できていない情報には、確認先の公式URLが必要です"
NEEDS_SHOP_SIGNUP_VERIFICATION = "「店頭で申し込めない」とするときは、その確認の種類を指定してください"
NEEDS_ONE_STOP_SOURCES = (
    "ワンストップ対応の有無を指定するときは、その出典が必要です（分からないときは「不明」にしてください）"
)


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)


class Category(StrEnum):
    BASICS = "basics"
    ONE_STOP = "one_stop"
    FEES = "fees"
    RESERVATION = "reservation"
    REQUIREMENTS = "requirements"
    SIDE_EFFECTS = "side_effects"
    TIMELINE = "timeline"
    TROUBLE = "trouble"
    SMALLTALK = "smalltalk"


class Verification(StrEnum):
    """How a fact was confirmed, after the legend of the fact sheet."""

    OFFICIAL = "official"  # ✅公式
    PRESS = "press"  # ✅報道
    SECONDARY = "secondary"  # ⚠️二次
    UNVERIFIED = "unverified"  # ❓未検証

    @property
    def is_verified(self) -> bool:
        return self in (Verification.OFFICIAL, Verification.PRESS)


class Source(Document):
    title: NonEmpty
    url: HttpUrl | None = None
    date: str | None = None  # as printed by the source, e.g. "2025-10-19" or "日付不明"


class FaqDocument(Document):
    slug: Slug
    category: Category
    question: NonEmpty
    alternates: list[NonEmpty] = Field(min_length=2)
    answer: NonEmpty
    keywords: list[NonEmpty] = Field(default_factory=list)
    brands: list[BrandId] = Field(default_factory=list)
    fact_ids: list[str] = Field(default_factory=list)  # ids of the fact sheet, e.g. "F1-6"
    sources: list[Source] = Field(default_factory=list)
    as_of: dt.date
    verification: Verification
    official_url: HttpUrl | None = None  # where to confirm an unverified fact
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    # Exports say whether customers see the entry, so a restore into an empty database keeps a hidden entry
    # hidden. Absent (the shipped files) means: published when new, unchanged when it exists.
    is_published: bool | None = None

    @model_validator(mode="after")
    def _hedged_facts_point_somewhere(self) -> "FaqDocument":
        if self.category is not Category.SMALLTALK and not self.sources:
            raise FieldRuleError(
                "sources", "出典を1件以上指定してください（事実を述べるFAQには出典が必要です）"
            )
        if not self.verification.is_verified and self.official_url is None:
            raise FieldRuleError("official_url", NEEDS_OFFICIAL_URL)
        return self

    @property
    def verified(self) -> bool:
        return self.verification.is_verified


class Channel(StrEnum):
    WEB = "web"
    PHONE = "phone"
    SHOP = "shop"


class CarrierKind(StrEnum):
    MNO = "mno"  # docomo, au, SoftBank, 楽天モバイル
    SUB_BRAND = "sub_brand"  # UQ mobile, Y!mobile
    ONLINE_BRAND = "online_brand"  # ahamo, povo, LINEMO
    MVNO = "mvno"


class MoveKind(StrEnum):
    """What a move between two brands of the same group is, when it is not ordinary MNP."""

    PLAN_CHANGE = "plan_change"  # docomo -> ahamo
    NUMBER_TRANSFER = "number_transfer"  # au <-> UQ mobile 番号移行
    BRAND_SWITCH = "brand_switch"  # SoftBank / Y!mobile / LINEMO


class PortOutChannel(Document):
    channel: Channel
    name: NonEmpty  # e.g. "My docomo", "ドコモ インフォメーションセンター", "ドコモショップ"
    # e.g. ["151（ドコモ携帯から）", "0120-800-000"]
    phone_numbers: list[NonEmpty] = Field(default_factory=list)
    hours: str | None = None  # e.g. "9:00〜21:30"
    note: str | None = None
    url: HttpUrl | None = None
    verification: Verification
    sources: list[Source] = Field(default_factory=list)


class Fee(Document):
    name: NonEmpty  # e.g. "契約事務手数料"
    channel: Channel | None = None
    amount_yen: int | None = Field(default=None, ge=0)  # tax included; None when the text says it all
    text: NonEmpty  # what to say, e.g. "店頭 4,950円（税込、2025-09-05〜）"
    as_of: dt.date
    verification: Verification
    sources: list[Source] = Field(default_factory=list)


class OneStop(Document):
    participates: bool | None = None  # None (or absent): the sources do not say; unknown is not false
    since: dt.date | None = None
    note: str | None = None
    verification: Verification
    sources: list[Source] = Field(default_factory=list)


class ReservationRequirement(Document):
    """How many days of validity the brand wants left on a 予約番号 when it receives a port-in."""

    channel: Channel
    min_days_left: int | None = Field(default=None, ge=1, le=15)
    text: NonEmpty
    verification: Verification
    sources: list[Source] = Field(default_factory=list)


class GroupMove(Document):
    to: BrandId
    kind: MoveKind
    note: NonEmpty
    verification: Verification
    sources: list[Source] = Field(default_factory=list)


class CarrierDocument(Document):
    id: BrandId
    name: NonEmpty  # display name, e.g. "ドコモ"
    group: BrandId  # e.g. "docomo", "kddi", "softbank", "rakuten", "iij", ...
    kind: CarrierKind
    aliases: list[NonEmpty] = Field(min_length=1)
    official_url: HttpUrl
    mnp_page_url: HttpUrl | None = None
    port_out: list[PortOutChannel] = Field(default_factory=list)
    # Whether the brand takes new contracts in shops; None where the sources do not say (unknown is not
    # false; an export leaves None out, so absent reads back as unknown). A definite value names its sources
    # and how they were verified.
    accepts_shop_signup: bool | None = None
    shop_signup_verification: Verification | None = None
    shop_signup_sources: list[Source] = Field(default_factory=list)
    one_stop: OneStop
    fees: list[Fee] = Field(default_factory=list)
    reservation_requirements: list[ReservationRequirement] = Field(default_factory=list)
    group_moves: list[GroupMove] = Field(default_factory=list)
    after_switch: list[NonEmpty] = Field(default_factory=list)  # brand-specific checks, e.g. APN profile
    carrier_mail: str | None = None
    billing_note: str | None = None
    as_of: dt.date
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _definite_flags_are_sourced(self) -> "CarrierDocument":
        if self.accepts_shop_signup is False and self.shop_signup_verification is None:
            raise FieldRuleError("shop_signup_verification", NEEDS_SHOP_SIGNUP_VERIFICATION)
        if self.one_stop.participates is not None and not self.one_stop.sources:
            raise FieldRuleError("one_stop.sources", NEEDS_ONE_STOP_SOURCES)
        return self


class SynonymGroup(Document):
    """Terms that mean the same; the first is the canonical form the retriever expands to."""

    terms: list[NonEmpty] = Field(min_length=2)


class SynonymFile(Document):
    groups: list[SynonymGroup]
