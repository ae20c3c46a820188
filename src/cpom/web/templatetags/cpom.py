"""The one template library of cpom: ``{% load cpom %}``.

The filters here are the French formatting of cpom.core (amounts, rates, measures, dates, names with their article,
counts agreed with their nouns). Tags that belong to a stage (a contract's state badge, an objective's status, an
indicator's band, an authority's territory) are written in that stage's ``display`` module, which decorates them
with this library's ``register`` when its app is ready: the web layer imports no stage, the templates load one
library."""

from decimal import Decimal

from django import template

from cpom.core import formatting, numbers, text

register = template.Library()

NONE = "—"


def _missing(value) -> bool:
    return value is None or value == ""


@register.filter
def person(user) -> str:
    """Who did it: the full name, else the username; « — » for an entry with no account (a command, a script)."""
    if user is None:
        return NONE
    return user.get_full_name() or user.username


@register.filter
def money(value):
    """« 12 500,50 € » (« −46 666,67 € » for a deficit), or « — » when there is no amount."""
    return NONE if _missing(value) else numbers.money(Decimal(str(value)))


@register.filter
def percent(value, places=2):
    """« 33,33 % »: a share to ``places`` decimals (cpom.core.numbers.percent), « — » when there is none."""
    return NONE if _missing(value) else numbers.percent(Decimal(str(value)), int(places))


@register.filter
def rate(value):
    """« 1,2 % »: a rate as it was typed (cpom.core.numbers.rate), « — » when there is none."""
    return NONE if _missing(value) else numbers.rate(Decimal(str(value)))


@register.filter
def measure(value, unit=""):
    """cpom.core.numbers.measure, « — » when there is no value."""
    return NONE if value is None else numbers.measure(value, unit or "")


@register.filter
def french_date(value, missing=formatting.NOT_FILLED):
    """« 01/03/2026 » (cpom.core.formatting.french_date), « Non renseigné » or ``missing`` when there is no date."""
    return formatting.french_date(value, missing)


@register.filter
def the(name) -> str:
    """« l'ARS Pays de la Loire », « le Conseil départemental… » (cpom.core.text.the)."""
    return text.the(str(name))


@register.filter
def of(name) -> str:
    """« de l'ARS Pays de la Loire », « du Conseil départemental… » (cpom.core.text.of)."""
    return text.of(str(name))


@register.filter
def to(name) -> str:
    """« à l'ARS Pays de la Loire », « au Conseil départemental… » (cpom.core.text.to)."""
    return text.to(str(name))


def _forms(words: str) -> tuple[str, str | None]:
    singular, _, plural_form = words.partition(",")
    return singular, plural_form or None


@register.filter
def plural(count, words: str) -> str:
    """« 3 établissements », « 1 place installée »: ``{{ n|plural:"place installée,places installées" }}``; unlike
    Django's pluralize, French counts 0 and 1 as singular (cpom.core.text.plural)."""
    return text.plural(int(count), *_forms(words))


@register.filter
def agreed(count, words: str) -> str:
    """The words alone, agreed with ``count``: ``<strong>{{ n }}</strong> {{ n|agreed:"objectif,objectifs" }}``."""
    return text.agreed(int(count), *_forms(words))


# --- The frame of the pages -----------------------------------------------------------------------------------------


@register.inclusion_tag("web/breadcrumb.html", takes_context=True)
def breadcrumb(context, current=None, *titles_and_urls, query=""):
    """The DSFR breadcrumb (« Accueil » first). On a contract's page, the contract and its stage come from the
    contract frame and ``current`` names the page below the stage (nothing on the stage's first page). Elsewhere,
    ``{% breadcrumb "Fiche" "Établissements" list_url %}``: the page, then its parents as title, URL pairs.
    ``query`` follows the stage's link (``query=level_query``: the diagnostic's level)."""
    frame = context.get("contract_frame")
    links = frame.trail(current, query) if frame is not None else []
    pairs = list(titles_and_urls)
    links += [{"title": title, "url": url} for title, url in zip(pairs[::2], pairs[1::2], strict=False)]
    if frame is not None and current is None:
        current = frame.current()
    return {"breadcrumb_data": {"links": links, "current": current or ""}}


@register.inclusion_tag("web/contract_navigation.html", takes_context=True)
def contract_navigation(context):
    """The lifecycle's stages of the contract, the current one marked (aria-current)."""
    frame = context.get("contract_frame")
    return {"items": frame.navigation() if frame is not None else []}
