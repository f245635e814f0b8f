"""The address a request to the desk came from, for the sign-in throttle and the audit log.

Behind a proxy (the Kubernetes ingress controller) every request comes from the proxy's address,
so every coach would share one throttle. The proxy names the client in X-Forwarded-For, appending
to what the request brought with it, so only the hops it and other trusted proxies appended are
believed: the rightmost address there that is not a trusted proxy is the client. Anyone else can
write any X-Forwarded-For they like, so without DESK_TRUSTED_PROXIES, or from an address outside
them, the header is ignored.
"""
import ipaddress
from typing import Iterable, Optional, Sequence, Union

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
MAX_ADDRESS_CHARS = 64  # what the sign-in attempts keep


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in proxies)


def client_address(remote: Optional[str], forwarded_for: Iterable[str], proxies: Sequence[Network]) -> str:
    """The client's address: `remote`, unless it is a trusted proxy naming the client in X-Forwarded-For
    (`forwarded_for`: each of the header's values)."""
    address = remote or "unknown"
    if not _trusted(address, proxies):
        return address
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = hop[:MAX_ADDRESS_CHARS]
        if not _trusted(hop, proxies):
            break
    return address
