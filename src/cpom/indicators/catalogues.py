"""Catalogues as data: TOML files in the repository (or an authority's own file), loaded into the database.

Every formula is parsed and checked when the catalogue loads: an unknown element or a
syntax error names the file, the indicator and the column, and nothing is loaded.
"""

import hashlib
from pathlib import Path

from django.db import transaction

from cpom.core.datafiles import read_toml
from cpom.core.text import agreed
from cpom.registry.categories import CATEGORY_BY_CODE

from .engine import ACCOUNT_PREFIX, IndicatorSpec, compile_catalogue
from .formula import FormulaError
from .models import Catalogue, DataElement, Direction, Indicator, Kind, ValueType

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
ELEMENTS_FILE = CATALOGUE_DIR / "elements.toml"
NATIONAL_FILES = [CATALOGUE_DIR / "grille_suivi.toml", CATALOGUE_DIR / "anap_tdb.toml"]

INDICATOR_FIELDS = [
    "label",
    "definition",
    "objective",
    "kind",
    "value_type",
    "unit",
    "declared",
    "numerator",
    "denominator",
    "factor",
    "denominator_positive",
    "categories",
    "default_target",
    "direction",
    "tolerance",
    "source",
    "plausible_min",
    "plausible_max",
    "additive",
]


class CatalogueError(ValueError):
    """A catalogue file that cannot be loaded; the message names the file, indicator and column."""


def formula_version(indicator: dict) -> str:
    text = "|".join(str(indicator.get(k, "")) for k in ("numerator", "denominator", "factor", "denominator_positive"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@transaction.atomic
def load_elements(path: Path = ELEMENTS_FILE) -> int:
    data = read_toml(path, CatalogueError)
    for element in data.get("element", []):
        DataElement.objects.update_or_create(
            code=element["code"],
            defaults={k: element.get(k, "") for k in ("label", "unit", "level", "description")},
        )
    return len(data.get("element", []))


def _check_indicator(path: Path, raw: dict) -> None:
    where = f"{path.name}, indicateur {raw.get('code', '?')}"
    for name, choices in (("kind", Kind.values), ("value_type", ValueType.values), ("direction", Direction.values)):
        if name in raw and raw[name] not in choices:
            raise CatalogueError(
                f"{where} : « {raw[name]} » n'est pas une valeur permise pour {name} ({', '.join(choices)})."
            )
    tolerance = raw.get("tolerance", 0)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
        raise CatalogueError(
            f"{where} : la tolérance « {tolerance} » doit être un nombre positif ou nul, dans l'unité de la valeur."
        )
    unknown = [c for c in raw.get("categories", []) if c not in CATEGORY_BY_CODE]
    if unknown:
        raise CatalogueError(
            f"{where} : {agreed(len(unknown), 'catégorie inconnue', 'catégories inconnues')} {', '.join(unknown)}."
        )
    if not raw.get("declared") and not raw.get("numerator"):
        raise CatalogueError(f"{where} : un indicateur calculé doit avoir un numérateur (ou declared = true).")


def _spec(raw: dict) -> IndicatorSpec:
    return IndicatorSpec(
        code=raw["code"],
        numerator=raw["numerator"],
        denominator=raw.get("denominator") or None,
        factor=float(raw.get("factor", 1)),
        denominator_positive=bool(raw.get("denominator_positive", False)),
        categories=tuple(raw.get("categories", [])),
        plausible_min=raw.get("plausible_min"),
        plausible_max=raw.get("plausible_max"),
        additive=bool(raw.get("additive", True)),
    )


def read_specs(*paths: Path) -> list[IndicatorSpec]:
    """The computed indicators of catalogue files, without the database (engine, tests, benchmarks)."""
    return [
        _spec(raw)
        for path in paths
        for raw in read_toml(path, CatalogueError).get("indicator", [])
        if not raw.get("declared")
    ]


def read_element_codes(path: Path = ELEMENTS_FILE) -> set[str]:
    return {element["code"] for element in read_toml(path, CatalogueError).get("element", [])}


def spec_of(indicator: Indicator) -> IndicatorSpec:
    return IndicatorSpec(
        code=indicator.code,
        numerator=indicator.numerator,
        denominator=indicator.denominator or None,
        factor=indicator.factor,
        denominator_positive=indicator.denominator_positive,
        categories=tuple(indicator.categories),
        plausible_min=indicator.plausible_min,
        plausible_max=indicator.plausible_max,
        additive=indicator.additive,
    )


@transaction.atomic
def load_catalogue(path: Path, authority=None) -> Catalogue:
    data = read_toml(path, CatalogueError)
    header = data.get("catalogue") or {}
    if not header.get("code"):
        raise CatalogueError(f"{path.name} : la section [catalogue] doit donner un code.")
    indicators = data.get("indicator", [])
    known = set(DataElement.objects.values_list("code", flat=True))
    for raw in indicators:
        _check_indicator(path, raw)
        if not raw.get("declared"):
            try:
                compile_catalogue([_spec(raw)], known)
            except FormulaError as error:
                raise CatalogueError(f"{path.name} : {error}") from None
    catalogue, _ = Catalogue.objects.update_or_create(
        code=header["code"],
        defaults={
            "label": header.get("label", header["code"]),
            "version": str(header.get("version", "1")),
            "source": header.get("source", ""),
            "authority": authority,
        },
    )
    for raw in indicators:
        values = {k: raw[k] for k in INDICATOR_FIELDS if k in raw}
        values.setdefault("denominator", "")
        values.setdefault("numerator", "")
        values["formula_version"] = formula_version(raw)
        Indicator.objects.update_or_create(catalogue=catalogue, code=raw["code"], defaults=values)
    catalogue.indicators.exclude(code__in=[raw["code"] for raw in indicators]).delete()
    return catalogue


def load_national() -> list[Catalogue]:
    load_elements()
    return [load_catalogue(path) for path in NATIONAL_FILES]


def known_element(code: str, known: set[str]) -> bool:
    """Element codes of the catalogue, plus account balances ``compte:<digits>``."""
    if code.startswith(ACCOUNT_PREFIX):
        return code[len(ACCOUNT_PREFIX) :].isdigit()
    return code in known
