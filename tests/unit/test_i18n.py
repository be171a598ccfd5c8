import re

from bot.i18n import Catalogue, Html, split_message


def test_every_key_exists_in_every_language():
    catalogue = Catalogue.load()
    assert catalogue.keys("en") == catalogue.keys("ur")
    assert len(catalogue.keys("en")) > 10


def test_urdu_texts_are_in_urdu_script():
    catalogue = Catalogue.load()
    for key in catalogue.keys("ur"):
        text = catalogue.text("ur", key, limit=1)
        assert re.search(r"[\u0600-\u06ff]", text), key


def test_arguments_are_escaped_but_html_wrappers_are_not():
    catalogue = Catalogue.load()
    texts = catalogue.for_language("en")
    assert texts("question-too-long", limit="<b>&").count("&lt;b&gt;&amp;") == 1
    assert "<b>x</b>" in catalogue.text("en", "question-too-long", limit=Html("<b>x</b>"))


def test_unknown_language_falls_back_to_english():
    catalogue = Catalogue.load()
    assert catalogue.for_language("fr")("cancelled") == catalogue.text("en", "cancelled")


def test_split_keeps_every_piece_under_the_limit_and_loses_nothing():
    paragraphs = [f"Paragraph {n} " + "word " * 300 for n in range(12)]
    text = "\n\n".join(paragraphs)
    pieces = split_message(text, limit=4000)
    assert len(pieces) > 1
    assert all(len(piece) <= 4000 for piece in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())


def test_split_never_cuts_an_html_entity():
    text = ("a" * 3995) + "&amp;" + ("b" * 100)
    pieces = split_message(text, limit=4000)
    assert all(piece.count("&") == piece.count("&amp;") for piece in pieces)
    assert "".join(pieces) == text
