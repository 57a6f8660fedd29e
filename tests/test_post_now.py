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
