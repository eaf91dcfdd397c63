"""English words the readers turn into names: a collection's singular (`/api/statuses` -> the
`status` resource, `CREATE TABLE categories` -> `category`).

Through `inflection` (Rails' inflection rules: irregulars such as people/person, uncountables
such as series and news, Latin and Greek plurals such as analyses and indices) rather than our
own suffix rules, which made `statuse`, `sery` and `new`. On top, two small tables for what the
library's rules get wrong: nouns ending in `us` (bonus, campus: the library cuts `bonuses` to
`bonuse` and `campus` to `campu`), the plurals in -ves (the library cuts `dives` to `dife`)
and a few irregular plurals (lenses, geese, criteria). A word
ending in `us` that no table knows is taken as already singular; the nouns ending in `u`
whose plural ends in `us` (menus, gurus) are listed so they are not."""

from __future__ import annotations

import inflection

# Singular nouns ending in -us (their plural adds -es: bonuses, or is irregular: corpora).
_US_NOUNS = frozenset(
    "abacus apparatus bonus bus cactus campus census chorus circus citrus consensus corpus "
    "focus fungus genus hiatus impetus lotus minus nexus nucleus octopus onus opus plus "
    "prospectus radius sinus status stimulus surplus syllabus thesaurus uterus virus walrus "
    "alumnus".split()
)
# Nouns ending in -u: their plural ends in -us but is no -us noun.
_U_NOUNS = frozenset("bayou emu gnu guru haiku menu sudoku tiramisu tofu tutu".split())
_IRREGULAR = {
    "atlases": "atlas",
    "biases": "bias",
    "canvases": "canvas",
    "corpora": "corpus",
    "criteria": "criterion",
    "gases": "gas",
    "geese": "goose",
    "genera": "genus",
    "lenses": "lens",
    "oases": "oasis",
    "phenomena": "phenomenon",
    "teeth": "tooth",
    "feet": "foot",
}


# The few nouns whose plural in -ves comes from -f or -fe. Every other -ves plural drops its s
# (dives, curves, valves, olives, archives), where the library makes dife, curf, valf, olife.
# "leaves" is left out: in an API it is far likelier leave requests than a tree's.
_F_PLURALS = {
    "calves": "calf",
    "dwarves": "dwarf",
    "elves": "elf",
    "halves": "half",
    "hooves": "hoof",
    "knives": "knife",
    "lives": "life",
    "loaves": "loaf",
    "scarves": "scarf",
    "selves": "self",
    "sheaves": "sheaf",
    "shelves": "shelf",
    "thieves": "thief",
    "wharves": "wharf",
    "wives": "wife",
    "wolves": "wolf",
}


def singular(word: str) -> str:
    """The lower-case singular of `word`; of its last part for compounds (`task_items`)."""
    lowered = word.lower()
    head, sep, last = lowered.rpartition("_")
    return head + sep + _singular_word(last)


def _singular_word(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("uses") and word[:-2] in _US_NOUNS:
        return word[:-2]  # bonuses -> bonus, campuses -> campus, statuses -> status
    if word.endswith("us"):
        if word[:-1] in _U_NOUNS:
            return word[:-1]  # menus -> menu
        return word  # bonus, campus and any -us word no table knows: already singular
    if word.endswith("ves"):
        return _F_PLURALS.get(word, word[:-1])
    return str(inflection.singularize(word))


__all__ = ["singular"]
