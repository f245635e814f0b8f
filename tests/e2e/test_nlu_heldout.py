"""Understanding of phrasings the model never saw: the trained model parses each held-out message."""
from pathlib import Path

import yaml

HELDOUT = Path(__file__).with_name("nlu_heldout.yml")
# Real learners phrase things in ways no training file anticipates; most must still land.
MIN_ACCURACY = 0.9


def understood_as(stack, text: str) -> str:
    """The intent Rasa gives the message, or for an FAQ the answer its response selector picks."""
    parsed = stack.api("/model/parse", {"text": text})
    intent = parsed["intent"]["name"]
    if intent == "faq":
        return parsed["response_selector"]["faq"]["response"]["intent_response_key"]
    return intent


def test_most_unseen_phrasings_are_understood(stack):
    expected = yaml.safe_load(HELDOUT.read_text())
    cases = [(text, intent) for intent, texts in expected.items() for text in texts]
    misses = [(text, intent, got) for text, intent in cases if (got := understood_as(stack, text)) != intent]
    accuracy = 1 - len(misses) / len(cases)
    print(f"held-out accuracy: {accuracy:.1%} of {len(cases)}")
    assert accuracy >= MIN_ACCURACY, "\n".join(f"{text!r}: expected {intent}, got {got}" for text, intent, got in misses)
