import pytest

from tests.fakebotapi.formatting import EntityParseError, parse_html, parse_markdown_v2, utf16_len


def test_html_tags_become_entities_with_utf16_offsets() -> None:
    parsed = parse_html('😀 <b>bold</b> <a href="https://hec.gov.pk">HEC</a> &lt;3')

    assert parsed.text == "😀 bold HEC <3"
    bold, link = parsed.entities
    # The emoji takes two UTF-16 code units, so "bold" starts at 3, not 2.
    assert (bold["type"], bold["offset"], bold["length"]) == ("bold", 3, 4)
    assert (link["type"], link["url"], link["offset"]) == ("text_link", "https://hec.gov.pk", 8)


def test_html_supports_pre_with_language_and_expandable_blockquote() -> None:
    parsed = parse_html(
        '<pre><code class="language-python">x = 1</code></pre>'
        '<blockquote expandable>quote</blockquote><span class="tg-spoiler">s</span>'
    )

    assert [e["type"] for e in parsed.entities] == ["pre", "expandable_blockquote", "spoiler"]
    assert parsed.entities[0]["language"] == "python"


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<p>paragraph</p>", 'Unsupported start tag "p"'),
        ("<br>", 'Unsupported start tag "br"'),
        ("a < b", 'Unsupported start tag ""'),
        ("fish & chips", "Unsupported HTML entity"),
        ("&nbsp;", "Unsupported HTML entity"),
        ("<b>x</i>", 'expected "</b>", found "</i>"'),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
def test_html_rejects_what_telegram_rejects(source: str, reason: str) -> None:
    with pytest.raises(EntityParseError, match=reason.replace("(", r"\(")):
        parse_html(source)


def test_numeric_and_named_entities_decode() -> None:
    assert parse_html("&#1575;&#x628; &quot;q&quot; &amp;").text == 'اب "q" &'


def test_markdown_v2_requires_escaping_reserved_characters() -> None:
    with pytest.raises(EntityParseError, match=r"Character '\.' is reserved"):
        parse_markdown_v2("Version 2.0")

    parsed = parse_markdown_v2(r"*Version* 2\.0")
    assert parsed.text == "Version 2.0"
    assert parsed.entities == [{"type": "bold", "offset": 0, "length": 7}]


def test_markdown_v2_unclosed_entity_fails() -> None:
    with pytest.raises(EntityParseError, match="Can't find end of Italic entity"):
        parse_markdown_v2("_open")


def test_utf16_len_counts_surrogate_pairs() -> None:
    assert utf16_len("پاکستان") == 7
    assert utf16_len("👍") == 2
