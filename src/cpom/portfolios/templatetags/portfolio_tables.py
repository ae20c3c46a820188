"""A cell of a portfolio table (:mod:`cpom.portfolios.tables`) on the page: a link is a link, a count has its
thousands grouped, the rest is its text."""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html

from cpom.core.numbers import count
from cpom.portfolios.tables import Link

register = template.Library()


@register.filter
def cell(value):
    if isinstance(value, Link):
        return format_html('<a href="{}">{}</a>', value.url, value.text)
    if value is None:
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return count(value)  # « 7 000 »: thousands grouped (a table's years are texts, never grouped)
    return linebreaksbr(str(value))


@register.filter
def number(value):
    """A count of the key figures, thousands grouped: « 7 000 »."""
    return count(value) if isinstance(value, int) and not isinstance(value, bool) else value
