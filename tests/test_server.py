"""The HTTP service, started for real (uvicorn on a free localhost port) and called
with an HTTP client.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("multipart")

from server_harness import running  # noqa: E402

from meterprice.server import Settings  # noqa: E402
from meterprice.spec import contract_schema  # noqa: E402

PPU: dict[str, Any] = {
    "meterprice": 1,
    "name": "Pay per use",
    "currency": "EUR",
    "components": [{"type": "per_unit", "name": "Minutes", "metric": "minutes", "rate": "0.95"}],
}
FIXED: dict[str, Any] = {
    "meterprice": 1,
    "name": "Fixed",
    "currency": "EUR",
    "components": [{"type": "recurring_fee", "name": "Team", "amount": "6000.00"}],
}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with running(Settings(max_request_bytes=8 << 20, max_events=250_000)) as base:
        yield base


def post(url: str, path: str, text: str) -> Any:
    """POST JSON written as text (so that no client turns its numbers into floats)."""
    return httpx.post(
        url + path, content=text.encode(), headers={"content-type": "application/json"}
    )


def event(quantity: str, day: int = 3) -> str:
    return (
        f'{{"metric": "minutes", "quantity": {quantity}, '
        f'"timestamp": "2026-11-{day:02d}T10:00:00Z"}}'
    )


def test_validate_a_document_and_report_every_problem(url: str) -> None:
    ok = httpx.post(url + "/validate", json={"contract": PPU})
    assert ok.status_code == 200
    assert ok.json() == {
        "meterprice": 1,
        "command": "validate",
        "contracts": [
            {
                "file": "contract",
                "name": "Pay per use",
                "currency": "EUR",
                "components": 1,
                "meters": 0,
            }
        ],
    }
    bad = {
        "meterprice": 1,
        "name": "Bad",
        "currency": "EUR",
        "components": [
            {"type": "per_unit", "name": "A", "metric": "m", "rate": "abc"},
            {"type": "per_unit", "name": "B", "metric": "m"},
        ],
    }
    response = httpx.post(url + "/validate", json={"contract": bad})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] == "the request has 2 problems"
    assert [p["path"] for p in error["problems"]] == [
        "contract.components[0].rate",
        "contract.components[1].rate",
    ]


def test_a_toml_contract_and_a_missing_one(url: str) -> None:
    toml = (
        'meterprice = 1\nname = "T"\ncurrency = "EUR"\n'
        '[[components]]\ntype = "recurring_fee"\nname = "Fee"\namount = "10.00"\n'
    )
    response = httpx.post(url + "/validate", json={"contract": toml})
    assert response.json()["contracts"][0]["name"] == "T"
    missing = httpx.post(url + "/validate", json={})
    assert missing.status_code == 422
    assert missing.json()["error"]["problems"] == [
        {
            "path": "contract",
            "message": "must be a contract document or its TOML text (got nothing)",
        }
    ]


def test_quote_reads_json_numbers_exactly(url: str) -> None:
    # 19 significant digits: a float would keep 17
    body = (
        f'{{"contract": {json.dumps(PPU)}, "period": "2026-11", '
        f'"events": [{event("1234.567890123456789")}, {event("0.1", 4)}, {event("0.2", 5)}]}}'
    )
    response = post(url, "/quote", body)
    assert response.status_code == 200
    document = response.json()
    (line,) = document["invoices"][0]["lines"]
    # 1234.567890123456789 + 0.1 + 0.2 = 1234.867890123456789 minutes, every digit kept
    assert line["quantity"] == "1234.867890123456789"
    # x 0.95 = 1173.12449561728394955 -> 1173.12
    assert line["exact_amount"] == "1173.12449561728394955"
    assert document["total"] == "1173.12"
    assert document["usage"] == {"events": 3}
    assert document["command"] == "quote"


def test_events_repeating_an_id_are_counted_once(url: str) -> None:
    def with_id(quantity: str, event_id: str) -> str:
        return event(quantity)[:-1] + f', "id": {event_id}}}'

    events = [with_id("10", '"c1"'), with_id("10", '"c1"'), with_id("5", "7")]
    head = f'{{"contract": {json.dumps(PPU)}, "period": "2026-11", "events": '
    body = head + f"[{', '.join(events)}]}}"
    document = post(url, "/quote", body).json()
    (invoice,) = document["invoices"]
    # c1 once and 7: 15 minutes x 0.95 = 14.25
    assert invoice["lines"][0]["quantity"] == "15"
    assert invoice["total"] == "14.25"
    assert invoice["duplicates"] == {"count": 1, "ids": ["c1"]}
    bad = [with_id("1", '" "'), with_id("1", "1.5")]
    body = head + f"[{', '.join(bad)}]}}"
    response = post(url, "/quote", body)
    assert response.status_code == 422
    assert [p["path"] for p in response.json()["error"]["problems"]] == [
        "events[0].id",
        "events[1].id",
    ]


def test_bad_events_each_with_its_path(url: str) -> None:
    body = (
        f'{{"contract": {json.dumps(PPU)}, "period": "2026-11", "events": ['
        '{"metric": "minutes", "quantity": 1, "timestamp": "yesterday"}, '
        '{"metric": "minutes", "quantity": "abc", "timestamp": "2026-11-03T10:00:00Z"}, '
        '{"metric": "minutes", "timestamp": "2026-11-03T10:00:00", "colour": "red"}, '
        f"{event('1' * 150)}]}}"
    )
    response = post(url, "/quote", body)
    assert response.status_code == 422
    problems = response.json()["error"]["problems"]
    # the over-long integer is found while reading, before the events are checked
    assert problems == [
        {
            "path": "events[3].quantity",
            "message": "is an integer of 150 digits (at most 100 are read)",
        }
    ]
    body = body.replace("1" * 150, "1")
    problems = post(url, "/quote", body).json()["error"]["problems"]
    assert [p["path"] for p in problems] == [
        "events[0].timestamp",
        "events[1].quantity",
        "events[2].quantity",
        "events[2].colour",
    ]
    assert "is not an ISO 8601 date and time" in problems[0]["message"]


def test_malformed_requests(url: str) -> None:
    assert (
        post(url, "/quote", "{")
        .json()["error"]["problems"][0]["message"]
        .startswith("not valid JSON")
    )
    assert post(url, "/quote", "[1]").status_code == 422
    assert post(url, "/quote", '{"x": NaN}').status_code == 422
    no_period = post(url, "/quote", f'{{"contract": {json.dumps(PPU)}, "events": []}}')
    assert no_period.json()["error"]["problems"][0]["path"] == "period"
    text = httpx.post(url + "/quote", content=b"x", headers={"content-type": "text/plain"})
    assert text.status_code == 422
    assert httpx.get(url + "/quote").status_code == 405


def csv_of(rows: int) -> bytes:
    lines = ["metric,quantity,timestamp,channel"]
    lines.extend(
        f"minutes,1.5,2026-11-{1 + i % 30:02d}T{i % 24:02d}:00:00Z,{'phone' if i % 2 else 'chat'}"
        for i in range(rows)
    )
    return ("\n".join(lines) + "\n").encode()


def test_a_large_upload_prices_as_its_events(url: str) -> None:
    data = csv_of(100_000)
    assert len(data) > 3_500_000
    response = httpx.post(
        url + "/quote",
        data={"contract": json.dumps(PPU), "period": "2026-11"},
        files={"usage": ("calls.csv", data, "text/csv")},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    document = response.json()
    # 100,000 x 1.5 = 150,000 minutes x 0.95 = 142,500.00 EUR
    assert document["total"] == "142500.00"
    assert document["usage"] == {"file": "calls.csv", "events": 100_000, "skipped_rows": 0}


def test_a_parquet_upload_and_json_events_give_the_same_invoice(url: str) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {
            "metric": ["minutes"] * 3,
            "quantity": ["12.5", "0.25", "7"],
            "timestamp": ["2026-11-03T10:00:00Z", "2026-11-04T10:00:00Z", "2026-11-30T22:00:00Z"],
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    uploaded = httpx.post(
        url + "/quote",
        data={"contract": json.dumps(PPU), "period": "2026-11"},
        files={"usage": ("usage.parquet", sink.getvalue())},
    )
    assert uploaded.status_code == 200, uploaded.text
    events = ", ".join(event(q, day) for q, day in (("12.5", 3), ("0.25", 4), ("7", 30)))
    posted = post(
        url,
        "/quote",
        f'{{"contract": {json.dumps(PPU)}, "period": "2026-11", "events": [{events}]}}',
    )
    # 19.75 x 0.95 = 18.7625 -> 18.76
    assert uploaded.json()["invoices"] == posted.json()["invoices"]
    assert posted.json()["total"] == "18.76"


def test_bad_rows_of_an_upload_name_their_lines(url: str) -> None:
    data = b"metric,quantity,timestamp\nminutes,1,2026-11-03T10:00:00Z\nminutes,x,2026-11-03\n"
    response = httpx.post(
        url + "/quote",
        data={"contract": json.dumps(PPU), "period": "2026-11"},
        files={"usage": ("u.csv", data)},
    )
    assert response.status_code == 422
    (problem,) = response.json()["error"]["problems"]
    assert problem["path"] == "usage"
    assert problem["line"] == 3
    assert "quantity" in problem["message"]


def test_bodies_and_event_counts_beyond_the_settings_are_refused() -> None:
    with running(Settings(max_request_bytes=100_000, max_events=10)) as base:
        big = httpx.post(
            base + "/quote",
            data={"contract": json.dumps(PPU), "period": "2026-11"},
            files={"usage": ("calls.csv", csv_of(5_000))},
        )
        assert big.status_code == 413
        assert big.json()["error"]["message"] == "the request body is larger than the service takes"
        events = ", ".join([event("1")] * 11)
        many = post(
            base,
            "/quote",
            f'{{"contract": {json.dumps(PPU)}, "period": "2026-11", "events": [{events}]}}',
        )
        assert many.status_code == 413
        assert many.json()["error"]["problems"][0]["path"] == "events"
        upload = httpx.post(
            base + "/quote",
            data={"contract": json.dumps(PPU), "period": "2026-11"},
            files={"usage": ("calls.csv", csv_of(11))},
        )
        assert upload.status_code == 413
        assert "11 events; at most 10" in upload.json()["error"]["message"]


def test_concurrent_quotes_give_identical_invoices(url: str) -> None:
    events = ", ".join(event(f"{i}.25", 1 + i % 30) for i in range(1, 400))
    body = f'{{"contract": {json.dumps(PPU)}, "period": "2026-11", "events": [{events}]}}'

    def quote(_: int) -> str:
        response = post(url, "/quote", body)
        assert response.status_code == 200
        return str(response.text)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(quote, range(16)))
    assert len(set(answers)) == 1
    # the sum of i + 0.25 for i in 1..399 = 79,800 + 99.75 = 79,899.75 minutes
    # x 0.95 = 75,904.7625 -> 75,904.76
    assert json.loads(answers[0])["total"] == "75904.76"


def test_compare_and_break_even(url: str) -> None:
    events = ", ".join([event("1000")] * 5)
    compared = post(
        url,
        "/compare",
        f'{{"contracts": [{json.dumps(PPU)}, {json.dumps(FIXED)}], "period": "2026-11", '
        f'"events": [{events}]}}',
    )
    assert compared.status_code == 200
    # 5,000 minutes x 0.95 = 4,750.00 < 6,000.00
    assert compared.json() == {
        "meterprice": 1,
        "command": "compare",
        "contracts": [
            {"name": "Pay per use", "currency": "EUR"},
            {"name": "Fixed", "currency": "EUR"},
        ],
        "rows": [
            {"period": "2026-11", "totals": ["4750.00", "6000.00"], "cheapest": ["Pay per use"]}
        ],
    }
    result = post(
        url,
        "/break-even",
        f'{{"contracts": [{json.dumps(PPU)}, {json.dumps(FIXED)}], "metric": "minutes", '
        '"period": "2026-11", "upto": 20000}',
    )
    # 6000 / 0.95 = 120000/19
    assert result.json()["volumes"] == ["120000/19"]
    assert result.json()["intervals"] == [
        {"start": "0", "end": "120000/19", "cheaper": "Pay per use"},
        {"start": "120000/19", "end": "20000", "cheaper": "Fixed"},
    ]
    one = post(
        url,
        "/break-even",
        f'{{"contracts": [{json.dumps(PPU)}], "metric": "m", "period": "2026-11", "upto": 1}}',
    )
    assert one.json()["error"]["problems"] == [
        {"path": "contracts", "message": "give exactly two contracts"}
    ]
    float_bound = post(
        url,
        "/break-even",
        f'{{"contracts": [{json.dumps(PPU)}, '
        f'{json.dumps(FIXED)}], "metric": "minutes", "period": "2026-11", '
        '"upto": true}',
    )
    assert float_bound.json()["error"]["problems"][0]["path"] == "upto"


def test_schema_and_openapi(url: str) -> None:
    assert httpx.get(url + "/schema").json() == contract_schema()
    spec = httpx.get(url + "/openapi.json").json()
    assert spec["openapi"] == "3.1.0"
    assert sorted(spec["paths"]) == ["/break-even", "/compare", "/quote", "/schema", "/validate"]
    quote = spec["paths"]["/quote"]["post"]
    assert set(quote["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert set(quote["responses"]) == {"200", "413", "422"}


def test_quote_honours_unpriced_ignore(url: str) -> None:
    ignoring = dict(PPU, unpriced="ignore")
    events = (
        f'{event("10")}, {{"metric": "chats", "quantity": 3, "timestamp": "2026-11-03T10:00:00Z"}}'
    )
    for document, status in ((ignoring, 200), (PPU, 422)):
        response = post(
            url,
            "/quote",
            f'{{"contract": {json.dumps(document)}, "period": "2026-11", "events": [{events}]}}',
        )
        assert response.status_code == status, response.text
    assert response.json()["error"]["problems"][0]["path"] == ""


def test_meterprice_serve_runs_the_service() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "meterprice", "serve", "--port", str(port), "--max-events", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                schema = httpx.get(f"http://127.0.0.1:{port}/schema", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert schema.json() == contract_schema()
        events = ", ".join([event("1")] * 2)
        many = post(
            f"http://127.0.0.1:{port}",
            "/quote",
            f'{{"contract": {json.dumps(PPU)}, "period": "2026-11", "events": [{events}]}}',
        )
        assert many.status_code == 413
    finally:
        process.terminate()
        process.wait(30)


def test_a_body_without_a_length_is_counted_as_it_arrives() -> None:
    with running(Settings(max_request_bytes=1000)) as base:

        def chunks() -> Iterator[bytes]:
            yield b'{"contract": '
            yield b" " * 2000
            yield b"{}}"

        response = httpx.post(
            base + "/validate", content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413


def test_forms_contracts_as_files_and_text(url: str) -> None:
    toml = (
        'meterprice = 1\nname = "Fixed"\ncurrency = "EUR"\n'
        '[[components]]\ntype = "recurring_fee"\nname = "Team"\namount = "6000.00"\n'
    )
    usage = b"metric,quantity,timestamp\nminutes,5000,2026-11-03T10:00:00Z\n"
    compared = httpx.post(
        url + "/compare",
        data={"contracts": [json.dumps(PPU), toml], "period": "2026-11"},
        files={"usage": ("u.csv", usage)},
    )
    assert compared.status_code == 200, compared.text
    assert compared.json()["rows"][0]["totals"] == ["4750.00", "6000.00"]
    quoted = httpx.post(
        url + "/quote",
        data={"period": "2026-11"},
        files={"contract": ("c.json", json.dumps(PPU).encode()), "usage": ("u.csv", usage)},
    )
    assert quoted.json()["total"] == "4750.00"
    no_usage = httpx.post(url + "/quote", data={"contract": toml, "period": "2026-11"})
    assert no_usage.json()["error"]["problems"][0]["path"] == "events"


def test_contracts_periods_and_events_of_every_shape(url: str) -> None:
    def problems(path: str, body: str) -> list[tuple[str, str]]:
        response = post(url, path, body)
        assert response.status_code == 422, response.text
        return [(p["path"], p["message"]) for p in response.json()["error"]["problems"]]

    bad = dict(PPU, currency="EUX")
    assert problems(
        "/compare", f'{{"contracts": [{json.dumps(bad)}, 3], "period": "2026-11"}}'
    ) == [
        ("contracts[0].currency", 'unknown currency code "EUX" (did you mean "EUR"?)'),
        ("contracts[1]", "must be a contract document or its TOML text (got int)"),
    ]
    assert problems("/compare", '{"contracts": "x"}')[0][0] == "contracts[0]"
    assert problems("/compare", '{"contracts": {}}') == [
        ("contracts", "must be a list of contract documents")
    ]
    doc = json.dumps(PPU)
    assert problems("/quote", f'{{"contract": {doc}, "period": "November"}}')[0][0] == "period"
    assert problems("/quote", f'{{"contract": {doc}, "period": 2026}}') == [
        ("period", "must be a string (got int)")
    ]
    termed = json.dumps(dict(PPU, term={"start": "2027-01-01"}))
    assert (
        "is outside the term"
        in problems("/quote", f'{{"contract": {termed}, "period": "2026-11"}}')[0][1]
    )
    daily = json.dumps(dict(PPU, cycle={"unit": "day"}))
    assert problems(
        "/quote", f'{{"contract": {daily}, "period": "2000-01-01..2030-01-01", "events": []}}'
    ) == [("period", "spans more than 10000 periods")]
    events = (
        '[3, {"metric": "", "quantity": 1, "timestamp": "2026-11-03T10:00:00Z"}, '
        '{"metric": "m", "quantity": 1, "timestamp": 5}, '
        '{"metric": "m", "quantity": 1, "timestamp": "2026-11-03T10:00:00"}, '
        '{"metric": "m", "quantity": 1.5e1000, "timestamp": "2026-11-03T10:00:00Z"}, '
        '{"metric": "m", "quantity": 1, "timestamp": "2026-11-03T10:00:00Z", '
        '"dimensions": {"a": 1}}]'
    )
    found = problems("/quote", f'{{"contract": {doc}, "period": "2026-11", "events": {events}}}')
    assert [path for path, _ in found] == [
        "events[0]",
        "events[1].metric",
        "events[2].timestamp",
        "events[3].timestamp",
        "events[4].quantity",
        "events[5].dimensions",
    ]
    assert found[3][1].startswith("has no UTC offset")
    many = ", ".join(["3"] * 150)
    listed = problems("/quote", f'{{"contract": {doc}, "period": "2026-11", "events": [{many}]}}')
    assert len(listed) == 100  # the first hundred problems
    assert problems("/quote", f'{{"contract": {doc}, "period": "2026-11", "events": {{}}}}') == [
        ("events", "must be a list of events (got dict)")
    ]
    with_list = json.dumps(dict(PPU, components=[dict(PPU["components"][0], rate=0.5)]))
    assert post(url, "/validate", f'{{"contract": {with_list}}}').status_code == 200


def test_bodies_that_are_not_json_text(url: str) -> None:
    not_utf8 = httpx.post(
        url + "/validate", content=b"\xff\xfe", headers={"content-type": "application/json"}
    )
    assert not_utf8.json()["error"]["problems"][0]["message"].startswith("the body is not UTF-8")
    deep = post(url, "/validate", "[" * 100_000 + "]" * 100_000)
    assert deep.json()["error"]["problems"][0]["message"] == "the JSON is nested too deeply"
