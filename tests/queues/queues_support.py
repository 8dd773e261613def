"""The app with the given routers mounted, in process, one client per seeded user (tests/api/helpers.py)."""

from __future__ import annotations

from typing import Any


class Http:
    """The app with the given routers mounted, one TestClient per seeded user (tests/api/helpers.py)."""

    def __init__(self, engine: Any, routers: list[Any]) -> None:
        import warnings

        with warnings.catch_warnings():  # starlette asks for httpx2, which the project does not use
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient

        from api.helpers import Clock, at, seed
        from xinyong.api.app import J, create_app

        self.clock = Clock(at("2026-03-02"))
        self.app = create_app(engine, lambda: self.clock.now)
        mounted = {getattr(r, "path", None) for r in self.app.routes}
        for router in routers:
            if not any(J + getattr(r, "path", "") in mounted for r in router.routes):
                self.app.include_router(router, prefix=J)  # until the lead mounts it in api/app.py
        tokens = seed(engine, self.clock.now)
        self.clients = {"anonymous": TestClient(self.app)}
        for username, token in tokens.items():
            self.clients[username] = TestClient(self.app, headers={"Authorization": f"Bearer {token}"})

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["clients"][name]
        except KeyError:
            raise AttributeError(name) from None

    def travel(self, text: str, hour: int | None = None) -> None:
        from api.helpers import at

        self.clock.now = at(text, hour)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
