"""Questions the programme does not cover get "not ours, here is where to go" (a redirect,
counted as an abstention), in the learner's language; the bundled sample lists at least 25
such topics, as a document HEC edits like any other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.answering import ASK_PEOPLE, ASK_PEOPLE_UR, REDIRECT_LEAD, REDIRECT_LEAD_UR
from knowledge.chunking import split_document
from knowledge.config import BUNDLED_KB_DIR
from knowledge.engine import KnowledgeEngine
from knowledge.language import phrase_words, urdu_base_form
from knowledge.loaders import load_document
from knowledge.redirects import parse_topic


def test_the_sample_lists_at_least_25_topics_each_with_where_to_go_and_how_it_is_asked() -> None:
    document = load_document(BUNDLED_KB_DIR / "not-covered.md")
    assert document.kind == "redirect"
    chunks = split_document(document, source="not-covered.md", root="kb", file_hash="h")
    topics = [parse_topic(chunk) for chunk in chunks if chunk.section]
    assert len(topics) >= 25
    for topic in topics:
        assert topic.phrases, topic.chunk.section
        assert len(topic.where) > 30, topic.chunk.section
    # Each language learners write in can name most topics.
    urdu = [
        t
        for t in topics
        if any(any("\u0600" <= ch <= "\u06ff" for w in p for ch in w) for p in t.phrases)
    ]
    assert len(urdu) == len(topics)


def test_inflected_urdu_forms_of_a_word_meet() -> None:
    assert urdu_base_form("داخلہ") == urdu_base_form("داخلے") == urdu_base_form("داخلوں")
    assert urdu_base_form("ڈگری") == urdu_base_form("ڈگریاں")
    assert urdu_base_form("licence") == "licence"
    assert set(phrase_words("داخلہ ٹیسٹ")) <= set(phrase_words("ایم فل میں داخلے کا ٹیسٹ؟"))
    assert set(phrase_words("dakhla")) <= set(phrase_words("dakhlay kab shuru honge"))


def test_the_redirect_lead_names_no_programme() -> None:
    """The lead comes before the "Where to go" text of any knowledge base's redirect document
    (unseen_kb2's is a university bootcamp's): it must not name the sample's programme."""
    for lead in (REDIRECT_LEAD, REDIRECT_LEAD_UR):
        assert "DLSEI" not in lead
        assert "programme" in lead or "پروگرام" in lead


OTHER_LICENCES = "Other licences (software and driving)"


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("Can I get a free laptop from HEC?", "Laptop scheme"),
        ("How do I get my degree attested?", "Degree attestation"),
        ("hostel mein room kaise milega?", "Hostels and accommodation"),
        # "Licence" has other senses a licence bot is asked about.
        ("Where can I get a licence key for Microsoft Office?", OTHER_LICENCES),
        ("driving licence kahan se banwaun?", OTHER_LICENCES),
    ],
)
def test_a_question_the_programme_does_not_cover_is_redirected_and_counted_as_declined(
    sample_engine: KnowledgeEngine, question: str, section: str
) -> None:
    answer = sample_engine.answer_sync(question)
    assert answer.redirect and answer.abstained
    assert answer.citations[0].section == section
    assert answer.citations[0].document.endswith("not-covered.md")
    assert answer.text.startswith(f"{REDIRECT_LEAD} ")
    # The "Where to go" text after the lead starts a sentence.
    assert answer.text[len(REDIRECT_LEAD) + 1].isupper()


def test_an_urdu_question_is_redirected_in_urdu(sample_engine: KnowledgeEngine) -> None:
    answer = sample_engine.answer_sync("کیا HEC سے مفت لیپ ٹاپ مل سکتا ہے؟")
    assert answer.redirect and answer.abstained
    assert answer.answer_language == "ur" and answer.language == "ur"
    assert answer.text.startswith(REDIRECT_LEAD_UR)
    assert answer.citations[0].translation_source.endswith("not-covered.md")


@pytest.mark.parametrize(
    "question", ["How do I apply for a licence?", "Does my licence renew automatically?"]
)
def test_a_question_the_rules_answer_is_not_redirected(
    sample_engine: KnowledgeEngine, question: str
) -> None:
    answer = sample_engine.answer_sync(question)
    assert not answer.redirect and not answer.abstained
    assert Path(answer.citations[0].document).name != "not-covered.md"


