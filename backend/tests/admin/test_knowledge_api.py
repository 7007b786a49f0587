"""The console's knowledge API through the real app: roles, CRUD, validation, audit, and edits going live."""

import copy
import datetime as dt
import json
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.core.clock import today_jst
from mnp_chatbot.knowledge import loader
from tests.admin.support import Console, audit_rows, json_of

MARKER = "【編集テスト】"
NEW_ENTRY: dict[str, Any] = {
    "slug": "test-mirai-pack-cancel",
    "category": "trouble",
    "question": "ミライ通信パックの解約方法を教えてください",
    "alternates": ["ミライ通信パックをやめたい", "ミライ通信パック 解約 手順"],
    "answer": f"{MARKER}ミライ通信パックは、会員ページの「契約内容」からいつでも解約できます。",
    "keywords": ["ミライ通信パック", "解約"],
    "sources": [{"title": "テスト用の出典", "url": "https://example.jp/mirai"}],
    "asOf": "2026-11-29",
    "verification": "official",
}


async def ask(client: httpx.AsyncClient, message: str) -> dict[str, Any]:
    reply: dict[str, Any] = json_of(await client.post("/api/chat", json={"message": message}))["reply"]
    return reply


def entry(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(NEW_ENTRY)
    body.update(changes)
    return body


class TestRoles:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/api/admin/faqs"),
            ("GET", "/api/admin/faqs/mnp-what-is"),
            ("GET", "/api/admin/faqs/export"),
            ("POST", "/api/admin/faqs"),
            ("PUT", "/api/admin/faqs/mnp-what-is"),
            ("DELETE", "/api/admin/faqs/mnp-what-is"),
            ("POST", "/api/admin/faqs/import"),
            ("PUT", "/api/admin/carriers/docomo"),
            ("POST", "/api/admin/try"),
        ],
    )
    async def test_every_endpoint_needs_a_token(
        self, client: httpx.AsyncClient, method: str, path: str
    ) -> None:
        response = await client.request(method, path, json={})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("POST", "/api/admin/faqs", NEW_ENTRY),
            ("PUT", "/api/admin/faqs/mnp-what-is", NEW_ENTRY),
            ("DELETE", "/api/admin/faqs/mnp-what-is", None),
            ("POST", "/api/admin/faqs/import?format=json", []),
            ("PUT", "/api/admin/carriers/docomo", {}),
        ],
    )
    async def test_a_viewer_cannot_change_the_knowledge(
        self, client: httpx.AsyncClient, console: Console, method: str, path: str, body: Any
    ) -> None:
        response = await client.request(method, path, json=body, headers=await console.headers("viewer"))
        assert response.status_code == 403
        listed = json_of(
            await client.get("/api/admin/faqs/mnp-what-is", headers=await console.headers("viewer"))
        )
        assert listed["slug"] == "mnp-what-is"

    @pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
    async def test_every_console_role_can_read(
        self, client: httpx.AsyncClient, console: Console, role: str
    ) -> None:
        page = json_of(await client.get("/api/admin/faqs?limit=5", headers=await console.headers(role)))
        assert len(page["items"]) == 5
        assert page["total"] > 100


