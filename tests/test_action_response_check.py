"""Rasa's check of action server responses, with the validator built once, accepts and refuses as before."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import action_response_check

GOOD = {"events": [{"event": "slot", "name": "program", "value": "cad", "timestamp": None}],
        "responses": [{"response": "utter_program_cost", "program": "CAD", "value": "$200"}]}
BAD = {"events": [{"event": "slot", "name": 7}], "responses": "not a list"}


@pytest.fixture
def action(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    action_response_check.install()
    return RemoteAction("action_answer_question", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_a_valid_response_passes(action):
    jsonschema.validate(GOOD, RemoteAction.action_response_format_spec())  # as Rasa's own check finds
    assert action._validate_action_result(GOOD) is True


def test_an_invalid_response_is_refused_with_rasas_error(action):
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(BAD, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response") as refused:
        action._validate_action_result(BAD)
    assert refused.value.message.startswith(expected.value.message)
