"""The pattern a decimal sent as text must match (emit/decimals.py): it matches exactly the plain
digit strings whose value the field accepts, so the OpenAPI's string branch says all of the
rule (digits, places and range) and schemathesis needs no help with decimals."""

from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest

from sp_backend.emit.decimals import decimal_range, text_alternatives
from sp_backend.plan.model import FieldSpec

PLAIN = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
FIELDS = [
    {"gt": 0, "le": 1000000, "max_digits": 12, "decimal_places": 2},  # expenses.amount
    {"ge": 0, "max_digits": 12, "decimal_places": 2},  # jwks budget
    {"max_digits": 12, "decimal_places": 2},  # ledger amount
    {"ge": -100, "lt": 99.5, "max_digits": 6, "decimal_places": 2},
    {"gt": 0.005, "le": 3, "max_digits": 4, "decimal_places": 3},
    {"decimal_places": 0, "max_digits": 5, "ge": -7},
    {},  # the column's Numeric(18, 2)
]


def _accepted(text: str, spec: FieldSpec) -> bool:
    """The rule, written out plainly: what the pattern must match and nothing else."""
    r = decimal_range(spec)
    if not PLAIN.fullmatch(text) or (text.startswith("-") and Decimal(text) == 0):
        return False
    whole, _, fraction = text.lstrip("-").partition(".")
    if len(fraction) > r.places or len(whole) > r.whole_digits:
        return False
    value = Decimal(text)
    above = value >= r.low if r.low_inclusive else value > r.low
    below = value <= r.high if r.high_inclusive else value < r.high
    return above and below


def _samples(seed: int) -> list[str]:
    rnd = random.Random(seed)
    out = ["", "0", "-0", "0.0", "-0.00", "00", "01", "1.", ".5", "1e3", " 1", "1 ", "1\n", "+1"]
    out += ["1000000", "1000000.00", "1000000.01", "999999.99", "0.01", "0.001", "0.005", "0.006"]
    out += ["9999999999.99", "10000000000", "-9999999999.99", "-100", "-100.01", "99.49", "99.5"]
    for _ in range(6000):
        digits = "".join(rnd.choice("0123456789") for _ in range(rnd.randint(1, 12)))
        places = rnd.randint(0, 4)
        fraction = "." + "".join(rnd.choice("0123456789") for _ in range(places)) if places else ""
        whole = str(rnd.randint(0, 10 ** rnd.randint(1, 11))) if rnd.random() < 0.7 else digits
        out.append(rnd.choice(["", "-"]) + whole + fraction)
    return out


@pytest.mark.parametrize("bounds", FIELDS, ids=[str(f) for f in FIELDS])
def test_the_pattern_matches_exactly_the_accepted_text(bounds: dict) -> None:
    spec = FieldSpec(type="decimal", **bounds)
    # Anchored as app/schemas/rules.py (DecimalText) and the OpenAPI anchor it.
    pattern = re.compile("^(?:" + "|".join(text_alternatives(decimal_range(spec))) + ")$")
    wrong = [t for t in _samples(7) if bool(pattern.fullmatch(t)) != _accepted(t, spec)]
    assert not wrong, wrong[:10]


def test_the_digits_bound_the_range() -> None:
    r = decimal_range(FieldSpec(type="decimal", max_digits=12, decimal_places=2, le=10**15))
    assert (r.high, r.high_inclusive) == (Decimal(10) ** 10, False)  # tighter than le
    assert (r.low, r.low_inclusive) == (-(Decimal(10) ** 10), False)
    r = decimal_range(FieldSpec(type="decimal", gt=0, le=5, max_digits=12, decimal_places=2))
    assert (r.low, r.low_inclusive, r.high, r.high_inclusive) == (0, False, 5, True)
