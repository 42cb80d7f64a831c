"""Which IP addresses the crawler may connect to (pure: no Scrapy).

A news crawler follows links it does not control, so a page (or a redirect) can point it at the
machine it runs on, the private network or a cloud metadata endpoint (169.254.169.254,
fd00:ec2::254). :func:`forbidden_reason` names why an address is off limits;
:class:`AddressPolicy` adds the operator's allow-list (e.g. ``127.0.0.1`` for the demo web).

IPv6 forms that carry an IPv4 address (``::ffff:a.b.c.d``, ``::a.b.c.d``, NAT64 ``64:ff9b::/96``,
6to4 ``2002::/16``, Teredo) are judged by the IPv4 address they carry as well as by themselves.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def parse_ip(host: str) -> IPAddress | None:
    """The address if ``host`` is an IP literal (``[::1]`` brackets and ``%zone`` allowed), else None."""
    value = host.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    value = value.split("%", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def embedded_ipv4(ip: IPAddress) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return ()
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip in _V4_COMPATIBLE and int(ip) > 1:  # ``::`` and ``::1`` are not IPv4-compatible forms
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if any(ip in net for net in _NAT64):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return tuple(found)


def _own_reason(ip: IPAddress) -> str | None:
    # Order matters: 127.0.0.1 is also "private" to ipaddress, and the most specific name helps most.
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"  # includes 169.254.169.254, the cloud metadata service
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return "site_local"
        if ip in _UNIQUE_LOCAL:
            return "unique_local"  # includes fd00:ec2::254, the AWS IPv6 metadata service
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "not_global"  # e.g. 100.64.0.0/10 carrier-grade NAT space
    return None


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be fetched (``loopback``, ``link_local``, ...), or None if it is global.

    >>> forbidden_reason(ipaddress.ip_address("169.254.169.254"))
    'link_local'
    >>> forbidden_reason(ipaddress.ip_address("::ffff:10.0.0.1"))
    'ipv4_mapped_private'
    """
    for inner in embedded_ipv4(ip):
        reason = _own_reason(inner)
        if reason is not None:
            return f"ipv4_mapped_{reason}"
    if (
        isinstance(ip, ipaddress.IPv6Address)
        and (ip.ipv4_mapped is not None or ip in _V4_COMPATIBLE)
        and int(ip) > 1
    ):
        return None  # a socket to ::ffff:a.b.c.d reaches a.b.c.d, judged above; ::/8 itself is "reserved"
    return _own_reason(ip)


def parse_networks(values: Iterable[str], setting: str) -> tuple[IPNetwork, ...]:
    """IPs and CIDRs from a setting; a bad entry raises ValueError naming the setting and value."""
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    networks: list[IPNetwork] = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError as exc:
            raise ValueError(
                f"{setting}: bad value {value!r}: expected IP addresses or CIDR networks such as "
                f"'127.0.0.1' or '10.1.0.0/16' ({exc})"
            ) from exc
    return tuple(networks)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Forbidden-address rules plus an allow-list that overrides them."""

    allowed: tuple[IPNetwork, ...] = ()

    def is_allowed(self, ip: IPAddress) -> bool:
        candidates = (ip, *embedded_ipv4(ip))
        return any(
            c.version == net.version and c in net for c in candidates for net in self.allowed
        )

    def check(self, ip: IPAddress) -> str | None:
        """None if ``ip`` may be fetched, else the reason it may not."""
        if self.is_allowed(ip):
            return None
        return forbidden_reason(ip)
