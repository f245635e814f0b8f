"""The pieces of a desk training that need no training: what it trains on, its status file, its command."""
import json

from bot.retraining import status
from bot.retraining.__main__ import CANDIDATE, train_command
from channels.config import ServerConfig
from channels.desk.training import training_data


def test_the_reviewed_examples_are_added_only_when_they_lie_outside_the_training_data(tmp_path):
    data = tmp_path / "data"
    (data / "nlu").mkdir(parents=True)
    inside = ServerConfig(training_data_dir=data, reviewed_nlu_path=data / "nlu" / "reviewed.yml")
    (data / "nlu" / "reviewed.yml").write_text("nlu: []\n")
    assert training_data(inside) == [data]
    outside = ServerConfig(training_data_dir=data, reviewed_nlu_path=tmp_path / "volume" / "reviewed.yml")
    assert training_data(outside) == [data], "no file yet: nothing to add"
    outside.reviewed_nlu_path.parent.mkdir()
    outside.reviewed_nlu_path.write_text("nlu: []\n")
    assert training_data(outside) == [data, outside.reviewed_nlu_path]


def test_the_status_file_is_merged_and_replaced_whole(tmp_path):
    assert status.read(tmp_path) == {}
    status.update(tmp_path, stage=status.TRAINING, started=1.0)
    status.update(tmp_path, stage=status.CHECKING, checked=3)
    assert json.loads((tmp_path / status.STATUS_FILE).read_text()) == {"stage": "checking", "started": 1.0, "checked": 3}
    assert [path.name for path in tmp_path.iterdir()] == [status.STATUS_FILE], "no temporary file left behind"


def test_it_trains_as_make_train_does_into_the_jobs_directory(tmp_path):
    command = train_command(tmp_path, [tmp_path / "data", tmp_path / "reviewed.yml"])
    assert command[1:4] == ["-m", "rasa", "train"]
    assert command[command.index("--config") + 1] == "config.yml" and command[command.index("--domain") + 1] == "domain"
    assert command[command.index("--data") + 1:command.index("--data") + 3] == [str(tmp_path / "data"),
                                                                              str(tmp_path / "reviewed.yml")]
    assert command[command.index("--out") + 1] == str(tmp_path)
    assert command[command.index("--fixed-model-name") + 1] == CANDIDATE


def test_a_floor_the_served_model_misses_too_is_held_only_by_doing_no_worse():
    from bench.floors import NO_WORSE_MARGIN, Result

    assert Result("x", 0.95, 0.93, 100).held
    assert not Result("x", 0.90, 0.93, 100).held, "no served model measured: the floor itself"
    assert Result("x", 0.90, 0.93, 100, served_share=0.90).held
    assert Result("x", 0.90 - NO_WORSE_MARGIN, 0.93, 100, served_share=0.90).held
    assert not Result("x", 0.88, 0.93, 100, served_share=0.90).held
    assert not Result("x", 0.90, 0.93, 100, served_share=0.95).held, "the served model holds it: so must the new one"
    assert not Result("x", 0.99, 0.95, 100, forbidden=["handoff: 'order a pizza'"], served_share=0.99).held
