"""Real gone processes for the tests: `gone serve` and `gone proxy`, built
from this repository with `go build`, each on a free port over its own
SQLite file, with a known admin token. Every request a server answers is
counted from its access log, so a test can prove a request never reached
it."""

from __future__ import annotations

import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[3]
ADMIN = "py-admin-token"
READER = "py-reader-token"

# One line of the access log: msg=request … method=GET path=/api/users/1 … status=410
_LOG = re.compile(r'msg=request .*?method=(\S+) path=("(?:[^"\\]|\\.)*"|\S+) .*?status=(\d+)')


def build(dest: Path) -> Path:
    """Builds gone into dest (or uses GONE_BIN when set, to skip the build)."""
    if os.environ.get("GONE_BIN"):
        return Path(os.environ["GONE_BIN"])
    bin = dest / "gone"
    subprocess.run(["go", "build", "-o", str(bin), "./cmd/gone"], cwd=REPO, check=True)
    return bin


class Gone:
    """One running gone process."""

    def __init__(self, bin: Path, dir: Path, args: list[str], env: dict[str, str] | None = None, prefix: str = "") -> None:
        self.bin, self.dir, self.args = bin, dir, args
        self.env = {**os.environ, "GONE_ADMIN_TOKEN": ADMIN, "GONE_READ_TOKEN": READER, **(env or {})}
        self.prefix = prefix  # where gone's own API lives: "" for serve, "/_gone" for proxy
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.addr = "127.0.0.1:0"
        self.start()

    def start(self) -> None:
        """Starts the process (again, on the same address, after a stop)."""
        self.out = self.dir / f"out-{uuid.uuid4().hex}.log"
        self.log = self.dir / f"log-{uuid.uuid4().hex}.log"
        with open(self.out, "wb") as out, open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [str(self.bin), *self.args, "--addr", self.addr, "--log-flush", "10ms"],
                stdout=out,
                stderr=log,
                env=self.env,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            m = re.search(r"listening on (http://\S+)", self.out.read_text())
            if m:
                self.url = m.group(1)
                self.addr = self.url.removeprefix("http://")
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"gone {self.args[0]} exited with {self.proc.returncode}: {self.log.read_text()}")
            time.sleep(0.02)
        raise RuntimeError(f"gone {self.args[0]} did not say where it listens: {self.log.read_text()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        """Ends the process at once (SIGKILL): its streams drop mid-answer."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def admin(self, method: str, path: str, body: object = None, ctype: str = "application/json") -> requests.Response:
        """One request to gone's own API with the admin token; fails on an error."""
        r = requests.request(
            method,
            self.url + self.prefix + path,
            headers={"Authorization": "Bearer " + ADMIN, "Content-Type": ctype},
            json=body,
            timeout=10,
        )
        assert r.ok, f"{method} {path}: {r.status_code} {r.text}"
        return r

    def requests_for(self, path: str, method: str | None = None) -> list[tuple[str, int]]:
        """(method, status) of every request for path (with method, when
        given) this process has logged, oldest first. Call sync() first so
        the log is complete."""
        seen = []
        for line in self.log.read_text(errors="replace").splitlines():
            m = _LOG.search(line)
            if m and m.group(2).strip('"') == path and method in (None, m.group(1)):
                seen.append((m.group(1), int(m.group(3))))
        return seen

    def sync(self) -> None:
        """Waits until every request answered so far is in the log: sends a
        marker request, and waits for its line (the log is flushed every
        10 ms, in order)."""
        marker = f"/api/sync-{uuid.uuid4().hex}"
        requests.get(self.url + marker, timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.requests_for(marker):
                return
            time.sleep(0.02)
        raise AssertionError(f"marker {marker} never reached the log")

    def metric(self, name: str, **labels: str) -> float:
        """One sample of /metrics, read with the admin token; 0 when absent."""
        text = self.admin("GET", "/metrics").text
        want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            key, _, value = line.rpartition(" ")
            if key == (f"{name}{{{want}}}" if want else name):
                return float(value)
        return 0.0
