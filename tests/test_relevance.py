"""Which messages are about the assistant's subject, read from their words alone."""
import pytest

from bot import relevance
from bot.policies.relevance import off_the_subject


@pytest.mark.parametrize("intent, text", [
    ("ask_recommendation", "help me choose"),
    ("ask_recommendation", "what should I study to change careers"),
    ("ask_recommendation", "which one would suit me best"),
    ("inform_situation", "I have two kids and work nights"),
    ("inform_situation", "around $300"),
    ("human_handoff", "can I talk to somebody from admissions"),
    ("human_handoff", "agent"),
    ("contact_info", "what's your phone number"),
    ("contact_info", "is there a phone line"),
    ("contact_info", "email address for admissions"),
    ("contact_info", "phone number please"),
    ("faq_worth_it", "is it worth it?"),
    ("faq_enroll", "how do I get started"),
    ("faq_credits", "how many credits is a certificate"),
    ("greet", "recommend a movie"),  # intents without a check are never declined here
])
def test_about_the_subject(intent, text):
    assert not off_the_subject(intent, text)


@pytest.mark.parametrize("intent, text", [
    ("ask_recommendation", "can you recommend a pub near the station"),
    ("ask_recommendation", "my weekly plan"),
    ("inform_situation", "do i need an umbrella"),
    ("human_handoff", "what vaccinations do I need before going abroad"),
    ("human_handoff", "nice talking to you"),
    ("human_handoff", "i cant tell if ur a real person lol"),
    ("contact_info", "what is the home phone number for sarah"),
    ("contact_info", "how do I contact charles"),
    ("contact_info", "what's derek's email"),
    ("faq_compare_time", "how long does a cold usually last"),
    ("faq_credits", "what's a good credit score"),
    ("ask_recommendation", "should i lease or buy a car"),
    ("ask_recommendation", "recommend a course of antibiotics for my cough"),
    ("contact_info", "email mahmoud"),
    ("contact_info", "reply email"),
    ("contact_info", "what is the work number of emilia"),
])
def test_off_the_subject(intent, text):
    assert off_the_subject(intent, text)


@pytest.mark.parametrize("text, studying", [
    ("is the cad course online", True),
    ("I want to upskill for my job", True),
    ("book a spin class at the gym", False),
    ("what's my credit card limit", False),
    ("what's on tv tonight", False),
])
def test_about_studying(text, studying):
    assert relevance.about_studying(text) == studying
