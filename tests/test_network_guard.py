"""The guard in conftest.py: no test reaches the internet."""
import socket

import pytest
import requests


def test_a_real_connection_fails_the_test():
    with pytest.raises(RuntimeError, match="a test tried to reach"):
        socket.create_connection(("93.184.215.14", 80), timeout=1)
    with pytest.raises(Exception, match="a test tried to reach|Failed to resolve|Name or service"):
        requests.get("https://api.x.com/2/users/me", timeout=1)


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()
