"""What a decimal field accepts, stated so the OpenAPI can say all of it.

A decimal is sent as a JSON number or as a JSON string. The number is bounded by the field's
range (and, from its digits, by 10**(max_digits - decimal_places)) and by multipleOf
10**-decimal_places, all of which JSON Schema states. The string carries no numeric keywords in
JSON Schema, so its rule is a pattern: plain digits (an optional minus, no leading zeros, at
most decimal_places after the point) whose value lies in the same range. The pattern is built
here, one alternative per run of digit strings, and the generated app enforces the same pattern
(app/schemas/rules.py: DecimalText), so the OpenAPI and the server agree on every string.

Without max_digits/decimal_places the column's Numeric(18, 2) decides (what it can store).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from sp_backend.plan.model import FieldSpec

DEFAULT_DIGITS = 18
DEFAULT_PLACES = 2
ANY = "[0-9]"


@dataclass(frozen=True)
class DecimalRange:
    digits: int
    places: int
    low: Decimal
    low_inclusive: bool
    high: Decimal
    high_inclusive: bool

    @property
    def whole_digits(self) -> int:
        return self.digits - self.places


def decimal_range(spec: FieldSpec) -> DecimalRange:
    """The field's range, narrowed to what its digits can hold (|value| < 10**whole digits)."""
    digits = spec.max_digits if spec.max_digits is not None else DEFAULT_DIGITS
    places = spec.decimal_places if spec.decimal_places is not None else DEFAULT_PLACES
    limit = Decimal(10) ** (digits - places)
    low, low_inclusive = -limit, False
    high, high_inclusive = limit, False
    for value, inclusive in ((spec.ge, True), (spec.gt, False)):
        if value is not None:
            bound = Decimal(str(value))
            if bound > low or (bound == low and not inclusive):
                low, low_inclusive = bound, inclusive
    for value, inclusive in ((spec.le, True), (spec.lt, False)):
        if value is not None:
            bound = Decimal(str(value))
            if bound < high or (bound == high and not inclusive):
                high, high_inclusive = bound, inclusive
    return DecimalRange(digits, places, low, low_inclusive, high, high_inclusive)


def bound_kwargs(r: DecimalRange) -> list[tuple[str, Decimal]]:
    """Field(...) bounds for the number: the plan's, or the digits' where they are tighter."""
    low = ("ge" if r.low_inclusive else "gt", r.low)
    high = ("le" if r.high_inclusive else "lt", r.high)
    return [low, high]


def text_alternatives(r: DecimalRange) -> list[str]:
    """Regex alternatives (to be joined with | and anchored) matching exactly the strings
    [-]digits[.digits] of a value in the range: no leading zeros, no "-0", at most `places`
    digits after the point, at least one digit on each side of a point."""
    out: list[str] = []
    for places in range(r.places + 1):
        scale = Decimal(10) ** places
        # The nonnegative strings with `places` digits after the point spell n / scale.
        low = max(0, _first(r.low * scale, r.low_inclusive))
        high = _last(r.high * scale, r.high_inclusive)
        out += _spelled(low, high, places, r.whole_digits, "")
        # The negative ones spell -(m / scale), m >= 1.
        low = max(1, _first(-r.high * scale, r.high_inclusive))
        high = _last(-r.low * scale, r.low_inclusive)
        out += _spelled(low, high, places, r.whole_digits, "-")
    return out or ["(?!)"]


def _first(bound: Decimal, inclusive: bool) -> int:
    """The least integer n with n >= bound (inclusive) or n > bound."""
    ceiling = math.ceil(bound)
    return ceiling if inclusive or ceiling != bound else ceiling + 1


def _last(bound: Decimal, inclusive: bool) -> int:
    floor = math.floor(bound)
    return floor if inclusive or floor != bound else floor - 1


def _spelled(low: int, high: int, places: int, whole: int, sign: str) -> list[str]:
    """Alternatives for the integers low..high written with `places` digits after a point."""
    out: list[str] = []
    full: list[int] = []  # lengths whose every digit string is in range, in a row

    def flush() -> None:
        if full:
            shortest, longest = full[0] - places - 1, full[-1] - places - 1
            repeat = f"{{{shortest}}}" if shortest == longest else f"{{{shortest},{longest}}}"
            whole_part = "[1-9]" + (ANY if repeat == "{1}" else ANY + repeat)
            out.append(sign + whole_part + _fraction([ANY] * places))
            full.clear()

    # Digit strings of n, zero-padded to places + 1 (one digit before the point, maybe 0).
    for length in range(places + 1, places + whole + 1):
        first = 0 if length == places + 1 else 10 ** (length - 1)
        last = 10**length - 1
        a, b = max(low, first), min(high, last)
        if a > b:
            continue
        if a == first and b == last and length > places + 1:
            full.append(length)
            continue
        flush()
        for classes in _classes(str(a).zfill(length), str(b).zfill(length)):
            cut = len(classes) - places
            out.append(sign + _runs(classes[:cut]) + _fraction(classes[cut:]))
    flush()
    return out


def _fraction(classes: list[str]) -> str:
    return r"\." + _runs(classes) if classes else ""


def _classes(a: str, b: str) -> list[list[str]]:
    """Sequences of digit classes matching exactly the digit strings a..b (same length)."""
    if a == b:
        return [list(a)]
    if len(a) == 1:
        return [[_digit_class(a, b)]]
    if a[0] == b[0]:
        return [[a[0], *rest] for rest in _classes(a[1:], b[1:])]
    tail = len(a) - 1
    out: list[list[str]] = []
    head_low, head_high = int(a[0]), int(b[0])
    if a[1:] != "0" * tail:
        out += [[a[0], *rest] for rest in _classes(a[1:], "9" * tail)]
        head_low += 1
    keep_high = b[1:] != "9" * tail
    if keep_high:
        head_high -= 1
    if head_low <= head_high:
        out.append([_digit_class(str(head_low), str(head_high)), *[ANY] * tail])
    if keep_high:
        out += [[b[0], *rest] for rest in _classes("0" * tail, b[1:])]
    return out


def _digit_class(a: str, b: str) -> str:
    if a == b:
        return a
    if a == "0" and b == "9":
        return ANY
    return f"[{a}-{b}]"


def _runs(classes: list[str]) -> str:
    """Classes written with repeats: [0-9][0-9][0-9] as [0-9]{3}."""
    text = ""
    i = 0
    while i < len(classes):
        j = i
        while j < len(classes) and classes[j] == classes[i]:
            j += 1
        count = j - i
        text += classes[i] + (f"{{{count}}}" if count > 1 else "")
        i = j
    return text
