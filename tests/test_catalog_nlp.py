"""The spaCy pipeline of program names that Rasa's SpacyNLP loads."""
import pytest
import spacy
from sqlalchemy import select

from catalog_db import nlp, queries
from catalog_db.cli import main
from catalog_db.engine import make_session
from catalog_db.models import Program, ProgramAlias

GEN_AI = "introduction-to-generative-ai"
CAD = "introduction-to-cad-and-fusion-360"
LOTO = "lockout-tagout-safety-training"


@pytest.fixture
def pipeline_dir(seeded_url, tmp_path):
    out_dir = tmp_path / "nlp_catalog"
    assert main(["build-nlp", str(out_dir), "--url", seeded_url]) == 0
    return out_dir


def found(nlp_pipeline, text):
    return [(ent.text, ent.label_, ent.ent_id_) for ent in nlp_pipeline(text).ents]


def test_ruler_patterns_are_sorted_and_unique():
    patterns = nlp.ruler_patterns([("b", "Bee"), ("a", "ay"), ("b", "Bee")])
    assert patterns == [
        {"label": "program", "pattern": "ay", "id": "a"},
        {"label": "program", "pattern": "Bee", "id": "b"},
    ]


def test_fingerprint_ignores_order_but_not_content():
    patterns = nlp.ruler_patterns([("a", "one"), ("b", "two")])
    assert nlp.fingerprint(patterns) == nlp.fingerprint(list(reversed(patterns)))
    assert nlp.fingerprint(patterns) != nlp.fingerprint(nlp.ruler_patterns([("a", "one"), ("b", "too")]))
    assert len(nlp.fingerprint(patterns)) == 64


@pytest.mark.parametrize(
    "text, entity, slug",
    [
        ("how much is the gen ai course", "gen ai", GEN_AI),
        ("Lockout/Tagout Safety Training", "Lockout/Tagout Safety Training", LOTO),
        ("is fusion 360 taught online?", "fusion 360", CAD),
        ("INTRODUCTION TO GENERATIVE AI", "INTRODUCTION TO GENERATIVE AI", GEN_AI),
        ("tell me about LOTO", "LOTO", LOTO),
        ("Introduction to Computer-Aided Design (CAD) & Fusion 360: The Contours of Creation",
         "Introduction to Computer-Aided Design (CAD) & Fusion 360: The Contours of Creation", CAD),
    ],
)
def test_the_saved_pipeline_tags_program_names(pipeline_dir, text, entity, slug):
    assert found(spacy.load(pipeline_dir), text) == [(entity, "program", slug)]


def test_a_message_without_a_program_has_no_entity(pipeline_dir):
    assert found(spacy.load(pipeline_dir), "what is the difference between a certificate and a degree") == []


def test_the_fingerprint_is_saved_with_the_pipeline(pipeline_dir, seeded_url):
    with make_session(seeded_url) as session:
        expected = nlp.fingerprint(nlp.ruler_patterns(queries.name_index(session)))
    assert nlp.saved_fingerprint(pipeline_dir) == expected
    assert nlp.saved_fingerprint(pipeline_dir.parent / "absent") == ""


def test_build_nlp_skips_an_unchanged_catalog_and_rebuilds_a_changed_one(pipeline_dir, seeded_url, capsys):
    before = nlp.saved_fingerprint(pipeline_dir)
    assert main(["build-nlp", str(pipeline_dir), "--url", seeded_url]) == 0
    assert "up to date" in capsys.readouterr().out

    with make_session(seeded_url) as session, session.begin():
        cad = session.scalar(select(Program).where(Program.slug == CAD))
        cad.aliases.append(ProgramAlias(alias="the contours course"))
    assert main(["build-nlp", str(pipeline_dir), "--url", seeded_url]) == 0
    assert "Saved" in capsys.readouterr().out
    assert nlp.saved_fingerprint(pipeline_dir) != before
    assert found(spacy.load(pipeline_dir), "is the contours course hard")[0][2] == CAD
    # The staging and retired copies are gone: only the pipeline is left beside the database.
    assert sorted(path.name for path in pipeline_dir.parent.iterdir() if path.name.startswith(".")) == []


def test_build_nlp_refuses_an_empty_catalog(db_url, tmp_path, capsys):
    assert main(["ensure", "--url", db_url]) == 0
    with make_session(db_url) as session, session.begin():
        for program in session.scalars(select(Program)):
            session.delete(program)
    assert main(["build-nlp", str(tmp_path / "nlp"), "--url", db_url]) == 1
    assert "no programs" in capsys.readouterr().err
    assert not (tmp_path / "nlp").exists()
