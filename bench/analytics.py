"""The desk's analytics at volume: 100,000 synthetic conversations (about 1.5 million events) over 90 days.

For SQLite (two files, as `make run` keeps them) and for a scratch database on the local PostgreSQL
(created and dropped here), fills Rasa's events table with conversations shaped as Rasa stores them
(channels, FAQ and program questions with learners' ratings, off-topic and misunderstood messages,
the questionnaire, handoffs with coach replies), folds them into the summary, then times the overview
page (with and without its eight charts) and the review page (as it opens, filtered, searched) over
the 90 days, through HTTP on the real desk.
Run: `.venv/bin/python -m bench.analytics` (`--conversations N`, `--only sqlite|postgresql`).
"""
import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List, Tuple

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import create_engine, insert, text
from zoneinfo import ZoneInfo

from catalog_db.engine import get_engine, make_session
from catalog_db.loader import SEED_PATH, load_catalog, parse_catalog
from catalog_db.migrations import upgrade_schema
from channels import ratings
from channels.config import ServerConfig
from channels.desk.analytics import summary
from channels.desk.analytics.tracker_events import events, metadata
from channels.desk.app import create_desk_app
from handoff_db import desk_access
from handoff_db import schema as handoff_schema
from handoff_db.models import Handoff, HandoffMessage

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"
ZONE = ZoneInfo("America/New_York")
PASSWORD = "bench password 1"
CHANNELS = (("socketio", 0.55), ("slack", 0.2), ("telegram", 0.2), ("rest", 0.05))
FAQ_TOPICS = ("what_is_microcredential", "what_is_certificate", "difference_overview", "compare_cost", "compare_time",
              "financial_aid", "stacking", "enroll", "worth_it", "quality", "credits", "badge")
RANKING = [{"name": name, "confidence": 0.001} for name in (
    "greet", "thank", "deny", "contact_info", "affirm", "stop", "compare_programs", "acknowledge", "ask_recommendation")]


