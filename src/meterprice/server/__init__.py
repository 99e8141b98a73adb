"""A reference HTTP service (the ``server`` extra: Starlette and uvicorn).

``POST /validate``, ``/quote``, ``/compare`` and ``/break-even`` take contract
documents and usage (JSON events, or an uploaded CSV, JSON Lines, Parquet or Arrow
file) and answer with the JSON documents the command line writes; ``GET /schema``
gives the JSON Schema of contract documents and ``GET /openapi.json`` the service's
OpenAPI description. Bad input is a 422 listing every problem with its path; bodies
and event counts beyond the :class:`Settings` are a 413. JSON numbers are read
exactly from their text, never through a float.

Start it with ``meterprice serve`` or run :func:`create_app` under any ASGI server.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Settings", "create_app", "serve", "server"]


def _require() -> None:
    try:
        import starlette  # noqa: F401, PLC0415 - the optional extra, checked when used
        import uvicorn  # noqa: F401, PLC0415
    except ImportError:  # pragma: no cover - the tests run with the extra installed
        raise ImportError(
            'the HTTP service needs starlette and uvicorn: pip install "meterprice[server]"'
        ) from None


_require()

from meterprice.server._app import Settings, create_app  # noqa: E402


def server(
    settings: Settings | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    log_level: str = "info",
) -> Any:
    """A uvicorn server of the service (``server.run()`` serves until interrupted)."""
    import uvicorn  # noqa: PLC0415 - the optional extra

    app = create_app(settings)
    config: Any = uvicorn.Config(app, host=host, port=port, log_level=log_level)
    return uvicorn.Server(config)


def serve(settings: Settings | None = None, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted (``meterprice serve``)."""
    server(settings, host=host, port=port).run()  # pragma: no cover - tested in a subprocess
