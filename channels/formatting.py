"""The assistant writes lists as Markdown ("- item" lines after a blank line), which the website
widget renders; Slack and Telegram show text as it is, where a bullet reads better than a dash."""
import re

_MARKDOWN_ITEM = re.compile(r"^- ", re.MULTILINE)


def with_bullets(text: str) -> str:
    """ "- Introduction to Generative AI ($10)" → "• Introduction to Generative AI ($10)", one per line."""
    return _MARKDOWN_ITEM.sub("• ", text)
