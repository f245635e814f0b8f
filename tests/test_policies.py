"""The small policies: a reply after a failed custom action, quiet relaying during a handoff, the
coach offer's yes and no, and the decline of a domain intent whose message is off the subject."""
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.handoff import HandoffPolicy
from bot.policies.message_limit import MessageLimitPolicy
from bot.policies.reply_guard import ReplyGuardPolicy, custom_action_failed_silently

DOMAIN = Domain.from_dict({
    "intents": ["ask_cost", "affirm", "deny", "message_too_long", "ask_recommendation", "human_handoff"],
    "slots": {"handoff_active": {"type": "bool", "influence_conversation": False, "mappings": [{"type": "custom"}]}},
    "actions": ["action_answer_question", "action_relay_to_coach", "action_handoff"],
    "responses": {"utter_technical_problem": [{"text": "sorry"}], "utter_anything_else": [{"text": "else?"}],
                  "utter_handoff_message_kept": [{"text": "kept"}], "utter_message_too_long": [{"text": "shorter"}],
                  "utter_out_of_scope": [{"text": "not mine"}]},
})


def tracker(*events):
    return DialogueStateTracker.from_events("learner", [ActionExecuted("action_listen"), *events], DOMAIN.slots)


def predicted(policy_class, state):
    policy = policy_class(policy_class.get_default_config(), None, None, _Context())
    prediction = policy.predict_action_probabilities(state, DOMAIN)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    return DOMAIN.action_names_or_texts[best] if prediction.probabilities[best] > 0 else None


class _Context:
    is_finetuning = False


def test_failed_custom_action_is_detected():
    failed = tracker(UserUttered("how much?", input_channel="rest"), ActionExecuted("action_answer_question"))
    assert custom_action_failed_silently(failed)
    assert predicted(ReplyGuardPolicy, failed) == "utter_technical_problem"


def test_action_that_answered_is_left_alone():
    answered = tracker(UserUttered("how much?", input_channel="rest"), ActionExecuted("action_answer_question"), BotUttered("$10"))
    assert not custom_action_failed_silently(answered)
    assert predicted(ReplyGuardPolicy, answered) is None


def test_quiet_action_that_left_an_event_is_left_alone():
    quiet = tracker(UserUttered("hi coach", input_channel="rest"), ActionExecuted("action_relay_to_coach"), SlotSet("handoff_active", True))
    assert not custom_action_failed_silently(quiet)


def test_story_replay_is_not_a_failure():
    replayed = tracker(UserUttered("how much?"), ActionExecuted("action_answer_question"))
    assert not custom_action_failed_silently(replayed)


def test_apology_ends_the_turn():
    ended = tracker(UserUttered("how much?", input_channel="rest"), ActionExecuted("utter_technical_problem"))
    assert predicted(ReplyGuardPolicy, ended) == "action_listen"


def test_open_handoff_relays_every_message():
    state = DialogueStateTracker.from_events(
        "learner", [SlotSet("handoff_active", True), ActionExecuted("action_listen"), UserUttered("are you there?")],
        DOMAIN.slots)
    assert predicted(HandoffPolicy, state) == "action_relay_to_coach"


def test_no_relay_without_a_handoff_or_inside_a_form():
    assert predicted(HandoffPolicy, tracker(UserUttered("hello"))) is None
    in_form = DialogueStateTracker.from_events(
        "learner", [SlotSet("handoff_active", True), ActiveLoop("callback_form"), ActionExecuted("action_listen"),
                    UserUttered("me@example.com")], DOMAIN.slots)
    assert predicted(HandoffPolicy, in_form) is None


def test_relaying_ends_the_turn():
    relayed = tracker(SlotSet("handoff_active", True), UserUttered("hi coach", input_channel="rest"),
                      ActionExecuted("action_relay_to_coach", policy="HandoffPolicy"), SlotSet("handoff_active", True))
    assert predicted(HandoffPolicy, relayed) == "action_listen"


def test_a_failed_relay_tells_the_learner_the_message_is_kept_and_then_listens():
    failed = tracker(SlotSet("handoff_active", True), UserUttered("hi coach", input_channel="rest"),
                     ActionExecuted("action_relay_to_coach", policy="HandoffPolicy"))
    assert predicted(HandoffPolicy, failed) == "utter_handoff_message_kept"
    told = tracker(SlotSet("handoff_active", True), UserUttered("hi coach", input_channel="rest"),
                   ActionExecuted("action_relay_to_coach"), ActionExecuted("utter_handoff_message_kept"),
                   BotUttered("kept"))
    assert predicted(HandoffPolicy, told) == "action_listen"


def test_an_over_long_message_is_answered_please_shorten_even_during_a_handoff_or_a_form():
    too_long = {"name": "message_too_long", "confidence": 1.0}
    for before in ([], [SlotSet("handoff_active", True)], [ActiveLoop("callback_form")]):
        state = tracker(*before, UserUttered("/message_too_long", intent=too_long, input_channel="rest"))
        assert predicted(MessageLimitPolicy, state) == "utter_message_too_long"
    answered = tracker(UserUttered("/message_too_long", intent=too_long, input_channel="rest"),
                       ActionExecuted("utter_message_too_long"), BotUttered("shorter"))
    assert predicted(MessageLimitPolicy, answered) == "action_listen"
    assert predicted(MessageLimitPolicy, tracker(UserUttered("how much?", input_channel="rest"))) is None
