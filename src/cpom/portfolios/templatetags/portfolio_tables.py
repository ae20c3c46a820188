"""A cell of a portfolio table (:mod:`cpom.portfolios.tables`) on the page: a link is a link, the rest its text."""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html

from cpom.portfolios.tables import Link

register = template.Library()


@register.filter
def cell(value):
    if isinstance(value, Link):
        return format_html('<a href="{}">{}</a>', value.url, value.text)
    if value is None:
        return "–"
    return linebreaksbr(str(value))
