"""Who may see the panel: the client's address and the ``Host`` it asked for.

Two checks, both needed. The client address (``INSPECT_ALLOWED_HOSTS``)
keeps other machines out. The ``Host`` header (``INSPECT_ALLOWED_SERVER_NAMES``)
keeps out what arrives from this machine on someone else's behalf: a page on
``attacker.example`` whose name was rebound to 127.0.0.1 (DNS rebinding), or
a tunnel (ngrok, ``ssh -R``, a local proxy) through which every visitor from
the internet arrives as 127.0.0.1 but asks for the tunnel's public name.

Both run for the panel's own URLs, the explained error pages and the badge;
on the app's ordinary requests only to decide whether the response may name
its record (``X-Inspect-Request-Id``), with the ``Host`` verdict cached.

>>> is_loopback("127.8.0.1"), is_loopback("::ffff:127.0.0.1"), is_loopback("10.0.0.1")
(True, True, False)
>>> split_host("[::1]:5000"), split_host("Example.test."), split_host("localhost:80")
(('::1', '5000'), ('example.test', None), ('localhost', '80'))
"""

from __future__ import annotations

import functools
import ipaddress
import typing as t

from . import settings

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from flask import Flask

LOOPBACK_NAMES = ("127.0.0.1", "::1")
"""Listing either of these (or ``localhost``) allows every loopback address
(127.0.0.0/8, ::1, ::ffff:127.x)."""


@functools.lru_cache(maxsize=256)
def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ``::1``, and IPv4 loopback written as IPv6 (``::ffff:127.0.0.1``)."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return ip.is_loopback


def client_allowed(app: Flask, remote_addr: str | None) -> bool:
    """``remote_addr`` is listed in ``INSPECT_ALLOWED_HOSTS`` (or the list has ``"*"``)."""
    hosts = settings.allowed_hosts(app)
    if "*" in hosts:
        return True
    if not remote_addr:
        return False
    if remote_addr in hosts:
        return True
    if is_loopback(remote_addr):
        return any(host == "localhost" or is_loopback(host) for host in hosts)
    return _same_address(remote_addr, hosts)


def _same_address(address: str, hosts: tuple[str, ...]) -> bool:
    """The address as written differently (``::ffff:10.0.0.5`` for ``10.0.0.5``)."""
    wanted = _normal_ip(address)
    return wanted is not None and any(_normal_ip(host) == wanted for host in hosts)


@functools.lru_cache(maxsize=256)
def _normal_ip(address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped if mapped is not None else ip)


def split_host(host: str) -> tuple[str, str | None]:
    """``Host`` header text -> ``(name, port)``: lower case, IPv6 unbracketed, no final dot."""
    host = host.strip().lower()
    port: str | None = None
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        if rest.startswith(":"):
            port = rest[1:]
    elif host.count(":") == 1:
        name, _, port = host.partition(":")
    else:  # a name, or a bare IPv6 address (not valid in a Host header, read kindly)
        name = host
    return name.rstrip("."), port


def server_name_allowed(app: Flask, host: str | None) -> bool:
    """The request's ``Host`` is one of ``INSPECT_ALLOWED_SERVER_NAMES`` or ``SERVER_NAME``.

    An entry without a port allows any port. ``localhost`` also allows its
    subdomains (``app.localhost``: browsers resolve them to this machine, so
    no one else's page can be rebound to them), and a loopback address
    allows every loopback address.
    """
    config = app.config
    setting = config.get(
        settings.ALLOWED_SERVER_NAMES, settings.DEFAULTS[settings.ALLOWED_SERVER_NAMES]
    )
    return _host_verdict(setting, config.get("SERVER_NAME"), host)


@settings.remembered_by_value  # asked for every recorded request (the id header)
def _host_verdict(setting: t.Any, server_name: t.Any, host: str | None) -> bool:
    names = settings.server_names(setting, server_name)
    if "*" in names:
        return True
    if not host:
        return False
    name, port = split_host(host)
    if not name:
        return False
    for entry in names:
        entry_name, entry_port = split_host(entry)
        if entry_port is not None and entry_port != port:
            continue
        if name == entry_name:
            return True
        if entry_name == "localhost" and name.endswith(".localhost"):
            return True
        if entry_name in LOOPBACK_NAMES and is_loopback(name):
            return True
    return False


def request_host(environ: WSGIEnvironment) -> str | None:
    """The ``Host`` header, or the server's name when a client sent none (HTTP/1.0)."""
    host = environ.get("HTTP_HOST")
    if host:
        return str(host)
    name = environ.get("SERVER_NAME")
    return None if not name else str(name)


def forwarded_for(environ: WSGIEnvironment) -> list[str]:
    """Client addresses a proxy in front says it forwarded for (any of them may be forged).

    Read from ``X-Forwarded-For``, ``X-Real-Ip`` and ``Forwarded``'s ``for=``.
    """
    found: list[str] = []
    for key in ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP"):
        value = environ.get(key)
        if value:
            found.extend(part.strip() for part in str(value).split(",") if part.strip())
    forwarded = environ.get("HTTP_FORWARDED")
    if forwarded:
        for element in str(forwarded).replace(",", ";").split(";"):
            name, _, value = element.strip().partition("=")
            if name.strip().lower() == "for":
                found.append(_forwarded_node(value))
    return found


def _forwarded_node(value: str) -> str:
    """``"[::1]:80"`` -> ``::1``; ``1.2.3.4:80`` -> ``1.2.3.4`` (an RFC 7239 node)."""
    value = value.strip().strip('"')
    if value.startswith("["):
        return value[1:].partition("]")[0]
    return value.partition(":")[0] if value.count(":") == 1 else value


def refusal(app: Flask, environ: WSGIEnvironment) -> str | None:
    """Why this request may not see the panel, in one sentence; ``None`` when it may.

    A request that came through a proxy must be allowed for every address the
    proxy says it forwarded for, as well as its own: through a tunnel or a
    local proxy every visitor arrives from 127.0.0.1. A forged header can
    only refuse its sender, never let anyone in.
    """
    remote_addr = environ.get("REMOTE_ADDR")
    if not client_allowed(app, remote_addr):
        return f"flask-inspect: client address {remote_addr!r} is not in {settings.ALLOWED_HOSTS}."
    if "*" not in settings.allowed_hosts(app):
        for address in forwarded_for(environ):
            if not client_allowed(app, address):
                return (
                    f"flask-inspect: the request was forwarded for {address!r}, "
                    f"which is not in {settings.ALLOWED_HOSTS}."
                )
    host = request_host(environ)
    if not server_name_allowed(app, host):
        return (
            f"flask-inspect: host {host!r} is not in {settings.ALLOWED_SERVER_NAMES} "
            "(add it there to open the panel under that name)."
        )
    return None


def may_see_panel(app: Flask, environ: WSGIEnvironment) -> bool:
    return refusal(app, environ) is None


def may_see_request_id(app: Flask, remote_addr: str | None, host: str | None) -> bool:
    """Whether a response may carry its record's id: a client address the panel
    lets in, asking under a name it answers (through a tunnel every visitor
    comes from 127.0.0.1, but under the tunnel's name).

    Cheap for the usual case (an address listed as it is written), since it
    runs on every recorded request.
    """
    hosts = app.config.get(settings.ALLOWED_HOSTS)
    if not (type(hosts) is tuple and remote_addr in hosts) and not client_allowed(app, remote_addr):
        return False
    return server_name_allowed(app, host)
