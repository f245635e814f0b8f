"""The desk's analytics through aiohttp's test client: who sees what, CSRF, escaping, CSV, the reviewed file."""
import csv
import io
import re
from xml.etree import ElementTree

import pytest
import yaml

from catalog_db.engine import get_engine, make_session
from channels import ratings
from channels.config import ServerConfig
from channels.desk.analytics import review
from channels.desk.app import create_desk_app
from handoff_db import desk_access
from handoff_db.models import AuditEntry
from handoff_db.schema import create_schema
from tests.analytics.conftest import DAY_1, DAY_2, office_log
from tests.analytics.event_log import EventLog

PASSWORD = "correct horse battery"
PERIOD = "start=2026-11-23&end=2026-11-24"
HOSTILE = "<script>alert('x')</script> what's the weather on mars"
RATED, RATED_ANSWER = "what jobs can I get after it", "It is a <b>short</b> course."
HOSTILE_PROGRAM = "=HYPERLINK(\"http://evil\")<img src=x onerror=alert(1)>"


@pytest.fixture
def config(tmp_path):
    desk = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    tracker = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    create_schema(get_engine(desk, create=True))
    with make_session(desk) as session, session.begin():
        desk_access.create_coach(session, "dana", PASSWORD)
        desk_access.create_coach(session, "ali", PASSWORD, admin=True)
    log = office_log()
    EventLog(DAY_1.replace(hour=20), rows=log.rows, channels=log.channels).store(get_engine(tracker, create=True))
    hostile = EventLog(DAY_1.replace(hour=21)).session("mal", "rest")
    hostile.turn("mal", HOSTILE, "out_of_scope", "utter_out_of_scope", "utter_out_of_scope")
    hostile.turn("mal", "how much is it", "ask_cost", "action_answer_question", "utter_program_cost",
                 program=HOSTILE_PROGRAM)
    hostile.store(get_engine(tracker))
    rated = EventLog(DAY_2.replace(hour=23)).session("zed", "telegram")  # the newest message in the review
    rated.user("zed", RATED, "ask_overview").action("zed", "action_answer_question")
    rated.bot("zed", "utter_program_overview", RATED_ANSWER, buttons=ratings.BUTTONS).listen("zed")
    rated.rate("zed", "down").store(get_engine(tracker))
    return ServerConfig(session_secret="desk-secret", database_url=desk, tracker_db_url=tracker,
                        catalog_db_url=desk, reviewed_nlu_path=tmp_path / "reviewed.yml")


@pytest.fixture
async def client(aiohttp_client, config):
    return await aiohttp_client(create_desk_app(config))


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def sign_in(client, username):
    page = await client.get("/login")
    response = await client.post("/login", data={"username": username, "password": PASSWORD,
                                                 "csrf": csrf_of(await page.text())}, allow_redirects=False)
    assert response.status == 303


async def test_strangers_are_sent_to_sign_in(client):
    for path in ("/analytics", f"/analytics/charts/faq.svg?{PERIOD}", f"/analytics/data/faq.csv?{PERIOD}",
                 "/analytics/review", "/analytics/conversations/1"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 302 and response.headers["Location"].endswith("/login"), path
    assert (await client.post("/analytics/review/label", data={"csrf": "x"}, allow_redirects=False)).status == 302


async def test_coaches_see_the_overview_but_not_learners_messages(client):
    await sign_in(client, "dana")
    page = await (await client.get(f"/analytics?{PERIOD}")).text()
    assert re.search(r'data-figure="conversations">8<', page)  # the office's 6, mal's and zed's
    assert re.search(r'data-figure="satisfaction">0.0 %<', page) and 'data-count="unhelpful">1<' in page
    assert "No coach took a handoff in this period." in page
    assert "Review missed messages" not in page
    for path in ("/analytics/review", "/analytics/conversations/1"):
        assert (await client.get(path)).status == 403
    response = await client.post("/analytics/review/label", data={"csrf": csrf_of(page), "decision": "dismissed",
                                                                  "key": "k", "message": "1"})
    assert response.status == 403


async def review_page(client) -> str:
    response = await client.get(f"/analytics/review?{PERIOD}")
    assert response.status == 200
    return await response.text()


def row_html(page: str, text: str) -> str:
    """The review row of the group `text` is in."""
    row = page[page.index(f'data-key="{review.text_key(text)}"'):]
    return row[:row.index("</tr>")]


def row_of(page: str, text: str) -> dict:
    """The hidden fields of the review row's own form showing `text` (not its tick, which is the bulk form's)."""
    form = row_html(page, text)
    form = form[form.index('<form method="post"'):]
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))


def tick_of(page: str, text: str) -> str:
    """The value of the review row's tick, for the bulk form."""
    return re.search(r'form="bulk" name="row" value="([^"]*)"', row_html(page, text)).group(1)


