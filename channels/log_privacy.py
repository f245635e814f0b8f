"""How every service logs: what learners and coaches write stays out of the logs.

Our own log lines never hold what a learner or coach wrote (conversations are named by
`conversation_ids.for_log`, errors by their kind). As a second line, every record any logger of
the process makes, Rasa's, Sanic's and aiohttp's included, has e-mail addresses and phone numbers
masked before a handler sees it. Each service calls `configure()` once at start: the Rasa server
(bot/rasa_server.py, which also keeps Rasa's structured DEBUG lines, holding parse data and slot
values, out of INFO), the action server and the desk.

Standard library only: the desk's environment has no Rasa.
"""
import logging
import re

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# International numbers (+ and 7 to 15 digits) and the North American (304) 555-0100 / 304.555.0100;
# not dates, times, versions or IPv4 addresses, which logs are full of.
PHONE = re.compile(r"\+\d[\d\s().-]{5,18}\d|(?<![\w.])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?![\w.])")


def redact(text: str) -> str:
    return PHONE.sub("[phone]", EMAIL.sub("[e-mail]", text))


def _redacting(factory):
    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info:  # the exception's message is part of the line too
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record
    return make_record


def configure(level: int = logging.INFO) -> None:
    """The process's logging: one line per record on standard error (supervisord writes it to
    var/log/NAME.log), warnings as log records, e-mail addresses and phone numbers masked."""
    logging.basicConfig(level=level, format=FORMAT)
    logging.captureWarnings(True)
    logging.setLogRecordFactory(_redacting(logging.getLogRecordFactory()))
