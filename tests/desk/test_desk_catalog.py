"""The catalog and the general answers on the desk, through aiohttp's test client with real databases
(the seed catalog in a SQLite file of its own): admins only, CSRF, validation by field, escaping,
the audit log, import and export, answer versions with preview and revert."""
import dataclasses
import re

import pytest
from aiohttp import FormData

from catalog_db import answer_versions, queries
from catalog_db.engine import get_engine, make_session
from catalog_db.loader import SEED_PATH, load_catalog, parse_catalog, parse_catalog_text
from catalog_db.migrations import upgrade_schema
from channels.desk.app import create_desk_app
from handoff_db import desk_access
from tests.desk.conftest import PASSWORD, csrf_of, sign_in
from tests.desk.test_desk_work import HOSTILE, audit_log

GENAI = "introduction-to-generative-ai"
NEW_PROGRAM = {"slug": "welding-basics", "name": "Welding Basics", "kind": "micro-credential",
               "institution": "Marshall University", "cost_usd": "75", "duration_min": "3", "duration_max": "5",
               "duration_unit": "weeks", "delivery_format": "hybrid", "financial_aid": "no",
               "aliases": "welding course\nweld basics", "topics": "welding\nsafety"}


@pytest.fixture
def catalog(tmp_path):
    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    upgrade_schema(get_engine(url, create=True))
    with make_session(url) as session, session.begin():
        load_catalog(session, parse_catalog(SEED_PATH))
    return url


@pytest.fixture
def desk(config, catalog, database):
    with make_session(database) as session, session.begin():
        desk_access.create_coach(session, "ada", PASSWORD, admin=True)
    return dataclasses.replace(config, catalog_db_url=catalog)


async def signed_in(aiohttp_client, config, username):
    client = await aiohttp_client(create_desk_app(config))
    assert (await sign_in(client, username=username)).status == 303
    return client


async def post(client, page_path, target, **fields):
    """A form posted as the page would, with its CSRF token; redirects not followed."""
    csrf = csrf_of(await (await client.get(page_path)).text())
    return await client.post(target, data={"csrf": csrf, **fields}, allow_redirects=False)


def changes(database):
    """The audit log without sign-ins."""
    return [entry for entry in audit_log(database) if entry[1] != "sign-in"]


def program(catalog, slug):
    with make_session(catalog) as session:
        return queries.program_by_slug(session, slug)


async def test_coaches_are_refused_every_catalog_and_answer_page(aiohttp_client, desk):
    coach = await signed_in(aiohttp_client, desk, "dana")
    csrf = csrf_of(await (await coach.get("/saved-replies")).text())
    for path in ("/catalog", "/catalog/new", f"/catalog/programs/{GENAI}", "/catalog/export", "/answers",
                 "/answers/utter_faq_badge"):
        assert (await coach.get(path)).status == 403, path
    for path, fields in (("/catalog/new", NEW_PROGRAM), (f"/catalog/programs/{GENAI}/retire", {"retired": "yes"}),
                         ("/answers/utter_faq_badge", {"text": "Badges!", "action": "save"}),
                         ("/answers/utter_faq_badge/revert", {"version": "default"})):
        assert (await coach.post(path, data={"csrf": csrf, **fields})).status == 403, path
    assert "Catalog</a>" not in await (await coach.get("/")).text()
    assert program(desk.catalog_db_url, "welding-basics") is None and not program(desk.catalog_db_url, GENAI).retired


async def test_a_form_without_the_page_s_csrf_token_changes_nothing(aiohttp_client, desk):
    admin = await signed_in(aiohttp_client, desk, "ada")
    assert (await admin.post("/catalog/new", data=NEW_PROGRAM)).status == 403
    assert (await admin.post(f"/catalog/programs/{GENAI}/retire", data={"csrf": "forged", "retired": "yes"})).status == 403
    assert (await admin.post("/answers/utter_faq_badge", data={"text": "x", "action": "save"})).status == 403
    assert program(desk.catalog_db_url, "welding-basics") is None and not program(desk.catalog_db_url, GENAI).retired