class TestListing:
    @pytest.mark.parametrize(
        ("query", "check"),
        [
            ("category=fees", lambda item: item["category"] == "fees"),
            ("brand=docomo", lambda item: "docomo" in item["brands"]),
            ("brand=ドコモ", lambda item: "docomo" in item["brands"]),
            ("brand=SoftBank", lambda item: "softbank" in item["brands"]),
            ("verified=false", lambda item: item["verified"] is False),
            ("q=ワンストップ", lambda item: "ワンストップ" in str(item)),
            ("q=予約番号&category=reservation", lambda item: item["category"] == "reservation"),
        ],
    )
    async def test_filters_narrow_the_list(
        self, client: httpx.AsyncClient, console: Console, query: str, check: Any
    ) -> None:
        everything = json_of(await client.get("/api/admin/faqs", headers=await console.headers("viewer")))
        page = json_of(
            await client.get(f"/api/admin/faqs?{query}&limit=500", headers=await console.headers("viewer"))
        )
        assert 0 < page["total"] < everything["total"]
        assert len(page["items"]) == page["total"]
        assert all(check(item) for item in page["items"])

    async def test_a_brand_name_finds_what_its_id_finds(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        headers = await console.headers("viewer")
        by_id = json_of(await client.get("/api/admin/faqs?brand=docomo&limit=500", headers=headers))
        by_name = json_of(await client.get("/api/admin/faqs?brand=ドコモ&limit=500", headers=headers))
        assert by_name["total"] == by_id["total"] > 0

    async def test_a_keyword_ranks_entries_asking_it_first(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        headers = await console.headers("viewer")
        page = json_of(await client.get("/api/admin/faqs?q=有効期限&limit=5", headers=headers))
        assert page["total"] > 5
        assert all("有効期限" in item["question"] for item in page["items"]), [
            item["question"] for item in page["items"]
        ]
        assert any(item["slug"] == "reservation-validity" for item in page["items"])

    async def test_pages_do_not_overlap_and_cover_everything(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        headers = await console.headers("viewer")
        first = json_of(await client.get("/api/admin/faqs?limit=100", headers=headers))
        second = json_of(await client.get("/api/admin/faqs?limit=100&offset=100", headers=headers))
        slugs = [item["slug"] for item in first["items"] + second["items"]]
        assert len(slugs) == len(set(slugs)) == first["total"]

    async def test_a_percent_sign_is_searched_literally(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        page = json_of(
            await client.get("/api/admin/faqs?q=%25%25%25", headers=await console.headers("viewer"))
        )
        assert page["total"] == 0


class TestEditing:
    async def test_create_read_update_delete_with_an_audit_trail(
        self, client: httpx.AsyncClient, console: Console, db: async_sessionmaker[AsyncSession]
    ) -> None:
        headers = await console.headers("admin")  # an operator's publication waits (test_faq_review)
        created = json_of(await client.post("/api/admin/faqs", json=NEW_ENTRY, headers=headers), 201)
        assert created["slug"] == NEW_ENTRY["slug"]
        assert created["isPublished"] is True
        assert created["verified"] is True

        fetched = json_of(await client.get(f"/api/admin/faqs/{created['id']}", headers=headers))
        fetched["answer"] = "改訂した回答です。"
        updated = json_of(await client.put(f"/api/admin/faqs/{created['id']}", json=fetched, headers=headers))
        assert updated["answer"] == "改訂した回答です。"
        assert updated["id"] == created["id"]

        deleted = await client.delete(f"/api/admin/faqs/{NEW_ENTRY['slug']}", headers=headers)
        assert deleted.status_code == 204
        missing = await client.get(f"/api/admin/faqs/{created['id']}", headers=headers)
        assert missing.status_code == 404

        rows = await audit_rows(db, "faq.")
        assert [row.action for row in rows] == ["faq.created", "faq.updated", "faq.deleted"]
        assert all(row.actor_id == console.ids["admin"] and row.target_id == created["id"] for row in rows)
        assert rows[1].details["fields"] == "answer"
        assert "改訂" not in str([row.details for row in rows])

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"alternates": ["ひとつだけ"]}, "alternates"),
            ({"alternates": ["ひとつ", "  "]}, "alternates.1"),
            ({"sources": []}, "sources"),
            ({"verification": "unverified"}, "officialUrl"),
            ({"slug": "スラッグ"}, "slug"),
            ({"category": "gossip"}, "category"),
            ({"verification": "rumour"}, "verification"),
            ({"officialUrl": "not a url", "verification": "unverified"}, "officialUrl"),
            ({"sources": [{"url": "https://example.jp/"}]}, "sources.0.title"),
        ],
    )
    async def test_invalid_entries_are_refused_naming_the_field(
        self, client: httpx.AsyncClient, console: Console, changes: dict[str, Any], field: str
    ) -> None:
        response = await client.post(
            "/api/admin/faqs", json=entry(**changes), headers=await console.headers("admin")
        )
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert error["field"] == field
        assert field in error["message"]
        listed = json_of(
            await client.get(f"/api/admin/faqs?q={NEW_ENTRY['slug']}", headers=await console.headers("admin"))
        )
        assert listed["total"] == 0

    @pytest.mark.parametrize(("missing", "named"), [("asOf", "asOf"), ("question", "question")])
    async def test_missing_fields_are_named(
        self, client: httpx.AsyncClient, console: Console, missing: str, named: str
    ) -> None:
        body = entry()
        del body[missing]
        response = await client.post("/api/admin/faqs", json=body, headers=await console.headers("admin"))
        assert response.status_code == 422
        assert named in response.json()["error"]["message"]

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"answer": "回答\x00です"}, "answer"),
            ({"alternates": ["ひとつ", "ふた\x07つ"]}, "alternates.1"),
            ({"sources": [{"title": "出典\ud800"}]}, "sources.0.title"),
        ],
    )
    async def test_text_the_database_cannot_store_is_refused(
        self, client: httpx.AsyncClient, console: Console, changes: dict[str, Any], field: str
    ) -> None:
        body = json.dumps(entry(**changes), ensure_ascii=True)
        headers = await console.headers("admin") | {"Content-Type": "application/json"}
        response = await client.post("/api/admin/faqs", content=body, headers=headers)
        assert response.status_code == 422
        assert response.json()["error"]["field"] == field

    @pytest.mark.parametrize(
        "path",
        ["/api/admin/faqs?offset=99999999999999999999", "/api/admin/faqs?q=%00", "/api/admin/faqs/a%00b"],
    )
    async def test_hostile_parameters_are_refused(
        self, client: httpx.AsyncClient, console: Console, path: str
    ) -> None:
        response = await client.get(path, headers=await console.headers("viewer"))
        assert response.status_code == 422

    async def test_an_unknown_field_is_refused(self, client: httpx.AsyncClient, console: Console) -> None:
        response = await client.post(
            "/api/admin/faqs", json=entry(answr="typo"), headers=await console.headers("admin")
        )
        assert response.status_code == 422
        assert "answr" in response.json()["error"]["message"]

    async def test_a_taken_slug_is_a_conflict(self, client: httpx.AsyncClient, console: Console) -> None:
        headers = await console.headers("admin")
        taken = await client.post("/api/admin/faqs", json=entry(slug="mnp-what-is"), headers=headers)
        assert taken.status_code == 409
        created = json_of(await client.post("/api/admin/faqs", json=NEW_ENTRY, headers=headers), 201)
        renamed = await client.put(
            f"/api/admin/faqs/{created['id']}", json=entry(slug="mnp-what-is"), headers=headers
        )
        assert renamed.status_code == 409
        assert renamed.json()["error"]["code"] == "faq_slug_taken"

    @pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
    async def test_an_unknown_entry_is_not_found(
        self, client: httpx.AsyncClient, console: Console, method: str
    ) -> None:
        response = await client.request(
            method, "/api/admin/faqs/no-such-entry", json=NEW_ENTRY, headers=await console.headers("admin")
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "faq_not_found"


class TestEditsGoLive:
    async def test_an_edited_answer_is_the_next_reply(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        question = "予約番号って何桁？"
        before = await ask(client, question)
        assert MARKER not in before["text"]
        faq_id = before["sources"][0]["faqId"]
        current = json_of(
            await client.get(f"/api/admin/faqs/{faq_id}", headers=await console.headers("operator"))
        )
        current["answer"] = f"{MARKER}{current['answer']}"
        json_of(
            await client.put(
                f"/api/admin/faqs/{faq_id}", json=current, headers=await console.headers("admin")
            )
        )
        after = await ask(client, question)
        assert after["text"].startswith(MARKER)
        assert after["sources"][0]["faqId"] == faq_id

    async def test_a_new_entry_is_answered_and_a_deleted_one_no_longer(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        question = "ミライ通信パックをやめるにはどうすればいい？"
        assert MARKER not in (await ask(client, question))["text"]
        created = json_of(
            await client.post("/api/admin/faqs", json=NEW_ENTRY, headers=await console.headers("admin")), 201
        )
        answered = await ask(client, question)
        assert MARKER in answered["text"]
        assert answered["sources"][0]["faqId"] == created["id"]
        await client.delete(f"/api/admin/faqs/{created['id']}", headers=await console.headers("admin"))
        assert MARKER not in (await ask(client, question))["text"]

    async def test_an_unpublished_entry_is_not_used(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        headers = await console.headers("admin")
        created = json_of(
            await client.post("/api/admin/faqs", json=entry(isPublished=False), headers=headers), 201
        )
        assert created["isPublished"] is False
        assert MARKER not in (await ask(client, "ミライ通信パックの解約方法"))["text"]
        hidden = json_of(await client.get("/api/admin/faqs?published=false", headers=headers))
        assert [item["slug"] for item in hidden["items"]] == [NEW_ENTRY["slug"]]
        json_of(
            await client.put(
                f"/api/admin/faqs/{created['id']}", json=entry(isPublished=True), headers=headers
            )
        )
        assert MARKER in (await ask(client, "ミライ通信パックの解約方法"))["text"]

    async def test_a_carrier_edit_reaches_the_answer(
        self, client: httpx.AsyncClient, console: Console, db: async_sessionmaker[AsyncSession]
    ) -> None:
        question = "IIJmioのキャリアメールは？"
        assert MARKER not in (await ask(client, question))["text"]
        document = json_of(await client.get("/api/carriers/iijmio"))["document"]
        document["billingNote"] = f"{MARKER}転入した月の料金は日割りです。"
        written = json_of(
            await client.put(
                "/api/admin/carriers/iijmio", json=document, headers=await console.headers("operator")
            )
        )
        assert written == {"id": "iijmio", "created": False}
        assert MARKER in (await ask(client, question))["text"]
        (row,) = await audit_rows(db, "carrier.")
        assert (row.target_type, row.target_id, row.details["fields"]) == (
            "carrier",
            "iijmio",
            "billing_note",
        )

    async def test_a_carrier_reads_in_camel_case_and_writes_in_either_casing(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        document = json_of(await client.get("/api/carriers/iijmio"))["document"]
        assert {"officialUrl", "portOut", "oneStop", "asOf"} <= document.keys()
        assert snake_keys(document) == []
        [stored] = [carrier for carrier in loader.load_carriers() if carrier.id == "iijmio"]
        older = stored.model_dump(mode="json", exclude_none=True) | {"billing_note": f"{MARKER}旧形式"}
        headers = await console.headers("admin")
        written = json_of(await client.put("/api/admin/carriers/iijmio", json=older, headers=headers))
        assert written == {"id": "iijmio", "created": False}
        assert (
            json_of(await client.get("/api/carriers/iijmio"))["document"]["billingNote"] == f"{MARKER}旧形式"
        )

    @pytest.mark.parametrize(
        ("path", "changes", "named"),
        [
            ("/api/admin/carriers/docomo", {"id": "au"}, "id"),
            ("/api/admin/carriers/docomo", {"aliases": []}, "aliases"),
            ("/api/admin/carriers/docomo", {"kind": "mega"}, "kind"),
        ],
    )
    async def test_an_invalid_carrier_is_refused(
        self, client: httpx.AsyncClient, console: Console, path: str, changes: dict[str, Any], named: str
    ) -> None:
        document = json_of(await client.get("/api/carriers/docomo"))["document"] | changes
        response = await client.put(path, json=document, headers=await console.headers("admin"))
        assert response.status_code == 422
        assert named in response.json()["error"]["message"]
        unchanged = json_of(await client.get("/api/carriers/docomo"))["document"]
        assert unchanged["id"] == "docomo"
        assert unchanged["aliases"]


def snake_keys(value: Any) -> list[str]:
    """Every key with an underscore in a JSON value, however deep."""
    if isinstance(value, dict):
        return [k for k in value if "_" in k] + [
            found for item in value.values() for found in snake_keys(item)
        ]
    if isinstance(value, list):
        return [found for item in value for found in snake_keys(item)]
    return []


class TestPublicVisibility:
    async def test_item03_public_faq_endpoints_show_only_published_entries_valid_today(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        today = today_jst()
        hidden = {
            "test-visibility-draft": entry(slug="test-visibility-draft", isPublished=False),
            "test-visibility-expired": entry(
                slug="test-visibility-expired", validUntil=str(today - dt.timedelta(days=1))
            ),
            "test-visibility-future": entry(
                slug="test-visibility-future", validFrom=str(today + dt.timedelta(days=1))
            ),
        }
        shown = entry(slug="test-visibility-live", validFrom=str(today), validUntil=str(today))
        headers = await console.headers("admin")
        for body in [*hidden.values(), shown]:
            json_of(await client.post("/api/admin/faqs", json=body, headers=headers), 201)

        listed = {
            item["slug"] for item in json_of(await client.get("/api/faqs", params={"limit": 500}))["items"]
        }
        assert shown["slug"] in listed
        assert listed.isdisjoint(hidden)
        assert json_of(await client.get(f"/api/faqs/{shown['slug']}"))["isPublished"] is True
        for slug in hidden:
            assert (await client.get(f"/api/faqs/{slug}")).status_code == 404
            by_id = json_of(await client.get(f"/api/admin/faqs/{slug}", headers=headers))["id"]
            assert (await client.get(f"/api/faqs/{by_id}")).status_code == 404
        found = json_of(
            await client.get("/api/faqs/search", params={"q": "ミライ通信パック 解約", "limit": 50})
        )
        assert {result["slug"] for result in found["results"]}.isdisjoint(hidden)

        console_listed = json_of(
            await client.get(
                "/api/admin/faqs", params={"q": "ミライ通信パック", "limit": 500}, headers=headers
            )
        )
        assert {item["slug"] for item in console_listed["items"]} >= {*hidden, shown["slug"]}
