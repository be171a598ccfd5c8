import re

from bot.i18n import Catalogue, Html, split_message


def test_every_key_exists_in_every_language():
    catalogue = Catalogue.load()
    assert catalogue.keys("en") == catalogue.keys("ur")
    assert len(catalogue.keys("en")) > 10


def test_urdu_texts_are_in_urdu_script():
    catalogue = Catalogue.load()
    # The programme's name is a name ("HEC × Coursera"), the same in both languages.
    for key in catalogue.keys("ur") - {"programme-name"}:
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


def test_every_term_exists_in_every_language():
    catalogue = Catalogue.load()
    terms = {language: set(catalogue.bundles[language]._terms) for language in ("en", "ur")}
    assert terms["en"] == terms["ur"]
    assert {"programme-name", "programme-operator", "help-desk"} <= terms["en"]


def test_an_operators_texts_replace_the_samples_escaped_and_as_written():
    """`PROGRAMME_*` settings replace the sample's programme name, help desk and example
    question wherever the catalogue uses them; braces, quotes and "&" are text, not syntax."""
    catalogue = Catalogue.load(
        replaced={
            "en": {"-programme-name": 'Indus "{IDLP}" & Co', "-help-desk": "the IDLP desk"},
            "ur": {"-help-desk": "آئی ڈی ایل پی ہیلپ ڈیسک", "example-question": "فیس کتنی ہے؟"},
        }
    )
    assert 'Welcome to the Indus "{IDLP}" &amp; Co assistant!' in catalogue.text(
        "en", "start-welcome"
    )
    assert "focal person or the IDLP desk." in catalogue.text("en", "answer-abstained")
    assert "Sent to the IDLP desk (ticket #7)" in catalogue.text("en", "ticket-sent-desk", id=7)
    assert "یا آئی ڈی ایل پی ہیلپ ڈیسک سے پوچھ" in catalogue.text("ur", "answer-abstained")
    assert catalogue.text("ur", "example-question") == "فیس کتنی ہے؟"
    # The sample's texts stay where nothing replaces them.
    assert "HEC × Coursera" in catalogue.text("ur", "start-welcome")
    assert catalogue.text("en", "example-question") == "How do I get a Coursera licence?"
    assert "the HEC desk" in Catalogue.load().text("en", "answer-abstained")


def test_no_text_names_hec_once_an_operator_names_its_programme():
    """Every text, learners' and staff's (the Not mine button, the ticket list's route, the
    dashboard's title, the tracks' prompts, the FAQ draft's receipt), names the programme,
    its operator and its help desk through PROGRAMME_* (the staff texts still said "HEC")."""
    replaced = {
        "-programme-name": "Indus Learning",
        "-programme-operator": "IDLP",
        "-help-desk": "the IDLP desk",
    }
    catalogue = Catalogue.load(replaced={"en": replaced, "ur": replaced})
    arguments = {"id": 7, "count": 2, "track": "Data", "tracks": "Data", "position": 1}
    naming_hec = [
        (language, key)
        for language in ("en", "ur")
        for key in sorted(catalogue.keys(language))
        if "HEC" in (text := catalogue.text(language, key, **arguments)) or "ایچ ای سی" in text
    ]
    assert naming_hec == []
    assert "Not mine (to the IDLP desk)" in catalogue.text("en", "ticket-button-not-mine")
    assert catalogue.text("en", "tickets-route-desk") == "the IDLP desk"
    assert catalogue.text("en", "dashboard-title") == "Indus Learning programme"
    assert "IDLP staff" in catalogue.text("en", "dashboard-forbidden")
    assert "Sent to IDLP for review" in catalogue.text("en", "faq-added", id=7)
    # The sample's texts are unchanged where nothing replaces them.
    sample = Catalogue.load()
    assert "Not mine (to the HEC desk)" in sample.text("en", "ticket-button-not-mine")
    assert sample.plain("en", "dashboard-title") == "HEC × Coursera programme"


def test_plain_text_undoes_the_escaping_of_an_operators_name():
    """A command's description, a chart's title and the dashboard show text as written."""
    catalogue = Catalogue.load(replaced={"en": {"-programme-operator": "Sindh HEC & Co <SHC>"}})
    assert "Sindh HEC &amp; Co &lt;SHC&gt;" in catalogue.text("en", "menu-tracks_upload")
    assert catalogue.plain("en", "menu-tracks_upload") == (
        "Change Sindh HEC & Co <SHC>'s course tracks (YAML file)"
    )