class Conversations:
    """Writes one synthetic conversation after another as Rasa's events, and the desk's handoffs."""

    def __init__(self, rng: random.Random, start: float, seconds: float, slugs: List[str]):
        self.rng, self.start, self.seconds, self.slugs = rng, start, seconds, slugs
        self.rows: List[dict] = []
        self.handoffs: List[Tuple[str, float, bool]] = []  # (sender, opened at, answered)
        self.off_topic = [f"off-topic question {n}" for n in range(2000)]
        self.missed = [f"something we do not know {n}" for n in range(20000)]

    def _event(self, sender: str, at: float, kind: str, data: dict, intent=None, action=None) -> None:
        self.rows.append({"sender_id": sender, "type_name": kind, "timestamp": at, "intent_name": intent,
                          "action_name": action,
                          "data": json.dumps({"event": kind, "timestamp": at, "metadata": {"model_id": "bench"}, **data})})

    def _user(self, sender, at, channel, text, intent, confidence=0.98, entities=()):
        parse = {"intent": {"name": intent, "confidence": confidence}, "entities": list(entities), "text": text,
                 "message_id": uuid.uuid4().hex, "metadata": {}, "intent_ranking": [
                     {"name": intent, "confidence": confidence}, *RANKING]}
        self._event(sender, at, "user", {"text": text, "parse_data": parse, "input_channel": channel}, intent=intent)
        self._event(sender, at + 0.01, "user_featurization", {"use_text_for_featurization": False})

    def _action(self, sender, at, name):
        self._event(sender, at, "action", {"name": name, "policy": "RulePolicy", "confidence": 1.0}, action=name)

    def _bot(self, sender, at, response, buttons=(), **extra):
        self._event(sender, at, "bot", {"text": "A reply of a sentence or two from the domain.",
                                        "data": {"buttons": list(buttons)}, "metadata": {"utter_action": response, **extra}})

    def _slot(self, sender, at, name, value):
        self._event(sender, at, "slot", {"name": name, "value": value}, action=name)

    def turn(self, sender, at, channel, text, intent, action, responses, slots=(), rated=False, **user):
        """One turn; a `rated` answer carries the rating buttons, which a fifth of learners tap (most up)."""
        self._user(sender, at, channel, text, intent, **user)
        self._action(sender, at + 0.02, action)
        for n, response in enumerate(responses):
            self._bot(sender, at + 0.03, response, ratings.BUTTONS if rated and n == len(responses) - 1 else ())
        for name, value in slots:
            self._slot(sender, at + 0.03, name, value)
        self._action(sender, at + 0.04, "action_listen")
        if rated and self.rng.random() < 0.2:
            value = "up" if self.rng.random() < 0.7 else "down"
            self._user(sender, at + 3, channel, ratings.payload(value), ratings.RATING_INTENT, 1.0,
                       [{"entity": ratings.RATING_ENTITY, "value": value}])
            self._bot(sender, at + 3.01, "utter_rating_thanks" if value == "up" else "utter_rating_sorry")
            self._action(sender, at + 3.02, "action_listen")

    def conversation(self, n: int) -> None:
        rng = self.rng
        sender = f"bench-{n}"
        channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        at = self.start + rng.random() * self.seconds
        self._action(sender, at, "action_session_start")
        self._event(sender, at, "session_started", {})
        self._action(sender, at, "action_listen")
        kind = rng.random()
        if kind < 0.08:
            self.questionnaire(sender, at, channel)
            return
        for turn in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4))):
            at += rng.uniform(5, 40)
            what = rng.random()
            if what < 0.35:
                topic = FAQ_TOPICS[min(int(rng.paretovariate(1.2)) - 1, len(FAQ_TOPICS) - 1)]
                guess = rng.random() < 0.05
                self.turn(sender, at, channel, f"a question about {topic}", f"faq_{topic}", "action_answer_question",
                          [f"utter_faq_{topic}"], confidence=0.45 if guess else 0.97, rated=turn % 3 == 0)
            elif what < 0.65:
                slug = self.slugs[min(int(rng.paretovariate(1.0)) - 1, len(self.slugs) - 1)]
                self.turn(sender, at, channel, f"how much is {slug}", "ask_cost", "action_answer_question",
                          ["utter_program_cost"], [("program", slug)], rated=turn % 3 == 0)
            elif what < 0.73:
                text = self.off_topic[min(int(rng.paretovariate(0.8)) - 1, len(self.off_topic) - 1)]
                self.turn(sender, at, channel, text, "out_of_scope", "utter_out_of_scope", ["utter_out_of_scope"])
            elif what < 0.79:
                self.turn(sender, at, channel, rng.choice(self.missed), "nlu_fallback", "action_fallback",
                          ["utter_default"], confidence=0.3)
            elif what < 0.82:
                self.turn(sender, at + 1, channel, "can I talk to a person", "human_handoff", "action_handoff",
                          [self.handoff(sender, at)], [("handoff_active", True)])
                at += 60
                self.turn(sender, at, channel, "thanks, I'll wait", "thank", "action_relay_to_coach", [],
                          [("handoff_active", True)])
                return
            else:
                self.turn(sender, at, channel, rng.choice(("hi", "thanks", "ok", "bye")), "greet", "utter_greet",
                          ["utter_greet"])

    def handoff(self, sender: str, at: float) -> str:
        after_hours = self.rng.random() < 0.3
        self.handoffs.append((sender, at, self.rng.random() < 0.9))
        return "utter_handoff_after_hours" if after_hours else "utter_handoff_started"

    def questionnaire(self, sender: str, at: float, channel: str) -> None:
        rng = self.rng
        self._user(sender, at, channel, "help me choose", "ask_recommendation")
        self._action(sender, at, "decision_form")
        self._event(sender, at, "active_loop", {"name": "decision_form"}, action="decision_form")
        self._action(sender, at, "action_listen")
        answered = rng.choice((1, 2, 3, 4, 5, 6, 6, 6, 6, 6))
        for slot in summary.QUESTIONNAIRE_SLOTS[:answered]:
            at += rng.uniform(5, 30)
            self.turn(sender, at, channel, f"my answer about {slot}", "inform_situation", "decision_form", [],
                      [(slot, "an answer")], confidence=0.7)
        if answered == len(summary.QUESTIONNAIRE_SLOTS):
            path = rng.choice(("a micro-credential", "an undergraduate certificate", "a graduate certificate"))
            self._event(sender, at + 0.05, "active_loop", {"name": None})
            self._bot(sender, at + 0.05, "utter_recommendation", path=path)
            self._bot(sender, at + 0.05, "utter_offer_coach")
            self._action(sender, at + 0.05, "action_listen")
            if rng.random() < 0.3:
                self.turn(sender, at + 20, channel, "yes", "affirm", "action_handoff", [self.handoff(sender, at + 20)],
                          [("handoff_active", True)])

    def flush(self, tracker) -> None:
        with tracker.begin() as connection:
            connection.execute(insert(events), self.rows)
        self.rows = []


