"""How a cited rule's name reads in Telegram."""

import pytest

from bot.i18n import Catalogue
from bot.services.questions import FullRuleText
from handlers.rendering import render_answer, render_full_rule
from knowledge.answers import Answer, Citation

TELEGRAM_TEXT_LIMIT = 4096


def test_a_nested_sections_path_reads_with_one_separator() -> None:
    texts = Catalogue.load().for_language("en")
    citation = Citation(
        "Lecture recordings and devices",
        "Lecture recordings > How long recordings are kept",
        "recordings.docx",
        0.0,
    )
    shown = render_answer(texts, Answer("q", "Live class | 120 days.", False, [citation]))
    assert (
        "<i>Lecture recordings and devices</i> › Lecture recordings › How long recordings are kept"
        in shown
    )
    assert "&gt;" not in shown


def test_a_first_heading_restating_the_title_in_other_words_is_not_shown_twice() -> None:
    """A front-matter title and a lone ``#`` heading written differently ("NHU eLearn Helpdesk
    — LMS accounts" over "# LMS accounts"; the sample's Urdu "تکنیکی مدد" over "# تکنیکی مدد:
    لاگ ان اور Coursera کا استعمال | ...") read as the title once, in the English citation and
    in its Urdu version's line; a chapter heading that does not restate the title stays."""
    texts = Catalogue.load().for_language("ur")
    citation = Citation(
        "NHU eLearn Helpdesk — LMS accounts",
        "LMS accounts > Forgotten passwords",
        "accounts/lms-accounts.md",
        0.0,
        translation_title="تکنیکی مدد",
        translation_section=(
            "تکنیکی مدد: لاگ ان اور Coursera کا استعمال | Technical help: logging in"
            " > پاس ورڈ بھول جانا | Forgotten passwords"
        ),
    )
    chapter = Citation(
        "Indus Digital Learning Programme — Learner Handbook 2027",
        "3. FEES AND REFUNDS > 3.2 Refunds",
        "handbook.md",
        0.0,
        translation_title="لرنر ہینڈ بک | Indus Digital Learning Programme — Learner Handbook 2027",
        translation_section=(
            "انڈس ڈیجیٹل لرننگ پروگرام — لرنر ہینڈ بک | Indus Digital Learning Programme —"
            " Learner Handbook 2027 > فیس اور رقم کی واپسی | 3. FEES AND REFUNDS"
            " > رقم کی واپسی | 3.2 Refunds"
        ),
    )
    shown = render_answer(texts, Answer("q", "…", False, [citation, chapter]))
    assert "<i>NHU eLearn Helpdesk — LMS accounts</i> › Forgotten passwords" in shown
    assert "اردو ترجمہ: تکنیکی مدد › پاس ورڈ بھول جانا" in shown
    assert (
        "<i>Indus Digital Learning Programme — Learner Handbook 2027</i> › 3. FEES AND REFUNDS"
        " › 3.2 Refunds" in shown
    )
    assert "اردو ترجمہ: لرنر ہینڈ بک › فیس اور رقم کی واپسی › رقم کی واپسی" in shown


@pytest.mark.parametrize(
    ("language", "continued"), [("en", "(continued)"), ("ur", "(گزشتہ سے پیوستہ)")]
)
def test_each_message_after_the_first_of_a_long_full_rule_names_the_rule(
    language: str, continued: str
) -> None:
    """A full rule over Telegram's limit arrives in several messages: each after the first
    opens with the rule's name and "(continued)" (the learner could not tell which rule the
    second one went on with), every one within the limit and with its tags closed."""
    texts = Catalogue.load().for_language(language)
    paragraphs = [
        f"Step {n} of the hearing. " + "The committee writes to you. " * 20 for n in range(40)
    ]
    rule = FullRuleText(
        "\n\n".join(paragraphs), "Learner Handbook & Rules", "8. CONDUCT > 8.4 Hearings"
    )
    pieces = render_full_rule(texts, rule)
    name = "<b>Learner Handbook &amp; Rules</b> › 8. CONDUCT › 8.4 Hearings"
    assert len(pieces) >= 3
    assert pieces[0].startswith(name + "\n\n")
    for piece in pieces[1:]:
        assert piece.startswith(f"{name} {continued}\n\n"), piece[:120]
    for piece in pieces:
        assert len(piece) <= TELEGRAM_TEXT_LIMIT
        assert piece.count("<b>") == piece.count("</b>")
    assert "Step 39 of the hearing." in pieces[-1]


def test_a_full_rule_that_fits_is_one_message_under_its_name() -> None:
    texts = Catalogue.load().for_language("en")
    pieces = render_full_rule(texts, FullRuleText("Pay **Rs 500**.", "Fees", "Fees > Refunds"))
    assert pieces == ["<b>Fees</b> › Refunds\n\nPay <b>Rs 500</b>."]