REDIRECTS_MD = """\
---
title: Not covered
kind: redirect
---

# Not covered

## Laptop scheme

Where to go: laptops are given under the Prime Minister's Laptop Scheme, not by this programme.

Asked as: laptop; free laptop

## Campus Wi-Fi

Asked as: wifi; wi-fi; campus internet
"""


def test_an_urdu_reader_of_a_redirect_without_an_urdu_version_is_told_so(
    tmp_path: Path, hash_engine: KnowledgeEngine
) -> None:
    from knowledge.composing import NO_TRANSLATION_NOTE
    from tests.knowledge.conftest import LICENCE_MD

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "licence.md").write_text(LICENCE_MD, encoding="utf-8")
    (docs / "not-covered.md").write_text(REDIRECTS_MD, encoding="utf-8")
    hash_engine.index_paths([docs])
    answer = hash_engine.answer_sync("Can I get a free laptop?", language="ur")
    assert answer.redirect and answer.abstained and answer.missing_translation
    assert answer.answer_language == "en"
    # The bot's own lead is in Urdu; the operator's "Where to go" text is shown as written.
    assert answer.text.startswith(f"{REDIRECT_LEAD_UR} Laptops are given")
    assert "Prime Minister's Laptop Scheme" in answer.text
    assert answer.text.endswith(NO_TRANSLATION_NOTE)
    english = hash_engine.answer_sync("Can I get a free laptop?")
    assert english.redirect and NO_TRANSLATION_NOTE not in english.text
    # A topic listed without a "Where to go" text sends the learner to the people who run
    # the programme, not to an empty line.
    for language, lead, ask in (
        (None, REDIRECT_LEAD, ASK_PEOPLE),
        ("ur", REDIRECT_LEAD_UR, ASK_PEOPLE_UR),
    ):
        wifi = hash_engine.answer_sync("The campus wifi is not working", language=language)
        assert wifi.redirect and wifi.citations[0].section == "Campus Wi-Fi"
        assert wifi.text == f"{lead} {ask}"


def test_a_topic_named_in_passing_leaves_the_question_to_the_rule_that_answers_it(
    sample_engine: KnowledgeEngine,
) -> None:
    # "laptop" is a phrase of the laptop scheme, but the question is about identity
    # verification, and that rule holds every other word it asks about.
    answer = sample_engine.answer_sync(
        "I have no webcam on my laptop. How do I verify my identity?"
    )
    assert not answer.redirect and not answer.abstained
    assert Path(answer.citations[0].document).name == "certificates-and-credit.docx"
    # Asking about the laptop itself is still redirected.
    laptop = sample_engine.answer_sync("Can I get a free laptop from HEC?")
    assert laptop.redirect and laptop.citations[0].section == "Laptop scheme"


def test_a_question_closest_to_a_topic_is_redirected_though_it_names_no_phrase(
    sample_engine: KnowledgeEngine,
) -> None:
    from knowledge.language import normalise_query
    from knowledge.redirects import RedirectMatcher

    question = "Is there a scheme that gives free computers to students?"
    answer = sample_engine.answer_sync(question)
    assert answer.redirect and answer.abstained
    assert answer.citations[0].section == "Laptop scheme"
    # The closeness gate alone took it: no "Asked as" phrase is named, and with the gate off
    # the matcher leaves it to the rules.
    retriever = sample_engine.retriever
    matcher = RedirectMatcher(retriever)
    query = normalise_query(question)
    passages = retriever.retrieve(query)
    assert not matcher.named(question)
    assert matcher.choose(query, passages, answerable=True) is None
    chosen = matcher.choose(query, passages, answerable=True, topic_margin=0.0)
    assert chosen is not None and chosen.chunk.section == "Laptop scheme"


def test_the_redirect_documents_introduction_is_no_topic(sample_engine: KnowledgeEngine) -> None:
    from knowledge.redirects import RedirectMatcher

    # The introduction ("Each section below names one such topic...") lists no "Asked as"
    # phrase and says nowhere to go; as a topic, the closest-topic redirect took this in-scope
    # question to it (its cosine 0.855 against the plagiarism rule's 0.854), and the learner
    # read the introduction.
    matcher = RedirectMatcher(sample_engine.retriever)
    assert matcher.topics and all(topic.phrases for topic in matcher.topics)
    assert all(topic.chunk.section for topic in matcher.topics)
    question = (
        "My roommate and I want to submit identical answers for a graded assignment. Is that okay?"
    )
    answer = sample_engine.answer_sync(question)
    assert not answer.redirect
    assert "Each section below" not in answer.text
    # Nor is the question declined for being closer to the introduction than to any rule
    # (the closeness decline once read every section of the redirect document).
    assert not answer.abstained


