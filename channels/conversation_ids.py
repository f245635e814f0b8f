"""Conversation IDs are set by the server and name the channel, so no client can claim another's.

`rest:<sender>`, `web:<session>`, `slack:<team>:<user>:<channel>[:<thread>]`, `telegram:<chat>`:
a REST client that posts a Telegram chat's number talks in `rest:<number>`, a conversation of its
own. The bot's actions read the channel from the ID (never from what a request claims), and the
channels' outputs turn the ID back into the place they reply to.
"""
import hashlib
from typing import Optional

# Input channel name (what Rasa records as input_channel) -> namespace of its conversation IDs.
NAMESPACES = {"rest": "rest", "socketio": "web", "slack": "slack", "telegram": "telegram"}
CHANNELS = {namespace: channel for channel, namespace in NAMESPACES.items()}
PUSH_CHANNELS = ("socketio", "slack", "telegram")


def conversation_id(channel: str, *parts: str) -> str:
    """The ID of a conversation on `channel`, from what identifies it there."""
    return ":".join((NAMESPACES[channel], *parts))


def channel_of(conversation: str) -> Optional[str]:
    """The input channel a conversation ID belongs to; None for IDs no channel of ours set."""
    namespace, separator, _ = conversation.partition(":")
    return CHANNELS.get(namespace) if separator else None


def can_push(channel: Optional[str]) -> bool:
    """Whether a message can reach the learner on `channel` any time (a coach's reply, a close), not only
    as the answer to their request (REST)."""
    return channel in PUSH_CHANNELS


def local_part(conversation: str) -> str:
    """What follows the namespace: the sender, session, Slack place or chat a reply goes to."""
    return conversation.partition(":")[2] if channel_of(conversation) else conversation


def for_log(conversation: str) -> str:
    """How a log names a conversation: its channel and a short digest, never the ID itself (a REST
    sender may be an e-mail address, a Telegram chat number looks like a phone number)."""
    digest = hashlib.sha256(conversation.encode()).hexdigest()[:10]
    return f"{channel_of(conversation) or 'unknown'} conversation #{digest}"
