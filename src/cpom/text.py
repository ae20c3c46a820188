"""Text the way it may be stored; pure, no Django.

Control characters: a person never types them, but they come with a paste from a word processor or a hostile
request, and the Word and Excel writers refuse them (XML 1.0 has no place for them). One function removes them,
everywhere text enters and again where documents are written.
"""

import re

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
