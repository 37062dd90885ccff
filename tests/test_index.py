"""`bot.retrieval.index`: the analyser, FieldIndex and its single-query vectoriser, checked against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.retrieval.index import FieldIndex, analyse, terms_of_words
from bot.text.normalise import normalise
from bot.text.words import STOP_WORDS

QUESTIONS = [
    "What causes leg cramps at night?",
    "How long do leg cramps last?",
    "Does stretching help calf cramps?",
    "When should I worry about leg pain?",
]
ANSWERS = [
    "Night cramps often come from tired muscles and dehydration.",
    "Most cramps last seconds to minutes; the calf can stay sore for a day.",
    "Stretching the calf before bed helps some people with night cramps.",
    "See a doctor if the leg is swollen, red or hot, or the pain does not stop.",
]
QUERY = "do night cramps last long in the calf calf"


def split_words(text: str) -> list[str]:
    """The analyser FieldIndex uses: texts are normalised once, then split on spaces."""
    return terms_of_words(text.split())


@pytest.fixture(scope="module")
def fields() -> dict[str, list[str]]:
    return {"question": [normalise(q) for q in QUESTIONS], "answer": [normalise(a) for a in ANSWERS]}


@pytest.fixture(scope="module")
def index(fields: dict[str, list[str]]) -> FieldIndex:
    return FieldIndex.build(fields)


@pytest.fixture(scope="module")
def sklearn_matrix(fields: dict[str, list[str]]) -> tuple[TfidfVectorizer, sparse.csr_matrix]:
    """scikit-learn fitted the same way, on every field's texts together (questions, then answers)."""
    vectoriser = TfidfVectorizer(analyzer=split_words, sublinear_tf=True)
    matrix = sparse.csr_matrix(vectoriser.fit_transform(fields["question"] + fields["answer"]))
    return vectoriser, matrix


def dense(query: dict[int, float], size: int) -> np.ndarray:
    out = np.zeros(size)
    for term_id, weight in query.items():
        out[term_id] = weight
    return out


# --- the analyser -----------------------------------------------------------------------------


def test_analyse_keeps_stemmed_content_words_then_adjacent_bigrams() -> None:
    assert analyse("Why do my legs cramp?") == ["why", "leg", "cramp", "why leg", "leg cramp"]


def test_question_words_and_kept_words_survive_the_stop_list() -> None:
    assert {"how", "why", "when", "who", "what", "last", "stop", "back"}.isdisjoint(STOP_WORDS)
    assert {"does", "just", "really", "the", "and"} <= STOP_WORDS
    assert analyse("how long does it last") == ["how", "long", "last", "how long", "long last"]


def test_bigrams_join_the_words_left_after_stop_words_are_removed() -> None:
    assert "cramp night" in analyse("cramps at night")


def test_a_text_of_only_stop_words_has_no_terms() -> None:
    assert analyse("it is the one that I just did") == []
    assert terms_of_words([]) == []


def test_terms_of_words_expects_lower_cased_tokens_and_does_not_normalise_them() -> None:
    assert terms_of_words(["the", "calf"]) == ["calf"]
    assert terms_of_words(["The", "calf"]) == ["The", "calf", "The calf"]


# --- FieldIndex.build -----------------------------------------------------------------------------


def test_build_shares_one_vocabulary_across_fields(index: FieldIndex, fields: dict[str, list[str]]) -> None:
    assert index.n_docs == len(QUESTIONS)
    assert set(index.fields) == {"question", "answer"}
    answer_only = "dehydration"  # a stem that appears only in the answers
    assert answer_only in index.vocabulary
    assert all(answer_only not in split_words(q) for q in fields["question"])
    assert len(index.idf) == len(index.vocabulary)


def test_fields_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match=r"one text per document, got lengths \[1, 2\]"):
        FieldIndex.build({"question": ["leg cramp"], "answer": ["stretch", "calf"]})


def test_no_fields_at_all_are_refused() -> None:
    with pytest.raises(ValueError, match="one text per document"):
        FieldIndex.build({})


# --- vectorise ----------------------------------------------------------------------------------


def test_query_weights_agree_with_tfidfvectorizer(
    index: FieldIndex, sklearn_matrix: tuple[TfidfVectorizer, sparse.csr_matrix]
) -> None:
    vectoriser, _ = sklearn_matrix
    assert index.vocabulary == vectoriser.vocabulary_
    np.testing.assert_allclose(index.idf, vectoriser.idf_)
    expected = vectoriser.transform([normalise(QUERY)]).toarray()[0]
    got = dense(index.vectorise(split_words(normalise(QUERY))), len(index.vocabulary))
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_a_repeated_term_counts_sublinearly(index: FieldIndex) -> None:
    once = index.vectorise(["calf", "night"])
    twice = index.vectorise(["calf", "calf", "night"])
    calf, night = index.vocabulary["calf"], index.vocabulary["night"]
    ratio_once = once[calf] / once[night]
    assert twice[calf] / twice[night] == pytest.approx(ratio_once * (1 + np.log(2)))


