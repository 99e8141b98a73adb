"""``python -m meterprice``: the ``meterprice`` command."""

from __future__ import annotations

from meterprice.cli import main

raise SystemExit(main())
