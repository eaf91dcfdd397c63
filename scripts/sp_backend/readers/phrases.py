"""One table of the ways contracts state a field's constraint or behaviour in words, each mapped
to plan facts. Every reader that looks at a cell, bullet or line of prose (tables, bullets,
pseudo-JSON, schema notes) reads it through `read`, so a phrasing learnt once is learnt
everywhere; each entry carries its own examples, and every example is a test
(tests/readers/test_phrases.py).

Facts are FieldSpec keys plus the reader-only keys primary_key, foreign_key, on_delete,
required, nullable, not_blank, future, past, read_only, immutable, given_by_client (the client
gives the value: a key of its own) and unique_across_users (unique over every user's rows, not
per owner). Only what the words say: nothing is assumed. A number with no unit is stated both
ways it can be meant ("max 50" is max_length 50 for a string and le 50 for a number): the
field's type, decided later, picks the one that applies."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Facts = dict[str, Any]

_NUM = r"(\d[\d,_]*)"
_SIGNED = r"(-?\d[\d,_]*(?:\.\d+)?)"
_LEN_UNIT = r"(?:char(?:acter)?s?|chars?|letters?|length|symbols?|bytes?)"
_ITEM_UNIT = r"(?:items?|tags?|elements?|entries|values|members|labels|keywords)"
# A number that is not followed by a unit of length or of items (a bound on a value).
_BARE = rf"{_SIGNED}\b(?!\s*(?:{_LEN_UNIT}|{_ITEM_UNIT}|%))"

_SERVER_DEFAULTS = ("now", "now()", "current_timestamp", "uuid", "gen_random_uuid", "auto", "none")


def _int(text: str) -> int:
    return int(re.sub(r"[,_]", "", text))


def _num(text: str) -> float:
    return float(re.sub(r"[,_]", "", text))


def literal(text: str) -> Any:
    """A written value as data: quoted text, true/false, null, [] and numbers."""
    t = text.strip().strip("`").strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1]
    low = t.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "none"):
        return None
    if low in ("[]", "empty array", "empty list"):
        return []
    if re.fullmatch(r"-?\d+", t):
        return int(t)
    if re.fullmatch(r"-?\d+\.\d+", t):
        return float(t)
    return t


@dataclass(frozen=True)
class Phrase:
    """One way of saying something. ``pattern`` is searched in the lower-cased text with
    emphasis and backticks removed (``raw``: in the text as written, for values whose case
    matters); ``facts`` turns a match into plan facts, given what earlier phrases found."""

    name: str
    pattern: re.Pattern[str]
    facts: Callable[[re.Match[str], Facts], Facts | None]
    examples: tuple[tuple[str, Facts], ...]
    raw: bool = False
    # Texts in which this phrase must find nothing (a near miss another phrase owns).
    not_in: tuple[str, ...] = ()


def _const(facts: Facts) -> Callable[[re.Match[str], Facts], Facts]:
    return lambda _m, _out: dict(facts)


def _unless(key: str, facts: Callable[[re.Match[str], Facts], Facts | None]):
    """Only when no earlier phrase stated ``key`` (a more specific one has precedence)."""
    return lambda m, out: None if key in out else facts(m, out)


def _fk(m: re.Match[str], _out: Facts) -> Facts:
    if m.group(1):
        return {"foreign_key": f"{m.group(1)}.{m.group(2)}"}
    return {"foreign_key": "?"}


def _default(m: re.Match[str], out: Facts) -> Facts | None:
    if "default" in out:
        return None
    raw = m.group(1)
    low = raw.lower()
    if low in _SERVER_DEFAULTS or low.startswith(("now", "current")):
        return None  # the database's clock or id generator: not a value the plan states
    return {"default": literal(raw)}


def _enum(m: re.Match[str], _out: Facts) -> Facts | None:
    values = enum_values(m.string)
    return {"values": values} if values else None


def _range(unit_keys: tuple[str, str], convert: Callable[[str], Any]):
    return lambda m, _out: {unit_keys[0]: convert(m.group(1)), unit_keys[1]: convert(m.group(2))}


def _one(key: str, convert: Callable[[str], Any], group: int = 1):
    return lambda m, _out: {key: convert(m.group(group))}


def _first(m: re.Match[str]) -> str:
    """The number a phrase with several wordings captured (the one alternative that matched)."""
    return next(g for g in m.groups() if g)


def _max_items(number: str, text: str) -> Facts:
    out: Facts = {"max_items": _int(number)}
    each = re.search(
        rf"\beach\s*(?:(?:tag|item|element|entry|value)\s*)?(?:max(?:imum)?|up to|at most|<=)?"
        rf"\s*{_NUM}\s*{_LEN_UNIT}",
        text,
    )
    if each:
        out["item_max_length"] = _int(each.group(1))
    return out


def _bare_max(number: str, out: Facts) -> Facts:
    """'max 50': a length for a string, a bound for a number (the type decides later)."""
    found: Facts = {"le": _num(number)}
    if "max_length" not in out and "." not in number and not number.startswith("-"):
        found["max_length"] = _int(number)
    return found


_UP_TO = (
    r"(?:max(?:imum)?|up to|at most|<=|≤|no more than|not more than"
    r"|limit(?:ed|ing|s)?\s+(?:\w+\s+)?to)"
)
_AT_LEAST = r"(?:min(?:imum)?|at least|>=|≥|no (?:less|fewer) than|not (?:less|fewer) than)"

PHRASES: tuple[Phrase, ...] = (
    # -- presence -------------------------------------------------------------------------
    Phrase(
        "optional",
        re.compile(
            r"\boptional\b|\bnullable\b|\bnot (?:required|mandatory)\b|\b(?:may|can) be "
            r"(?:omitted|left out|null|empty|blank|absent)\b"
        ),
        _const({"required": False}),
        (
            ("optional", {"required": False}),
            ("Optional, max 1000 characters", {"required": False}),
            ("nullable", {"required": False}),
            ("not required", {"required": False}),
            ("may be omitted", {"required": False}),
            ("Can be left out when unknown", {"required": False}),
        ),
    ),
    Phrase(
        "required",
        re.compile(
            r"\brequired\b|\bnot\s+null\b|\bmandatory\b|\bmust be (?:provided|given|supplied|"
            r"present|set)\b|\bcannot be (?:omitted|left out)\b"
        ),
        lambda _m, out: (
            None if re.search(r"\bnot (?:required|mandatory)\b", _m.string) else {"required": True}
        ),
        (
            ("required", {"required": True}),
            ("Required, 1-200 characters", {"required": True}),
            ("NOT NULL", {"required": True}),
            ("mandatory", {"required": True}),
            ("must be provided on create", {"required": True}),
            ("cannot be omitted", {"required": True}),
        ),
        not_in=("not required", "not mandatory"),
    ),
    Phrase(
        "nullable",
        re.compile(r"\bnullable\b|\|\s*null\b|\b(?:may|can) be null\b"),
        _const({"nullable": True}),
        (("nullable", {"nullable": True}), ("string | null", {"nullable": True})),
    ),
    # -- keys -----------------------------------------------------------------------------
    Phrase(
        "primary key",
        re.compile(r"\bprimary\s*key\b|\bpk\b"),
        _const({"primary_key": True}),
        (("Primary key", {"primary_key": True}), ("PK, auto", {"primary_key": True})),
    ),
    Phrase(
        "foreign key",
        re.compile(
            r"\b(?:fk|foreign\s*key|references?)\b(?:[^a-z0-9]*(?:to\s+)?([a-z_]\w*)"
            r"(?:\.|\s*\()(\w+))?",
            re.IGNORECASE,
        ),
        _fk,
        (
            ("FK -> boards.id", {"foreign_key": "boards.id"}),
            ("references users(id)", {"foreign_key": "users.id"}),
            ("foreign key", {"foreign_key": "?"}),
        ),
        raw=True,
    ),
    Phrase(
        "on delete",
        re.compile(r"\bon\s+delete\s*[:=]?\s*(cascade|restrict|set\s+null|no\s+action)\b"),
        lambda m, out: (
            {
                "on_delete": {"cascade": "cascade", "set null": "set_null"}.get(
                    re.sub(r"\s+", " ", m.group(1)), "restrict"
                )
            }
            if "foreign_key" in out
            else None
        ),
        (
            ("FK -> boards.id, on delete cascade", {"on_delete": "cascade"}),
            ("references users(id) ON DELETE SET NULL", {"on_delete": "set_null"}),
            ("FK to lists.id, on delete no action", {"on_delete": "restrict"}),
        ),
    ),
    Phrase(
        "unique",
        re.compile(r"\bunique\b|\bno two \w+(?: \w+)? (?:may|can) (?:share|have the same)\b"),
        _const({"unique": True}),
        (
            ("unique", {"unique": True}),
            ("must be unique per account", {"unique": True}),
            ("no two venues may share a code", {"unique": True}),
        ),
    ),
    Phrase(
        "unique across users",
        re.compile(
            r"\bglobally unique\b|\bunique (?:across|among|over) (?:all|every|the whole|the "
            r"entire)\b|\bunique (?:system|site|platform)[- ]wide\b|\bno two (?:users|accounts|"
            r"customers|members) (?:may|can) (?:share|have the same)\b"
        ),
        _const({"unique": True, "unique_across_users": True}),
        (
            ("globally unique", {"unique": True, "unique_across_users": True}),
            ("unique across all keepers", {"unique": True, "unique_across_users": True}),
            ("unique among every account", {"unique": True, "unique_across_users": True}),
            ("unique site-wide", {"unique": True, "unique_across_users": True}),
        ),
        not_in=("must be unique per account", "unique for each user"),
    ),
    Phrase(
        "index",
        re.compile(r"\bindex(?:ed)?\b"),
        _const({"index": True}),
        (("indexed", {"index": True}), ("index for lookups", {"index": True})),
    ),
    # -- length -----------------------------------------------------------------------------
    Phrase(
        "length range",
        re.compile(rf"\b(?:between\s+)?{_NUM}\s*(?:-|–|—|to|\.\.|and)\s*{_NUM}\s*{_LEN_UNIT}"),
        _range(("min_length", "max_length"), _int),
        (
            ("1-200 characters", {"min_length": 1, "max_length": 200}),
            ("1–100 chars", {"min_length": 1, "max_length": 100}),
            ("between 3 and 40 characters", {"min_length": 3, "max_length": 40}),
            ("2 to 64 letters", {"min_length": 2, "max_length": 64}),
            ("length 1..80 chars", {"min_length": 1, "max_length": 80}),
        ),
    ),
    Phrase(
        "max length",
        re.compile(
            rf"(?:\b|(?=[<≤])){_UP_TO}\s*(?:length\s*)?(?:of\s*)?[:=]?\s*{_NUM}\s*{_LEN_UNIT}"
            rf"|\b(?:no|not) longer than\s*{_NUM}\s*{_LEN_UNIT}?"
            rf"|\b{_NUM}\s*{_LEN_UNIT}\s*(?:max(?:imum)?|or (?:fewer|less)|at most)\b"
            rf"|\bmax_?length\s*[:=]?\s*{_NUM}"
            rf"|\bmax(?:imum)?\s+length\s*(?:of\s*)?[:=]?\s*{_NUM}"
            rf"|\blength\s*(?:<=|≤)\s*{_NUM}"
        ),
        _unless(
            "max_length",
            lambda m, _out: {"max_length": _int(_first(m))},
        ),
        (
            ("max 200 chars", {"max_length": 200}),
            ("maximum length of 500 characters", {"max_length": 500}),
            ("up to 80 chars", {"max_length": 80}),
            ("at most 64 characters", {"max_length": 64}),
            ("no longer than 120 characters", {"max_length": 120}),
            ("not longer than 30", {"max_length": 30}),
            ("140 characters max", {"max_length": 140}),
            ("20 chars or fewer", {"max_length": 20}),
            ("maxLength: 300", {"max_length": 300}),
            ("limited to 255 characters", {"max_length": 255}),
            ("no more than 40 letters", {"max_length": 40}),
            ("<= 16 chars", {"max_length": 16}),
            ("Max length 500", {"max_length": 500}),
            ("length <= 32", {"max_length": 32}),
        ),
        not_in=("up to 10 tags",),
    ),
    Phrase(
        "min length",
        re.compile(
            rf"(?:\b|(?=[>≥])){_AT_LEAST}\s*(?:length\s*)?(?:of\s*)?[:=]?\s*{_NUM}\s*{_LEN_UNIT}"
            rf"|\b(?:no|not) shorter than\s*{_NUM}\s*{_LEN_UNIT}?"
            rf"|\b{_NUM}\s*{_LEN_UNIT}\s*(?:min(?:imum)?|or (?:more|longer))\b"
            rf"|\bmin_?length\s*[:=]?\s*{_NUM}"
        ),
        lambda m, _out: {"min_length": _int(_first(m))},
        (
            ("at least 8 characters", {"min_length": 8}),
            ("minimum 3 chars", {"min_length": 3}),
            ("no shorter than 2 letters", {"min_length": 2}),
            ("12 characters or more", {"min_length": 12}),
            ("minLength: 4", {"min_length": 4}),
        ),
    ),
    Phrase(
        "max items",
        re.compile(
            rf"\b(?:max(?:imum)?|up to|at most|no more than)\s*(?:of\s*)?{_NUM}\s*{_ITEM_UNIT}"
            rf"|\b{_NUM}\s*{_ITEM_UNIT}\s*(?:max(?:imum)?|at most|or fewer)\b"
        ),
        lambda m, _out: _max_items(_first(m), m.string),
        (
            ("max 10 tags", {"max_items": 10}),
            ("up to 5 items, each max 30 chars", {"max_items": 5, "item_max_length": 30}),
            ("no more than 3 labels", {"max_items": 3}),
            ("8 entries at most", {"max_items": 8}),
        ),
    ),
    Phrase(
        "item length",
        re.compile(
            r"\beach\s*(?:(?:tag|item|element|entry|value|label|keyword)\s*)?(?:must be\s*|is\s*)?"
            rf"(?:between\s*)?{_NUM}\s*(?:-|–|—|to|and)\s*{_NUM}\s*{_LEN_UNIT}"
        ),
        lambda m, _out: {"item_min_length": _int(m.group(1)), "item_max_length": _int(m.group(2))},
        (
            ("each tag 1–30 characters", {"item_min_length": 1, "item_max_length": 30}),
            ("each item between 2 and 12 chars", {"item_min_length": 2, "item_max_length": 12}),
        ),
    ),
    Phrase(
        "item max length",
        re.compile(
            r"\b(?:each|every)\s*(?:(?:tag|item|element|entry|value|label|keyword)\s*)?"
            rf"(?:max(?:imum)?|up to|at most|<=)\s*{_NUM}\s*{_LEN_UNIT}"
            rf"|\bitems?\s*(?:of\s*)?(?:max(?:imum)?|up to|at most)\s*{_NUM}\s*{_LEN_UNIT}"
        ),
        _unless("item_max_length", lambda m, _out: {"item_max_length": _int(_first(m))}),
        (
            ("items up to 40 characters", {"item_max_length": 40}),
            ("every label at most 16 chars", {"item_max_length": 16}),
        ),
    ),
    Phrase(
        "not blank",
        re.compile(
            r"\bnon[- ]?empty\b|\bnot\s+(?:be\s+)?(?:empty|blank)\b|\bnon[- ]?blank\b"
            r"|\bcannot be (?:empty|blank)\b|\bmust not be (?:empty|blank)\b"
        ),
        lambda _m, out: {"min_length": out.get("min_length", 1), "not_blank": True},
        (
            ("non-empty", {"not_blank": True, "min_length": 1}),
            ("must not be blank", {"not_blank": True}),
            ("cannot be empty", {"not_blank": True}),
            ("not blank", {"not_blank": True}),
        ),
    ),
    # -- dates ----------------------------------------------------------------------------
    Phrase(
        "future",
        re.compile(
            r"\b(?:in the future|future date|must be (?:in )?future|after now"
            r"|not (?:be )?in the past)\b"
        ),
        lambda m, _out: (
            None if re.search(r"not (?:be )?in the future", m.string) else {"future": True}
        ),
        (
            ("must be in the future", {"future": True}),
            ("a future date", {"future": True}),
            ("must not be in the past", {"future": True}),
        ),
        not_in=("must not be in the future",),
    ),
    Phrase(
        "past",
        re.compile(r"\b(?:in the past|past date|before now|not (?:be )?in the future)\b"),
        lambda m, _out: None if re.search(r"not (?:be )?in the past", m.string) else {"past": True},
        (
            ("must be a past date", {"past": True}),
            ("not in the future", {"past": True}),
            ("in the past", {"past": True}),
        ),
        not_in=("must not be in the past",),
    ),
    # -- numbers ---------------------------------------------------------------------------
    Phrase(
        "value range",
        re.compile(
            rf"\b(?:between|from|range\s*[:=]?)\s*{_SIGNED}\s*(?:and|to|-|–|\.\.)\s*{_BARE}"
        ),
        lambda m, _out: {"ge": _num(m.group(1)), "le": _num(m.group(2))},
        (
            ("between 1 and 5", {"ge": 1, "le": 5}),
            ("from 0 to 100", {"ge": 0, "le": 100}),
            ("range: 1-10", {"ge": 1, "le": 10}),
            ("between -90 and 90", {"ge": -90, "le": 90}),
        ),
        not_in=("between 3 and 40 characters",),
    ),
    Phrase(
        # A rules cell or clause that is only the two bounds: "1 to 400", "0.5..2".
        "bare value range",
        re.compile(rf"(?:^|[,;(]\s*){_SIGNED}\s*(?:to|\.\.|–)\s*{_BARE}"),
        lambda m, out: None if "ge" in out else {"ge": _num(m.group(1)), "le": _num(m.group(2))},
        (
            ("1 to 400", {"ge": 1, "le": 400}),
            ("optional; 0.5..2", {"ge": 0.5, "le": 2}),
        ),
        not_in=("up to 400", "1 to 40 characters", "2024-01-01 to 2024-12-31"),
    ),
    Phrase(
        "at least",
        re.compile(
            rf"(?:\b|(?=[>≥])){_AT_LEAST}\s*(?:value\s*)?[:=]?\s*{_BARE}"
            rf"|\bgreater than or equal to\s*{_BARE}|\b{_BARE}\s*or (?:more|greater|above|higher)"
        ),
        lambda m, out: None if "min_length" in out or "ge" in out else {"ge": _num(_first(m))},
        (
            (">= 0", {"ge": 0}),
            ("minimum 1", {"ge": 1}),
            ("at least 2", {"ge": 2}),
            ("no less than 10", {"ge": 10}),
            ("greater than or equal to 0.5", {"ge": 0.5}),
            ("18 or more", {"ge": 18}),
            ("min: -5", {"ge": -5}),
        ),
        not_in=("at least 8 characters",),
    ),
    Phrase(
        "at most",
        re.compile(
            rf"(?:\b|(?=[<≤])){_UP_TO}\s*(?:value\s*)?[:=]?\s*{_BARE}"
            rf"|\bless than or equal to\s*{_BARE}|\b{_BARE}\s*or (?:less|fewer|below|lower)"
            rf"|\b(?:must not|cannot|may not|can't) exceed\s*{_BARE}|\bnot exceeding\s*{_BARE}"
        ),
        lambda m, out: None if "le" in out else _bare_max(_first(m), out),
        (
            ("max 50", {"le": 50, "max_length": 50}),
            ("<= 100", {"le": 100}),
            ("at most 12", {"le": 12}),
            ("no more than 99.5", {"le": 99.5}),
            ("cannot exceed 1000", {"le": 1000}),
            ("10 or less", {"le": 10}),
            ("less than or equal to 7", {"le": 7}),
        ),
        not_in=("max 200 chars", "up to 10 tags"),
    ),
    Phrase(
        "greater than",
        re.compile(
            rf"\b(?:greater|more|larger|bigger|higher) than\s*{_BARE}(?!\s*or)"
            rf"|(?<![<>=])>\s*{_BARE}"
            rf"|\babove\s*{_BARE}"
        ),
        lambda m, _out: None if re.search(r"than or equal", m.string) else {"gt": _num(_first(m))},
        (
            ("greater than 0", {"gt": 0}),
            ("> 5", {"gt": 5}),
            ("must be more than 1.5", {"gt": 1.5}),
            ("above 10", {"gt": 10}),
        ),
        not_in=(">= 0", "greater than or equal to 3"),
    ),
    Phrase(
        "less than",
        re.compile(
            rf"\b(?:less|lower|smaller|fewer) than\s*{_BARE}(?!\s*or)|(?<![<>=])<\s*{_BARE}"
            rf"|\bbelow\s*{_BARE}"
        ),
        lambda m, _out: (
            None
            if re.search(r"than or equal|no (?:less|fewer) than|not (?:less|fewer) than", m.string)
            else {"lt": _num(_first(m))}
        ),
        (
            ("less than 100", {"lt": 100}),
            ("< 24", {"lt": 24}),
            ("below 5", {"lt": 5}),
        ),
        not_in=("<= 100", "no less than 10"),
    ),
    Phrase(
        "positive",
        re.compile(r"\bpositive\b"),
        lambda m, out: (
            None
            if "gt" in out or "ge" in out or re.search(r"\bnon[- ]?positive\b", m.string)
            else {"gt": 0}
        ),
        (("positive integer", {"gt": 0}), ("must be positive", {"gt": 0})),
        not_in=("non-negative", "non positive"),
    ),
    Phrase(
        "non-negative",
        re.compile(r"\bnon[- ]?negative\b|\bzero or (?:more|greater|positive)\b|\b0 or more\b"),
        lambda _m, out: None if "ge" in out else {"ge": 0},
        (
            ("non-negative", {"ge": 0}),
            ("nonnegative decimal", {"ge": 0}),
            ("zero or more", {"ge": 0}),
        ),
    ),
    # -- text patterns ------------------------------------------------------------------------
    Phrase(
        "pattern",
        # An anchored pattern ends at its `$`: punctuation after it is the sentence's.
        re.compile(
            r"\b(?:pattern|regex|format)\s*[:=]?\s*[`\"']?"
            r"(\^[^`\"'\s]+?\$(?=[,;.)]*(?:\s|$))|\^[^`\"'\s]+)",
            re.IGNORECASE,
        ),
        _one("pattern", str),
        (
            ("pattern ^[A-Z]{3}$", {"pattern": "^[A-Z]{3}$"}),
            ("regex: `^\\d{4}$`", {"pattern": "^\\d{4}$"}),
            ("pattern `^[a-z][a-z0-9-]+$`, lowercase", {"pattern": "^[a-z][a-z0-9-]+$"}),
        ),
        raw=True,
    ),
    # -- defaults ---------------------------------------------------------------------------
    Phrase(
        "default empty list",
        re.compile(r"\bdefaults?\s*(?:to|is)?\s*[:=(]?\s*(?:an?\s+)?empty\s+(?:array|list)"),
        _const({"default": []}),
        (("default empty array", {"default": []}), ("defaults to an empty list", {"default": []})),
    ),
    Phrase(
        "default",
        re.compile(
            r"\b(?:defaults?\s+to|defaults?\s+(?:value\s+)?is|default\s*(?:value)?\s*[:=(]?|"
            r"by default\s*[:=]?)\s*(\"[^\"]*\"|'[^']*'|`[^`]*`|\[\]|[\w.-]+)",
            re.IGNORECASE,
        ),
        _default,
        (
            ("default: false", {"default": False}),
            ("defaults to 'draft'", {"default": "draft"}),
            ("Defaults to pending", {"default": "pending"}),
            ("default is 3", {"default": 3}),
            ("(default `medium`)", {"default": "medium"}),
            ("Default: False", {"default": False}),
            ("by default: 20", {"default": 20}),
        ),
        raw=True,
        not_in=("default now()", "defaults to CURRENT_TIMESTAMP"),
    ),
    # -- choices ----------------------------------------------------------------------------
    Phrase(
        "one of",
        re.compile(
            r"\bone of\b|\benum\b|\beither\b|\b(?:allowed|accepted|possible|valid) values\b|\|"
            r"|[\"'].+[\"']\s*,\s*[\"']",
            re.IGNORECASE,
        ),
        _enum,
        (
            ("one of: low, medium, high", {"values": ["low", "medium", "high"]}),
            ("one of `V0`, `V1`, `V2`; required", {"values": ["V0", "V1", "V2"], "required": True}),
            ('"draft" | "live"', {"values": ["draft", "live"]}),
            ("either indoor or outdoor", {"values": ["indoor", "outdoor"]}),
            ("allowed values: 'am', 'pm'", {"values": ["am", "pm"]}),
            ("enum(open, closed)", {"values": ["open", "closed"]}),
        ),
        raw=True,
        not_in=("string | null",),
    ),
    # -- who writes it -------------------------------------------------------------------------
    Phrase(
        "read only",
        re.compile(
            r"\bread[- ]?only\b|\bserver[- ](?:generated|set|assigned|managed|side)\b"
            r"|\b(?:set|generated|assigned|computed|filled|managed|maintained) by the "
            r"(?:server|system|backend|api|database)\b|\bsystem[- ]generated\b"
            r"|\boutput[- ]only\b|\bresponse[- ]only\b|\bnever (?:sent|written) by the client\b"
        ),
        _const({"read_only": True}),
        (
            ("read-only", {"read_only": True}),
            ("server-generated", {"read_only": True}),
            ("set by the server when the booking is confirmed", {"read_only": True}),
            ("computed by the backend", {"read_only": True}),
            ("output only", {"read_only": True}),
        ),
    ),
    Phrase(
        "given by the client",
        re.compile(
            r"\b(?:client|caller|user)[- ](?:chosen|given|supplied|provided|assigned|defined|"
            r"picked)\b|\b(?:chosen|given|supplied|provided|picked|set|named|assigned) by the "
            r"(?:client|caller|user|consumer|requester|api user)\b|\bthe (?:client|caller) "
            r"(?:chooses|picks|names|supplies|provides|assigns|sets) (?:it|the id|the key)\b"
            r"|\byou (?:choose|pick) (?:it|the id|the key)\b"
        ),
        _const({"given_by_client": True}),
        (
            ("client-chosen", {"given_by_client": True}),
            ("given by the client on create", {"given_by_client": True}),
            ("supplied by the caller", {"given_by_client": True}),
            ("the caller picks it when registering", {"given_by_client": True}),
            ("user-defined key", {"given_by_client": True}),
        ),
        not_in=("set by the server", "assigned by the database", "server-assigned"),
    ),
    Phrase(
        "immutable",
        re.compile(
            r"\bimmutable\b|\bwrite[- ]once\b|\bset once\b|\bfixed (?:once|after|at) "
            r"(?:set|created?|creation)\b|\bcan ?(?:not|'t)\s+(?:be\s+)?(?:changed|modified|"
            r"updated|edited)\s+(?:after|once)\b|\bnot (?:changeable|updatable|editable) "
            r"after\b|\bnever changes? after\b"
        ),
        _const({"immutable": True}),
        (
            ("immutable", {"immutable": True}),
            ("Cannot be changed after creation.", {"immutable": True}),
            ("write-once", {"immutable": True}),
            ("set once, when the order is placed", {"immutable": True}),
            ("can't be modified once the ticket exists", {"immutable": True}),
        ),
        not_in=("can be changed at any time", "mutable"),
    ),
)


# -- conditions on a row -------------------------------------------------------------------------
# How a contract says what a boolean list parameter keeps ("loans past their due date",
# "quantity above zero", "due_at earlier than the current time"): each entry reads one clause's
# operator, and its value when the words state one. Searched in order, the first match wins, so
# the longer wordings ("on or before") come before the shorter ones they contain ("before").
# `value` "clock" means the moment of the request, now or today as the field's type says.
_VALUE = (
    r"(?:\s+(?:the\s+)?(?P<value>-?\d[\d,_]*(?:\.\d+)?|zero|now|today|current\s+(?:time|moment|"
    r"date(?:[- ]?time)?|day)|present(?:\s+(?:time|moment))?|(?:this|the)\s+moment|"
    r"[\"'][^\"']+[\"']))?"
)
_CLOCKS = {"now": "clock", "today": "clock", "zero": 0}


def _clause(op: str) -> Callable[[re.Match[str], Facts], Facts]:
    def facts(m: re.Match[str], _out: Facts) -> Facts:
        found: Facts = {"op": op}
        value = m.groupdict().get("value")
        if value is not None:
            word = value.strip("\"'")
            if re.match(r"(?:current|present|this|the)\b", word) or word in _CLOCKS:
                found["value"] = _CLOCKS.get(word, "clock")
            else:
                found["value"] = literal(word.replace(",", "").replace("_", ""))
        elif op in ("lt", "le", "gt", "ge"):
            found["value"] = "clock"  # "past its due date": compared with the moment of asking
        return found

    return facts


CONDITIONS: tuple[Phrase, ...] = (
    Phrase(
        "not set",
        re.compile(
            r"\b(?:not|never|n't|no longer|yet to be|has no|have no|without(?: an?)?)\s*(?:been\s+|"
            r"yet\s+|a\s+|an\s+)?(?:set|given|recorded|filled|known|returned|closed|finished|"
            r"done|paid|sent|delivered|collected|completed|assigned|\w+ed)\b|\bis null\b|"
            r"\b(?:empty|missing|unset|absent|blank)\b|\bnot yet\b|\bno \w+ (?:date|time)\b"
        ),
        _const({"op": "is_null"}),
        (
            ("that are not returned", {"op": "is_null"}),
            ("returned_at is null", {"op": "is_null"}),
            ("has not been collected", {"op": "is_null"}),
            ("with no return date", {"op": "is_null"}),
            ("closed_on missing", {"op": "is_null"}),
        ),
    ),
    Phrase(
        "at or before",
        re.compile(
            rf"(?:\b(?:on or before|at or before|no later than|not after|up to(?: and including)?|"
            rf"at most|no more than|not more than)|<=|≤){_VALUE}"
        ),
        _clause("le"),
        (
            ("on or before today", {"op": "le", "value": "clock"}),
            ("at most 3", {"op": "le", "value": 3}),
            ("<= 10", {"op": "le", "value": 10}),
        ),
    ),
    Phrase(
        "at or after",
        re.compile(
            rf"(?:\b(?:on or after|at or after|no earlier than|not before|at least|"
            rf"no (?:less|fewer) than)|>=|≥){_VALUE}"
        ),
        _clause("ge"),
        (
            ("on or after the current date", {"op": "ge", "value": "clock"}),
            ("at least 5", {"op": "ge", "value": 5}),
            (">= 1", {"op": "ge", "value": 1}),
        ),
    ),
    Phrase(
        "earlier than",
        re.compile(
            rf"(?:\b(?:earlier than|before|prior to|older than|past|passed|less than|fewer than|"
            rf"below|under|lower than|smaller than)|<){_VALUE}"
        ),
        _clause("lt"),
        (
            ("earlier than the current time", {"op": "lt", "value": "clock"}),
            ("past their due date", {"op": "lt", "value": "clock"}),
            ("before now", {"op": "lt", "value": "clock"}),
            ("below 5", {"op": "lt", "value": 5}),
            ("fewer than 2", {"op": "lt", "value": 2}),
        ),
    ),
    Phrase(
        "later than",
        re.compile(
            rf"(?:\b(?:later than|after|beyond|newer than|above|greater than|more than|over|"
            rf"exceeds?|exceeding|higher than|larger than)|>){_VALUE}"
        ),
        _clause("gt"),
        (
            ("quantity above zero", {"op": "gt", "value": 0}),
            ("more than 0", {"op": "gt", "value": 0}),
            ("after today", {"op": "gt", "value": "clock"}),
            ("> 2.5", {"op": "gt", "value": 2.5}),
        ),
    ),
    Phrase(
        "positive",
        re.compile(r"\b(?:positive|non[- ]?zero)\b"),
        _const({"op": "gt", "value": 0}),
        (("a positive count", {"op": "gt", "value": 0}),),
    ),
    Phrase(
        "other than",
        re.compile(rf"(?:\b(?:other than|not equal to|isn't|is not)|!=|≠){_VALUE}"),
        _clause("ne"),
        (("status is not 'lost'", {"op": "ne", "value": "lost"}),),
    ),
    Phrase(
        "equal to",
        re.compile(rf"(?:\b(?:equal to|equals|is)|=){_VALUE}"),
        lambda m, out: _clause("eq")(m, out) if m.group("value") else None,
        (("equals 'open'", {"op": "eq", "value": "open"}), ("= 3", {"op": "eq", "value": 3})),
    ),
)


def read_condition(text: str) -> Facts:
    """One clause's operator (and value, where the words state it) by the table above: the
    first entry that reads something, or {} when none does."""
    low = _plain(text).lower()
    for phrase in CONDITIONS:
        m = phrase.pattern.search(low)
        if m is None:
            continue
        found = phrase.facts(m, {})
        if found:
            return found
    return {}


def _plain(text: str) -> str:
    return re.sub(r"[`*]", "", text or "")


def read(text: str) -> Facts:
    """Every fact one cell, bullet or line states, by the table above (later entries of the
    same key do not overrule earlier ones unless the entry says so)."""
    raw = _plain(text)
    low = raw.lower()
    out: Facts = {}
    for phrase in PHRASES:
        m = phrase.pattern.search(raw if phrase.raw else low)
        if m is None:
            continue
        found = phrase.facts(m, out)
        if found:
            out.update(found)
    if "ge" in out and "gt" in out and out["gt"] == out["ge"]:
        del out["gt"]
    return out


def names(text: str) -> list[str]:
    """The phrases that fire on `text` (for tests and for explaining a reading)."""
    raw = _plain(text)
    low = raw.lower()
    return [p.name for p in PHRASES if p.pattern.search(raw if p.raw else low)]


# -- choice lists ------------------------------------------------------------------------------

_NOT_VALUES = {
    "null",
    "none",
    "string",
    "str",
    "integer",
    "int",
    "number",
    "boolean",
    "bool",
    "text",
    "uuid",
    "datetime",
    "date",
    "float",
    "array",
    "object",
    "optional",
    "required",
    "undefined",
}


def _distinct(values: list[str]) -> list[str] | None:
    if any(v.lower() in _NOT_VALUES for v in values):
        return None  # 'string | null' is a type, not an enum
    out: list[str] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def enum_values(text: str) -> list[str] | None:
    """'low, medium, high', '"low" | "medium"', "'user', 'assistant'", 'one of: a, b or c',
    'either a or b', 'enum(a, b)'."""
    t = re.sub(r"\(?\s*default\s*[:=]?.*$", "", text, flags=re.IGNORECASE)
    t = re.sub(
        r"^.*?\b(one of|values?|enum|options?|either)\b\s*[:=]?\s*", "", t, flags=re.IGNORECASE
    )
    t = re.split(r";|\.\s", t)[0]  # the list ends with its clause: "one of a, b; required"
    quoted = re.findall(r"[\"'`]([\w -]+)[\"'`]", t)
    if len(quoted) >= 2:
        return _distinct(quoted)
    parts = [p.strip(" .()[]") for p in re.split(r"\s*(?:,|\||/|\bor\b)\s*", t) if p.strip(" .()")]
    words = [p for p in parts if re.fullmatch(r"[A-Za-z][\w-]{0,30}", p)]
    if len(words) >= 2 and len(words) == len(parts):
        return _distinct(words)
    return None


# -- cells that answer one question ------------------------------------------------------------


def says_required(cell: str) -> bool | None:
    """A Required column's cell: yes/true/required/y/✓ -> True, no/false/optional/n -> False,
    anything else (empty, a dash) -> None."""
    word = _plain(cell).strip().lower()
    if word.startswith(("yes", "true", "required", "y", "✓", "✔")):
        return True
    if word.startswith(("no", "false", "optional", "n")):
        return False
    return None


_PARAM_DEFAULT = re.compile(
    r"\b(?:defaults?\s+to|defaults?\s+is|default\s*[:=]?|by default)\s*[\"'`]?([\w.-]+)",
    re.IGNORECASE,
)


def param_default(text: str) -> str | None:
    """The default a parameter's description states ('default: 20', 'defaults to 10')."""
    m = _PARAM_DEFAULT.search(text or "")
    return m.group(1) if m else None


__all__ = [
    "CONDITIONS",
    "PHRASES",
    "Phrase",
    "enum_values",
    "literal",
    "names",
    "param_default",
    "read",
    "read_condition",
    "says_required",
]
