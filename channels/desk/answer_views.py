"""The general answers' wording on the desk (admins): each answer with its current text, a preview as the
chat widget shows it, saved as a new version (who, when) and reverted to any earlier one.

The domain (bot/domain/faq.yml) keeps the shipped wording; versions live in the catalog database
(catalog_db/answer_versions.py), where the action answering general questions reads them on the next
message (bot/actions/questions.py), and where the catalog facts their placeholders name are. Every
change is in the audit log with who made it.
"""
import html
import re
from functools import lru_cache
from typing import Dict, List, Optional
from urllib.parse import urlencode

import yaml
from aiohttp import web
from markupsafe import Markup
from sqlalchemy.orm import Session

from bot.actions import answer_placeholders
from catalog_db import answer_versions
from catalog_db.engine import PROJECT_ROOT
from channels.desk.catalog_views import _audit
from channels.desk.keys import catalog_key
from channels.desk.views import _url, coach_required, page

FAQ_DOMAIN = PROJECT_ROOT / "bot" / "domain" / "faq.yml"


@lru_cache(maxsize=None)
def shipped_answers() -> Dict[str, str]:
    """The general answers the domain ships, by response: the default wording of each."""
    responses = yaml.safe_load(FAQ_DOMAIN.read_text(encoding="utf-8"))["responses"]
    return {name: variants[0]["text"] for name, variants in responses.items() if answer_versions.is_editable(name)}


def title(response: str) -> str:
    """"utter_faq_compare_cost" → "Compare cost"."""
    words = response.removeprefix("utter_faq_").removeprefix("utter_general_").replace("_", " ")
    return words[:1].upper() + words[1:]


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def as_the_widget_shows(text: str) -> Markup:
    """The answer as the website's chat widget renders its Markdown: paragraphs, "- " lists, **bold**
    and links; everything escaped first, so the preview shows markup an admin typed as text."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        inline = [_LINK.sub(r'<a href="\2" rel="noopener noreferrer">\1</a>', _BOLD.sub(r"<strong>\1</strong>",
                  html.escape(line, quote=True))) for line in lines]
        if lines and all(line.startswith("- ") for line in lines):
            blocks.append("<ul>" + "".join(f"<li>{item[2:]}</li>" for item in inline) + "</ul>")
        else:
            blocks.append("<p>" + " ".join(inline) + "</p>")
    return Markup("".join(blocks))


def _response_or_404(request: web.Request) -> str:
    response = request.match_info["response"]
    if response not in shipped_answers():
        raise web.HTTPNotFound(text="No such answer.")
    return response


@coach_required(admin=True)
async def answers_page(request: web.Request) -> web.Response:
    """Every general answer: its current text, and who last changed it."""
    with request.app[catalog_key]() as session:
        newest = answer_versions.newest_versions(session)
    shipped = shipped_answers()
    answers = [{"response": name, "title": title(name), "text": (newest[name].text if name in newest else None) or text,
                "version": newest.get(name)} for name, text in sorted(shipped.items(), key=lambda item: title(item[0]))]
    return page(request, "answers.html", answers=answers, notice=request.query.get("notice"))


def _answer_page(request: web.Request, session: Session, response: str, draft: Optional[str] = None,
                 preview: Optional[str] = None, problems: Optional[List[str]] = None, notice: Optional[str] = None,
                 status: int = 200) -> web.Response:
    versions = answer_versions.history(session, response)
    default = shipped_answers()[response]
    current = versions[0].text if versions and versions[0].text is not None else default
    return page(request, "answer.html", status=status, response=response, title=title(response), default=default,
                current=current, current_version=versions[0] if versions else None, versions=versions,
                draft=current if draft is None else draft, preview=as_the_widget_shows(preview) if preview else None,
                problems=problems or [], notice=notice, how=answer_placeholders.HOW)


@coach_required(admin=True)
async def answer_page(request: web.Request) -> web.Response:
    response = _response_or_404(request)
    with request.app[catalog_key]() as session:
        return _answer_page(request, session, response, notice=request.query.get("notice"))


def _back(request: web.Request, response: str, notice: str) -> web.HTTPFound:
    return web.HTTPFound(_url(request, "answer", response=response) + "?" + urlencode({"notice": notice}))


@coach_required(admin=True)
async def save_answer(request: web.Request) -> web.StreamResponse:
    """Preview the text typed (nothing saved) or save it as the answer's newest version; either way its
    placeholders are checked against the catalog first."""
    response, form = _response_or_404(request), request["form"]
    text = str(form.get("text", "")).replace("\r\n", "\n").strip()
    with request.app[catalog_key]() as session, session.begin():
        problems = answer_placeholders.problems(session, text)
        if not text or len(text) > answer_versions.MAX_TEXT:
            problems.append(f"An answer needs a text of at most {answer_versions.MAX_TEXT} characters.")
        if problems:
            return _answer_page(request, session, response, draft=text, problems=problems, status=400)
        if form.get("action") == "preview":
            return _answer_page(request, session, response, draft=text,
                                preview=answer_placeholders.fill(session, text))
        saved = answer_versions.save_version(session, response, text, request["desk_session"].coach)
    _audit(request, f"answer changed: {response} (version {saved.id})")
    raise _back(request, response, "Saved. The assistant says it from the next message on.")


@coach_required(admin=True)
async def revert_answer(request: web.Request) -> web.StreamResponse:
    """Go back to an earlier version, or to the shipped wording: saved as a new version, so the history
    keeps what was said before."""
    response, wanted = _response_or_404(request), str(request["form"].get("version", ""))
    with request.app[catalog_key]() as session, session.begin():
        if wanted == "default":
            text, label = None, "the shipped wording"
        else:
            earlier = answer_versions.version(session, int(wanted)) if wanted.isdigit() else None
            if earlier is None or earlier.response != response:
                raise web.HTTPNotFound(text="No such version of this answer.")
            text, label = earlier.text, f"version {earlier.id}"
        problems = answer_placeholders.problems(session, text) if text else []
        if problems:
            return _answer_page(request, session, response, problems=problems, status=400)
        saved = answer_versions.save_version(session, response, text, request["desk_session"].coach)
    _audit(request, f"answer reverted: {response} to {label} (version {saved.id})")
    raise _back(request, response, f"Back to {label}.")
