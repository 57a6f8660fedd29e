"""`auria accounts check`: one cheap authenticated call per enabled platform."""
import responses

from bot.cli import main

ME = {"data": {"id": "2244994945", "name": "Auria", "username": "auria_haiku"}}


def test_ok_and_problems_per_platform(x_credentials, write_config, capsys):
    config = write_config('[publish]\nplatforms = ["x", "mastodon"]\n')
    with responses.RequestsMock() as http:
        http.get("https://api.twitter.com/2/users/me", json=ME)
        assert main(["--config", str(config), "accounts", "check"]) == 1
        assert http.calls[0].request.headers["Authorization"].startswith("OAuth ")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "x: OK (@auria_haiku)"
    assert out[1].startswith("mastodon: not configured: missing publish.mastodon_url")


def test_rejected_credentials_need_a_human(x_credentials, write_config, capsys):
    config = write_config('[publish]\nplatforms = ["x"]\n')
    with responses.RequestsMock() as http:
        http.get("https://api.twitter.com/2/users/me", status=401,
                 json={"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
        assert main(["--config", str(config), "accounts", "check"]) == 1
    assert capsys.readouterr().out.startswith("x: needs a human: ")


def test_all_ok_exits_zero(x_credentials, write_config, capsys):
    config = write_config('[publish]\nplatforms = ["x"]\n')
    with responses.RequestsMock() as http:
        http.get("https://api.twitter.com/2/users/me", json=ME)
        assert main(["--config", str(config), "accounts", "check"]) == 0
