"""The lines of a usage file, read in blocks of bounded size (gzip or plain).

Both usage-file readers (row by row, and in Arrow batches) read a file through
:func:`blocks`: whole lines, a few megabytes at a time, each block with the number of
its first line. A line longer than :data:`MAX_LINE` bytes is never held whole (a
gzip bomb of one 2 GiB line costs one block of memory): it is skipped and reported.
A damaged gzip stream (truncated, a bad CRC) is an error that names the file.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

__all__ = ["BLOCK", "MAX_LINE", "MAX_VALUE", "Unreadable", "blocks"]

#: Most bytes in one line of a usage file (a CSV row or a JSON Lines record).
MAX_LINE = 1 << 20

#: Most characters in a metric, a dimension name or a dimension value.
MAX_VALUE = 1024

#: Bytes read at a time.
BLOCK = 1 << 23


class Unreadable(Exception):  # noqa: N818 - turned into a UsageFileError by the caller
    """The file cannot be read: a damaged gzip stream, an I/O error."""


def _read(binary: IO[bytes], size: int) -> bytes:
    try:
        return binary.read(size)
    except EOFError:
        raise Unreadable("the gzip stream is truncated (it ends before its end marker)") from None
    except (OSError, zlib.error) as error:
        raise Unreadable(f"cannot be read: {error}") from None


def blocks(
    path: Path,
    *,
    size: int | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, bytes | None]]:
    """``(first line number, whole lines)`` of the file, in blocks of about ``size``
    bytes (the last line may lack its line break); ``(number, None)`` for a line
    longer than ``limit`` bytes, which is skipped without being held in memory.
    ``progress`` is called after each read with the (compressed) bytes read so far.
    """
    size = BLOCK if size is None else size
    limit = MAX_LINE if limit is None else limit
    with path.open("rb") as raw:
        binary: IO[bytes] = raw
        if raw.read(2) == b"\x1f\x8b":
            binary = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
        raw.seek(0)
        line = 1
        rest = b""
        skipping = False
        while True:
            chunk = _read(binary, size)
            if progress is not None:
                progress(raw.tell())
            if not chunk:
                if rest and not skipping:
                    yield line, rest
                return
            if skipping:  # inside a line too long to keep: drop it up to its end
                cut = chunk.find(b"\n")
                if cut < 0:
                    continue
                skipping = False
                line += 1
                chunk = chunk[cut + 1 :]
                if not chunk:
                    continue
            data = rest + chunk if rest else chunk
            cut = data.rfind(b"\n") + 1
            if not cut:
                if len(data) > limit:
                    yield line, None
                    skipping, rest = True, b""
                else:
                    rest = data
                continue
            rest = data[cut:]
            if len(rest) > limit:
                # the block ends in the start of a line already too long
                whole = data[:cut]
                yield line, whole
                line += whole.count(b"\n")
                yield line, None
                skipping, rest = True, b""
                continue
            whole = data[:cut]
            yield line, whole
            line += whole.count(b"\n")