def test_query_weights_are_l2_normalised(index: FieldIndex) -> None:
    weights = index.vectorise(split_words(normalise(QUERY)))
    assert np.linalg.norm(list(weights.values())) == pytest.approx(1.0)


def test_terms_outside_the_vocabulary_are_ignored(index: FieldIndex) -> None:
    assert index.vectorise(["quinin", "magnesium"]) == {}
    assert index.vectorise(["quinin", "calf"]) == {index.vocabulary["calf"]: pytest.approx(1.0)}


def test_damping_scales_terms_with_a_damped_word_before_normalising(index: FieldIndex) -> None:
    terms = ["calf", "cramp", "leg", "leg cramp"]
    plain = index.vectorise(terms)
    damped = index.vectorise(terms, frozenset({"cramp"}), 0.25)
    ids = {t: index.vocabulary[t] for t in terms}
    # The damped term and the bigram containing it lose three quarters of their weight relative to the others.
    for term in ("cramp", "leg cramp"):
        assert damped[ids[term]] / damped[ids["calf"]] == pytest.approx(0.25 * plain[ids[term]] / plain[ids["calf"]])
    assert damped[ids["leg"]] / damped[ids["calf"]] == pytest.approx(plain[ids["leg"]] / plain[ids["calf"]])
    assert np.linalg.norm(list(damped.values())) == pytest.approx(1.0)


def test_damping_of_one_or_no_damped_words_changes_nothing(index: FieldIndex) -> None:
    terms = ["calf", "cramp", "leg cramp"]
    assert index.vectorise(terms, frozenset({"cramp"}), 1.0) == index.vectorise(terms)
    assert index.vectorise(terms, frozenset(), 0.0) == index.vectorise(terms)


def test_damping_matches_a_single_word_not_a_substring(index: FieldIndex) -> None:
    terms = ["calf", "cramp"]
    assert index.vectorise(terms, frozenset({"cram"}), 0.1) == index.vectorise(terms)


def test_a_query_made_only_of_fully_damped_terms_is_empty_of_weight(index: FieldIndex) -> None:
    weights = index.vectorise(["cramp", "leg cramp"], frozenset({"cramp"}), 0.0)
    assert all(w == 0 for w in weights.values())


# --- cosine -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "rows"), [("question", slice(0, 4)), ("answer", slice(4, 8))])
def test_cosine_scores_agree_with_tfidfvectorizer(
    index: FieldIndex, sklearn_matrix: tuple[TfidfVectorizer, sparse.csr_matrix], field: str, rows: slice
) -> None:
    vectoriser, matrix = sklearn_matrix
    query_vector = vectoriser.transform([normalise(QUERY)])
    expected = (matrix[rows] @ query_vector.T).toarray().ravel()
    got = index.cosine(field, index.vectorise(split_words(normalise(QUERY))))
    assert got.shape == (index.n_docs,)
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert expected.max() > 0  # the query shares terms with this field, so the comparison means something


def test_cosine_ranks_the_passage_that_asks_the_question_first(index: FieldIndex) -> None:
    query = index.vectorise(analyse("does stretching help calf cramps"))
    scores = index.cosine("question", query)
    assert int(np.argmax(scores)) == 2
    assert scores[2] == pytest.approx(1.0)


def test_cosine_of_an_empty_query_is_all_zeros(index: FieldIndex) -> None:
    assert index.cosine("answer", {}).tolist() == [0.0] * index.n_docs


def test_a_blend_scores_as_the_weighted_sum_of_its_fields_cosines(index: FieldIndex) -> None:
    query = index.vectorise(analyse(QUERY))
    blended = index.blend({"question": 0.3, "answer": 0.7}).scores(query, index.n_docs)
    expected = 0.3 * index.cosine("question", query) + 0.7 * index.cosine("answer", query)
    np.testing.assert_allclose(blended, expected, rtol=1e-12, atol=1e-15)


def test_a_query_of_unknown_terms_scores_zero_everywhere(index: FieldIndex) -> None:
    assert index.blend({"question": 1.0}).scores({}, index.n_docs).tolist() == [0.0] * index.n_docs
