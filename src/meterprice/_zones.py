"""IANA time zone names read from data, looked up in bounded time.

:class:`zoneinfo.ZoneInfo` turns each ``/`` of a name into a package to import, so
a name with hundreds of parts exhausts the recursion limit; a name is therefore
checked for the shape of IANA names before it is looked up.
"""

from __future__ import annotations

import re
import zoneinfo

__all__ = ["MAX_ZONE_NAME", "find_zone"]

#: Longest time zone name accepted (the longest IANA name has 32 characters).
MAX_ZONE_NAME = 64

# at most four parts (America/Argentina/ComodRivadavia has three) of ASCII letters,
# digits, "_", "+" and "-"
_NAME = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+){0,3}", re.ASCII)


def find_zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The time zone named ``name``, or ``None`` when there is no such IANA zone."""
    if len(name) > MAX_ZONE_NAME or not _NAME.fullmatch(name):
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # a folder of zones: OSError
        return None
