"""Whatever a logger of the process writes, e-mail addresses and phone numbers are masked."""
import logging

import pytest

from channels import log_privacy


@pytest.mark.parametrize("text, masked", [
    ("write to jane.doe+ads@example.co.uk today", "write to [e-mail] today"),
    ("call +1 415 555 0123 or +44 20 7946 0958", "call [phone] or [phone]"),
    ("call (304) 555-0100, 304.555.0100 or 304-555-0100", "call [phone], [phone] or [phone]"),
    ("sent 2026-12-07 14:37:56,123 from 203.0.113.5:8080 in 0.123456789 s", None),
    ("Rasa 3.6.21, model 20261207-143242-gentle-rasa.tar.gz, handoff 1234567, chat 5551234567", None),
])
def test_addresses_and_numbers_are_masked_and_nothing_else(text, masked):
    assert log_privacy.redact(text) == (masked or text)


@pytest.fixture
def redacting():
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(log_privacy._redacting(factory))
    yield
    logging.setLogRecordFactory(factory)


def test_every_logger_has_them_masked_in_the_line_and_in_the_exception(redacting, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("sanic.error").info("GET /conversations/rest:%s/tracker failed", "ann@example.org")
    try:
        raise ValueError("no contact like (304) 555-0100 here")
    except ValueError:
        logging.getLogger("rasa.core.processor").exception("turn failed for %s", "+1 415 555 0123")
    assert "ann@example.org" not in caplog.text and "555" not in caplog.text
    assert "GET /conversations/rest:[e-mail]/tracker failed" in caplog.text
    assert "turn failed for [phone]" in caplog.text and "ValueError: no contact like [phone] here" in caplog.text