def fill(tracker, desk_url: str, conversations: int, rng: random.Random) -> Tuple[int, float]:
    """Rasa's events for `conversations` conversations over the last 90 days; returns (events, seconds)."""
    metadata.create_all(tracker)
    started = time.perf_counter()
    now = datetime.now(timezone.utc).timestamp()
    maker = Conversations(rng, now - 90 * 86400, 90 * 86400 - 600, [p["slug"] for p in parse_catalog(SEED_PATH).programs])
    written = 0
    for n in range(conversations):
        maker.conversation(n)
        if len(maker.rows) >= 20000:
            written += len(maker.rows)
            maker.flush(tracker)
    written += len(maker.rows)
    maker.flush(tracker)
    with make_session(desk_url) as session, session.begin():
        for sender, opened, answered in maker.handoffs:
            moment = datetime.fromtimestamp(opened, timezone.utc)
            handoff = Handoff(sender_id=sender, channel="rest", reason="asked for a person", summary={},
                              created_at=moment, status="closed", closed_at=moment + timedelta(hours=1))
            if answered:
                handoff.messages = [HandoffMessage(role="coach", text="hi", author="coach", created_at=moment +
                                                   timedelta(seconds=rng.lognormvariate(6, 1)))]
            session.add(handoff)
    return written, time.perf_counter() - started


async def time_pages(config: ServerConfig, rounds: int) -> Dict[str, float]:
    """Median seconds of each page over `rounds` loads, through HTTP with a signed-in admin."""
    server = TestServer(create_desk_app(config))
    await server.start_server()
    timings: Dict[str, List[float]] = {"overview": [], "overview and its charts": [], "review": [],
                                       "review, rated unhelpful on Telegram": [], "review, a word search": []}
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:  # an IP address
            base = str(server.make_url("/"))
            page = await (await client.get(base + "login")).text()
            csrf = page.split('name="csrf" value="')[1].split('"')[0]
            await client.post(base + "login", data={"username": "admin", "password": PASSWORD, "csrf": csrf})
            # Not timed: a desk that has just started (its first rounds, the first drawing) is not what is measured.
            for path in ("analytics?days=90", "analytics/charts/conversations.svg?days=90", "analytics/review?days=90"):
                await (await client.get(base + path)).read()
            await asyncio.sleep(10)
            for _ in range(rounds):
                started = time.perf_counter()
                html = await (await client.get(base + "analytics?days=90")).text()
                overview = time.perf_counter() - started
                assert "data-figure=\"conversations\"" in html, html[:500]
                for chart in ("conversations", "rates", "faq", "programs", "funnel", "satisfaction",
                              "satisfaction_topics", "satisfaction_programs"):
                    response = await client.get(f"{base}analytics/charts/{chart}.svg?days=90")
                    assert response.status == 200
                    await response.read()
                timings["overview"].append(overview)
                timings["overview and its charts"].append(time.perf_counter() - started)
                started = time.perf_counter()
                response = await client.get(base + "analytics/review?days=90")
                assert response.status == 200 and "data-key" in await response.text()
                timings["review"].append(time.perf_counter() - started)
                for name, query in (("review, rated unhelpful on Telegram", "kind=unhelpful&channel=telegram"),
                                    ("review, a word search", "q=we+do+not+know+123")):
                    started = time.perf_counter()
                    response = await client.get(f"{base}analytics/review?days=90&{query}")
                    assert response.status == 200 and "data-key" in await response.text(), name
                    timings[name].append(time.perf_counter() - started)
    finally:
        await server.close()
    return {name: statistics.median(values) for name, values in timings.items()}


def run(name: str, tracker_url: str, desk_url: str, conversations: int, rounds: int) -> None:
    tracker, desk = create_engine(tracker_url, future=True), get_engine(desk_url, create=True)
    upgrade_schema(desk)
    handoff_schema.create_schema(desk)
    with make_session(desk_url) as session, session.begin():
        load_catalog(session, parse_catalog(SEED_PATH))
        desk_access.create_coach(session, "admin", PASSWORD, admin=True)
    written, filling = fill(tracker, desk_url, conversations, random.Random(11))
    print(f"{name}: {conversations} conversations, {written} events written in {filling:.0f} s")
    summary.create_schema(desk)
    started = time.perf_counter()
    folded = summary.update(desk, tracker, ZONE)
    building = time.perf_counter() - started
    print(f"{name}: summary built from scratch in {building:.1f} s ({folded / building:.0f} events/s)")
    with tempfile.TemporaryDirectory() as scratch:
        config = ServerConfig(session_secret="bench", database_url=desk_url, tracker_db_url=tracker_url, retention_days=365,
                              catalog_db_url=desk_url, reviewed_nlu_path=Path(scratch) / "reviewed.yml")
        timings = asyncio.run(time_pages(config, rounds))
    for page, seconds in timings.items():
        print(f"{name}: {page} page, 90 days: median {seconds * 1000:.0f} ms over {rounds} loads")
    tracker.dispose()
    desk.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as scratch:
            run("SQLite", f"sqlite:///{scratch}/tracker.sqlite3", f"sqlite:///{scratch}/desk.sqlite3",
                args.conversations, args.rounds)
    if args.only != "sqlite":
        database = f"analytics_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        try:
            url = f"{POSTGRES}/{database}"
            run("PostgreSQL", url, url, args.conversations, args.rounds)
        finally:
            get_engine(f"{POSTGRES}/{database}").dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
