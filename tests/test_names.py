"""Place names kept on one line (review s9, attack A01): a content file of 3,000 places with names of 4,990
words made the build compile a regular expression of ~150 million characters in each process (4 minutes and
5 GB, then the render limit). A name too long for a phone's line is not kept whole, and the names are searched
as a trie (a place costs the length of the longest name, not their number)."""

from __future__ import annotations

import re

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.typography import MAX_UNIT_LENGTH, name_units, whole_names

_WORD = st.text(alphabet="abAB-وعينل", min_size=1, max_size=4)
_UNIT = st.lists(_WORD, min_size=2, max_size=3).map(" ".join)


def _alternation(text: str, units: tuple[str, ...]) -> str:
    """``whole_names`` as it was written first: one alternative per name, longest first."""
    spaced = ("[ \u00a0]".join(re.escape(w) for w in unit.split(" ")) for unit in units)
    pattern = re.compile("(?<![^\\W\u0648\u0641\u0628\u0644\u0643])(?:" + "|".join(spaced) + ")(?!\\w)")
    return pattern.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(_UNIT, min_size=1, max_size=8), st.lists(st.one_of(_UNIT, _WORD, st.sampled_from([" ", "، ", "و", " و"])), max_size=12))
def test_the_names_are_found_as_one_alternative_per_name_would_find_them(names: list[str], pieces: list[str]) -> None:
    units = name_units(names)
    text = " ".join(pieces)
    assert whole_names(text, units) == _alternation(text, units)


def test_a_name_longer_than_a_line_is_not_kept_whole() -> None:
    fits = "Wadi " + "x" * (MAX_UNIT_LENGTH - 5)
    too_long = fits + "y"
    assert name_units([fits, too_long, "Ain al-Asad Air Base"]) == (fits, "Ain al-Asad")
    assert whole_names(f"{too_long} and {fits}", name_units([fits, too_long])) == f"{too_long} and {fits.replace(' ', chr(0xA0))}"