async def test_admins_review_learner_text_as_text(client):
    await sign_in(client, "ali")
    page = await review_page(client)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; what&#39;s the weather on mars" in page
    assert "faq_worth_it" in page and "ask_cost" in page  # the choices
    conversation = re.search(r'href="(/analytics/conversations/\d+)"', row_html(page, HOSTILE)).group(1)
    transcript = await (await client.get(conversation)).text()
    assert "&lt;script&gt;" in transcript and "<script>alert" not in transcript


async def test_labelling_needs_the_csrf_token_and_writes_the_reviewed_file(client, config):
    await sign_in(client, "ali")
    page = await review_page(client)
    fields = row_of(page, HOSTILE)
    for token in (None, "wrong"):
        data = {**fields, "decision": "off_topic"}
        data.pop("csrf")
        if token:
            data["csrf"] = token
        assert (await client.post("/analytics/review/label", data=data)).status == 403
    assert not config.reviewed_nlu_path.exists()

    response = await client.post("/analytics/review/label", data={**fields, "decision": "off_topic"})
    assert response.status == 200 and "Added as an example of out_of_scope" in await response.text()
    assert review.read_examples(config.reviewed_nlu_path) == {
        "out_of_scope": ["<script>alert('x')</script> what's the weather on mars"]}
    assert yaml.safe_load(config.reviewed_nlu_path.read_text())["version"] == "3.1"
    assert review.text_key(HOSTILE) not in await review_page(client)

    worth = row_of(await review_page(client), "is it worth it")
    await client.post("/analytics/review/label", data={**worth, "decision": "example", "intent": "faq_worth_it"})
    assert review.read_examples(config.reviewed_nlu_path)["faq_worth_it"] == ["is it worth it"]
    made_up = row_of(await review_page(client), "zzz blorp")
    bad = await client.post("/analytics/review/label", data={**made_up, "decision": "example", "intent": "hack: me"})
    assert bad.status == 400
    with make_session(config.database_url) as session:
        logged = [(a.coach, a.action) for a in session.query(AuditEntry).order_by(AuditEntry.id)]
    assert ("ali", "review off_topic out_of_scope") in logged and ("ali", "review example faq_worth_it") in logged


async def test_a_label_must_name_a_message_of_its_group(client, config):
    await sign_in(client, "ali")
    page = await review_page(client)
    fields = {**row_of(page, HOSTILE), "key": review.text_key("zzz blorp"), "decision": "off_topic"}
    assert (await client.post("/analytics/review/label", data=fields)).status == 400
    assert not config.reviewed_nlu_path.exists()


async def test_charts_are_svg_with_escaped_text(client):
    await sign_in(client, "dana")
    response = await client.get(f"/analytics/charts/programs.svg?{PERIOD}")
    assert response.status == 200 and response.content_type == "image/svg+xml"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    svg = await response.text()
    tree = ElementTree.fromstring(svg.encode())  # well-formed: the label did not break out
    names = "".join(tree.itertext())
    assert HOSTILE_PROGRAM in names and "<img" not in svg
    bars = [e for e in tree.iter() if (e.get("id") or "").startswith("bar-")]
    assert len(bars) == 2  # gen AI and the hostile slug
    funnel = ElementTree.fromstring((await (await client.get(f"/analytics/charts/funnel.svg?{PERIOD}")).text()).encode())
    assert len([e for e in funnel.iter() if (e.get("id") or "").startswith("bar-")]) == 7  # started, five steps, recommendation
    page = await (await client.get(f"/analytics?{PERIOD}")).text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page
    assert (await client.get(f"/analytics/charts/nothing.svg?{PERIOD}")).status == 404


async def test_csv_export_holds_the_chart_numbers(client):
    await sign_in(client, "dana")
    response = await client.get(f"/analytics/data/programs.csv?{PERIOD}")
    assert response.content_type == "text/csv"
    assert 'filename="programs-2026-11-23-2026-11-24.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(await response.text())))
    assert rows[0] == ["program", "questions"]
    assert sorted(rows[1:]) == sorted([["introduction-to-generative-ai", "1"], ["'" + HOSTILE_PROGRAM, "1"]])
    per_day = list(csv.reader(io.StringIO(await (await client.get(f"/analytics/data/conversations.csv?{PERIOD}")).text())))
    assert per_day == [["day", "API", "Slack", "Telegram", "website"], ["2026-11-23", "2", "1", "0", "1"],
                       ["2026-11-24", "0", "0", "2", "2"]]


async def test_a_wrong_period_is_explained(client):
    await sign_in(client, "dana")
    for query in ("days=12", "start=2026-11-30&end=2026-11-01", "start=yesterday", "start=2020-01-01&end=2026-01-01"):
        response = await client.get(f"/analytics?{query}")
        assert response.status == 400 and "Cannot show that period" in await response.text(), query