def test_english_questions_go_to_the_closest_topic_and_urdu_ones_only_by_their_words() -> None:
    from knowledge.config import KnowledgeConfig

    # Chosen on the dev split (knowledge/config.py): Roman Urdu and Urdu cosines to rules and
    # topics are too close together for the margin to hold outside it.
    config = KnowledgeConfig()
    assert config.thresholds_for("en").topic_margin is not None
    assert config.thresholds_for("roman_ur").topic_margin is None
    assert config.thresholds_for("ur").topic_margin is None


def test_a_topic_named_in_urdu_in_passing_is_read_as_the_english_word_it_is(
    sample_engine: KnowledgeEngine,
) -> None:
    from knowledge.language import normalise_query
    from knowledge.redirects import RedirectMatcher

    # "لیپ ٹاپ" is read as ("laptop",): that group is the topic named, not a word the
    # identity-verification rule fails to hold, and it weighs as one word, not as two words
    # no English rule uses (it outweighed the question's own words: webcam, identity, verify).
    matcher = RedirectMatcher(sample_engine.retriever)
    laptop = next(t for t in matcher.topics if t.chunk.section == "Laptop scheme")
    verification = next(
        p.chunk
        for p in sample_engine.retriever.retrieve(
            normalise_query("I have no webcam on my laptop. How do I verify my identity?")
        )
        if Path(p.chunk.source).name == "certificates-and-credit.docx"
    )
    urdu = normalise_query("لیپ ٹاپ میں ویب کیم نہیں، شناخت کی تصدیق کیسے ہوگی؟")
    assert laptop in matcher.named(urdu.original)
    assert matcher.rule_holds_the_other_words(laptop, urdu, verification)
    # The same rule does not hold a question about the laptops themselves.
    draw = normalise_query("لیپ ٹاپ قرعہ اندازی سے ملتے ہیں یا میرٹ پر؟")
    assert laptop in matcher.named(draw.original)
    assert not matcher.rule_holds_the_other_words(laptop, draw, verification)


@pytest.mark.parametrize(
    "question",
    [
        "hostel ka wifi slow hai, lectures download kar sakta hoon?",
        "Our hostel wifi is very slow. Can I download the lectures?",
        "The wifi in my hostel is weak, can I watch lectures offline?",
        "ہاسٹل میں انٹرنیٹ نہیں ہوتا، کیا ویڈیوز آف لائن دیکھ سکتا ہوں؟",
        # No question mark: the clause holding "kar sakta" is the one that asks.
        "hostel ka wifi slow hai lekin lectures download kar sakta hoon",
    ],
)
def test_a_topic_named_only_in_the_context_clause_leaves_the_asked_clause_to_the_rules(
    sample_engine: KnowledgeEngine, question: str
) -> None:
    # "hostel" is a word no rule uses, and the hostels topic is as close to the whole question
    # as the technical-help rule; but the question asks about downloading lectures.
    answer = sample_engine.answer_sync(question)
    assert not answer.redirect and not answer.abstained
    assert Path(answer.citations[0].document).name == "technical-help.md"


@pytest.mark.parametrize(
    ("question", "section"),
    [
        # The topic is in the clause that asks.
        ("hostel kaise milega?", "Hostels and accommodation"),
        ("ہاسٹل کیسے ملے گا؟", "Hostels and accommodation"),
        ("Can HEC give me a laptop?", "Laptop scheme"),
        # The asked clause says too little on its own: it asks about the topic of the context.
        ("I need a hostel room. Can I apply?", "Hostels and accommodation"),
        ("My university has no hostel. Where can I stay?", "Hostels and accommodation"),
        ("My semester fee is due, can I pay it in instalments?", "University fees and refunds"),
        ("سمسٹر فیس زیادہ ہے، کیا قسطوں میں دے سکتا ہوں؟", "University fees and refunds"),
        # The asked clause names what no rule mentions.
        ("I am preparing for MDCAT, which Coursera course helps with biology?", None),
    ],
)
def test_a_question_about_the_topic_itself_is_still_redirected(
    sample_engine: KnowledgeEngine, question: str, section: str | None
) -> None:
    answer = sample_engine.answer_sync(question)
    assert answer.abstained
    if section is not None:
        assert answer.redirect and answer.citations[0].section == section


