"""The catalog and the general answers edited on the live desk, heard through Rasa's REST channel:
no retraining, no restart. Program names are read from the catalog database every few seconds
(bot/understanding/catalog_index.py), so a question about a new or renamed program is asked until it
is answered, within a bound; an edited answer is said on the very next message."""
import re
import time
import urllib.error
import uuid

import pytest

from tests.e2e.people import Coach

NAME_RELOAD_SECONDS = 30  # the index is read again every 5 s; a loaded machine may take longer to ask


@pytest.fixture(scope="module")
def admin(stack):
    return Coach.created_on(stack, f"catalog-admin-{uuid.uuid4().hex[:6]}", admin=True)


def save(admin: Coach, page: str, target: str, **fields: str) -> str:
    return admin.post(target, csrf=Coach.csrf(admin.get(page)), **fields)


def answered(stack, question: str, pattern: str) -> str:
    """The reply to `question` (each time in a new conversation) once it matches `pattern`."""
    deadline, reply = time.monotonic() + NAME_RELOAD_SECONDS, ""
    while time.monotonic() < deadline:
        reply = stack.reply(f"editing-{uuid.uuid4().hex[:8]}", question)
        if re.search(pattern, reply, re.I):
            return reply
        time.sleep(1)
    raise AssertionError(f"{question!r} was still answered {reply!r}")


def test_a_program_added_renamed_and_retired_on_the_desk_is_answered_so_at_once(stack, admin):
    program = {"slug": "marine-robotics-basics", "name": "Marine Robotics Basics", "kind": "micro-credential",
               "institution": "Marshall University", "cost_usd": "240", "delivery_format": "online",
               "topics": "robotics"}
    page = save(admin, "/catalog/new", "/catalog/new", **program)
    assert "Added. Learners can ask about it now." in page
    assert "$240" in answered(stack, "how much is Marine Robotics Basics?", r"Marine Robotics Basics.*\$240")

    path = "/catalog/programs/marine-robotics-basics"
    page = save(admin, path, path, **dict(program, name="Ocean Robotics Foundations", cost_usd="260"))
    assert "Saved." in page
    reply = answered(stack, "how much is Ocean Robotics Foundations?", r"Ocean Robotics Foundations.*\$260")
    assert "Marine" not in reply

    save(admin, path, path + "/retire", retired="yes")
    reply = answered(stack, "how much is Ocean Robotics Foundations?", r"no longer offered")
    assert "$260" not in reply
    assert "Ocean Robotics" not in stack.reply(f"editing-{uuid.uuid4().hex[:8]}", "list all micro-credentials")


def test_a_general_answer_edited_on_the_desk_is_said_on_the_next_message_and_reverted(stack, admin):
    path, question = "/answers/utter_faq_where_to_earn", "where can I earn a microcredential"
    assert "universities and colleges" in stack.reply(f"editing-{uuid.uuid4().hex[:8]}", question)
    with pytest.raises(urllib.error.HTTPError) as refused:  # a placeholder's typo is refused on save
        save(admin, path, path, text="From {lowest_cots:micro-credential} at Marshall.", action="save")
    assert refused.value.code == 400 and "unknown fact" in refused.value.read().decode()
    page = save(admin, path, path, action="save",
                text="Right here: Marshall University's micro-credentials start at {lowest_cost:micro-credential}.")
    assert "Saved." in page
    reply = stack.reply(f"editing-{uuid.uuid4().hex[:8]}", question)
    assert reply == "Right here: Marshall University's micro-credentials start at $10."
    save(admin, path, path + "/revert", version="default")
    assert "universities and colleges" in stack.reply(f"editing-{uuid.uuid4().hex[:8]}", question)
