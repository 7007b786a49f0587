"""Validation errors are said in Japanese with their limits, to customers and to operators alike."""

import datetime as dt
import json
import re
import uuid
from typing import Any, Literal

import httpx
import pytest
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator

from mnp_chatbot.core.field_errors import message_of
from mnp_chatbot.knowledge import loader
from tests.admin.support import Console

ENGLISH = re.compile(r"\b(should|Field|Input|valid|required|least|most|characters?|items?)\b")


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=5)
    count: int = Field(ge=1, le=13)
    tags: list[str] = Field(default_factory=list, max_length=2)
    kind: Literal["esim", "physical"] = "esim"
    url: HttpUrl | None = None
    day: dt.date | None = None
    id: uuid.UUID | None = None
    flag: bool = False

    @field_validator("tags")
    @classmethod
    def no_test(cls, value: list[str]) -> list[str]:
        if "テスト" in value:
            raise ValueError("テストという札は使えません")
        return value


def messages(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as failed:
        Sample.model_validate(data)
    return {".".join(map(str, e["loc"])): message_of(e) for e in failed.value.errors()}


@pytest.mark.parametrize(
    ("data", "field", "expected"),
    [
        ({"count": 1}, "name", "必須の項目です"),
        ({"name": "あ", "count": 1}, "name", "2文字以上で入力してください"),
        ({"name": "あいうえおか", "count": 1}, "name", "5文字以内で入力してください"),
        ({"name": "あい", "count": 0}, "count", "1以上にしてください"),
        ({"name": "あい", "count": 14}, "count", "13以下にしてください"),
        ({"name": "あい", "count": "三"}, "count", "整数で指定してください"),
        ({"name": "あい", "count": 1, "tags": ["a", "b", "c"]}, "tags", "2件以内にしてください"),
        ({"name": "あい", "count": 1, "tags": ["テスト"]}, "tags", "テストという札は使えません"),
        (
            {"name": "あい", "count": 1, "kind": "usim"},
            "kind",
            "次のいずれかを指定してください: 'esim'、'physical'",
        ),
        ({"name": "あい", "count": 1, "url": "ftp:/x"}, "url", "URLは 'http'、'https' で始めてください"),
        ({"name": "あい", "count": 1, "day": "12/03"}, "day", "日付は YYYY-MM-DD の形式で指定してください"),
        ({"name": "あい", "count": 1, "id": "x"}, "id", "正しいIDではありません"),
        ({"name": "あい", "count": 1, "flag": "maybe"}, "flag", "true か false で指定してください"),
        ({"name": "あい", "count": 1, "colour": "red"}, "colour", "この項目は使えません"),
    ],
)
def test_each_check_is_said_in_japanese(data: dict[str, Any], field: str, expected: str) -> None:
    said = messages(data)
    assert said[field] == expected
    assert not ENGLISH.search(said[field])


async def test_a_customers_too_long_message_is_refused_in_japanese(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/chat", json={"message": "あ" * 1001})
    assert response.status_code == 422
    assert (
        response.json()["error"]["message"]
        == "入力内容に誤りがあります（message: メッセージは1000文字以内で入力してください）。"
    )


async def test_an_operators_carrier_without_a_name_is_refused_in_japanese(
    client: httpx.AsyncClient, console: Console
) -> None:
    headers = await console.headers("admin")
    [docomo] = [c for c in loader.load_carriers() if c.id == "docomo"]
    carrier = docomo.model_dump(mode="json")
    carrier.pop("name")
    response = await client.put("/api/admin/carriers/docomo", json=carrier, headers=headers)
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert "name: 必須の項目です" in message
    assert not ENGLISH.search(message)


ENGLISH_RULE = re.compile(r"[a-z]{2,}")  # no English words (「URL」 is Japanese usage)


def docomo_record() -> dict[str, Any]:
    """ドコモ's record as the console sends it (camelCase)."""
    [docomo] = [c for c in loader.load_carriers() if c.id == "docomo"]
    record: dict[str, Any] = docomo.model_dump(mode="json", by_alias=True)
    return record


class TestCrossFieldRules:
    """The knowledge schema's own rules across fields speak Japanese and name the field they are about, in
    the API's message and in its list of problems (which the console shows next to each field)."""

    @pytest.mark.parametrize(
        ("change", "field", "words"),
        [
            (
                {"acceptsShopSignup": False, "shopSignupVerification": None},
                "shopSignupVerification",
                "確認の種類",
            ),
            (
                {"oneStop": {"participates": True, "verification": "official", "sources": []}},
                "oneStop.sources",
                "出典",
            ),
        ],
    )
    async def test_a_carrier_breaking_a_rule_is_refused_in_japanese_at_its_field(
        self, client: httpx.AsyncClient, console: Console, change: dict[str, Any], field: str, words: str
    ) -> None:
        headers = await console.headers("admin")
        response = await client.put(
            "/api/admin/carriers/docomo", json=docomo_record() | change, headers=headers
        )
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["message"].startswith(f"入力内容に誤りがあります（{field}: ")
        assert error["problems"] == [{"field": field, "message": error["problems"][0]["message"]}]
        said = error["problems"][0]["message"]
        assert words in said
        assert not ENGLISH_RULE.search(said), said

    async def test_every_problem_is_listed_with_its_field(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        headers = await console.headers("admin")
        record = docomo_record()
        record["officialUrl"] = "docomo.ne.jp"
        record["fees"][0]["amountYen"] = -1
        record.pop("name")
        response = await client.put("/api/admin/carriers/docomo", json=record, headers=headers)
        assert response.status_code == 422, response.text
        problems = {p["field"]: p["message"] for p in response.json()["error"]["problems"]}
        assert problems == {
            "name": "必須の項目です",
            "officialUrl": "正しいURLを指定してください",
            "fees.0.amountYen": "0以上にしてください",
        }

    async def test_a_faq_import_names_the_field_of_a_rule_in_japanese(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        headers = await console.headers("admin") | {"Content-Type": "application/json"}
        entry = next(e for e in loader.load_faqs() if e.category.value != "smalltalk")
        record = entry.model_dump(mode="json", exclude_none=True)
        record["verification"] = "unverified"
        record.pop("official_url", None)
        data = json.dumps([record], ensure_ascii=False).encode()
        response = await client.post("/api/admin/faqs/import?dry_run=true", content=data, headers=headers)
        assert response.status_code == 422, response.text
        [problem] = response.json()["error"]["problems"]
        assert problem["field"] == "official_url"
        assert "公式URL" in problem["message"]
        assert not ENGLISH_RULE.search(problem["message"]), problem
