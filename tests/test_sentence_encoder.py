"""The pretrained sentence encoder and the featurizer that hands its vectors to the classifier."""
import numpy as np
import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.sentence_encoder import SentenceEncoder
from bot.nlu.sentence_featurizer import SentenceFeaturizer


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder()


def test_vectors_are_unit_length_and_one_per_text(encoder):
    vectors = encoder.encode(["how much is it", "hi", "a much longer message about studying online " * 20])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_same_meaning_in_other_words_lands_closer_than_another_subject(encoder):
    price, cost, music = encoder.encode(["what is the price", "how much does it cost", "play some music"])
    assert price @ cost > 0.6
    assert price @ music < 0.2


def test_a_batch_gives_what_each_text_gives_alone(encoder):
    texts = ["is the CAD course online?", "thanks", "what certificates do you have for teachers"]
    together = encoder.encode(texts)
    alone = np.stack([encoder.encode([text])[0] for text in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_no_texts_no_vectors(encoder):
    assert encoder.encode([]).shape == (0, 384)


def test_the_featurizer_adds_a_scaled_sentence_feature_to_text_only():
    featurizer = SentenceFeaturizer({**SentenceFeaturizer.get_default_config(), "scale": 10.0,
                                     "alias": "sentence"}, "sentence")
    with_text, without_text = Message(data={TEXT: "what is a micro-credential"}), Message(data={})
    featurizer.process([with_text, without_text])
    sequence, sentence = with_text.get_dense_features(TEXT)
    assert sequence is None
    assert sentence.features.shape == (1, 384)
    assert np.isclose(np.linalg.norm(sentence.features), 10.0, atol=1e-4)
    assert without_text.features == []


@pytest.fixture
def counted(encoder, monkeypatch):
    """The encoder with an empty cache of two texts, recording every text it computes."""
    computed = []
    encode_batch = encoder._encode_batch

    def recording(texts):
        computed.extend(texts)
        return encode_batch(texts)

    monkeypatch.setattr(encoder, "_encode_batch", recording)
    monkeypatch.setattr(encoder, "_cache", type(encoder._cache)())
    monkeypatch.setattr(encoder, "cached_texts", 2)
    return encoder, computed


def test_a_repeated_text_is_computed_once_and_gets_the_same_vector(counted):
    encoder, computed = counted
    yes, hi = encoder.encode(["yes", "hi"])
    again = encoder.encode(["hi", "yes", "hi"])
    assert sorted(computed) == ["hi", "yes"]
    assert np.array_equal(again, np.stack([hi, yes, hi]))


def test_the_cache_keeps_the_texts_used_last(counted):
    encoder, computed = counted
    for text in ("yes", "hi", "yes", "thanks"):  # "yes" used again, so "hi" is the oldest when "thanks" comes
        encoder.encode([text])
    computed.clear()
    encoder.encode(["yes", "thanks", "hi"])
    assert computed == ["hi"]
