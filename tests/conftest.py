import logging
import os
import socket

import pytest


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No test sees the developer's AURIA_* variables, credentials or real data folder."""
    for name in list(os.environ):
        if name.startswith("AURIA_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


class NetworkBlocked(RuntimeError):
    pass


_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any test that tries to open a connection off this machine fails: the platform tests
    talk HTTP through `responses` (or an httpx mock transport), never to the internet."""
    real_connect = socket.socket.connect

    def guarded_connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, (str, bytes)) and (str(host).startswith("/") or host in _LOOPBACK):
            return real_connect(self, address)  # unix sockets and loopback stay allowed
        raise NetworkBlocked(f"a test tried to reach {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture(autouse=True)
def restore_logging():
    """configure_logging() changes the root logger; put it back after each test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def write_config(tmp_path):
    """write_config(text) -> path of an auria.toml in tmp_path with that content."""

    def write(text: str, name: str = "auria.toml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def config_file(write_config, data_dir):
    """A config file whose data_dir is the tmp data folder, with 32 poet candidates per haiku
    instead of 256: the same code, an eighth of the decoding time."""
    return write_config(f'data_dir = "{data_dir}"\n[poet]\ncandidates = 32\n')


@pytest.fixture
def credentials_dir(tmp_path, monkeypatch):
    """$CREDENTIALS_DIRECTORY pointing at an empty tmp folder, as systemd's LoadCredential does."""
    folder = tmp_path / "credentials"
    folder.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(folder))
    return folder


@pytest.fixture
def x_credentials(monkeypatch):
    """Fake X credentials in the environment, as an operator would set them."""
    for name in ("API_KEY", "API_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"):
        monkeypatch.setenv(f"AURIA_X_{name}", f"fake-{name.lower()}")