async def test_an_admin_adds_a_program_each_problem_shown_beside_its_field(aiohttp_client, desk, database):
    admin = await signed_in(aiohttp_client, desk, "ada")
    assert "Catalog</a>" in await (await admin.get("/")).text()
    wrong = await post(admin, "/catalog/new", "/catalog/new", **dict(
        NEW_PROGRAM, slug="Welding Basics", name=f"Welding {HOSTILE}", cost_usd="cheap", duration_min="9",
        duration_unit="", aliases="d4d"))
    page = await wrong.text()
    assert wrong.status == 400 and HOSTILE not in page and "Welding &lt;img" in page
    errors = dict(re.findall(r'data-field="(\w+)">([^<]*)<', page))
    assert errors == {
        "slug": "slug must be lowercase letters and digits joined by hyphens",
        "cost_usd": "cost_usd must be a number, not &#39;cheap&#39;",
        "duration_min": "duration_min 9 is greater than duration_max 5",
        "duration_unit": "a duration needs both a number and a duration_unit",
        "aliases": "&#39;d4d&#39; is already a name or alias of &#39;design-for-delight-innovation-explorer&#39;",
    }
    assert program(desk.catalog_db_url, "welding-basics") is None and changes(database) == []
    added = await post(admin, "/catalog/new", "/catalog/new", **NEW_PROGRAM)
    assert added.status == 302 and added.headers["Location"].startswith("/catalog/programs/welding-basics?")
    saved = program(desk.catalog_db_url, "welding-basics")
    assert (saved.cost_usd, saved.duration_min, saved.duration_max, saved.financial_aid, saved.aliases, saved.topics) == (
        75.0, 3, 5, False, ("welding course", "weld basics"), ("safety", "welding"))
    assert changes(database) == [("ada", "program added: welding-basics")]


async def test_an_admin_renames_and_retires_a_program_and_the_audit_log_says_what(aiohttp_client, desk, database):
    admin = await signed_in(aiohttp_client, desk, "ada")
    form_page = await (await admin.get(f"/catalog/programs/{GENAI}")).text()
    shown = dict(re.findall(r'<input id="field-(\w+)" name="\w+" value="([^"]*)"', form_page))
    assert shown["name"] == "Introduction to Generative AI" and shown["cost_usd"] == "10"
    fields = {**NEW_PROGRAM, "slug": GENAI, "name": f"Generative AI {HOSTILE}", "cost_usd": "12",
              "aliases": "gen ai", "topics": "ai", "duration_min": "", "duration_max": "", "duration_unit": "",
              "delivery_format": "", "financial_aid": ""}
    changed = await post(admin, f"/catalog/programs/{GENAI}", f"/catalog/programs/{GENAI}", **fields)
    assert changed.status == 302
    page = await (await admin.get(changed.headers["Location"])).text()
    assert HOSTILE not in page and "Generative AI &lt;img" in page
    assert program(desk.catalog_db_url, GENAI).name == f"Generative AI {HOSTILE}"
    assert audit_log(database)[-1][1].startswith(f"program changed: {GENAI} (name, cost_usd, ")
    listing = await (await admin.get("/catalog?q=generative")).text()
    assert HOSTILE not in listing and "Generative AI &lt;img" in listing
    retired = await post(admin, f"/catalog/programs/{GENAI}", f"/catalog/programs/{GENAI}/retire", retired="yes")
    assert retired.status == 302 and program(desk.catalog_db_url, GENAI).retired
    assert audit_log(database)[-1] == ("ada", f"program retired: {GENAI}")
    assert GENAI not in await (await admin.get("/catalog")).text()
    assert GENAI in await (await admin.get("/catalog?status=retired")).text()
    # Saving the form of a retired program keeps it retired.
    await post(admin, f"/catalog/programs/{GENAI}", f"/catalog/programs/{GENAI}", **dict(fields, cost_usd="13"))
    assert program(desk.catalog_db_url, GENAI).retired and program(desk.catalog_db_url, GENAI).cost_usd == 13
    await post(admin, f"/catalog/programs/{GENAI}", f"/catalog/programs/{GENAI}/retire", retired="no")
    assert not program(desk.catalog_db_url, GENAI).retired
    assert audit_log(database)[-1] == ("ada", f"program offered again: {GENAI}")


