"""Usage files read through the columnar engine give the events' usage, and the
same bad-row report as the row reader."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import strategies as s
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_columnar import PERIOD, contracts, in_utc, table_of

from meterprice import Contract, Event, Period, cli
from meterprice.components import PerUnit
from meterprice.errors import UsageError
from meterprice.usagefiles import UsageFile, UsageFileError, meter_file, price_file

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

DIMENSIONS = ("agent", "channel", "language", "shift")


def write_csv(path: Path, events: list[Event]) -> None:
    lines = ["metric,quantity,timestamp," + ",".join(DIMENSIONS)]
    for e in events:
        dims = ",".join(e.dimensions.get(name, "") for name in DIMENSIONS)
        lines.append(f"{e.metric},{e.quantity},{e.at.isoformat()},{dims}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_jsonl(path: Path, events: list[Event]) -> None:
    rows = [
        json.dumps(
            {
                "metric": e.metric,
                "quantity": str(e.quantity),
                "timestamp": e.at.isoformat(),
                **e.dimensions,
            }
        )
        for e in events
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def write_parquet(path: Path, events: list[Event]) -> None:
    pq.write_table(table_of(events), path)


def write_arrow(path: Path, events: list[Event]) -> None:
    with pa.ipc.new_file(path, table_of(events).schema) as writer:
        writer.write_table(table_of(events))


WRITERS = {
    "usage.csv": write_csv,
    "usage.jsonl": write_jsonl,
    "usage.parquet": write_parquet,
    "usage.arrow": write_arrow,
}


@st.composite
def cases(draw: st.DrawFn) -> tuple[Contract, list[Event]]:
    timezone = draw(st.sampled_from(s.TIMEZONES))
    contract = draw(contracts(timezone))
    negative = all(meter.allow_negative for meter in contract.meters)
    events = draw(s.event_lists(PERIOD, timezone=timezone, negative=negative))
    return contract, in_utc(events)


def metered(contract: Contract, file: UsageFile) -> Any:
    try:
        (daily,) = meter_file([contract], file, [PERIOD])
    except UsageError:
        return UsageError
    return daily.total.within(PERIOD)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(cases(), st.sampled_from(sorted(WRITERS)))
def test_files_meter_as_their_events(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[Contract, list[Event]], name: str
) -> None:
    contract, events = case
    path = tmp_path_factory.mktemp("files") / name
    WRITERS[name](path, events)
    try:
        expected: Any = contract.meter(events, PERIOD)
    except UsageError:
        expected = UsageError
    assert metered(contract, UsageFile(path)) == expected


def _contract() -> Contract:
    return Contract("c", "EUR", [PerUnit("Seconds", metric="seconds", rate="0.01 EUR")])


def test_a_csv_with_bad_rows_is_reported_as_the_row_reader_does(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(
        "metric,quantity,timestamp\n"
        "seconds,100,2026-11-03T09:00:00Z\n"
        "seconds,abc,2026-11-03T09:00:00Z\n"
        "seconds,5,2026-11-03T09:00:00\n",
        encoding="utf-8",
    )
    with pytest.raises(UsageFileError) as row_reader:
        list(UsageFile(path))
    with pytest.raises(UsageFileError) as columnar:
        meter_file([_contract()], UsageFile(path), [PERIOD])
    assert str(columnar.value) == str(row_reader.value)
    assert columnar.value.bad_count == 2
    file = UsageFile(path, skip_bad_rows=True)
    (daily,) = meter_file([_contract()], file, [PERIOD])
    assert daily.total.within(PERIOD).quantity("seconds") == 100
    assert file.bad_count == 2


def test_gzipped_csv_and_parquet_price_the_same_invoice(tmp_path: Path) -> None:
    text = "metric,quantity,timestamp\nseconds,100.5,2026-11-03T09:00:00+01:00\n"
    (tmp_path / "u.csv.gz").write_bytes(gzip.compress(text.encode()))
    table = pa.table(
        {
            "metric": ["seconds"],
            "quantity": pa.array([100.5], pa.float64()).cast(pa.decimal128(10, 1)),
            "timestamp": pa.array([dt.datetime(2026, 11, 3, 8)], pa.timestamp("ms", "UTC")),
        }
    )
    pq.write_table(table, tmp_path / "u.parquet")
    contract = _contract()
    for name in ("u.csv.gz", "u.parquet"):
        (invoice,) = price_file(contract, UsageFile(tmp_path / name), [Period.parse("2026-11")])
        assert str(invoice.total) == "1.01 EUR"  # 100.5 s at 0.01 EUR, rounded half up


def test_the_cli_prices_a_raw_telephony_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract = tmp_path / "c.toml"
    contract.write_text(
        'meterprice = 1\nname = "Calls"\ncurrency = "EUR"\n\n[[components]]\ntype = "per_unit"\n'
        'name = "Seconds"\nmetric = "handle_seconds"\nrate = "0.01"\n',
        encoding="utf-8",
    )
    export = tmp_path / "calls.csv"
    export.write_text(
        "call_id,answered,ended,queue\n"
        "1,2026-11-03T09:00:00Z,2026-11-03T09:01:30Z,phone\n"
        "2,2026-11-03T10:00:00Z,2026-11-03T10:00:10Z,chat\n",
        encoding="utf-8",
    )
    code = cli.main(
        [
            "quote",
            str(contract),
            str(export),
            "--period",
            "2026-11",
            "--metric",
            "handle_seconds",
            "--column",
            "start=answered",
            "--column",
            "end=ended",
            "--dimension",
            "channel=queue",
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    # 90 s + 10 s at 0.01 EUR
    assert out.splitlines()[-1].split() == ["Total", "1.00"]
    assert out.splitlines()[3].split() == ["Seconds", "100", "0.01", "1.00"]
