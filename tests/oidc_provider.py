"""Start and drive the loopback OpenID Connect provider in tests/oidc_provider/ (test-only).

    from tests.oidc_provider import OidcProvider, free_port

    provider = OidcProvider().start({"clients": [...], "users": [...]})
    try:
        provider.url                  # the issuer, e.g. http://127.0.0.1:54321
        provider.set_user("trd-frontline", groups=["frontline"], amr=["pwd"])
        provider.backchannel_logout("trd-frontline")
        provider.rotate_keys()
    finally:
        provider.stop()

It is also a context manager (`with OidcProvider().start(config) as provider:`). Missing `port`,
`issuer`, `admin_token` and `keys_file` are filled in by `start`. Standard library only, so it
needs no Python packages beyond the project's; it needs `node` on PATH and the provider's
node_modules (`make install-dev`, or `npm ci --prefix tests/oidc_provider`).
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
SERVER_JS = PROVIDER_DIR / "server.js"
START_TIMEOUT = 15.0


class OidcProviderUnavailable(RuntimeError):
    """Node.js or the provider's npm packages are missing on this machine."""


class OidcProviderError(RuntimeError):
    """The provider failed to start, or its admin API answered with an error."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node_executable() -> str:
    node = shutil.which("node")
    if not node:
        raise OidcProviderUnavailable(
            "Node.js (`node`) is not on PATH; the test OpenID provider needs it "
            "(Debian: `apt-get install -y nodejs npm`)."
        )
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
        raise OidcProviderUnavailable(
            f"The test OpenID provider's npm packages are not installed in {PROVIDER_DIR}: "
            "run `make install-dev` or `npm ci --prefix tests/oidc_provider`."
        )
    return node


class OidcProvider:
    """One running provider process, its config, and a client for its admin API."""

    def __init__(self) -> None:
        self.config: dict[str, Any] = {}
        self.process: subprocess.Popen | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._stdout_path: Path | None = None
        self._stderr_path: Path | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, config: dict[str, Any]) -> OidcProvider:
        if self.process is not None:
            raise OidcProviderError("this provider is already started")
        node = node_executable()
        self._tmp = tempfile.TemporaryDirectory(prefix="oidc-provider-")
        tmp = Path(self._tmp.name)
        config = dict(config)
        config.setdefault("port", free_port())
        config.setdefault("issuer", f"http://127.0.0.1:{config['port']}")
        config.setdefault("admin_token", secrets.token_urlsafe(24))
        config.setdefault("keys_file", str(tmp / "keys.json"))
        config.setdefault("clients", [])
        config.setdefault("users", [])
        self.config = config
        config_path = tmp / "config.json"
        config_path.write_text(json.dumps(config, indent=2))
        self._stdout_path = tmp / "stdout.log"
        self._stderr_path = tmp / "stderr.log"
        # Output goes to files, not pipes, so a chatty provider never blocks on a full pipe.
        with self._stdout_path.open("wb") as out, self._stderr_path.open("wb") as err:
            self.process = subprocess.Popen(  # noqa: S603 (fixed argv, no shell)
                [node, str(SERVER_JS), "--config", str(config_path)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                cwd=PROVIDER_DIR,
            )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.logs()
                self.stop()
                raise OidcProviderError(
                    f"the test OpenID provider exited with {self.process.returncode}:\n{output}"
                )
            if f"READY {self.url}" in self._stdout_path.read_text(errors="replace"):
                return
            time.sleep(0.05)
        output = self.logs()
        self.stop()
        raise OidcProviderError(
            f"the test OpenID provider did not start within {START_TIMEOUT:.0f} s:\n{output}"
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> OidcProvider:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def logs(self) -> str:
        """What the provider wrote to stderr: one line per request, and provider events."""
        if self._stderr_path is None or not self._stderr_path.exists():
            return ""
        return self._stderr_path.read_text(errors="replace")

    # -- addresses --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The issuer, e.g. http://127.0.0.1:54321 (no trailing slash)."""
        return str(self.config["issuer"]).rstrip("/")

    @property
    def admin_token(self) -> str:
        return str(self.config["admin_token"])

    # -- public endpoints -------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return self._json("GET", "/.well-known/openid-configuration", admin=False)

    def jwks(self) -> dict[str, Any]:
        """The published (public) JWKS."""
        return self._json("GET", "/jwks", admin=False)

    # -- admin API --------------------------------------------------------------------------

    def get_user(self, username: str) -> dict[str, Any]:
        return self._json("GET", f"/_admin/users/{_quote(username)}")

    def set_user(self, username: str, **changes: Any) -> dict[str, Any]:
        """Change groups, amr, acr, disabled, password, email, names (creates with sub+password)."""
        return self._json("POST", f"/_admin/users/{_quote(username)}", changes)

    def backchannel_logout(self, username: str) -> dict[str, Any]:
        """Send a back-channel logout for the user to every client that has a URI; end sessions.

        Returns {"sub", "sessions_ended", "sent": [{"client_id", "backchannel_logout_uri", "sid",
        "logout_token", "status", "ok", "error"}]}.
        """
        return self._json("POST", f"/_admin/users/{_quote(username)}/backchannel-logout", {})

    def rotate_keys(self, drop_old: bool = False) -> dict[str, Any]:
        """A new signing key becomes current; the old stay published unless drop_old.

        Returns {"kid": new kid, "kids": every kid now in the JWKS}.
        """
        return self._json("POST", "/_admin/rotate-keys", {"drop_old": drop_old})

    def private_jwks(self) -> dict[str, Any]:
        """The provider's PRIVATE signing keys (test-only), first one current."""
        return self._json("GET", "/_admin/keys")

    # -- plumbing ---------------------------------------------------------------------------

    def _json(
        self, method: str, path: str, body: dict[str, Any] | None = None, admin: bool = True
    ) -> Any:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if admin:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        request = urllib.request.Request(  # noqa: S310 (our own http://127.0.0.1 URL)
            self.url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise OidcProviderError(f"{method} {path} -> {error.code}: {detail}") from error


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")
