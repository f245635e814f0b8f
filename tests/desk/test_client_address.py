"""The client's address behind trusted proxies: X-Forwarded-For believed only as far as they wrote it."""
import ipaddress

import pytest

from channels.config import ServerConfig
from channels.desk.client_address import client_address

INGRESS = (ipaddress.ip_network("10.244.0.0/16"), ipaddress.ip_network("fd00::/8"))


@pytest.mark.parametrize("remote, forwarded, expected", [
    ("10.244.3.7", ["203.0.113.5"], "203.0.113.5"),  # the ingress names the coach
    ("10.244.3.7", ["198.51.100.1, 203.0.113.5"], "203.0.113.5"),  # a left entry the client wrote is ignored
    ("10.244.3.7", ["203.0.113.5, 10.244.9.9"], "203.0.113.5"),  # two trusted hops
    ("10.244.3.7", ["203.0.113.5", "10.244.9.9"], "203.0.113.5"),  # the header given twice
    ("fd00::12", ["2001:db8::1"], "2001:db8::1"),
    ("10.244.3.7", [], "10.244.3.7"),  # no header: the proxy itself
    ("10.244.3.7", ["10.244.1.1, 10.244.2.2"], "10.244.1.1"),  # all trusted: the farthest
    ("10.244.3.7", ["unknown"], "unknown"),
    ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  # not from a trusted proxy: the header is anyone's
    (None, ["198.51.100.1"], "unknown"),
])
def test_the_rightmost_address_no_trusted_proxy_wrote_is_the_client(remote, forwarded, expected):
    assert client_address(remote, forwarded, INGRESS) == expected


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address("127.0.0.1", ["203.0.113.5"], ()) == "127.0.0.1"


def test_trusted_proxies_are_read_from_the_environment():
    config = ServerConfig.from_env({"DESK_TRUSTED_PROXIES": "10.244.0.0/16, 127.0.0.1 fd00::/8"})
    assert [str(network) for network in config.trusted_proxies] == ["10.244.0.0/16", "127.0.0.1/32", "fd00::/8"]
    assert ServerConfig.from_env({}).trusted_proxies == ()
    with pytest.raises(ValueError, match="DESK_TRUSTED_PROXIES='the ingress' is not valid"):
        ServerConfig.from_env({"DESK_TRUSTED_PROXIES": "the ingress"})
