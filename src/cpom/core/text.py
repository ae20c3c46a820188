"""Text the way it may be stored, and the way French sentences count and name things; pure, no Django.

Control characters: a person never types them, but they come with a paste from a word processor or a hostile
request, and the Word and Excel writers refuse them (XML 1.0 has no place for them). One function removes them,
everywhere text enters and again where documents are written.

Organisation names in sentences: « l'accord de l'ARS », « du Conseil départemental », « relève de la MAS ». The
article follows the name's first word: its own article (« Les Papillons Blancs »), a known common noun or acronym
(« Association », « EHPAD »), or none for a proper name (« Coallia »).
"""

import re

from cpom.core.numbers import grouped

# C0 controls but tab, line feed and carriage return; the two non-characters and lone surrogates lxml refuses too.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# A vertical tab is Word's manual line break and a form feed its page break: they were meant as new lines.
_LINE_BREAKS = re.compile("[\x0b\x0c]")


def clean_text(text: str) -> str:
    """``text`` without control characters: vertical tab and form feed become new lines, the others go."""
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", text))


def clean_strings(value):
    """Every string inside ``value`` (a data file read as dictionaries and lists) cleaned with :func:`clean_text`."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_strings(key): clean_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_strings(item) for item in value]
    return value


def agreed(count: int, singular: str, plural_form: str | None = None) -> str:
    """The word agreed with ``count``: French counts 0 and 1 as singular (« 1 an », « 0 an », « 2 ans »)."""
    return singular if abs(count) < 2 else (plural_form or singular + "s")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 établissement », « 3 établissements », « 1 200 établissements »."""
    return f"{grouped(count, 0)} {agreed(count, singular, plural_form)}"


# The first words that decide an organisation's article: common nouns and the acronyms standing for them.
_MASCULINE = {
    "centre",
    "comité",
    "conseil",
    "département",
    "dispositif",
    "établissement",
    "foyer",
    "groupe",
    "groupement",
    "hôpital",
    "institut",
    "pôle",
    "réseau",
    "service",
    "syndicat",
    # Acronyms of establishments and bodies, named after their masculine noun (établissement, service, centre…).
    "camsp",
    "ccas",
    "cias",
    "ch",
    "chu",
    "cmpp",
    "eeap",
    "ehpad",
    "esat",
    "fam",
    "gcs",
    "gcsms",
    "iem",
    "ies",
    "ime",
    "itep",
    "saad",
    "samsah",
    "savs",
    "sessad",
    "spasad",
    "ssiad",
    "eam",
}
_FEMININE = {
    "agence",
    "association",
    "caisse",
    "clinique",
    "collectivité",
    "communauté",
    "congrégation",
    "direction",
    "fédération",
    "fondation",
    "maison",
    "métropole",
    "mutualité",
    "mutuelle",
    "région",
    "résidence",
    "société",
    "union",
    "ville",
    "ars",
    "cpam",
    "mas",
    "mdph",
    "mecs",
    "udaf",
}
_VOWELS = "aeiouyàâäéèêëîïôöùûüœ"
_MUTE_H = {"hôpital"}
_OWN_ARTICLE = re.compile(r"^(?:(les|le|la)\s+|(l['’]))(.+)$", re.IGNORECASE | re.DOTALL)
# Prepositions joined to the definite article, by article: « de le » is « du », « à les » is « aux ».
_CONTRACTED = {"de": {"le": "du ", "les": "des "}, "à": {"le": "au ", "les": "aux "}}


def _article(name: str) -> tuple[str, str]:
    """The definite article ``name`` takes in a sentence (« l' », « le », « la », « les » or none) and the name
    without the article it may start with."""
    own = _OWN_ARTICLE.match(name)
    if own:
        return (own.group(1) or own.group(2)).lower().replace("’", "'"), own.group(3)
    first = re.split(r"[\s\-']", name, maxsplit=1)[0].lower()
    if first in _MASCULINE or first in _FEMININE:
        if first[0] in _VOWELS or first in _MUTE_H:
            return "l'", name
        return ("le" if first in _MASCULINE else "la"), name
    return "", name


def _with(preposition: str, name: str) -> str:
    name = name.strip()
    article, rest = _article(name)
    if not article:
        if preposition == "de" and name[:1].lower() in _VOWELS:
            return f"d'{name}"
        return f"{preposition} {name}".strip()
    contracted = _CONTRACTED.get(preposition, {}).get(article)
    if contracted:
        return contracted + rest
    joined = article if article == "l'" else article + " "
    return f"{preposition} {joined}{rest}".strip()


def the(name: str) -> str:
    """« l'ARS Pays de la Loire », « le Conseil départemental de Loire-Atlantique », « Coallia »."""
    return _with("", name)


def of(name: str) -> str:
    """« de l'ARS Pays de la Loire », « du Conseil départemental… », « de la MAS… », « des Papillons Blancs »."""
    return _with("de", name)


def to(name: str) -> str:
    """« à l'ARS Pays de la Loire », « au Conseil départemental… », « à la MAS… », « aux Papillons Blancs »."""
    return _with("à", name)
