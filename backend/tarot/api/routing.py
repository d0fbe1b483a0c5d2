"""Routes declared in the api/ modules and built once, by the app that registers them.

FastAPI analyses a route (dependencies, parameters, response models: a pydantic adapter each)
where it is declared, and again for the app that includes its router. Declared with
`route_class=Deferred`, a route only keeps its arguments; `register` builds it once, directly
on the app, under the prefix (about 0.8 MB less at idle; bench/README.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute


class Deferred(APIRoute):
    """The arguments of a route, kept until `register` builds the real one on an app."""

    def __init__(self, path: str, **declared: Any) -> None:
        # No APIRoute.__init__: that analysis is what the app does once, in `register`.
        self.path, self.declared = path, declared


def register(
    app: FastAPI, router: APIRouter, *, prefix: str = "", include_in_schema: bool = True
) -> None:
    """Build `router`'s routes on `app` under `prefix`, as `include_router` would."""
    for route in router.routes:
        if not isinstance(route, Deferred):
            raise TypeError(f"{route!r} is not declared with route_class=Deferred")
        options = dict(route.declared)
        # The router's own provider (none); include_router would give the app's, as this does.
        options.pop("dependency_overrides_provider", None)
        options["include_in_schema"] = options["include_in_schema"] and include_in_schema
        app.router.add_api_route(prefix + route.path, **options)
