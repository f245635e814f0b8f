"""Edited general answers: their versions (catalog_db/answer_versions.py) and the catalog facts their
placeholders name (bot/actions/answer_placeholders.py), on the seed."""
from datetime import datetime, timezone

import pytest

from bot.actions import answer_placeholders
from catalog_db import answer_versions, editing

GENAI = "introduction-to-generative-ai"


def test_placeholders_are_filled_from_the_catalog(seeded_session):
    text = ("{name:" + GENAI + "} costs {cost:" + GENAI + "}; micro-credentials run from {lowest_cost:micro-credential}"
            " to {highest_cost: micro-credential }, {count:all} programs in all.")
    filled = answer_placeholders.fill(seeded_session, text)
    count = editing.program_rows(seeded_session)[1]
    assert filled == f"Introduction to Generative AI costs $10; micro-credentials run from $10 to $350, {count} programs in all."
    assert answer_placeholders.problems(seeded_session, text) == []


def test_each_placeholder_that_cannot_be_filled_is_told_on_save(seeded_session):
    editing.set_retired(seeded_session, "lockout-tagout-safety-training", True)
    text = ("{cots:" + GENAI + "} {cost:introduction-to-gen-ai} {duration:" + GENAI + "} "
            "{cost:lockout-tagout-safety-training} {count:diplomas} and a stray } brace")
    found = answer_placeholders.problems(seeded_session, text)
    assert found[0].startswith("{cots:" + GENAI + "}: unknown fact 'cots'. A placeholder is {fact:program-slug}")
    assert found[1:5] == [
        "{cost:introduction-to-gen-ai}: the catalog has no program with the slug 'introduction-to-gen-ai'",
        "{duration:" + GENAI + "}: the catalog lists no duration for Introduction to Generative AI",
        "{cost:lockout-tagout-safety-training}: Lockout/Tagout Safety Training is retired",
        "{count:diplomas}: 'diplomas' is not a kind (micro-credential, certificate, degree or all)"]
    assert found[5].startswith("A { or } does not make a placeholder")
    with pytest.raises(answer_placeholders.Unfilled):
        answer_placeholders.fill(seeded_session, "{cost:" + GENAI)


def test_versions_newest_first_with_a_revert_to_the_shipped_wording(seeded_session):
    at = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    first = answer_versions.save_version(seeded_session, "utter_faq_badge", "Badges are pictures.", "ada", at)
    answer_versions.save_version(seeded_session, "utter_faq_enroll", "Sign up online.", "ada", at)
    assert answer_versions.current_texts(seeded_session) == {"utter_faq_badge": "Badges are pictures.",
                                                             "utter_faq_enroll": "Sign up online."}
    answer_versions.save_version(seeded_session, "utter_faq_badge", None, "bo", at)  # back to the domain's
    seeded_session.commit()
    assert answer_versions.current_texts(seeded_session) == {"utter_faq_enroll": "Sign up online."}
    history = answer_versions.history(seeded_session, "utter_faq_badge")
    assert [(v.text, v.author) for v in history] == [(None, "bo"), ("Badges are pictures.", "ada")]
    assert answer_versions.version(seeded_session, first.id) == history[1]
    with pytest.raises(ValueError):
        answer_versions.save_version(seeded_session, "utter_program_cost", "Cheap.", "ada")
    with pytest.raises(ValueError):
        answer_versions.save_version(seeded_session, "utter_faq_badge", "   ", "ada")
