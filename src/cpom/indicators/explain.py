"""Explaining a value: its formula in plain French and the data it was computed from.

The figures of each term (an element, an account total) come from the engine itself,
run on the one establishment: what the screen shows is what the computation used.
"""

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from cpom.core.numbers import plain
from cpom.core.text import plural
from cpom.registry.models import Establishment

from . import formula as f
from .engine import ACCOUNT_PREFIX, IndicatorSpec, compile_catalogue, compute
from .models import DEMO_BATCH_KIND, DataElement, DataValue, ImportBatch, Indicator

FUNCTION_WORDS = {
    "debit": "solde débiteur net des comptes",
    "credit": "solde créditeur net des comptes",
    "soldes_debiteurs": "somme des soldes débiteurs des comptes",
    "soldes_crediteurs": "somme des soldes créditeurs des comptes",
}


def _accounts_text(call: f.Accounts) -> str:
    items = [item.prefix + (f" (sauf {', '.join(item.excluded)})" if item.excluded else "") for item in call.items]
    return f"{FUNCTION_WORDS[call.function]} {', '.join(items)}"


PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def in_words(node, labels: dict[str, str], parent: int = 0, right_side: bool = False) -> str:
    """The formula in French; parentheses only where the order of operations needs them."""
    if isinstance(node, f.Number):
        return plain(Decimal(repr(node.value)))
    if isinstance(node, f.Element):
        return labels.get(node.code, node.code).lower()
    if isinstance(node, f.Accounts):
        return _accounts_text(node)
    if isinstance(node, f.Lag):
        return f"[{in_words(node.expression, labels)}] {plural(node.years, 'an')} plus tôt"
    if isinstance(node, f.Negate):
        return f"moins {in_words(node.operand, labels, 3)}"
    own = PRECEDENCE[node.operator]
    symbol = {"+": "+", "-": "−", "*": "×", "/": "÷"}[node.operator]
    text = f"{in_words(node.left, labels, own)} {symbol} {in_words(node.right, labels, own, True)}"
    needs_brackets = own < parent or (own == parent and right_side)
    return f"({text})" if needs_brackets else text


def element_labels() -> dict[str, str]:
    return dict(DataElement.objects.values_list("code", "label"))


def formula_in_words(indicator: Indicator, labels: dict[str, str] | None = None) -> str:
    if indicator.declared:
        return "Valeur saisie (non calculée)."
    labels = labels if labels is not None else element_labels()
    text = in_words(f.parse(indicator.numerator), labels)
    if indicator.denominator:
        text = f"[{text}] ÷ [{in_words(f.parse(indicator.denominator), labels)}]"
    if indicator.factor != 1:
        text = f"{text} × {indicator.factor:g}"
    return text


@dataclass
class Term:
    text: str
    label: str
    value: float | None
    unit: str
    provenance: str


def _terms_of(indicator: Indicator) -> list:
    trees = [f.parse(t) for t in (indicator.numerator, indicator.denominator) if t]
    seen, terms = set(), []
    for tree in trees:
        for node in f.walk(tree):
            key = node.code if isinstance(node, f.Element) else node.key() if isinstance(node, f.Accounts) else None
            if key and key not in seen:
                seen.add(key)
                terms.append(node)
    return terms


def source_data(indicator: Indicator, establishment: Establishment, year: int) -> list[Term]:
    """Each element and account total the formula reads, for that establishment and year."""
    if indicator.declared:
        return []
    terms = _terms_of(indicator)
    elements = DataElement.objects.in_bulk(field_name="code")
    values = DataValue.objects.filter(establishment=establishment, year=year).select_related("batch__user")
    stored = {v.element: v for v in values}
    frame = pl.DataFrame(
        {
            "establishment": [establishment.finess] * len(stored),
            "year": [year] * len(stored),
            "element": list(stored),
            "value": [float(v.value) for v in stored.values()],
        },
        schema={"establishment": pl.Utf8, "year": pl.Int32, "element": pl.Utf8, "value": pl.Float64},
    )
    specs = [
        IndicatorSpec(str(i), node.code if isinstance(node, f.Element) else node.key()) for i, node in enumerate(terms)
    ]
    computed = {}
    if frame.height:
        result = compute(
            pl.DataFrame({"establishment": [establishment.finess], "category": [establishment.category]}),
            frame,
            compile_catalogue(specs, set(elements)),
        )
        computed = dict(zip(result["code"].cast(pl.Utf8).to_list(), result["value"].to_list(), strict=True))
    rows = []
    for i, node in enumerate(terms):
        if isinstance(node, f.Element):
            element = elements.get(node.code)
            value = stored.get(node.code)
            rows.append(
                Term(
                    node.code,
                    element.label if element else node.code,
                    computed.get(str(i)),
                    element.unit if element else "",
                    _provenance(value),
                )
            )
        else:
            accounts = [
                v
                for code, v in stored.items()
                if code.startswith(ACCOUNT_PREFIX) and node.matches(code[len(ACCOUNT_PREFIX) :])
            ]
            rows.append(
                Term(
                    node.key(),
                    _accounts_text(node),
                    computed.get(str(i)),
                    "€",
                    f"{plural(len(accounts), 'compte')} de la balance" if accounts else "aucun compte",
                )
            )
    return rows


def _provenance(value: DataValue | None) -> str:
    if value is None:
        return "non fournie"
    if value.batch is None:
        return "saisie"
    return batch_text(value.batch)


def batch_text(batch: ImportBatch) -> str:
    """Where data came from, as users read it: the file, when, who (the follow-up grid shows it too)."""
    if batch.kind == DEMO_BATCH_KIND:
        return f"{batch.file_name} (chargées le {batch.at:%d/%m/%Y}, sans import de fichier)"
    who = batch.user.get_full_name() if batch.user else "import en ligne de commande"
    return f"{batch.file_name}, importé le {batch.at:%d/%m/%Y} ({who})"