async def test_the_catalog_is_exported_and_imported_from_the_page(aiohttp_client, desk, database):
    admin = await signed_in(aiohttp_client, desk, "ada")
    exported = await admin.get("/catalog/export")
    text = await exported.text()
    assert exported.status == 200 and "attachment" in exported.headers["Content-Disposition"]
    assert [(p["slug"], p["name"], p["cost_usd"]) for p in parse_catalog_text(text, "export").programs] == [
        (p["slug"], p["name"], p["cost_usd"]) for p in parse_catalog(SEED_PATH).programs]
    changed = text.replace("name: Introduction to Generative AI", "name: Generative AI Basics")
    csrf = csrf_of(await (await admin.get("/catalog")).text())

    async def upload(content: str):
        form = FormData()
        form.add_field("csrf", csrf)
        form.add_field("catalog", content.encode(), filename="catalog.yml", content_type="text/yaml")
        return await admin.post("/catalog/import", data=form, allow_redirects=False)

    broken = await upload(changed.replace("kind: degree", f"kind: diploma {HOSTILE}", 1))
    page = await broken.text()
    assert broken.status == 400 and "Nothing was imported" in page and HOSTILE not in page
    assert re.search(r"catalog\.yml:\d+: .*kind must be one of", page)
    assert program(desk.catalog_db_url, GENAI).name == "Introduction to Generative AI"
    imported = await upload(changed)
    assert imported.status == 302 and program(desk.catalog_db_url, GENAI).name == "Generative AI Basics"
    assert audit_log(database)[-1] == ("ada", f"catalog imported: {len(parse_catalog(SEED_PATH).programs)} programs "
                                              "from catalog.yml")
    # A file larger than the desk's other forms (64 KB) is taken here.
    padded = changed + "# " + "x" * 100_000 + "\n"
    assert (await upload(padded)).status == 302


async def test_a_general_answer_is_previewed_saved_and_reverted(aiohttp_client, desk, database):
    admin = await signed_in(aiohttp_client, desk, "ada")
    listing = await (await admin.get("/answers")).text()
    assert "Financial aid" in listing and "financial aid usually isn&#39;t available" in listing
    path = "/answers/utter_faq_financial_aid"
    text = "Micro-credentials start at {lowest_cost:micro-credential}.\n\n- **Certificates** often qualify " + HOSTILE
    preview = await post(admin, path, path, text=text, action="preview")
    page = await preview.text()
    assert preview.status == 200 and HOSTILE not in page
    bubble = re.search(r'<div class="bubble">(.*?)</div>', page, re.S).group(1)
    assert bubble == ("<p>Micro-credentials start at $10.</p><ul><li><strong>Certificates</strong> often qualify "
                      "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</li></ul>")
    with make_session(desk.catalog_db_url) as session:
        assert answer_versions.history(session, "utter_faq_financial_aid") == []
    typo = await post(admin, path, path, text="From {lowest_cots:micro-credential}.", action="save")
    assert typo.status == 400 and "unknown fact &#39;lowest_cots&#39;" in await typo.text()
    saved = await post(admin, path, path, text=text, action="save")
    assert saved.status == 302
    with make_session(desk.catalog_db_url) as session:
        first = answer_versions.history(session, "utter_faq_financial_aid")[0]
    assert (first.text, first.author) == (text, "ada")
    await post(admin, path, path, text="Aid depends on the program.", action="save")
    page = await (await admin.get(path)).text()
    assert HOSTILE not in page and page.count("Revert to this") == 1
    reverted = await post(admin, path, path + "/revert", version=str(first.id))
    assert reverted.status == 302
    with make_session(desk.catalog_db_url) as session:
        assert answer_versions.current_texts(session)["utter_faq_financial_aid"] == text
    await post(admin, path, path + "/revert", version="default")
    with make_session(desk.catalog_db_url) as session:
        assert "utter_faq_financial_aid" not in answer_versions.current_texts(session)
        assert len(answer_versions.history(session, "utter_faq_financial_aid")) == 4
    assert [action for _, action in changes(database)] == [
        f"answer changed: utter_faq_financial_aid (version {first.id})",
        f"answer changed: utter_faq_financial_aid (version {first.id + 1})",
        f"answer reverted: utter_faq_financial_aid to version {first.id} (version {first.id + 2})",
        f"answer reverted: utter_faq_financial_aid to the shipped wording (version {first.id + 3})"]
    assert (await admin.get("/answers/utter_program_cost")).status == 404