@pytest.mark.parametrize(
    ("question", "asked", "context"),
    [
        (
            "hostel ka wifi slow hai, lectures download kar sakta hoon?",
            "lectures download kar sakta hoon?",
            ["hostel ka wifi slow hai,"],
        ),
        (
            "Our hostel has no wifi. Can I watch the videos offline?",
            "Can I watch the videos offline?",
            ["Our hostel has no wifi."],
        ),
        # Urdu marks, with or without a space after them.
        (
            "ہاسٹل میں وائی فائی نہیں ہوتا،کیا ویڈیوز دیکھ سکتا ہوں؟",
            "کیا ویڈیوز دیکھ سکتا ہوں؟",
            ["ہاسٹل میں وائی فائی نہیں ہوتا،"],
        ),
        # No question mark: the asking words decide ("sakta" anywhere, "Can" only first).
        (
            "hostel mein wifi nahi hai lekin videos dekh sakta hoon",
            "lekin videos dekh sakta hoon",
            ["hostel mein wifi nahi hai"],
        ),
        (
            "My hostel is far, can I study offline",
            "can I study offline",
            ["My hostel is far,"],
        ),
    ],
)
def test_the_asked_clause_is_told_from_the_context(
    question: str, asked: str, context: list[str]
) -> None:
    from knowledge.redirects import asked_and_context

    assert asked_and_context(question) == (asked, context)


@pytest.mark.parametrize(
    ("question", "section"),
    [
        # No "Asked as" phrase is named; "لائبریری" (library), "library" and "رکنیت"
        # (membership) are words no rule uses that the topics' own sections use. Before, the
        # Urdu ones were answered from an unrelated rule on one generic glossed word.
        ("یونیورسٹی کی لائبریری صبح کتنے بجے کھلتی ہے؟", "Campus services"),
        ("university library kab khulti hai?", "Campus services"),
        ("کورسیرا کی ماہانہ رکنیت کتنے کی ہے؟", "Other learning platforms"),
    ],
)
def test_a_word_only_a_topic_uses_sends_the_question_there(
    sample_engine: KnowledgeEngine, question: str, section: str
) -> None:
    from knowledge.language import normalise_query
    from knowledge.redirects import RedirectMatcher

    matcher = RedirectMatcher(sample_engine.retriever)
    assert not matcher.named(question)
    by_words = matcher.named_by_words(normalise_query(question))
    assert any(t.chunk.section == section and t.chunk.id in by_words for t in matcher.topics)
    answer = sample_engine.answer_sync(question)
    assert answer.redirect and answer.abstained
    assert answer.citations[0].section == section


@pytest.mark.parametrize(
    "question",
    [
        "hostel kaise milega?",  # one clause
        "I live in a hostel, my room is small",  # nothing asks
        "Can I get a hostel? Can I get a laptop?",  # every clause asks
        "Fees are Rs.1,000 for the hostel?",  # "1,000" and "Rs.1" split nothing
    ],
)
def test_a_question_with_no_separate_context_clause_has_none(question: str) -> None:
    from knowledge.redirects import asked_and_context

    assert asked_and_context(question) is None


@pytest.mark.parametrize(
    "question",
    [
        "library ke computer par Coursera nahi khulta, kya mobile par parh sakta hoon?",
        "یونیورسٹی لائبریری کے کمپیوٹر پر کورسیرا نہیں کھلتا، کیا موبائل پر پڑھ سکتا ہوں؟",
        "The university library computers do not open Coursera. Can I learn on my mobile?",
    ],
)
def test_a_word_a_topic_uses_leaves_the_question_to_the_rule_that_holds_the_rest(
    sample_engine: KnowledgeEngine, question: str
) -> None:
    # "library" names topics too, but the rest of the question (computer, Coursera, mobile,
    # study) says more and the mobile-app rule holds it, or that rule is a clear paraphrase.
    answer = sample_engine.answer_sync(question)
    assert not answer.redirect and not answer.abstained
    assert answer.citations[0].section.endswith("Using the mobile app")


def test_the_rest_of_a_question_answers_when_it_says_more_and_is_held() -> None:
    from knowledge.redirects import RestOfQuestion

    # One word no rule uses (said 5.4) against "close" (3.4): the naming word says more.
    assert not RestOfQuestion(said=5.4, rest=3.4, found=3.4).answered(0.4)
    # Computer, Coursera, phone, study: the rest says more, and the rules hold most of it.
    assert RestOfQuestion(said=5.4, rest=9.0, found=6.0).answered(0.4)
    # ...but not when the rules hold too little of it (the language's abstention floor).
    assert not RestOfQuestion(said=5.4, rest=9.0, found=3.0).answered(0.4)
    # ...nor when no one rule holds more of it than the naming word says: "I want a library
    # card. Can I apply?", "card" (4.3) and "apply" (1.6) are held by two rules between them.
    assert not RestOfQuestion(said=5.4, rest=5.9, found=4.3).answered(0.4)


