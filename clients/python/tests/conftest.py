"""Fixtures: one `gone serve --demo` for the session, built from this
repository, and a `gone proxy` in front of it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from goneserver import READER, Gone, build  # noqa: E402

from goneclient import Client  # noqa: E402


@pytest.fixture(scope="session")
def gone_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("bin"))


def serve(gone_bin: Path, dir: Path, *extra: str, env: dict[str, str] | None = None) -> Gone:
    """A fresh `gone serve --demo` over its own SQLite file in dir."""
    return Gone(gone_bin, dir, ["serve", "--db", str(dir / "gone.db"), "--demo", *extra], env=env)


@pytest.fixture(scope="session")
def server(gone_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gone]:
    g = serve(gone_bin, tmp_path_factory.mktemp("serve"))
    yield g
    g.stop()


@pytest.fixture(scope="session")
def proxy(gone_bin: Path, server: Gone, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gone]:
    """`gone proxy` whose upstream is the session's `gone serve`: paths
    without a rule reach that server's API, paths with one are answered by
    the proxy."""
    dir = tmp_path_factory.mktemp("proxy")
    g = Gone(gone_bin, dir, ["proxy", "--upstream", server.url, "--db", str(dir / "proxy.db")], prefix="/_gone")
    yield g
    g.stop()


@pytest.fixture
def reader(server: Gone) -> Client:
    """A client with the read token; sleeps are real."""
    return Client(server.url, token=READER)
