"""`auria post-now`: a fresh work, posted through the real X client (HTTP intercepted)."""
import json

import responses

from bot.cli import main
from state.posts import posts_for
from state.store import open_store
from state.works import list_works


def test_post_now_posts_a_fresh_work_and_stores_the_outcome(x_credentials, write_config, tmp_path, capsys):
    config = write_config('data_dir = "data"\n[generator]\ndevice = "cpu"\n[publish]\nplatforms = ["x", "instagram"]\n')
    with responses.RequestsMock() as http:
        http.post("https://api.x.com/2/media/upload", json={"data": {"id": "1146654567674912769", "media_key": "3_1"}})
        http.post("https://api.x.com/2/media/metadata", json={"data": {"associated_metadata": True}})
        http.post("https://api.twitter.com/2/tweets", status=201,
                  json={"data": {"id": "1445880548472328192", "text": "..."}})
        http.get("https://api.twitter.com/2/users/me", json={"data": {"id": "1", "name": "A", "username": "auria_haiku"}})
        assert main(["--config", str(config), "post-now", "--platform", "x", "--seed", "8"]) == 0
        tweet = json.loads(http.calls[2].request.body)
    work = list_works(open_store(tmp_path / "data" / "auria.db"))[0]
    assert work["status"] == "ready"
    assert tweet["text"].startswith(work["haiku"]) and tweet["media"]["media_ids"] == ["1146654567674912769"]
    post = posts_for(open_store(tmp_path / "data" / "auria.db"), work["id"])
    assert list(post) == ["x"], "--platform limits the run to X"
    assert post["x"]["state"] == "posted" and post["x"]["remote_id"] == "1445880548472328192"
    assert "x: posted: https://x.com/auria_haiku/status/1445880548472328192" in capsys.readouterr().out


def test_a_previewed_work_is_posted_as_it_is_and_its_seed_makes_the_same_haiku(x_credentials, write_config, tmp_path,
                                                                              capsys):
    config = write_config('data_dir = "data"\n[poet]\ncandidates = 32\n[generator]\ndevice = "cpu"\n'
                          '[publish]\nplatforms = ["x"]\n')
    assert main(["--config", str(config), "preview", "--seed", "3", "--out", str(tmp_path / "p")]) == 0
    assert main(["--config", str(config), "preview", "--seed", "3", "--out", str(tmp_path / "q")]) == 0
    db = open_store(tmp_path / "data" / "auria.db")
    first, again = sorted(list_works(db), key=lambda w: w["id"])
    assert first["haiku"] == again["haiku"], "a preview does not block its own haiku"
    capsys.readouterr()
    with responses.RequestsMock() as http:
        http.post("https://api.x.com/2/media/upload", json={"data": {"id": "1146654567674912769", "media_key": "3_1"}})
        http.post("https://api.x.com/2/media/metadata", json={"data": {"associated_metadata": True}})
        http.post("https://api.twitter.com/2/tweets", status=201, json={"data": {"id": "1445880548472328192", "text": "."}})
        http.get("https://api.twitter.com/2/users/me", json={"data": {"id": "1", "name": "A", "username": "auria_haiku"}})
        assert main(["--config", str(config), "post-now", "--work", str(first["id"])]) == 0
        tweet = json.loads(http.calls[2].request.body)
    assert tweet["text"].startswith(first["haiku"])
    assert len(list_works(db)) == 2, "posted as it is: no work made"
    assert posts_for(db, first["id"])["x"]["state"] == "posted"
    assert main(["--config", str(config), "post-now", "--work", "999"]) == 1
    assert main(["--config", str(config), "preview", "--seed", "3", "--out", str(tmp_path / "r")]) == 0
    newest = max(list_works(db), key=lambda w: w["id"])
    assert newest["haiku"] != first["haiku"], "a posted haiku blocks a repeat"
