"""The Markdown renderer's own rules: what markdown-it-py leaves to us is done on its output."""

from __future__ import annotations

import time

import pytest
from conftest import examples
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it.common.normalize_url import normalizeLink

from explainer.markdown import _PLAIN_ADDRESS, PLAIN_ADDRESS_MAX, Markdown, link_address, normalize_link
from explainer.model import Language

AR = Language("ar", "ar_IQ", "rtl", "latn", "العربية")
AR_DIGITS = Language("ar", "ar_IQ", "rtl", "arab", "العربية")
EN = Language("en", "en_GB", "ltr", "latn", "English")

md = Markdown()


@pytest.mark.parametrize(
    "url", ["ftp://example.org/x", "tel:123", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "file:///etc"]
)
def test_links_to_other_schemes_are_shown_as_their_text(url: str) -> None:
    out = md.render(f"see [the page]({url}) and <{url}>", EN)
    assert "<a " not in out
    assert "the page" in out


def test_web_mail_and_relative_links_stay_links() -> None:
    out = md.render('[a](https://example.org/?q=1&r=2 "t") [b](mailto:x@example.org) [c](../sources/) <https://example.org>', EN)
    assert '<a href="https://example.org/?q=1&amp;r=2" title="t">a</a>' in out
    assert '<a href="mailto:x@example.org">b</a>' in out
    assert '<a href="../sources/">c</a>' in out
    assert out.count("<a ") == 4


def test_raw_html_and_images_are_text() -> None:
    out = md.render('<b onclick="x()">hi</b>\n\n<div>\nblock\n</div>\n\n![alt](https://example.org/i.png)', EN)
    assert "<b" not in out and "<div" not in out and "<img" not in out
    assert "&lt;b onclick=&quot;x()&quot;&gt;hi&lt;/b&gt;" in out


def test_latin_in_arabic_is_isolated_but_not_in_code_or_english() -> None:
    out = md.render("قال **Charles Lister** إن `code x` و[رابط](https://example.org/)", AR)
    assert '<strong><bdi dir="ltr">Charles Lister</bdi></strong>' in out
    assert "<code>code x</code>" in out
    assert 'href="https://example.org/"' in out  # attributes are never touched
    assert "<bdi" not in md.render("Charles Lister", EN)


def test_arabic_indic_digits_apply_to_text_only() -> None:
    out = md.render("في عام 2024 [10](https://example.org/2025) `3` &#1234; &amp;", AR_DIGITS)
    assert "في عام ٢٠٢٤" in out and ">١٠</a>" in out
    assert 'href="https://example.org/2025"' in out and "<code>3</code>" in out
    assert "&amp;" in out


def test_a_bracket_escape_before_a_backtick_renders_with_every_rule() -> None:
    """This text made the Rust port of markdown-it panic; any parser must render it."""
    text = "[x\\]` **bold** [a](https://example.org/) [b](tel:1) <b>raw</b> 2024"
    out = md.render(text, EN)
    assert "<strong>bold</strong>" in out and '<a href="https://example.org/">' in out
    assert "tel:" not in out and "&lt;b&gt;" in out and "<b>" not in out
    assert '<strong><bdi dir="ltr">bold</bdi></strong>' in md.render(text, AR)
    assert md.render("**ok**", EN) == "<p><strong>ok</strong></p>\n"  # the parser is still usable


_URL_PARTS = st.sampled_from(["http://", "https://", "HTTP://", "mailto:", "//", "/", "@", ":", "::1", "?", "#", "%41", "&amp;"])
_URL_WORDS = st.sampled_from(["xn--", "www.", "example.org", "Ex.ORG", "-", ".."])
_URL_CHARS = st.sampled_from("abcxyzABXZ019-._~:/?#@!$'()*+,;=%&[] \\\u00e9\u0645")


@settings(max_examples=examples(1500), deadline=None)
@given(st.lists(st.one_of(_URL_PARTS, _URL_PARTS, _URL_CHARS, _URL_WORDS), max_size=20))
@example(["https://", "Example.ORG", "/A/B?Q=1#F"])
@example(["http://", "a", ":", "@", "q"])  # a user: markdown-it moves it
@example(["http://", "a." * 130, "/x"])  # a host name over 255 characters: markdown-it empties it
def test_the_quick_link_normalisation_is_markdown_its(parts: list[str]) -> None:
    """The addresses left as they are (most of a site's links) are exactly those markdown-it leaves as they are."""
    url = "".join(parts)
    assert normalize_link(url) == normalizeLink(url)
    if len(url) <= PLAIN_ADDRESS_MAX and _PLAIN_ADDRESS.fullmatch(url):
        assert normalizeLink(url) == url


def test_links_are_normalised_as_markdown_it_does() -> None:
    out = md.render("[a](https://Bücher.example/ü) [b](http://u:p@h/) [c](<https://e.org/a b>) [d](sources/x#p3)", EN)
    assert '<a href="https://xn--Bcher-kva.example/%C3%BC">a</a>' in out
    assert '<a href="http://u:p@h/">b</a>' in out
    assert '<a href="https://e.org/a%20b">c</a>' in out
    assert '<a href="sources/x#p3">d</a>' in out


@pytest.mark.parametrize("length", [40_000, PLAIN_ADDRESS_MAX - 9])
def test_a_long_hostile_address_costs_time_in_proportion_to_its_length(length: int) -> None:
    """An address that nearly matches the quick check's pattern (host-name characters, then one that is not)
    took time in the square of its length: 37 s for one link of 40,000 characters in a content file."""
    address = "https://" + "a" * length + "%"
    started = time.monotonic()
    for _ in range(3000 if length < PLAIN_ADDRESS_MAX else 1):  # (the longest the pattern is tried on, many times)
        assert not _PLAIN_ADDRESS.fullmatch(address)
    out = md.render(f"[x]({address})", EN)
    assert link_address(address) == normalizeLink(address)
    assert time.monotonic() - started < 2
    assert '<a href="https://' in out
