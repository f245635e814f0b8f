"""E-mail to the coaches on duty when a handoff arrives (SMTP_URL), beside the Slack notice.

A mail leaves the desk's database behind, so it says no more than a coach needs to decide to look:
the channel, the reason, the first line of the learner's newest message and the link. It is sent by
the desk's housekeeping round, outside any transaction, with the standard library's SMTP client in
a worker thread (a slow mail server never stalls the desk's pages).
"""
import asyncio
import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import List, Sequence
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import sessionmaker

from channels.config import ServerConfig
from handoff_db import handoffs

logger = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 10


def handoff_email(config: ServerConfig, handoff: handoffs.HandoffView, recipients: Sequence[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"New handoff #{handoff.id} from {handoff.channel_name}"
    message["From"] = config.smtp_from
    message["To"] = ", ".join(recipients)
    first = handoffs.first_line(handoff.last_learner_message)
    message.set_content("\n".join([
        f"A learner on {handoff.channel_name} is waiting for a coach ({handoff.reason}).",
        *([f"They wrote: {first}"] if first else []),
        "",
        f"Open it on the desk: {config.public_url.rstrip('/')}/desk/handoffs/{handoff.id}",
        "",
        "You get this because you are on duty on the coach desk.",
    ]))
    return message


def send(smtp_url: str, message: EmailMessage) -> None:
    """One message through the configured server (blocking: run it in a thread)."""
    parts = urlsplit(smtp_url)
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=SMTP_TIMEOUT_SECONDS,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if parts.scheme == "smtp":
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


async def email_new_handoffs(sessions_of: sessionmaker, config: ServerConfig) -> List[int]:
    """E-mail each handoff the on-duty coaches have not heard of; returns the handoffs sent. Nobody on
    duty: they are marked done, so a coach coming on duty is not sent a backlog."""
    if not config.smtp_url:
        return []
    with sessions_of() as session:
        waiting, recipients = handoffs.unemailed(session), handoffs.coaches_on_duty_emails(session)
    sent = []
    for handoff in waiting:
        if recipients:
            try:
                await asyncio.to_thread(send, config.smtp_url, handoff_email(config, handoff, recipients))
            except (OSError, smtplib.SMTPException) as error:
                logger.error("could not e-mail handoff %s to the coaches on duty: %s", handoff.id,
                             error.__class__.__name__)
                break  # the next round tries again
        sent.append(handoff.id)
    with sessions_of() as session, session.begin():
        handoffs.mark_emailed(session, sent)
    return sent
