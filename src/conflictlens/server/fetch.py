"""Fetch one web page for URL ingest without becoming a proxy into the private network.

Why each step:
- The host is resolved here, every address it resolves to is checked (loopback, private,
  link-local, reserved, multicast, unspecified, IPv4-mapped forms of them are refused unless
  the operator allows private URLs), and the connection is then made to that very address
  (the Host header and TLS SNI keep the name), so a DNS answer that changes between the
  check and the connection (rebinding) cannot slip a private address through.
- Redirects are followed by hand, at most ``max_redirects`` hops, each hop re-checked:
  a public page that redirects to ``http://169.254.169.254/`` is refused like the URL itself.
- The body is streamed and cut at ``max_bytes``; the whole fetch, redirects included, has
  one wall-clock deadline, so a server that trickles bytes cannot hold a worker forever.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from conflictlens.errors import InputError

USER_AGENT = "ConflictLens/0.1 (+url-ingest)"
_REDIRECTS = {301, 302, 303, 307, 308}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Fetched:
    """A downloaded page: its bytes, the URL it finally came from, and its media type."""

    data: bytes
    url: str
    media_type: str | None  # "html", "text", "feed" or None (let ingest sniff)
    status: int = 200  # 304: not modified since the validators sent (no data)
    etag: str | None = None
    last_modified: str | None = None


#: Media types of RSS and Atom feeds (servers also send them as text/xml or plain XML).
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/xml", "application/rdf+xml"}
)


def is_public_address(ip: IPAddress) -> bool:
    """True for globally routable unicast addresses only."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return is_public_address(mapped)
        if ip.teredo is not None:
            return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses ``host`` resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"cannot resolve host {host!r}: {exc}") from None
    addresses: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise InputError(f"cannot resolve host {host!r}")
    return addresses


def check_url(url: str, *, allow_private: bool) -> tuple[str, int, IPAddress]:
    """Validate one URL; return (host, port, the address to connect to) or raise InputError."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InputError(f"invalid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise InputError(f"only http and https URLs can be ingested, not {parts.scheme or '?'!r}")
    host = parts.hostname
    if not host:
        raise InputError("invalid URL: no host")
    if parts.username or parts.password:
        raise InputError("URLs with credentials are not fetched")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not allow_private:
        bad = [ip for ip in addresses if not is_public_address(ip)]
        if bad:
            raise InputError(
                f"refusing to fetch {host}: it resolves to a non-public address ({bad[0]})"
            )
    return host, port, addresses[0]


def _pinned_url(url: str, ip: IPAddress, port: int) -> str:
    parts = urlsplit(url)
    literal = f"[{ip}]" if isinstance(ip, ipaddress.IPv6Address) else str(ip)
    return urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))


def _media_type(content_type: str | None, feed: bool = False) -> str | None:
    value = (content_type or "").split(";", 1)[0].strip().lower()
    if feed and (value in FEED_TYPES or value == "text/xml"):
        return "feed"
    if value in ("text/html", "application/xhtml+xml"):
        return "html"
    if value.startswith("text/"):
        return "text"
    if not value:
        return None
    raise InputError(f"not a text document: the server sent {value}")


def fetch_url(
    url: str,
    *,
    allow_private: bool = False,
    max_bytes: int = 5 * 1024 * 1024,
    timeout_s: float = 10.0,
    max_redirects: int = 5,
    feed: bool = False,
    etag: str | None = None,
    last_modified: str | None = None,
    user_agent: str | None = None,
) -> Fetched:
    """Download ``url`` under the address policy and the size and time caps. ``feed``
    accepts RSS/Atom media types; ``etag`` / ``last_modified`` make the request
    conditional (a 304 comes back as ``status=304`` with no data)."""
    deadline = time.monotonic() + timeout_s

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise InputError(f"fetching {url} took longer than {timeout_s:g} s")
        return left

    current = url
    with httpx.Client(follow_redirects=False, trust_env=False) as client:
        for _hop in range(max_redirects + 1):
            host, port, ip = check_url(current, allow_private=allow_private)
            parts = urlsplit(current)
            host_header = host if parts.port is None else f"{host}:{parts.port}"
            if ":" in host and not host.startswith("["):
                host_header = f"[{host}]" if parts.port is None else f"[{host}]:{parts.port}"
            extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
            headers = {
                "Host": host_header,
                "User-Agent": user_agent or USER_AGENT,
                "Accept": ", ".join([*sorted(FEED_TYPES), "text/*"]) if feed else "text/*",
            }
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            request = client.build_request(
                "GET",
                _pinned_url(current, ip, port),
                headers=headers,
                extensions=extensions | {"timeout": _timeouts(remaining())},
            )
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException:
                raise InputError(f"fetching {url} took longer than {timeout_s:g} s") from None
            except httpx.HTTPError as exc:
                raise InputError(f"cannot fetch {current}: {type(exc).__name__}") from None
            try:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise InputError(f"{current}: redirect without a Location")
                    current = urljoin(current, location)
                    continue
                validators = {
                    "etag": response.headers.get("etag"),
                    "last_modified": response.headers.get("last-modified"),
                }
                if response.status_code == 304:
                    return Fetched(b"", current, None, status=304, **validators)
                if response.status_code >= 400:
                    raise InputError(f"cannot fetch {current}: HTTP {response.status_code}")
                media_type = _media_type(response.headers.get("content-type"), feed)
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise InputError(
                        f"page too large ({int(declared) // 1024} KiB; "
                        f"limit {max_bytes // 1024} KiB)"
                    )
                data = _read_capped(response, max_bytes, remaining, url, timeout_s)
                return Fetched(data, current, media_type, response.status_code, **validators)
            finally:
                response.close()
    raise InputError(f"too many redirects (more than {max_redirects}) from {url}")


def _timeouts(seconds: float) -> dict[str, float]:
    return {"connect": seconds, "read": seconds, "write": seconds, "pool": seconds}


def _read_capped(response: httpx.Response, max_bytes: int, remaining, url: str, limit: float):
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise InputError(f"page too large (over {max_bytes // 1024} KiB)")
            chunks.append(chunk)
            remaining()
    except httpx.TimeoutException:
        raise InputError(f"fetching {url} took longer than {limit:g} s") from None
    except httpx.HTTPError as exc:
        raise InputError(f"cannot fetch {url}: {type(exc).__name__}") from None
    return b"".join(chunks)
