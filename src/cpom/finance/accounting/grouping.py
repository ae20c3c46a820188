"""The account grouping: which account prefixes fall in expense or income groups I, II, III.

A chart is data: the national budget frame in ``catalogue/groupes_fonctionnels.toml``, or an authority's own
file. A file is checked whole before anything is written (all or nothing); an error names the file and the
rule. Grouping balances never drops an account: a class 6 or 7 account that no rule covers is listed with
its balance in ``GroupedBalances.unmapped``. Plain computation, no database: storing a chart and finding the one
in force are in ``services``.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cpom.core.datafiles import read_toml
from cpom.core.text import agreed
from cpom.indicators.engine import ACCOUNT_PREFIX

NATIONAL_CHART_FILE = Path(__file__).parent.parent / "catalogue" / "groupes_fonctionnels.toml"
GROUPED_CLASSES = ("6", "7")  # income statement; classes 1 to 5 are the balance sheet
GROUPS = (1, 2, 3)  # the functional groups I, II and III (models.FunctionalGroup)
EXPENSE, INCOME = "expense", "income"  # the sides of a rule (models.Side)
SIDES = (EXPENSE, INCOME)
RULE_KEYS = {"prefix", "side", "group", "label"}
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


class ChartError(ValueError):
    """A chart file that cannot be loaded; the message names the file and the rule."""


@dataclass(frozen=True)
class Rule:
    prefix: str
    side: str
    group: int
    label: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart in force, detached from the database so that grouping stays plain computation."""

    code: str
    label: str
    version: str
    source: str
    rules: tuple[Rule, ...]
    authority_name: str = ""

    def rule_for(self, account: str) -> Rule | None:
        """The rule with the longest prefix that starts ``account``, if any."""
        matching = [rule for rule in self.rules if account.startswith(rule.prefix)]
        return max(matching, key=lambda rule: len(rule.prefix), default=None)

    def rules_of(self, side: str, group: int) -> list[Rule]:
        return sorted((r for r in self.rules if r.side == side and r.group == group), key=lambda r: r.prefix)


def _zero_per_group() -> dict[int, Decimal]:
    return {group: Decimal(0) for group in GROUPS}


@dataclass
class GroupedBalances:
    """Expenses and income per functional group (positive amounts), and the accounts no rule covers."""

    expenses: dict[int, Decimal] = field(default_factory=_zero_per_group)
    income: dict[int, Decimal] = field(default_factory=_zero_per_group)
    unmapped: dict[str, Decimal] = field(default_factory=dict)  # account → balance, debit − credit

    @property
    def total_expenses(self) -> Decimal:
        return sum(self.expenses.values(), Decimal(0))

    @property
    def total_income(self) -> Decimal:
        return sum(self.income.values(), Decimal(0))


def group_balances(balances: dict[str, Decimal], chart: Chart) -> GroupedBalances:
    """Sums class 6 and 7 balances by functional group.

    ``balances`` maps account numbers (with or without the data elements' ``compte:`` prefix) to
    debit − credit. An expense counts debit − credit, an income credit − debit, so a contra account
    (6419 reimbursements, 609 rebates) reduces its group.
    """
    grouped = GroupedBalances()
    for key, balance in sorted(balances.items()):
        account = key.removeprefix(ACCOUNT_PREFIX)
        if not account.startswith(GROUPED_CLASSES):
            continue
        rule = chart.rule_for(account)
        if rule is None:
            grouped.unmapped[account] = balance
        elif rule.side == EXPENSE:
            grouped.expenses[rule.group] += balance
        else:
            grouped.income[rule.group] -= balance
    return grouped


# --- Reading a chart file -------------------------------------------------------------------------


def _header(path: Path, data: dict) -> dict:
    header = data.get("chart")
    if not isinstance(header, dict):
        raise ChartError(f"{path.name} : la section [chart] manque (code, label, version, source).")
    code = header.get("code")
    if not isinstance(code, str) or not SLUG.match(code) or len(code) > 60:
        raise ChartError(
            f"{path.name}, section [chart] : le code doit être fait de lettres, chiffres et tirets (60 au plus)."
        )
    for name, limit in (("label", 250), ("version", 30), ("source", 10_000)):
        if not isinstance(header.get(name, ""), str) or len(header.get(name, "")) > limit:
            raise ChartError(
                f"{path.name}, section [chart] : « {name} » doit être un texte entre guillemets de {limit} caractères au plus."
            )
    return header


def _rule(raw: object, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise ChartError(f"{where} : une règle s'écrit [[rule]] avec prefix, side, group et label.")
    unknown = sorted(set(raw) - RULE_KEYS)
    if unknown:
        raise ChartError(
            f"{where} : {agreed(len(unknown), 'clé inconnue', 'clés inconnues')} {', '.join(unknown)} "
            "(clés permises : group, label, prefix, side)."
        )
    prefix, side, group, label = raw.get("prefix"), raw.get("side"), raw.get("group"), raw.get("label", "")
    if (
        not isinstance(prefix, str)
        or not prefix.isdigit()
        or not prefix.startswith(GROUPED_CLASSES)
        or len(prefix) > 12
    ):
        raise ChartError(
            f'{where} : le préfixe doit être un numéro de compte de classe 6 ou 7 entre guillemets (12 chiffres au plus), par exemple "611".'
        )
    if side not in SIDES:
        raise ChartError(
            f"{where} : sens « {side} » inconnu ; valeurs permises : « expense » (dépenses) ou « income » (recettes)."
        )
    if type(group) is not int or group not in GROUPS:  # neither true (a bool) nor 1.0
        raise ChartError(f"{where} : groupe « {group} » inconnu ; valeurs permises : 1, 2 ou 3.")
    if not isinstance(label, str) or len(label) > 200:
        raise ChartError(f"{where} : le libellé doit être un texte de 200 caractères au plus.")
    return Rule(prefix, side, group, label)


def read_chart(path: Path) -> Chart:
    """Reads and checks a whole chart file, without the database; the first error stops with its place."""
    data = read_toml(path, ChartError)
    header = _header(path, data)
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ChartError(f"{path.name} : aucune règle [[rule]] ; un plan de regroupement en demande au moins une.")
    rules, first_seen = [], {}
    for number, raw in enumerate(raw_rules, start=1):
        where = f"{path.name}, règle n° {number}" + (
            f" (préfixe {raw['prefix']})" if isinstance(raw, dict) and "prefix" in raw else ""
        )
        rule = _rule(raw, where)
        if rule.prefix in first_seen:
            raise ChartError(f"{where} : le préfixe {rule.prefix} figure déjà à la règle n° {first_seen[rule.prefix]}.")
        first_seen[rule.prefix] = number
        rules.append(rule)
    return Chart(
        header["code"],
        header.get("label") or header["code"],
        header.get("version") or "1",
        header.get("source", ""),
        tuple(rules),
    )
