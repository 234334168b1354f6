"""Server settings: a small TOML file and/or environment variables, nothing else.

Why so few knobs: the server is one process over one database. What an operator must be
able to decide is who may read (open or token-protected), whether URL ingest may reach
the private network (off by default: SSRF), how much a fetched page may weigh and how long
it may take, and which map tiles (if any) the dashboard draws under the markers.

A TOML file passed with ``conflictlens serve --config FILE`` holds a ``[server]`` table::

    [server]
    read_requires_token = true
    allow_private_urls = false
    url_max_bytes = 5242880
    url_timeout_s = 10
    tile_url = "https://tiles.example.org/{z}/{x}/{y}.png"

Environment variables ``CONFLICTLENS_<NAME>`` (e.g. ``CONFLICTLENS_READ_REQUIRES_TOKEN=1``)
override the file. CORS is deliberately absent: the dashboard is served by the same origin.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conflictlens.errors import InputError
from conflictlens.stages.ingest import MAX_BYTES

ENV_PREFIX = "CONFLICTLENS_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class ServerConfig:
    """What the operator decides; defaults are the safe choice for each."""

    #: Reads (events, articles, exports) need a token too; writes always do.
    read_requires_token: bool = False
    #: URL ingest may fetch loopback/private/link-local/reserved addresses (tests, intranets).
    allow_private_urls: bool = False
    #: Largest page URL ingest downloads; the ingest layer refuses bigger documents anyway.
    url_max_bytes: int = MAX_BYTES
    #: Wall-clock limit for one URL fetch, redirects included.
    url_timeout_s: float = 10.0
    #: Redirect hops URL ingest follows (each one re-checked against the address policy).
    url_max_redirects: int = 5
    #: Largest request body the ingest endpoint accepts (text or HTML sent inline).
    max_body_bytes: int = MAX_BYTES + 64 * 1024
    #: Optional XYZ tile URL for the dashboard map; None keeps the map offline (markers only).
    tile_url: str | None = None

    def tile_origin(self) -> str | None:
        """The tile server's origin, which the Content-Security-Policy must allow for images."""
        if not self.tile_url:
            return None
        parts = urlsplit(self.tile_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _coerce(name: str, kind: type, value: Any) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise InputError(f"config {name}: expected true/false, got {value!r}")
    if kind in (int, float):
        if isinstance(value, bool):
            raise InputError(f"config {name}: expected a number, got {value!r}")
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise InputError(f"config {name}: expected a number, got {value!r}") from None
        if number <= 0:
            raise InputError(f"config {name}: must be positive, got {value!r}")
        return number
    text = str(value).strip()
    return text or None


_KINDS: dict[str, type] = {
    "read_requires_token": bool,
    "allow_private_urls": bool,
    "url_max_bytes": int,
    "url_timeout_s": float,
    "url_max_redirects": int,
    "max_body_bytes": int,
    "tile_url": str,
}


def config_from_mapping(
    values: Mapping[str, Any], base: ServerConfig | None = None
) -> ServerConfig:
    """Validate and apply ``values`` (unknown keys are an error: a typo must not pass)."""
    known = {f.name for f in fields(ServerConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InputError(f"unknown server setting(s): {', '.join(unknown)}")
    changes = {k: _coerce(k, _KINDS[k], v) for k, v in values.items()}
    return replace(base or ServerConfig(), **changes)


def load_config(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> ServerConfig:
    """File first (``[server]`` table, or top-level keys), then ``CONFLICTLENS_*`` overrides."""
    config = ServerConfig()
    if path is not None:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"no such config file: {p}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read config file {p}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"config file {p} is not valid TOML: {exc}") from None
        table = data.get("server", data)
        if not isinstance(table, dict):
            raise InputError(f"config file {p}: [server] must be a table")
        config = config_from_mapping(table, config)
    env = os.environ if environ is None else environ
    overrides = {
        name: env[ENV_PREFIX + name.upper()] for name in _KINDS if ENV_PREFIX + name.upper() in env
    }
    return config_from_mapping(overrides, config)