@pytest.mark.parametrize(
    ("question", "section"),
    [
        # "lectures", "long" and "close" are each held by some retrieved rule, none by one.
        ("The lectures are long. When does the library close?", "Campus services"),
        # "card" and "apply" are held by one rule, but weigh less than "library".
        ("I want a library card. Can I apply?", "Other learning platforms"),
    ],
)
def test_the_rest_of_a_question_must_be_held_by_one_rule_that_says_more_than_the_naming_word(
    sample_engine: KnowledgeEngine, question: str, section: str
) -> None:
    # Pieced together from several rules ("lectures" from one, "close" from another), the
    # other words answered the question from an unrelated rule ("When your licence ends...").
    answer = sample_engine.answer_sync(question)
    assert answer.redirect and answer.abstained
    assert answer.citations[0].section == section


def test_a_topic_a_word_names_only_in_the_context_clause_leaves_the_asked_clause_to_the_rules(
    sample_engine: KnowledgeEngine,
) -> None:
    from knowledge.language import normalise_query
    from knowledge.redirects import RedirectMatcher

    # "library" is a word no rule uses that topics' own sections use (no "Asked as" phrase):
    # it named them, and the question went to "Other learning platforms". It is said only in
    # the clause that gives the context; the asked clause ("Can I study on my phone
    # instead?") is the mobile app's, and its "instead", an everyday word the rules happen
    # not to write, names nothing.
    question = "The library computers block Coursera. Can I study on my phone instead?"
    matcher = RedirectMatcher(sample_engine.retriever)
    by_words = matcher.named_by_words(normalise_query(question))
    assert by_words and not matcher.named(question)
    topic = matcher.topic(next(iter(by_words)))
    assert topic is not None
    assert matcher.asked_clause(topic, question) is None  # no phrase of it is held
    asked = matcher.asked_clause(topic, question, by_words[topic.chunk.id])
    assert asked == "Can I study on my phone instead?"
    answer = sample_engine.answer_sync(question)
    assert not answer.redirect and not answer.abstained
    # Read from the whole question's passages, which know it is about a device.
    assert "Android or iOS" in answer.text


def test_a_topic_a_word_names_in_the_asked_clause_is_still_the_topic(
    sample_engine: KnowledgeEngine,
) -> None:
    from knowledge.language import normalise_query
    from knowledge.redirects import RedirectMatcher

    question = "I study late at night. When does the library close?"
    matcher = RedirectMatcher(sample_engine.retriever)
    by_words = matcher.named_by_words(normalise_query(question))
    for topic_id, words in by_words.items():
        topic = matcher.topic(topic_id)
        assert topic is not None
        assert matcher.asked_clause(topic, question, words) is None
    answer = sample_engine.answer_sync(question)
    assert answer.redirect and answer.abstained


@pytest.mark.parametrize(
    ("question", "section", "redirected"),
    [
        # "fee" is no word of the rules ("Does the licence cost anything?"), and a topic's own
        # word: the licence's cost went to "University fees and refunds".
        ("Is there any fee for the DLSEI licence?", "Does the licence cost anything?", False),
        ("licence ki fees kitni hai?", "Does the licence cost anything?", False),
        ("What is the semester fee at my university?", "University fees and refunds", True),
    ],
)
def test_a_fee_for_the_licence_is_its_cost_and_a_semester_fee_the_universitys(
    sample_engine: KnowledgeEngine, question: str, section: str, redirected: bool
) -> None:
    answer = sample_engine.answer_sync(question)
    assert bool(answer.redirect) is redirected and answer.abstained is redirected
    assert answer.citations[0].section == section


COURSE_RULES = """\
---
title: Evening coding course rules
---

# Evening coding course rules

## Joining

Anyone aged 18 to 30 who has passed matric can join the evening coding course. Apply on the
course portal before the first Monday of the cohort.

## Certificates

A learner who attends 80 percent of the classes and passes the final project receives a
certificate within four weeks of the last class.
"""

