"""Values the client returns besides plain JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .errors import GoneClientError, error_for


@dataclass(frozen=True)
class BatchResult:
    """The server's answer for one row of a batch: ``status`` is what the same
    PUT would have answered; ``outcome`` is created, replaced or unchanged for
    a row that succeeded, and ``error`` the exception of a refused one."""

    line: int
    id: str
    status: int
    outcome: str | None
    etag: str | None
    error: GoneClientError | None

    @classmethod
    def from_json(cls, d: dict[str, Any], batch_url: str) -> "BatchResult":
        err = None
        if d.get("problem"):
            url = batch_url.rsplit("/_batch", 1)[0] + "/" + quote(str(d.get("id", "")), safe="")
            import json

            err = error_for("PUT", url, int(d.get("status", 0)), {}, json.dumps(d["problem"]).encode())
        return cls(int(d.get("line", 0)), str(d.get("id", "")), int(d.get("status", 0)), d.get("outcome"), d.get("etag"), err)
