"""Every template is ready for a Content-Security-Policy without 'unsafe-inline': no style attribute, no <style>
block, no inline <script>, no on*= handler. Without a handler no select submits itself on change either (WCAG
3.2.2): a choice is applied by a button."""

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

TAG = re.compile(
    r"<([a-zA-Z][\w:-]*)((?:[^>{]|\{[^}]*\})*)>", re.S
)  # an opening tag, template tags inside it kept whole
CHECKS = (
    ("un attribut style=", lambda name, attrs: re.search(r"(?:^|\s)style\s*=", attrs)),
    ("un gestionnaire d'événement on…=", lambda name, attrs: re.search(r"(?:^|\s)on[a-z]+\s*=", attrs)),
    ("un bloc <style>", lambda name, attrs: name.lower() == "style"),
    ("un <script> sans src", lambda name, attrs: name.lower() == "script" and not re.search(r"(?:^|\s)src\s*=", attrs)),
)


def templates():
    return sorted(path for path in SRC.rglob("*.html") if "templates" in path.parts)


def violations(text: str) -> list[str]:
    found = []
    for match in TAG.finditer(text):
        name, attrs = match.group(1), match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        found += [f"ligne {line} : {what}" for what, check in CHECKS if check(name, attrs)]
    return found


def test_templates_are_found():
    assert len(templates()) > 50


@pytest.mark.parametrize("path", templates(), ids=lambda path: str(path.relative_to(SRC)))
def test_template_is_csp_ready(path):
    found = violations(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(SRC)} : " + " ; ".join(found)


@pytest.mark.parametrize(
    "snippet, expected",
    [
        ('<div style="color:red">', 1),
        ('<svg class="x" style="max-width:100%">', 1),
        ('<select name="a" onchange="this.form.submit()">', 1),
        ("<style>p { color: red }</style>", 1),
        ("<script>alert(1)</script>", 1),
        ('<script src="{% static \'cpom/x.js\' %}" data-csrf-token="{{ csrf_token }}"></script>', 0),
        ('<a href="{% url \'home\' %}" {% if x %}aria-current="page"{% endif %}>Accueil</a>', 0),
        ("<p>Le montant: une option=1</p>", 0),
    ],
)
def test_the_walker_catches_what_it_should(snippet, expected):
    assert len(violations(snippet)) == expected