COURSE_NOT_COVERED = """\
---
title: Questions the evening coding course does not cover
kind: redirect
---

# Questions the evening coding course does not cover

> Learners ask about matters the course does not cover. Each section names one and where to go.

## Transport

Where to go: the university's vans to the campus and their routes are run by its transport
office. The course arranges no travel.

Asked as: transport; pick and drop; ٹرانسپورٹ

## Hostels

Where to go: rooms in the university's hostels are allotted by the hostel warden.

Asked as: hostel; hostels; ہاسٹل
"""

COURSE_NOT_COVERED_UR = """\
---
title: وہ سوالات جو کورس میں شامل نہیں | Questions the evening coding course does not cover
kind: translation
translates: not-covered.md
language: ur
---

# وہ سوالات جو کورس میں شامل نہیں | Questions the evening coding course does not cover

## ٹرانسپورٹ | Transport

کہاں جائیں: کیمپس تک یونیورسٹی کی وین اور ان کے روٹ اس کا ٹرانسپورٹ دفتر چلاتا ہے۔ کورس سفر کا کوئی
انتظام نہیں کرتا۔
Asked as: transport; pick and drop; ٹرانسپورٹ
"""

UNRELATED = [
    "What is the capital of France?",
    "France ka capital kya hai?",
    "فرانس کا دارالحکومت کیا ہے؟",
]
ABOUT_TRANSPORT = [
    "Which van takes learners to the campus, and on what route?",
    "campus tak van ka route kya hai?",
    "کیمپس تک وین کا روٹ کیا ہے؟",
]


@pytest.fixture(scope="module")
def course_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeEngine]:
    """A small knowledge base of its own with two topics it does not cover, where closeness
    alone sends a question to its closest topic (``topic_margin`` -1: a topic always closer
    than the rules), in every language: what is left to decide is whether the question is about
    that topic at all."""
    import dataclasses

    from knowledge.config import KnowledgeConfig
    from knowledge.engine import build_engine

    kb = tmp_path_factory.mktemp("course") / "docs"
    (kb / "ur").mkdir(parents=True)
    (kb / "course-rules.md").write_text(COURSE_RULES, encoding="utf-8")
    (kb / "not-covered.md").write_text(COURSE_NOT_COVERED, encoding="utf-8")
    (kb / "ur" / "not-covered.md").write_text(COURSE_NOT_COVERED_UR, encoding="utf-8")
    shipped = KnowledgeConfig()
    config = KnowledgeConfig(
        data_dir=tmp_path_factory.mktemp("course-data"),
        language_thresholds={
            lang: dataclasses.replace(shipped.thresholds_for(lang), topic_margin=-1.0)
            for lang in ("en", "roman_ur", "ur")
        },
    )
    with build_engine(config) as engine:
        engine.index_paths([kb])
        yield engine


@pytest.mark.parametrize("question", UNRELATED)
def test_a_question_about_nothing_a_topic_speaks_of_is_declined_not_sent_to_the_closest(
    course_engine: KnowledgeEngine, question: str
) -> None:
    """Some topic is always the closest to a question the knowledge base knows nothing of
    ("Transport" for the capital of France): closeness alone is no reason to send the learner
    to its office. The plain decline, which leads to a person, is the honest answer."""
    answer = course_engine.answer_sync(question)
    assert answer.abstained
    assert not answer.redirect, answer.text


@pytest.mark.parametrize("question", ABOUT_TRANSPORT)
def test_a_question_using_a_topics_own_words_still_goes_there_by_closeness(
    course_engine: KnowledgeEngine, question: str
) -> None:
    from knowledge.language import normalise_query
    from knowledge.redirects import RedirectMatcher

    answer = course_engine.answer_sync(question)
    assert answer.redirect and answer.abstained
    assert answer.citations[0].section == "Transport"
    # Closeness took it, with the word a topic's own section uses as its evidence: no listed
    # phrase names the topic, and the word route is not what chose it.
    matcher = RedirectMatcher(course_engine.retriever)
    query = normalise_query(question)
    passages = course_engine.retriever.retrieve(query)
    assert not matcher.named(question)
    chosen = matcher.choose(query, passages, answerable=False, topic_margin=-1.0, by_words=False)
    assert chosen is not None and chosen.chunk.section == "Transport"


def test_the_redirect_documents_opening_is_no_topic(course_engine: KnowledgeEngine) -> None:
    from knowledge.redirects import RedirectMatcher

    matcher = RedirectMatcher(course_engine.retriever)
    signposted = {t.chunk.section: t.signposted for t in matcher.topics}
    assert signposted["Transport"] and signposted["Hostels"]
    assert not any(v for k, v in signposted.items() if k not in {"Transport", "Hostels"})
