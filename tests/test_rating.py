"""Rating buttons: which answers carry them, how often, and how a tap is answered."""
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.actions import rating
from bot.actions.questions import ActionAnswerQuestion
from bot.policies.rating import RatingPolicy
from bot.understanding.frame import Frame
from channels import ratings
from tests.actions_support import responses, run, tracker_for

GENAI = "introduction-to-generative-ai"


@pytest.fixture(autouse=True)
def catalog(seeded_url, monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", seeded_url)


def user(text):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": "ask_cost"}}}


def bot(buttons=None):
    return {"event": "bot", "text": "…", "data": {"buttons": buttons or []}}


def ask(frame, events=(), loop=None):
    tracker = tracker_for(frame.text, intent=frame.intent)
    tracker.latest_message["frame"] = frame.as_dict()
    tracker.events = [*events, *tracker.events]
    tracker.active_loop = {"name": loop} if loop else {}
    return run(ActionAnswerQuestion(), tracker)[0]


COST = Frame(text="how much is the gen AI course?", intent="ask_cost", classified="ask_cost", fact="cost",
             programs=((GENAI,),))
FAQ = Frame(text="are they worth it", intent="faq_worth_it", classified="faq_worth_it")


@pytest.mark.parametrize("frame", [COST, FAQ])
def test_catalog_and_general_answers_carry_the_rating_buttons(frame):
    messages = ask(frame)
    assert messages[-1]["buttons"] == ratings.BUTTONS
    assert [b["payload"] for b in messages[-1]["buttons"]] == ['/rate_answer{"rating": "up"}',
                                                               '/rate_answer{"rating": "down"}']


def test_at_most_once_every_third_message():
    offered = [user("first"), bot(ratings.BUTTONS)]
    assert not ask(COST, offered)[-1].get("buttons")
    assert not ask(COST, [*offered, user("second"), bot()])[-1].get("buttons")
    assert ask(COST, [*offered, user("second"), bot(), user("third"), bot()])[-1]["buttons"] == ratings.BUTTONS


def test_no_buttons_when_the_reply_asks_back_or_has_its_own_or_a_form_is_on():
    ambiguous = Frame(text="how much is leadership", intent="ask_cost", classified="ask_cost", fact="cost",
                      programs=(("educational-leadership", "leadership-and-supervisory-training"),))
    messages = ask(ambiguous)
    assert responses(messages)[0] == "utter_program_ambiguous"
    assert not any(ratings.is_rating_offer(m.get("buttons")) for m in messages)
    assert not ask(COST, loop="decision_form")[-1].get("buttons")
    office = Frame(text="can I get a refund", intent="ask_office", classified="ask_office")
    assert responses(ask(office)) == ["utter_refer_to_coach"] and not ask(office)[-1].get("buttons")


def test_offered_recently_reads_only_the_learner_s_last_messages():
    """The message being answered now is the newest; the offer came with the answer to "a"."""
    tracker = tracker_for("x", events=[user("a"), bot(ratings.BUTTONS), user("b"), user("c"), user("now")])
    assert not rating.offered_recently(tracker)
    tracker = tracker_for("x", events=[user("a"), bot(ratings.BUTTONS), user("b"), user("now")])
    assert rating.offered_recently(tracker)


DOMAIN = Domain.from_dict({
    "intents": ["ask_cost", "rate_answer"], "entities": ["rating"],
    "slots": {"handoff_active": {"type": "bool", "influence_conversation": False, "mappings": [{"type": "custom"}]}},
    "responses": {"utter_rating_thanks": [{"text": "thanks"}], "utter_rating_sorry": [{"text": "sorry"}]},
})


def predicted(*events):
    state = DialogueStateTracker.from_events("learner", [ActionExecuted("action_listen"), *events], DOMAIN.slots)
    policy = RatingPolicy(RatingPolicy.get_default_config(), None, None, type("Context", (), {"is_finetuning": False}))
    probabilities = policy.predict_action_probabilities(state, DOMAIN).probabilities
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    return DOMAIN.action_names_or_texts[best] if probabilities[best] > 0 else None


def tap(value):
    return UserUttered(ratings.payload(value), intent={"name": "rate_answer", "confidence": 1.0},
                       entities=[{"entity": "rating", "value": value}], input_channel="rest")


def test_a_tap_is_thanked_even_in_a_handoff_or_a_form_and_the_turn_ends():
    for before in ([], [SlotSet("handoff_active", True)], [ActiveLoop("decision_form")]):
        assert predicted(*before, tap("up")) == "utter_rating_thanks"
        assert predicted(*before, tap("down")) == "utter_rating_sorry"
    assert predicted(tap("down"), ActionExecuted("utter_rating_sorry"), BotUttered("sorry")) == "action_listen"
    assert predicted(UserUttered("how much?", input_channel="rest")) is None


def test_the_channels_read_a_tap():
    parse = {"intent": {"name": "rate_answer"}, "entities": [{"entity": "rating", "value": "down"}]}
    assert ratings.rating_of(parse) == "down"
    assert ratings.rating_of({"intent": {"name": "ask_cost"}, "entities": []}) is None
    assert ratings.rating_of({"intent": {"name": "rate_answer"}, "entities": [{"entity": "rating", "value": "x"}]}) is None
