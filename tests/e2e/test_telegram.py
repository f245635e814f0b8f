"""Telegram end to end: updates into the running Rasa through the webhook it registered with a fake
Bot API, answers out through that fake's sendMessage."""
import json
import random
import time

from channels.conversation_ids import conversation_id
from tests.chat_fakes import TELEGRAM_SECRET
from tests.e2e.chat_support import handoff_ids, new_handoff, user_messages


class Learner:
    """A Telegram user in a private chat of their own, so tests never share a conversation."""

    def __init__(self, telegram_api):
        self.chat = random.randint(10**8, 10**10)
        self.api = telegram_api
        self.conversation = conversation_id("telegram", str(self.chat))

    def say(self, text, **options):
        """Deliver a message as Telegram does: to the registered webhook, with the registered secret."""
        return self.api.deliver(self.api.update(self.chat, text), **options)[0]

    def sent(self, pattern, timeout=30):
        """The assistant's first message to this chat containing `pattern`."""
        return self.api.wait_for("sendMessage", lambda call: call.params["chat_id"] == str(self.chat)
                                 and pattern in call.params["text"], timeout=timeout)

    def messages(self):
        return self.api.calls_to("sendMessage", lambda call: call.params["chat_id"] == str(self.chat))


def test_rasa_registers_its_webhook_with_the_secret(stack, telegram_api):
    call = telegram_api.wait_for("setWebhook", timeout=10)
    assert call.params["url"] == f"{stack.url}/webhooks/telegram/webhook"
    assert call.params["secret_token"] == TELEGRAM_SECRET


def test_an_update_is_answered_through_send_message(stack, telegram_api):
    learner = Learner(telegram_api)
    assert learner.say("how much is the gen AI course?") == 200
    learner.sent("$10")
    assert user_messages(stack, learner.conversation) == ["how much is the gen AI course?"]


def test_updates_without_or_with_a_wrong_secret_are_refused_and_never_reach_the_assistant(stack, telegram_api):
    learner = Learner(telegram_api)
    assert learner.say("how much is the gen AI course?", secret=None) == 401
    assert learner.say("how much is the gen AI course?", secret="guessed-secret") == 403
    time.sleep(2)
    assert learner.messages() == []
    assert user_messages(stack, learner.conversation) == []


def test_start_greets_with_a_reply_keyboard_whose_buttons_work(stack, telegram_api):
    learner = Learner(telegram_api)
    learner.say("/start")
    greeting = learner.sent("Credential Advisor")
    keyboard = [row[0]["text"] for row in greeting.params["reply_markup"]["keyboard"]]
    assert keyboard == ["Micro-credential or certificate?", "List micro-credentials", "Help me choose"]
    learner.say("Help me choose")  # what Telegram sends when the button is tapped
    learner.sent("What would you like to learn")
    assert user_messages(stack, learner.conversation) == ["/greet", "help me choose a path"]


def test_a_handoff_from_telegram_reaches_the_desk_and_the_coach_replies_in_the_chat(stack, telegram_api, coach):
    learner = Learner(telegram_api)
    known = handoff_ids(coach)
    learner.say("how much is the gen AI course?")
    learner.sent("$10")
    learner.say("I want to talk to a human")
    learner.sent("coach")

    path = new_handoff(coach, "telegram", known)
    page = coach.get(path)
    assert "Telegram" in page and "how much is the gen AI course?" in page
    coach.post(path + "/claim", csrf=coach.csrf(page))
    coach.post(path + "/reply", csrf=coach.csrf(page), text="Hi, I'm a coach on Telegram. How can I help?")
    learner.sent("I'm a coach on Telegram")

    coach.close(path)
    learner.sent("back with me")


def test_an_answer_carries_a_rating_inline_keyboard_and_a_tap_is_a_rating(stack, telegram_api):
    learner = Learner(telegram_api)
    learner.say("how much is the gen AI course?")
    answer = learner.sent("$10")
    keyboard = answer.params["reply_markup"]["inline_keyboard"]
    assert [[button["text"] for button in row] for row in keyboard] == [["👍 Helpful", "👎 Not helpful"]]
    down = keyboard[0][1]["callback_data"]
    assert telegram_api.deliver(telegram_api.tap(learner.chat, down))[0] == 200
    learner.sent("Sorry that didn't help")
    tapped = telegram_api.wait_for("answerCallbackQuery", timeout=10)
    assert tapped.params["callback_query_id"]
    rating = [event for event in stack.tracker_events(learner.conversation) if event["event"] == "user"][-1]
    assert rating["parse_data"]["intent"]["name"] == "rate_answer"
    assert [(e["entity"], e["value"]) for e in rating["parse_data"]["entities"]] == [("rating", "down")]
    # The next answer, a message later, comes without the buttons (at most one offer every third message).
    before = learner.messages()
    learner.say("and how long is it?")
    later = telegram_api.wait_for("sendMessage", lambda call: call.params["chat_id"] == str(learner.chat)
                                  and all(call is not earlier for earlier in before))
    assert "inline_keyboard" not in json.dumps(later.params.get("reply_markup") or {})