def test_command_line_makes_admins_and_purges_old_conversations(config, monkeypatch, capsys):
    from channels.desk.__main__ import main

    monkeypatch.setenv("HANDOFF_DB_URL", config.database_url)
    monkeypatch.setenv("TRACKER_DB_URL", config.tracker_db_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["create-coach", "root", "--admin", "--password-stdin"]) == 0
    assert "Admin root can now sign in." in capsys.readouterr().out
    with make_session(config.database_url) as session:
        assert desk_access.is_admin(session, "root") and not desk_access.is_admin(session, "dana")
    assert main(["purge", "--days", "1"]) == 0  # the log is from November 2026, days before this test runs
    assert re.search(r"Deleted [1-9]\d+ conversation events", capsys.readouterr().out)
    with get_engine(config.tracker_db_url).connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM events").scalar() == 0


async def test_pages_use_the_databases_the_app_opened(client, monkeypatch):
    """Views take their sessions from the app (opened in cleanup_ctx), never open a database by URL."""
    def refuse(url):
        raise AssertionError(f"a view opened {url} by URL")
    monkeypatch.setattr("catalog_db.engine._engine_for", refuse)
    await sign_in(client, "ali")
    for path in (f"/analytics?{PERIOD}", f"/analytics/charts/programs.svg?{PERIOD}", f"/analytics/data/faq.csv?{PERIOD}",
                 f"/analytics/review?{PERIOD}", "/analytics/conversations/1", "/"):
        assert (await client.get(path)).status == 200, path


async def test_the_review_filters_searches_and_sorts(client):
    await sign_in(client, "ali")

    async def keys(query=""):
        page = (await (await client.get(f"/analytics/review?{PERIOD}&{query}")).text())
        return [key for key in re.findall(r'<tr data-key="(\w+)"', page)], page
    every, page = await keys()
    weather = review.text_key("what's the weather like tomorrow")
    assert every[0] == weather  # the most frequent first (twice)
    assert RATED in page and "rated unhelpful ×1" in page
    assert "It is a &lt;b&gt;short&lt;/b&gt; course." in page and "<b>short</b>" not in page  # the answer, as text
    newest, _ = await keys("order=newest")
    assert newest[0] == review.text_key(RATED) and sorted(newest) == sorted(every)
    assert (await keys("kind=unhelpful"))[0] == [review.text_key(RATED)]
    assert sorted((await keys("kind=misunderstood&kind=low_confidence"))[0]) == sorted(
        review.text_key(t) for t in ("zzz blorp", "asdf qwer", "is it worth it"))
    on_the_website, _ = await keys("channel=socketio")
    assert review.text_key("is it worth it") in on_the_website and review.text_key("zzz blorp") not in on_the_website
    assert (await keys("q=BLORP"))[0] == [review.text_key("zzz blorp")]
    assert (await keys("q=weather%20tomorrow&channel=telegram"))[0] == []


async def test_intents_are_offered_by_name_with_an_example_and_none_chosen(client):
    await sign_in(client, "ali")
    select = row_html(await review_page(client), "zzz blorp")
    select = select[select.index('<select name="intent">'):select.index("</select>")]
    options = re.findall(r'<option value="(\w*)"( selected)?>([^<]*)</option>', select)
    assert options[0] == ("", " selected", "Choose what it asks…")
    assert all(not chosen for _, chosen, _ in options[1:])
    named = {value: label for value, _, label in options}
    assert named["faq_worth_it"].startswith("General question: worth it (e.g. “")
    assert named["ask_cost"].startswith("Asks about: cost (e.g. “")
    assert "rate_answer" not in named and "message_too_long" not in named


async def test_several_groups_are_labelled_at_once(client, config):
    await sign_in(client, "ali")
    page = await review_page(client)
    ticked = [tick_of(page, text) for text in ("zzz blorp", "asdf qwer")]
    response = await client.post("/analytics/review/label", data=[
        ("csrf", csrf_of(page)), ("decision", "dismissed"), ("back", f"{PERIOD}&order=newest"),
        *(("row", tick) for tick in ticked)])
    assert response.status == 200 and "Dismissed 2 groups." in await response.text()
    assert "order=newest" in str(response.url)
    page = await review_page(client)
    assert review.text_key("zzz blorp") not in page and review.text_key("asdf qwer") not in page
    ticked = [tick_of(page, text) for text in (HOSTILE, RATED)]
    response = await client.post("/analytics/review/label", data=[
        ("csrf", csrf_of(page)), ("decision", "example"), ("intent", "ask_overview"), *(("row", t) for t in ticked)])
    assert "Added 2 examples of ask_overview" in await response.text()
    assert review.read_examples(config.reviewed_nlu_path)["ask_overview"] == [
        "<script>alert('x')</script> what's the weather on mars", RATED]
    nothing = await client.post("/analytics/review/label", data={"csrf": csrf_of(page), "decision": "dismissed"})
    assert nothing.status == 400
    with make_session(config.database_url) as session:
        logged = [a.action for a in session.query(AuditEntry).filter(AuditEntry.action.like("review %"))]
    assert logged == ["review dismissed"] * 2 + ["review example ask_overview"] * 2
