"""The sales endpoints through the full HTTP stack: status codes, payloads, errors, pages and query counts."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from accord.core.actors import Actor
from accord.customers.services import company_create, contact_create
from accord.sales.models import Deal, Lead, Pipeline, Stage
from accord.sales.services import deal_create, lead_create, order_create, product_create

pytestmark = pytest.mark.django_db


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.json()
    return response.json()


def _fields(response: Any) -> dict[str, list[str]]:
    assert 400 <= response.status_code < 500, response.status_code
    return response.json()["error"]["fields"]


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["items"]]


# ---------------------------------------------------------------- leads


def test_lead_crud_roundtrip(api_client, user) -> None:
    created = api_client.post(
        "/leads",
        {"given_name": "Ada", "family_name": "Lovelace", "email": "ADA@Acme.com", "phone": "+1 415 555 2671",
         "company_name": "Acme", "company_domain": "https://acme.com", "tags": ["fair"]},
    )  # fmt: skip
    body = _created(created)
    assert created["ETag"] == '"1"'
    assert {key: body[key] for key in ("email", "phone", "company_domain", "status", "owner_id", "tags")} == {
        "email": "ada@acme.com",
        "phone": "+14155552671",
        "company_domain": "acme.com",
        "status": "new",
        "owner_id": user.pk,
        "tags": ["fair"],
    }
    assert (body["converted_at"], body["converted_contact_id"], body["converted_deal_id"]) == (
        None,
        None,
        None,
    )
    assert api_client.get(f"/leads/{body['id']}").json() == body

    patched = api_client.patch(f"/leads/{body['id']}", {"status": "working"}, HTTP_IF_MATCH='"1"')
    assert (patched.status_code, patched["ETag"], patched.json()["status"]) == (200, '"2"', "working")
    stale = api_client.patch(f"/leads/{body['id']}", {"status": "qualified"}, HTTP_IF_MATCH='"1"')
    assert (stale.status_code, stale.json()["error"]["code"]) == (412, "version_mismatch")
    assert api_client.delete(f"/leads/{body['id']}", HTTP_IF_MATCH='"1"').status_code == 412
    assert api_client.delete(f"/leads/{body['id']}", HTTP_IF_MATCH='"2"').status_code == 204
    assert api_client.get(f"/leads/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"family_name": "X", "email": "not-an-email"}, "email"),
        ({"family_name": "X", "phone": "12345"}, "phone"),
        ({"family_name": "X", "company_domain": "not a domain"}, "company_domain"),
        ({"family_name": "X", "favourite_colour": "blue"}, "favourite_colour"),
        ({"family_name": "X", "converted_at": "2026-01-01T00:00:00Z"}, "converted_at"),
        ({"family_name": "X", "version": 3}, "version"),
        ({"family_name": ["not", "text"]}, "family_name"),
        ({"family_name": "X", "owner_id": "me"}, "owner_id"),
        ({"family_name": "X", "status": "converted"}, "status"),
        ({"family_name": "X", "status": "disqualified"}, "disqualified_reason"),
        ({"source": "fair"}, "family_name"),
        ({"family_name": "X", "tags": "vip"}, "tags"),
    ],
)
def test_bad_lead_input_names_the_field(api_client, payload, field) -> None:
    response = api_client.post("/leads", payload)
    assert response.status_code == 422
    assert field in _fields(response), response.json()


def test_lead_filters_search_and_sort(api_client, actor: Actor) -> None:
    lead_create(
        actor=actor, data={"family_name": "Alpha", "status": "working", "source": "fair", "tags": ["x"]}
    )
    beta = lead_create(actor=actor, data={"family_name": "Beta", "email": "beta@initech.com"}).pk
    gamma = lead_create(actor=actor, data={"company_name": "Gamma Corp", "phone": "+14155552671"}).pk
    assert len(_ids(api_client.get("/leads?status=working&source=fair&tag=x"))) == 1
    assert _ids(api_client.get("/leads?email=BETA@initech.com")) == [beta]
    assert _ids(api_client.get("/leads?q=initech")) == [beta]
    assert _ids(api_client.get("/leads?q=gamma")) == [gamma]
    assert _ids(api_client.get("/leads?q=555 2671")) == [gamma]
    names = [item["family_name"] for item in api_client.get("/leads?sort=-family_name").json()["items"]]
    assert names == ["Beta", "Alpha", ""]
    assert _ids(api_client.get("/leads?created_after=2999-01-01T00:00:00Z")) == []
    assert "sort" in _fields(api_client.get("/leads?sort=email"))


def test_lead_conversion_endpoints(api_client, actor: Actor, pipeline: Pipeline) -> None:
    company = company_create(actor=actor, data={"name": "Acme Corp", "domain": "acme.com"})
    lead = lead_create(
        actor=actor, data={"given_name": "Ada", "family_name": "Lovelace", "email": "ada@acme.com"}
    )

    preview = api_client.get(f"/leads/{lead.pk}/conversion-preview")
    assert preview.status_code == 200
    assert preview.json() == {
        "contact": None,
        "company": {"id": company.pk, "name": "Acme Corp", "matched_by": "email_domain"},
        "creates_contact": True,
        "creates_company": False,
        "is_converted": False,
    }

    converted = api_client.post(
        f"/leads/{lead.pk}/convert",
        {"create_deal": {"name": "Acme pilot", "amount": "2500.00"}},
        HTTP_IF_MATCH='"1"',
    )
    assert converted.status_code == 200, converted.json()
    body = converted.json()
    contact_id = body["lead"]["converted_contact_id"]
    deal_id = body["lead"]["converted_deal_id"]
    assert converted["ETag"] == '"2"'
    assert {key: body[key] for key in ("contact", "company", "deal", "employment_created")} == {
        "contact": {"id": contact_id, "name": "Ada Lovelace", "created": True},
        "company": {"id": company.pk, "name": "Acme Corp", "created": False},
        "deal": {"id": deal_id, "name": "Acme pilot", "created": True},
        "employment_created": True,
    }
    assert (body["lead"]["status"], body["lead"]["converted_company_id"]) == ("converted", company.pk)
    deal = api_client.get(f"/deals/{deal_id}").json()
    assert (deal["amount"], deal["company_id"], deal["pipeline_id"]) == ("2500.00", company.pk, pipeline.pk)
    assert deal["contacts"] == [{"contact_id": contact_id, "contact_name": "Ada Lovelace", "role": ""}]

    again = api_client.post(f"/leads/{lead.pk}/convert", {})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "conflict")
    assert api_client.get(f"/leads/{lead.pk}/conversion-preview").json()["is_converted"] is True
    assert api_client.post("/leads/999/convert", {}).status_code == 404


def test_lead_conversion_errors(api_client, actor: Actor, stages: dict[str, Stage], other_pipeline) -> None:
    lead = lead_create(actor=actor, data={"family_name": "Lovelace"})
    stale = api_client.post(f"/leads/{lead.pk}/convert", {}, HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412
    wrong_stage = other_pipeline.stages.first().pk
    response = api_client.post(
        f"/leads/{lead.pk}/convert",
        {"create_deal": {"pipeline_id": stages["Won"].pipeline_id, "stage_id": wrong_stage}},
    )
    assert response.status_code == 422
    assert list(_fields(response)) == ["create_deal.stage_id"]
    response = api_client.post(f"/leads/{lead.pk}/convert", {"contact_id": "x", "create_deal": {"bogus": 1}})
    assert set(_fields(response)) == {"contact_id", "create_deal.bogus"}
    assert Lead.objects.get().status == "new"
    # No body at all is an empty request: convert with the defaults.
    plain = api_client.client.post(f"/api/v1/leads/{lead.pk}/convert", content_type="application/json")
    assert plain.status_code == 200, plain.json()


# ---------------------------------------------------------------- pipelines and stages


def test_pipeline_with_nested_stages(api_client) -> None:
    body = _created(
        api_client.post(
            "/pipelines",
            {"name": "Sales", "is_default": True, "stages": [{"name": "Open"}, {"name": "Won", "kind": "won", "probability": 100}]},
        )
    )  # fmt: skip
    assert [(s["name"], s["position"], s["probability"], s["kind"]) for s in body["stages"]] == [
        ("Open", 0, 0, "open"),
        ("Won", 1, 100, "won"),
    ]
    stage = _created(api_client.post("/stages", {"pipeline_id": body["id"], "name": "Lost", "kind": "lost"}))
    assert (stage["position"], stage["pipeline_id"]) == (2, body["id"])
    listed = api_client.get("/pipelines").json()["items"]
    assert [s["name"] for s in listed[0]["stages"]] == ["Open", "Won", "Lost"]
    assert _ids(api_client.get(f"/stages?pipeline_id={body['id']}&kind=lost")) == [stage["id"]]

    patched = api_client.patch(
        f"/stages/{stage['id']}", {"probability": 0, "name": "Gone"}, HTTP_IF_MATCH='"1"'
    )
    assert (patched.status_code, patched.json()["name"]) == (200, "Gone")
    assert api_client.delete(f"/stages/{stage['id']}").status_code == 204
    renamed = api_client.patch(f"/pipelines/{body['id']}", {"name": "Direct sales"})
    assert (renamed.json()["name"], renamed.json()["version"]) == ("Direct sales", 2)


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/pipelines", {}, "name"),
        ("/pipelines", {"name": "P", "stages": [{"name": "S", "probability": 101}]}, "stages.0.probability"),
        ("/pipelines", {"name": "P", "stages": [{"name": "S", "kind": "maybe"}]}, "stages.0.kind"),
        ("/pipelines", {"name": "P", "stages": [{"probability": 5}]}, "stages.0.name"),
        ("/stages", {"name": "S"}, "pipeline_id"),
        ("/stages", {"pipeline_id": 999, "name": "S"}, "pipeline_id"),
        ("/stages", {"pipeline_id": 1, "name": "S", "probability": -1}, "probability"),
    ],
)
def test_bad_pipeline_and_stage_input(api_client, path, payload, field) -> None:
    response = api_client.post(path, payload)
    assert response.status_code == 422
    assert field in _fields(response), response.json()


# ---------------------------------------------------------------- deals


def test_deal_crud_move_and_history(api_client, actor: Actor, user, stages: dict[str, Stage]) -> None:
    company = company_create(actor=actor, data={"name": "Acme"})
    contact = contact_create(actor=actor, data={"family_name": "Lovelace"})
    body = _created(
        api_client.post(
            "/deals",
            {"name": "Pilot", "amount": "1999.90", "currency": "usd", "expected_close_date": "2026-12-31",
             "company_id": company.pk, "contacts": [{"contact_id": contact.pk, "role": "Champion"}], "tags": ["q4"]},
        )
    )  # fmt: skip
    assert {key: body[key] for key in body if key not in ("id", "created_at", "updated_at")} == {
        "version": 1,
        "external_id": "",
        "name": "Pilot",
        "amount": "1999.90",
        "currency": "USD",
        "pipeline_id": stages["Qualify"].pipeline_id,
        "stage_id": stages["Qualify"].pk,
        "stage_name": "Qualify",
        "stage_kind": "open",
        "probability": 10,
        "expected_close_date": "2026-12-31",
        "closed_at": None,
        "lost_reason": "",
        "owner_id": user.pk,
        "company_id": company.pk,
        "contacts": [{"contact_id": contact.pk, "contact_name": "Lovelace", "role": "Champion"}],
        "tags": ["q4"],
        "custom_fields": {},
    }
    deal_id = body["id"]

    lost = api_client.post(f"/deals/{deal_id}/move", {"stage_id": stages["Lost"].pk}, HTTP_IF_MATCH='"1"')
    assert (lost.status_code, _fields(lost)) == (422, {"lost_reason": ["Say why the deal is lost."]})
    stale = api_client.post(f"/deals/{deal_id}/move", {"stage_id": stages["Won"].pk}, HTTP_IF_MATCH='"9"')
    assert stale.status_code == 412
    won = api_client.post(f"/deals/{deal_id}/move", {"stage_id": stages["Won"].pk}, HTTP_IF_MATCH='"1"')
    assert (won.status_code, won["ETag"], won.json()["stage_kind"]) == (200, '"2"', "won")
    assert won.json()["closed_at"] is not None

    patched = api_client.patch(
        f"/deals/{deal_id}", {"stage_id": stages["Lost"].pk, "lost_reason": "Budget cut"}, HTTP_IF_MATCH='"2"'
    )
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["stage_name"], patched.json()["lost_reason"]) == ("Lost", "Budget cut")

    history = api_client.get(f"/deals/{deal_id}/stage-history")
    assert history.status_code == 200
    rows = [
        (row["from_stage_name"], row["to_stage_name"], row["changed_by_id"])
        for row in history.json()["items"]
    ]
    assert rows == [("Won", "Lost", user.pk), ("Qualify", "Won", user.pk), (None, "Qualify", user.pk)]
    first = api_client.get(f"/deals/{deal_id}/stage-history?limit=2").json()
    rest = api_client.get(f"/deals/{deal_id}/stage-history?limit=2&cursor={first['next_cursor']}").json()
    assert [row["id"] for row in first["items"] + rest["items"]] == [
        row["id"] for row in history.json()["items"]
    ]
    assert rest["next_cursor"] is None
    assert api_client.get("/deals/999/stage-history").status_code == 404

    assert api_client.delete(f"/deals/{deal_id}").status_code == 204
    assert api_client.post(f"/deals/{deal_id}/move", {"stage_id": stages["Won"].pk}).status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": "D", "amount": "-1"}, "amount"),
        ({"name": "D", "amount": "abc"}, "amount"),
        ({"name": "D", "amount": "1.999"}, "amount"),
        ({"name": "D", "currency": "euro"}, "currency"),
        ({"name": "D", "stage_id": "other-pipeline"}, "stage_id"),
        ({"name": "D", "stage_id": 999}, "stage_id"),
        ({"name": "D", "company_id": 999}, "company_id"),
        ({"name": "D", "contacts": [{"role": "x"}]}, "contacts.0.contact_id"),
        ({"name": "D", "contacts": [{"contact_id": 999}]}, "contacts.0.contact_id"),
        ({"name": "D", "expected_close_date": "31/12/2026"}, "expected_close_date"),
        ({"name": "D", "closed_at": "2026-01-01T00:00:00Z"}, "closed_at"),
        ({"name": "D", "custom_fields": {"nope": 1}}, "custom_fields.nope"),
    ],
)
def test_bad_deal_input_names_the_field(api_client, stages, other_pipeline, payload, field) -> None:
    if payload.get("stage_id") == "other-pipeline":
        payload = {
            **payload,
            "pipeline_id": stages["Qualify"].pipeline_id,
            "stage_id": other_pipeline.stages.first().pk,
        }
    response = api_client.post("/deals", payload)
    assert response.status_code == 422
    assert field in _fields(response), response.json()


def test_deal_move_input_errors(api_client, actor: Actor, deal_data, other_pipeline) -> None:
    deal = deal_create(actor=actor, data=deal_data)
    other_stage = other_pipeline.stages.first().pk
    assert list(_fields(api_client.post(f"/deals/{deal.pk}/move", {}))) == ["stage_id"]
    assert list(_fields(api_client.post(f"/deals/{deal.pk}/move", {"stage_id": other_stage}))) == ["stage_id"]
    moved = api_client.post(
        f"/deals/{deal.pk}/move", {"stage_id": other_stage, "pipeline_id": other_pipeline.pk}
    )
    assert (moved.status_code, moved.json()["pipeline_id"]) == (200, other_pipeline.pk)
    assert list(
        _fields(api_client.patch(f"/deals/{deal.pk}", {"pipeline_id": deal_data["stage_id"] + 100}))
    ) == ["pipeline_id"]


def test_deal_filters_and_search(api_client, actor: Actor, stages: dict[str, Stage]) -> None:
    acme = company_create(actor=actor, data={"name": "Acme"})
    contact = contact_create(actor=actor, data={"family_name": "Lovelace"})
    small = deal_create(
        actor=actor, data={"name": "Small", "amount": Decimal("100"), "company_id": acme.pk}
    ).pk
    big = deal_create(
        actor=actor,
        data={"name": "Big", "amount": Decimal("90000"), "stage_id": stages["Won"].pk, "tags": ["vip"],
              "contacts": [{"contact_id": contact.pk}], "expected_close_date": dt.date(2026, 6, 30)},
    ).pk  # fmt: skip
    assert _ids(api_client.get("/deals?stage_kind=won")) == [big]
    assert _ids(api_client.get(f"/deals?stage_id={stages['Qualify'].pk}")) == [small]
    assert _ids(api_client.get("/deals?amount_min=1000&amount_max=100000")) == [big]
    assert _ids(api_client.get(f"/deals?company_id={acme.pk}")) == [small]
    assert _ids(api_client.get(f"/deals?contact_id={contact.pk}&tag=vip")) == [big]
    assert _ids(
        api_client.get("/deals?expected_close_after=2026-06-01&expected_close_before=2026-07-01")
    ) == [big]
    assert _ids(api_client.get("/deals?sort=-amount")) == [big, small]
    assert _ids(api_client.get("/deals?q=acme")) == [small]
    assert _ids(api_client.get("/deals?q=big")) == [big]
    assert "amount_min" in _fields(api_client.get("/deals?amount_min=lots"))


@pytest.mark.parametrize(
    ("sort", "path"), [("-created_at", "/deals"), ("amount", "/deals"), ("family_name", "/leads")]
)
def test_cursor_pagination_walks_every_row_once(api_client, actor: Actor, stages, sort, path) -> None:
    for index in range(7):
        if path == "/deals":
            # Equal amounts exercise the id tie-break of the keyset.
            deal_create(actor=actor, data={"name": f"D{index}", "amount": Decimal(index // 3)})
        else:
            lead_create(actor=actor, data={"family_name": f"L{index // 2}"})
    seen: list[int] = []
    cursor = ""
    pages = 0
    while True:
        page = api_client.get(f"{path}?sort={sort}&limit=3{cursor}").json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert (pages, len(seen), len(set(seen))) == (3, 7, 7)
    assert "cursor" in _fields(api_client.get(f"{path}?cursor=garbage"))


# ---------------------------------------------------------------- products and orders


def test_product_and_order_endpoints(api_client, actor: Actor) -> None:
    contact = contact_create(actor=actor, data={"family_name": "Buyer"})
    product = _created(api_client.post("/products", {"name": "Widget", "sku": "W-1", "unit_price": "19.99"}))
    assert (product["unit_price"], product["currency"], product["is_active"]) == ("19.99", "EUR", True)
    assert list(_fields(api_client.post("/products", {"name": "Copy", "sku": "W-1", "unit_price": "1"}))) == [
        "sku"
    ]

    order = _created(
        api_client.post(
            "/orders",
            {"contact_id": contact.pk, "number": "2026-0001", "sales_channel": "sales",
             "ordered_at": "2026-03-14T10:00:00+01:00",
             "lines": [{"product_id": product["id"], "quantity": "3", "discount": "5.00", "tax_rate": "19"},
                       {"description": "Shipping", "unit_price": "0.99", "tax_rate": 7}]},
        )
    )  # fmt: skip
    assert api_client.get(f"/orders/{order['id']}").json() == {
        **order,
        "ordered_at": "2026-03-14T09:00:00+00:00",
    }
    assert {key: order[key] for key in ("number", "ordered_at", "sales_channel", "status")} == {
        "number": "2026-0001",
        "ordered_at": "2026-03-14T10:00:00+01:00",
        "sales_channel": "sales",
        "status": "paid",
    }
    assert (order["subtotal"], order["discount_total"], order["tax_total"], order["total"]) == (
        "60.96",
        "5.00",
        "10.51",
        "66.47",
    )
    assert [{k: v for k, v in line.items() if k != "id"} for line in order["lines"]] == [
        {"product_id": product["id"], "description": "Widget", "quantity": "3.000", "unit_price": "19.99",
         "discount": "5.00", "tax_rate": "19.00", "line_total": "54.97"},
        {"product_id": None, "description": "Shipping", "quantity": "1.000", "unit_price": "0.99",
         "discount": "0.00", "tax_rate": "7.00", "line_total": "0.99"},
    ]  # fmt: skip

    patched = api_client.patch(f"/orders/{order['id']}", {"lines": [{"description": "Fee", "unit_price": "10"}]},
                               HTTP_IF_MATCH='"1"')  # fmt: skip
    assert (patched.status_code, patched.json()["total"], len(patched.json()["lines"])) == (200, "10.00", 1)
    assert (
        api_client.patch(f"/orders/{order['id']}", {"status": "refunded"}, HTTP_IF_MATCH='"1"').status_code
        == 412
    )
    assert api_client.delete(f"/products/{product['id']}").status_code == 204  # its line was replaced
    assert api_client.delete(f"/orders/{order['id']}").status_code == 204


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"lines": [{"description": "x", "unit_price": "1"}]}, "contact_id"),
        ({"contact_id": "CONTACT"}, "lines"),
        ({"contact_id": "CONTACT", "lines": []}, "lines"),
        ({"contact_id": "CONTACT", "lines": [{"description": "x", "unit_price": "1", "quantity": "-1"}]}, "lines.0.quantity"),
        ({"contact_id": "CONTACT", "lines": [{"description": "x", "unit_price": "1", "quantity": 0}]}, "lines.0.quantity"),
        ({"contact_id": "CONTACT", "lines": [{"description": "x", "unit_price": "-1"}]}, "lines.0.unit_price"),
        ({"contact_id": "CONTACT", "lines": [{"description": "x", "unit_price": "1", "discount": "-1"}]}, "lines.0.discount"),
        ({"contact_id": "CONTACT", "lines": [{"description": "x", "unit_price": "1", "tax_rate": "101"}]}, "lines.0.tax_rate"),
        ({"contact_id": "CONTACT", "lines": [{"description": "x", "unit_price": "1", "discount": "2"}]}, "lines.0.discount"),
        ({"contact_id": "CONTACT", "lines": [{"description": "x"}]}, "lines.0.unit_price"),
        ({"contact_id": "CONTACT", "lines": [{"product_id": 999}]}, "lines.0.product_id"),
        ({"contact_id": "CONTACT", "lines": [{"description": "x", "unit_price": "1", "line_total": "0"}]}, "lines.0.line_total"),
        ({"contact_id": "CONTACT", "lines": [{"description": "x", "unit_price": "1"}], "total": "1"}, "total"),
        ({"contact_id": "CONTACT", "lines": [{"description": "x", "unit_price": "1"}], "status": "open"}, "status"),
        ({"contact_id": "CONTACT", "lines": [{"description": "x", "unit_price": "1"}], "currency": "??"}, "currency"),
        ({"contact_id": 999, "lines": [{"description": "x", "unit_price": "1"}]}, "contact_id"),
    ],
)  # fmt: skip
def test_bad_order_input_names_the_field(api_client, actor: Actor, payload, field) -> None:
    contact = contact_create(actor=actor, data={"family_name": "Buyer"})
    if payload.get("contact_id") == "CONTACT":
        payload = {**payload, "contact_id": contact.pk}
    response = api_client.post("/orders", payload)
    assert response.status_code == 422
    assert field in _fields(response), response.json()


def test_order_and_product_filters(api_client, actor: Actor) -> None:
    buyer = contact_create(actor=actor, data={"family_name": "Buyer"}).pk
    acme = company_create(actor=actor, data={"name": "Acme"}).pk
    widget = product_create(actor=actor, data={"name": "Widget", "sku": "W", "unit_price": Decimal("5")}).pk
    gadget = product_create(
        actor=actor, data={"name": "Gadget", "sku": "G", "unit_price": Decimal("50"), "is_active": False}
    ).pk
    early = order_create(
        actor=actor,
        data={"contact_id": buyer, "ordered_at": dt.datetime(2025, 1, 10, tzinfo=dt.UTC),
              "lines": [{"product_id": widget}, {"product_id": widget, "quantity": Decimal(2)}]},
    ).pk  # fmt: skip
    late = order_create(
        actor=actor,
        data={"company_id": acme, "status": "refunded", "number": "R-1",
              "lines": [{"description": "Fee", "unit_price": Decimal("500")}]},
    ).pk  # fmt: skip
    assert _ids(api_client.get(f"/orders?contact_id={buyer}")) == [early]
    assert _ids(api_client.get(f"/orders?product_id={widget}")) == [
        early
    ]  # once, though two of its lines match
    assert _ids(api_client.get("/orders?status=refunded&total_min=100")) == [late]
    assert _ids(api_client.get("/orders?ordered_before=2025-02-01T00:00:00Z")) == [early]
    assert _ids(api_client.get("/orders?sort=total")) == [early, late]
    assert _ids(api_client.get("/orders?q=R-1")) == [late]
    assert _ids(api_client.get("/products?is_active=true")) == [widget]
    assert _ids(api_client.get("/products?price_min=10")) == [gadget]
    assert _ids(api_client.get("/products?q=gad")) == [gadget]
    assert _ids(api_client.get("/products?sort=-sku")) == [widget, gadget]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"name": "Widget"}, {"sku", "unit_price"}),
        ({"name": "Widget", "sku": "W", "unit_price": "free"}, {"unit_price"}),
        ({"name": "Widget", "sku": "W", "unit_price": "-1"}, {"unit_price"}),
        ({"name": "Widget", "sku": "W", "unit_price": "1", "currency": "euro"}, {"currency"}),
        ({"name": "", "sku": "W", "unit_price": "1", "is_active": "perhaps"}, {"name", "is_active"}),
    ],
)
def test_bad_product_input_names_the_fields(api_client, payload, fields) -> None:
    response = api_client.post("/products", payload)
    assert (response.status_code, set(_fields(response))) == (422, fields)


BIG_LINE = {"description": "x", "quantity": "99", "unit_price": "9999999999.99"}


@pytest.mark.parametrize(
    ("method", "path", "payload", "field"),
    [
        ("get", "/deals?amount_min=NaN", None, "amount_min"),
        ("post", "/deals", {"name": "x", "amount": "Infinity"}, "amount"),
        ("post", "/deals", {"name": "x", "company_id": 2**64}, "company_id"),
        ("get", f"/deals/{2**63}", None, "record_id"),
        (
            "post",
            "/leads",
            {"family_name": "x", "company_domain": ("a" * 60 + ".") * 5 + "com"},
            "company_domain",
        ),
        ("post", "/orders", {"lines": [{**BIG_LINE, "quantity": "99999999"}]}, "lines.0.quantity"),
        ("post", "/orders", {"lines": [BIG_LINE] * 200}, "lines"),
        ("get", "/orders?ordered_after=yesterday", None, "ordered_after"),
    ],
)
def test_out_of_range_input_is_a_field_error_not_a_500(
    api_client, actor: Actor, method, path, payload, field
) -> None:
    if path == "/orders" and payload is not None:
        payload = {**payload, "contact_id": contact_create(actor=actor, data={"family_name": "X"}).pk}
    response = api_client.get(path) if method == "get" else api_client.post(path, payload)
    assert response.status_code == 422
    assert field in _fields(response), response.json()


def test_malformed_json_is_a_400_not_a_500(api_client) -> None:
    response = api_client.post("/deals", "{not json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "malformed_json")


# ---------------------------------------------------------------- query counts


def _make_leads(actor: Actor, rows: int) -> None:
    for index in range(rows):
        lead_create(actor=actor, data={"family_name": f"L{index}", "tags": ["a", "b"]})


def _make_deals(actor: Actor, rows: int) -> None:
    contact = contact_create(actor=actor, data={"family_name": "Lovelace"})
    for index in range(rows):
        deal_create(
            actor=actor, data={"name": f"D{index}", "tags": ["a"], "contacts": [{"contact_id": contact.pk}]}
        )


def _make_pipelines(actor: Actor, rows: int) -> None:
    from accord.sales.services import pipeline_create

    for index in range(rows):
        pipeline_create(actor=actor, data={"name": f"P{index}", "stages": [{"name": "A"}, {"name": "B"}]})


def _make_stages(actor: Actor, rows: int) -> None:
    from accord.sales.services import stage_create

    pipeline_id = Pipeline.objects.get().pk
    for index in range(rows):
        stage_create(actor=actor, data={"pipeline_id": pipeline_id, "name": f"S{index}"})


def _make_products(actor: Actor, rows: int) -> None:
    for index in range(rows):
        product_create(actor=actor, data={"name": f"P{index}", "sku": f"P{index}", "unit_price": Decimal(1)})


def _make_orders(actor: Actor, rows: int) -> None:
    contact = contact_create(actor=actor, data={"family_name": "Buyer"})
    for _ in range(rows):
        lines = [
            {"description": "A", "unit_price": Decimal(1)},
            {"description": "B", "unit_price": Decimal(2)},
        ]
        order_create(actor=actor, data={"contact_id": contact.pk, "lines": lines})


LISTS: list[tuple[str, Callable[[Actor, int], None], int, int]] = [
    # path, maker, rows the fixtures add, queries: token lookup and its last-use stamp, the page, then
    # one per prefetched relation
    ("/leads", _make_leads, 0, 4),  # + tags
    ("/deals", _make_deals, 0, 5),  # + tags, deal contacts with their contact
    ("/pipelines", _make_pipelines, 1, 4),  # + stages
    ("/stages", _make_stages, 4, 3),
    ("/products", _make_products, 0, 3),
    ("/orders", _make_orders, 0, 4),  # + lines
]


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize(("path", "make", "extra", "queries"), LISTS, ids=[row[0] for row in LISTS])
def test_list_query_count_does_not_grow_with_rows(
    api_client, actor: Actor, pipeline, django_assert_max_num_queries, rows, path, make, extra, queries
) -> None:
    make(actor, rows)
    with django_assert_max_num_queries(queries):
        response = api_client.get(f"{path}?limit=100")
    assert len(_ids(response)) == rows + extra
    assert Deal.objects.count() == (rows if path == "/deals" else 0)


@pytest.mark.parametrize("rows", [3, 30])
def test_stage_history_query_count_does_not_grow_with_rows(
    api_client, actor: Actor, stages: dict[str, Stage], deal_data, django_assert_max_num_queries, rows
) -> None:
    from accord.sales.services import deal_move

    deal = deal_create(actor=actor, data=deal_data)
    for index in range(rows - 1):
        deal = deal_move(
            actor=actor, instance=deal, stage_id=stages["Propose" if index % 2 == 0 else "Qualify"].pk
        )
    # token lookup and its last-use stamp, the deal's visibility, the page with both stages joined
    with django_assert_max_num_queries(4):
        response = api_client.get(f"/deals/{deal.pk}/stage-history?limit=100")
    assert len(_ids(response)) == rows
