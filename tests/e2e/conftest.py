"""The real stack for end-to-end tests: started once per session, stopped at the end."""

import pytest

from tests.chat_fakes import TELEGRAM_SECRET, FakeSlack, FakeTelegram
from tests.e2e.people import Coach
from tests.e2e.stack import ROOT, Stack


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def slack_api():
    """Slack's Web API, faked on a loopback port; Rasa's Slack channel posts there."""
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def telegram_api():
    """Telegram's Bot API, faked on a loopback port; Rasa's Telegram channel registers and sends there."""
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


# How long a reply Slack or Telegram refuses is sent again: short enough for a test to see it given up.
RETRY_SECONDS = "20"


@pytest.fixture(scope="session")
def stack(tmp_path_factory, slack_api, telegram_api):
    if not (ROOT / "bot" / "models" / "advisor.tar.gz").exists():
        pytest.fail("no trained model: run `make setup` first")
    running = Stack(tmp_path_factory.mktemp("logs"), extra_env={
        "SLACK_BOT_TOKEN": slack_api.token, "SLACK_SIGNING_SECRET": slack_api.signing_secret,
        "SLACK_API_URL": slack_api.api_url,
        "TELEGRAM_BOT_TOKEN": telegram_api.token, "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_BOT_NAME": "AdvisorBot", "TELEGRAM_API_URL": telegram_api.api_url,
        "DELIVERY_RETRY_SECONDS": RETRY_SECONDS,
    })
    running.with_env(TELEGRAM_WEBHOOK_URL=f"{running.url}/webhooks/telegram/webhook").start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def coach(stack):
    """A coach signed in to the live desk."""
    return Coach.created_on(stack)
