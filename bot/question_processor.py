"""Rasa's message processor, reading a message that asks several questions one question at a time.

Rasa runs the NLU pipeline once per message. "how much is the CAD course and is it online?" asks
two things, so each question (bot/understanding/clauses.py) is read again with the same pipeline
and the same conversation, and its frame kept under "questions" in the parse data; the answering
action answers each in order (bot/actions/questions.py). The message's own reading still decides
which rule runs, unless only one of its questions is ours: then that question's intent does.
`bot/rasa_server.py` has Rasa's agent use this processor.
"""
from dataclasses import replace
from typing import Any, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY

from bot.understanding import clauses
from bot.understanding.frame import QUESTIONS_KEY, Frame
from bot.understanding.scope import ANSWER, DECLINE


class QuestionReadingProcessor(MessageProcessor):
    """Parses each question of a several-question message as a message of its own."""

    async def parse_message(self, message: UserMessage, tracker: Optional[DialogueStateTracker] = None,
                            only_output_properties: bool = True) -> Dict[str, Any]:
        parse_data = await super().parse_message(message, tracker, only_output_properties)
        text = message.text or ""
        questions = clauses.questions(text) if not text.startswith("/") else [text]
        if len(questions) < 2:
            return parse_data
        frames = []
        for question in questions:
            part = UserMessage(question, sender_id=message.sender_id, input_channel=message.input_channel)
            frames.append(Frame.of(await super().parse_message(part, tracker, only_output_properties)))
        frames = about_the_same_thing(frames)
        answered = [frame for frame in frames if frame.verdict == ANSWER]
        if not answered:
            return parse_data  # none of its questions is ours alone: the message's own reading stands
        parse_data[QUESTIONS_KEY] = [frame.as_dict() for frame in frames]
        if Frame.of(parse_data).verdict != ANSWER:
            parse_data[INTENT] = {INTENT_NAME_KEY: answered[0].intent, PREDICTED_CONFIDENCE_KEY: answered[0].confidence}
        return parse_data


def about_the_same_thing(frames: List[Frame]) -> List[Frame]:
    """A question naming nothing after one about something that is not ours is about that thing
    too: "how do I enroll in TSA PreCheck, and what's the fee?" declines both."""
    read: List[Frame] = []
    for frame in frames:
        before = read[-1] if read else None
        names_nothing = not (frame.programs or frame.subject or frame.topic or frame.kinds or frame.reference)
        if before is not None and before.verdict == DECLINE and before.subject and names_nothing:
            frame = replace(frame, intent=before.intent, verdict=DECLINE, reason=f"about '{before.subject}' too")
        read.append(frame)
    return read
