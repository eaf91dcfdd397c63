"""English words the readers turn into names: a collection's singular (`/api/statuses` -> the
`status` resource, `CREATE TABLE categories` -> `category`).

Through `inflection` (Rails' inflection rules: irregulars such as people/person, uncountables
such as series and news, Latin and Greek plurals such as analyses and indices) rather than our
own suffix rules, which made `statuse`, `sery` and `new`. One rule of ours on top: a word ending
in `us` is taken as already singular (campus, bonus, census), which the library's rules would
cut to `campu`."""

from __future__ import annotations

import re

import inflection

_SINGULAR_ALREADY = re.compile(r"us$")


def singular(word: str) -> str:
    """The lower-case singular of `word`; of its last part for compounds (`task_items`)."""
    lowered = word.lower()
    if _SINGULAR_ALREADY.search(lowered):
        return lowered
    return str(inflection.singularize(lowered))


__all__ = ["singular"]
