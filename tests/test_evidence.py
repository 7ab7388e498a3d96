"""Truth to the source: every quote in the data is a verbatim, unambiguous part of the
brief, in the section its evidence names, within one sentence and one column."""

from __future__ import annotations

import pytest

from policygraph.evidence import SourceText, check_quotes, normalise


def test_every_quote_checks_out_against_the_source(asserted, project):
    if not project.sources_dir.is_dir() or not any(project.sources_dir.glob("*.txt")):
        pytest.skip(f"source texts absent: {project.sources_dir} has no .txt file")
    problems, checked = check_quotes(asserted, project.sources_dir)
    assert checked > 0, "no quote was checked: does the source name a text file that exists?"
    assert not problems, f"{len(problems)} of {checked} quotes fail:\n" + "\n".join(
        map(str, problems)
    )


TEXT = (
    "Intro text here.\n\nThe **EU** adopted its [Strategic Compass](#) on 24 March 2022. "
    "It was the first.\n\nThe EU adopted its Strategic Compass again, with more\n\n"
    "January 2022, the Union did things."
)


@pytest.mark.parametrize(
    ("exact", "prefix", "suffix", "found"),
    [
        ("adopted its Strategic Compass on 24 March 2022", "", "", 1),  # markup dropped
        ("The EU adopted its Strategic Compass", "", "", 2),  # ambiguous alone
        ("The EU adopted its Strategic Compass", "", " again", 1),  # suffix decides
        ("The EU adopted its Strategic Compass", "first. ", "", 1),  # prefix decides
        ("adopted its Strategic Compass on 24 May", "", "", 0),  # not verbatim
    ],
)
def test_find_respects_markup_whitespace_prefix_and_suffix(exact, prefix, suffix, found):
    assert len(SourceText(TEXT, []).find(exact, prefix, suffix)) == found


def test_column_junction_is_located():
    text = SourceText(TEXT, ["with more|January 2022, the Union"])
    (junction,) = text.junctions
    assert text.text[:junction].endswith("with more")


def test_normalise_folds_whitespace():
    assert normalise("a\n\n  b\tc") == "a b c"
