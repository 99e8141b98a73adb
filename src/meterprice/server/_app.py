"""The routes of the HTTP service, on Starlette."""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from meterprice import _decimal as d
from meterprice._documents import (
    break_even_document,
    compare_document,
    error_document,
    quote_document,
    validate_document,
)
from meterprice.breakeven import BreakEven, break_even
from meterprice.contract import Contract
from meterprice.errors import MeterpriceError
from meterprice.invoice import Invoice
from meterprice.money import Money
from meterprice.periods import Period
from meterprice.server._openapi import openapi
from meterprice.server._requests import (
    InvalidRequestError,
    TooManyEventsError,
    contract_at,
    events_at,
    invalid,
    read_json,
    text_at,
)
from meterprice.spec import contract_schema
from meterprice.usage import Event
from meterprice.usagefiles import DailyUsage, UsageFile, UsageFileError, meter_file, span

__all__ = ["Settings", "create_app"]

#: The most billing periods one request prices.
MAX_PERIODS = 10_000


@attrs.frozen
class Settings:
    """The bounds of the service.

    Attributes:
        max_request_bytes: the largest request body taken (413 beyond), uploads included.
        max_events: the most usage events one request prices (413 beyond).
    """

    max_request_bytes: int = 64 << 20
    max_events: int = 1_000_000


class _TooLargeError(Exception):
    """The request body is larger than the settings allow."""


class _BodyLimit:
    """Refuse bodies above ``limit`` bytes: by their Content-Length at once, else as
    soon as that many bytes have arrived.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # pragma: no cover - lifespan messages
            await self.app(scope, receive, send)
            return
        received = 0
        declared = dict(scope["headers"]).get(b"content-length", b"")
        too_long = declared.isdigit() and int(declared) > self.limit

        async def limited() -> Message:
            nonlocal received
            if too_long:
                raise _TooLargeError
            message = await receive()
            received += len(message.get("body", b""))  # a disconnect has no body
            if received > self.limit:
                raise _TooLargeError
            return message

        await self.app(scope, limited, send)


def _problems(command: str, status: int, message: str, problems: list[dict[str, Any]]) -> Response:
    return JSONResponse(error_document(command, message, problems), status_code=status)


def _command(request: Request) -> str:
    return request.url.path.strip("/") or "service"


Handler = Callable[[Request, Settings], Awaitable[dict[str, Any]]]


def _endpoint(handler: Handler, settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    """A route: the handler's document, or every problem of the request as a 422."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        try:
            return await answer(request)
        finally:
            await request.close()  # the uploaded files of a form

    async def answer(request: Request) -> Response:
        command = _command(request)
        try:
            document = await handler(request, settings)
        except InvalidRequestError as error:
            count = len(error.problems)
            message = f"the request has {count} problem{'s' * (count != 1)}"
            return _problems(command, 422, message, error.problems)
        except TooManyEventsError as error:
            return _problems(
                command, 413, str(error), [{"path": error.what, "message": str(error)}]
            )
        except UsageFileError as error:
            rows = [
                {"path": "usage", "line": row.line, "message": row.reason} for row in error.bad_rows
            ]
            first = str(error).splitlines()[0]
            return _problems(command, 422, first, rows or [{"path": "usage", "message": first}])
        except MeterpriceError as error:
            return _problems(command, 422, str(error), [{"path": "", "message": str(error)}])
        return JSONResponse(document)

    return endpoint


