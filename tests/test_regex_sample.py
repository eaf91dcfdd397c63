"""Sample values for a field's pattern, found by walking the pattern (emit/regex_sample.py):
every sample fully matches its pattern and fits the field's lengths; what the walk cannot solve
gives no sample (emit then asks for an example), never a wrong one."""

from __future__ import annotations

import re

import pytest

from sp_backend.emit.regex_sample import regex_samples

PATTERNS = [
    r"^[0-9]{15}$",
    r"^[A-Z]{3}-\d{4}$",
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    r"^\+?[1-9]\d{1,14}$",
    r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
    r"^#[0-9a-fA-F]{6}$",
    r"^(en|fr|de)-[A-Z]{2}$",
    r"^https?://\S+$",
    r"^(\w)\1-\d$",
    r"^[^a-z]+$",
    r"^PAT-\d{4,8}$",
    r"[a-z]",  # searched, not anchored, as pydantic does
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_sample_fully_matches(pattern: str) -> None:
    samples = regex_samples(pattern)
    assert samples, pattern
    assert all(re.fullmatch(pattern, s) for s in samples), samples
    assert len(set(samples)) == len(samples)


def test_samples_fit_the_field_lengths() -> None:
    assert regex_samples(r"^[a-z]+$", 3, 5) == ["aaa", "aaaa"]
    assert regex_samples(r"^[0-9]{6}$", 7) == []  # no string of the pattern is long enough


def test_what_the_walk_does_not_solve_gives_no_sample() -> None:
    assert regex_samples(r"^(?=.*[A-Z])(?=.*\d).{8,}$") == []  # lookaheads not solved
    assert regex_samples(r"([") == []  # not a pattern