async def _too_large(request: Request, exc: Exception) -> Response:
    return _problems(
        _command(request),
        413,
        "the request body is larger than the service takes",
        [{"path": "", "message": "the request body is larger than the service takes"}],
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _problems(_command(request), exc.status_code, exc.detail, [])


# -- reading requests ---------------------------------------------------------------------


async def _body(request: Request) -> tuple[dict[str, Any], dict[str, UploadFile]]:
    """The JSON object of the request, or the fields and files of a multipart form
    (each JSON field read exactly).
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.form(max_files=8, max_fields=64, max_part_size=1 << 20)
        fields: dict[str, Any] = {}
        files: dict[str, UploadFile] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields.setdefault(key, []).append(value)
            else:
                files[key] = value
        return {k: v[0] if len(v) == 1 else v for k, v in fields.items()}, files
    if kind in ("application/json", ""):
        return read_json(await request.body()), {}
    raise invalid("", f"send application/json or a form (multipart/form-data), not {kind}")


def _form_contract(value: object, path: str) -> Contract:
    """A contract from a form field: JSON document text, or TOML text."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        return contract_at(read_json(value.encode("utf-8")), path)
    return contract_at(value, path)


async def _contract_of(body: dict[str, Any], files: dict[str, UploadFile], key: str) -> Contract:
    upload = files.get(key)
    if upload is not None:
        return _form_contract((await upload.read()).decode("utf-8", "replace"), key)
    value = body.get(key)
    if isinstance(value, str):
        return _form_contract(value, key)
    return contract_at(value, key)


async def _contracts_of(body: dict[str, Any], files: dict[str, UploadFile]) -> list[Contract]:
    value = body.get("contracts")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise invalid("contracts", "must be a list of contract documents")
    contracts, problems = [], []
    for index, item in enumerate(value):
        try:
            contracts.append(
                _form_contract(item, f"contracts[{index}]")
                if isinstance(item, str)
                else contract_at(item, f"contracts[{index}]")
            )
        except InvalidRequestError as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidRequestError(problems)
    return contracts


def periods_of(contract: Contract, text: str | None) -> list[Period]:
    """The billing periods of ``contract`` that the requested period covers, cut to it
    and to the term (as the command line prices them).
    """
    if text is None:
        raise invalid("period", 'is missing (e.g. "2026-11")')
    try:
        requested = Period.parse(text)
    except MeterpriceError as error:
        raise invalid("period", str(error)) from None
    periods = []
    for billing in contract.cycle.periods(requested.start, requested.end):
        cut = billing.overlap(requested)
        if cut is not None and contract.term.within(cut) is not None:
            periods.append(cut)
        if len(periods) > MAX_PERIODS:
            raise invalid("period", f"spans more than {MAX_PERIODS} periods")
    if not periods:
        message = f"{requested} is outside the term {contract.term} of {contract.name!r}"
        raise invalid("period", message)
    return periods


class _Usage:
    """The usage of a request: JSON events, or an uploaded usage file."""

    def __init__(self, events: list[Event] | None, file: Path | None, name: str) -> None:
        self.events = events
        self.file = file
        self.name = name
        self.info: dict[str, Any] = {}

    def meter(
        self, contracts: Sequence[Contract], periods: Sequence[Period], most: int, strict: bool
    ) -> list[DailyUsage]:
        """Each contract's day-resolved usage of the days ``periods`` need."""
        if self.events is not None:
            dailies = []
            for contract in contracts:
                daily = DailyUsage(contract, *span(contract, periods), strict=strict)
                daily.add(self.events)
                dailies.append(daily)
            self.info = {"events": len(self.events)}
            return dailies
        assert self.file is not None
        usage = UsageFile(self.file, name=self.name)
        dailies = meter_file(contracts, usage, periods, strict=strict)
        if usage.events_read > most:
            raise TooManyEventsError("usage", usage.events_read, most)
        self.info = {"file": self.name, "events": usage.events_read, "skipped_rows": 0}
        return dailies


async def _usage_of(
    body: dict[str, Any], files: dict[str, UploadFile], settings: Settings, folder: str
) -> _Usage:
    upload = files.get("usage")
    if upload is not None:
        name = Path(upload.filename or "usage.csv").name
        path = Path(folder) / name
        with path.open("wb") as out:
            while chunk := await upload.read(1 << 20):
                out.write(chunk)
        return _Usage(None, path, name)
    if "events" in body:
        return _Usage(events_at(body, "events", settings.max_events), None, "events")
    raise invalid("events", "give the usage: events (JSON) or a usage file (upload)")


def _priced(contract: Contract, daily: DailyUsage, periods: Sequence[Period]) -> list[Invoice]:
    return [contract.invoice(daily.total, period) for period in periods]


# -- the routes ---------------------------------------------------------------------------


async def _validate(request: Request, settings: Settings) -> dict[str, Any]:
    body, files = await _body(request)
    contract = await _contract_of(body, files, "contract")
    return validate_document([("contract", contract)])


async def _quote(request: Request, settings: Settings) -> dict[str, Any]:
    body, files = await _body(request)
    contract = await _contract_of(body, files, "contract")
    periods = periods_of(contract, text_at(body, "period", required=False))
    with tempfile.TemporaryDirectory(prefix="meterprice-") as folder:
        usage = await _usage_of(body, files, settings, folder)

        def price() -> list[Invoice]:
            strict = contract.unpriced != "ignore"
            (daily,) = usage.meter([contract], periods, settings.max_events, strict)
            return _priced(contract, daily, periods)

        invoices = await run_in_threadpool(price)
    return quote_document(contract, invoices, usage.info)


async def _compare(request: Request, settings: Settings) -> dict[str, Any]:
    body, files = await _body(request)
    contracts = await _contracts_of(body, files)
    periods = periods_of(contracts[0], text_at(body, "period", required=False))
    with tempfile.TemporaryDirectory(prefix="meterprice-") as folder:
        usage = await _usage_of(body, files, settings, folder)

        def price() -> list[list[Money]]:
            # each contract reads the metrics it meters and leaves the others out
            dailies = usage.meter(contracts, periods, settings.max_events, False)
            return [
                [
                    contract.invoice(daily.total, period).total
                    for contract, daily in zip(contracts, dailies, strict=True)
                ]
                for period in periods
            ]

        totals = await run_in_threadpool(price)
    names = [contract.name for contract in contracts]
    same = len({contract.currency for contract in contracts}) == 1
    rows = [
        (
            {"period": str(period)},
            row,
            [names[i] for i, total in enumerate(row) if total == min(row)] if same else [],
        )
        for period, row in zip(periods, totals, strict=True)
    ]
    return compare_document([(contract, None) for contract in contracts], rows)


async def _break_even(request: Request, settings: Settings) -> dict[str, Any]:
    body, _ = await _body(request)
    contracts = await _contracts_of(body, {})
    if len(contracts) != 2:
        raise invalid("contracts", "give exactly two contracts")
    metric = text_at(body, "metric")
    period = text_at(body, "period")
    assert metric is not None  # required
    assert period is not None
    bounds = {}
    for key, default in (("upto", None), ("start", 0)):
        value = body.get(key, default)
        try:
            bounds[key] = d.to_decimal(value, what=key)
        except MeterpriceError as error:
            raise invalid(key, str(error)) from None
    first, second = contracts

    def solve() -> BreakEven:
        return break_even(first, second, metric, period, upto=bounds["upto"], start=bounds["start"])

    result = await run_in_threadpool(solve)
    return break_even_document(result, period)


async def _schema(request: Request) -> Response:
    return JSONResponse(contract_schema())


async def _openapi(request: Request) -> Response:
    return JSONResponse(openapi())


def create_app(settings: Settings | None = None) -> Starlette:
    """The service as an ASGI application (run it with any ASGI server)."""
    chosen = settings or Settings()
    routes = [
        Route(f"/{name}", _endpoint(handler, chosen), methods=["POST"])
        for name, handler in (
            ("validate", _validate),
            ("quote", _quote),
            ("compare", _compare),
            ("break-even", _break_even),
        )
    ]
    routes += [
        Route("/schema", _schema, methods=["GET"]),
        Route("/openapi.json", _openapi, methods=["GET"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(_BodyLimit, limit=chosen.max_request_bytes)],
        exception_handlers={_TooLargeError: _too_large, HTTPException: _http_error},
    )
