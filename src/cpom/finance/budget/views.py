"""The reference budget's screens: the table in the model contract's layout, the envelopes with shares and
douzièmes, the indicative daily prices, the growth of the envelope; editing one establishment's lines, the growth
mode, and the pre-fill from the accounts with its preview.

The business rules live in :mod:`cpom.finance.budget.services`; this module only checks who is asking, turns the results
into French text (amounts are rounded here, for display only) and renders.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from cpom.contracts.models import Contract
from cpom.contracts.pages import contract_page
from cpom.core import numbers
from cpom.core.formatting import money
from cpom.core.text import of, the
from cpom.finance import rules
from cpom.finance.budget import services as service
from cpom.finance.budget.forms import ROWS, BudgetLinesForm, GrowthForm, PrefillForm
from cpom.finance.budget.services import (
    BudgetAmounts,
    CommonEnvelope,
    DailyPrice,
    EstablishmentPrefill,
    MonthlyInstalments,
)
from cpom.finance.models import GROUP_LABELS, FunderKind, GrowthMode, Side
from cpom.registry.models import Authority
from cpom.web.refusals import flash_refusal, show_refusal


def _require(reason: str | None) -> None:
    if reason:
        raise PermissionDenied(reason)


def _detail_url(contract: Contract, anchor: str = "") -> str:
    return reverse("finance:budget_detail", kwargs={"contract_id": contract.pk}) + (f"#{anchor}" if anchor else "")


# --- French text --------------------------------------------------------------------------------------------


def instalments_text(instalments: MonthlyInstalments) -> str:
    if instalments.last == instalments.regular:
        return f"12 douzièmes de {money(instalments.regular)}"
    return f"11 douzièmes de {money(instalments.regular)} puis un dernier de {money(instalments.last)}"


# --- The reference budget table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[str]
    kind: str = "line"  # line, detail (a « dont »), total, result


def _group_rows(columns: list[BudgetAmounts], side: str) -> list[Row]:
    values = (lambda a, g: a.expenses[g]) if side == Side.EXPENSE else (lambda a, g: a.income[g])
    return [Row(GROUP_LABELS[(side, group)], [money(values(a, group)) for a in columns]) for group in service.GROUPS]


def budget_rows(columns: list[BudgetAmounts]) -> list[Row]:
    """Rows of the model contract's table, one cell per column: expenses, then income with the tariff by funder."""
    funders = [kind for kind in FunderKind.values if any(kind in a.tariff for a in columns)]
    income = _group_rows(columns, Side.INCOME)
    tariff = [
        Row(f"dont {FunderKind(f).label}", [money(a.tariff.get(f, service.ZERO)) for a in columns], "detail")
        for f in funders
    ]
    return [
        *_group_rows(columns, Side.EXPENSE),
        Row("Total des dépenses (classe 6)", [money(a.total_expenses) for a in columns], "total"),
        income[0],
        *tariff,
        *income[1:],
        Row("Total des recettes (classe 7)", [money(a.total_income) for a in columns], "total"),
        Row("Résultat (recettes − dépenses)", [money(a.result) for a in columns], "result"),
    ]


def model_table(amounts: BudgetAmounts) -> list[tuple[str, str, str, str]]:
    """The model contract's two-column table: expenses on the left, income on the right."""
    rows = [
        (f"Groupe {'I' * g}", money(amounts.expenses[g]), f"Groupe {'I' * g}", money(amounts.income[g]))
        for g in service.GROUPS
    ]
    return rows + [
        (
            "Total des dépenses (classe 6)",
            money(amounts.total_expenses),
            "Total des recettes (classe 7)",
            money(amounts.total_income),
        )
    ]


@dataclass(frozen=True)
class EnvelopeView:
    envelope: CommonEnvelope
    summary: str
    model_table: list[tuple[str, str, str, str]]
    shares: list[tuple[str, str, str, str, str]]  # finess, name, amount, percentage, douzièmes
    amount: str
    instalments: str
    years: list[tuple[str, int, str, str]]  # label, year, rate, amount


def _envelope_view(envelope: CommonEnvelope, amounts: BudgetAmounts) -> EnvelopeView:
    shares = [
        (
            s.establishment.finess,
            s.establishment.name,
            money(s.amount),
            numbers.percent(s.shown_percentage),
            instalments_text(s.instalments),
        )
        for s in envelope.shares
    ]
    years = [
        (
            y.label,
            y.year,
            "avenant" if y.rate is None else numbers.rate(y.rate),
            "fixée par avenant" if y.amount is None else money(y.amount),
        )
        for y in envelope.years
    ]
    return EnvelopeView(
        envelope,
        envelope_summary(envelope),
        model_table(amounts),
        shares,
        money(envelope.amount),
        instalments_text(envelope.instalments),
        years,
    )


def envelope_summary(envelope: CommonEnvelope) -> str:
    """The model contract's sentence, with its figures."""
    count, places = len(envelope.shares), envelope.places
    plural, places_plural = ("s" if count > 1 else ""), ("s" if places > 1 else "")
    return (
        f"La dotation globalisée commune de référence ({envelope.label}) est de {money(envelope.amount)}, pour un "
        f"équipement de {count} établissement{plural} et service{plural} et de {places} place{places_plural} "
        f"autorisée{places_plural}."
    )


def growth_clause(growth: service.GrowthChoice) -> str:
    """The model contract's clause for the mode a funder chose, with its figures (Titre 3.8)."""
    rate = numbers.rate(growth.rate)
    if growth.mode is None:
        who = the(str(growth.authority))
        return f"{who[:1].upper()}{who[1:]} n'a pas encore fixé l'évolution de sa dotation."
    if growth.mode == GrowthMode.AUTHORITY_RATE:
        clause = f"Le taux d'évolution annuel fixé par l'autorité est de {rate} chaque année du contrat."
    elif growth.mode == GrowthMode.ZERO_RATE:
        years = growth.zero_rate_years
        clause = f"Le taux directeur annuel est fixé à 0 sur {years} année{'s' if years > 1 else ''}, puis à {rate}."
    elif growth.mode == GrowthMode.ANNUAL_AMENDMENT:
        clause = (
            "Les modalités d'actualisation annuelle de la dotation globalisée commune font l'objet d'un avenant "
            "annuel : pas d'évolution automatique."
        )
    else:
        clause = (
            f"Le taux directeur attribué chaque année correspond au taux directeur régional ; la projection "
            f"applique le taux connu, {rate}."
        )
    if growth.contradictory is None:
        return clause
    procedure = "est soumise" if growth.contradictory else "n'est pas soumise"
    return f"{clause} La fixation annuelle du tarif {procedure} à la procédure contradictoire."


def _daily_price_row(price: DailyPrice) -> tuple[str, str, str, str, str, str]:
    days = numbers.grouped(price.days, 0) if price.days else "non renseignées"
    shown = money(price.price) if price.price is not None else price.reason
    return (
        price.establishment.name,
        price.establishment.category,
        price.funder_label,
        money(price.net_expenses),
        days,
        shown,
    )


@contract_page("budget")
def budget_detail(request, contract):
    budget = service.reference_budget(contract)
    establishments = service.perimeter(contract)
    columns = service.budget_columns(budget, establishments)
    envelopes = service.common_envelopes(budget, establishments)
    own = rules.own_funder(request.user, contract)
    return render(
        request,
        "finance/budget/detail.html",
        {
            "contract": contract,
            "budget": budget,
            "columns": [c.establishment for c in columns],
            "rows": budget_rows([c.amounts for c in columns]),
            "envelopes": [_envelope_view(e, service.envelope_amounts(budget, establishments, e)) for e in envelopes],
            "daily_prices": [_daily_price_row(p) for p in service.daily_prices(budget, establishments)],
            "growths": [(g, growth_clause(g)) for g in service.growth_by_funder(budget)],
            "outside": service.lines_outside(budget, establishments),
            "can_edit_lines": rules.lines_refusal(request.user, contract) is None,
            "own_funder": own if own and rules.growth_refusal(request.user, contract, own) is None else None,
            "editable": contract.is_open,
        },
    )


# --- Editing ------------------------------------------------------------------------------------------------


def _line_funders(establishment, existing: service.Amounts) -> list[str]:
    """Its funders' columns, any funder it already has lines for (never hidden, so never lost), and others."""
    kinds = set(service.funders_of(establishment)) | {funder for funder, _, _ in existing} | {FunderKind.OTHER}
    return [kind for kind in FunderKind.values if kind in kinds]


@contract_page("budget")
def budget_lines(request, contract, finess):
    establishment = get_object_or_404(contract.establishments.prefetch_related("funders"), finess=finess)
    _require(rules.lines_refusal(request.user, contract))
    budget = service.reference_budget(contract)
    existing = {
        (line.funder, line.side, line.group): line.amount
        for line in service.lines_of(budget)
        if line.establishment_id == establishment.pk
    }
    form = BudgetLinesForm(
        request.POST or None,
        funders=_line_funders(establishment, existing),
        amounts=existing,
        days=service.forecast_days(budget).get(establishment.pk),
        version=budget.version,
        per_day=establishment.category in service.PER_DAY_CATEGORIES,
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.save_lines(
                budget, request.user, establishment, form.amounts(), form.forecast_days(), form.cleaned_data["version"]
            )
        except service.BudgetRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, f"Le budget de référence {of(establishment.name)} est enregistré.")
            return redirect(_detail_url(contract, "budget"))
    return render(
        request,
        "finance/budget/lines.html",
        {
            "contract": contract,
            "establishment": establishment,
            "form": form,
            "funder_labels": [FunderKind(f).label for f in form.funders],
        },
    )


def _growth_initial(growth) -> dict:
    return {
        "growth_mode": growth.growth_mode,
        "growth_rate": growth.growth_rate,
        "zero_rate_years": growth.zero_rate_years,
        "contradictory_procedure": {True: "oui", False: "non", None: ""}[growth.contradictory_procedure],
        "version": growth.version,
    }


@contract_page("budget")
def budget_growth(request, contract, authority_id):
    authority = get_object_or_404(Authority, pk=authority_id, contract_parties__contract=contract)
    _require(rules.growth_refusal(request.user, contract, authority))
    budget = service.reference_budget(contract)
    form = GrowthForm(request.POST or None, initial=_growth_initial(service.growth_of(budget, authority)))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service.set_growth(
                budget,
                request.user,
                authority,
                data["growth_mode"],
                data["growth_rate"],
                data["zero_rate_years"],
                data["contradictory_procedure"],
                data["version"],
            )
        except service.BudgetRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, f"Le mode d'évolution de la dotation {of(str(authority))} est enregistré.")
            return redirect(_detail_url(contract, "evolution"))
    return render(
        request,
        "finance/budget/growth.html",
        {"contract": contract, "authority": authority, "form": form, "modes": GrowthMode},
    )


# --- Pre-filling from the accounts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PrefillView:
    establishment: object
    funder_labels: list[str]
    rows: list[tuple[str, list[str]]]
    notes: list[str]
    unmapped: list[tuple[str, str]]  # account, balance in words


def _balance_text(balance: Decimal) -> str:
    return f"{money(abs(balance))} ({'solde débiteur' if balance >= 0 else 'solde créditeur'})"


def _prefill_view(prefill: EstablishmentPrefill) -> PrefillView:
    funders = prefill.funders
    rows = [
        (GROUP_LABELS[(side, group)], [money(prefill.amounts.get((f, side, group), service.ZERO)) for f in funders])
        for side, group in ROWS
    ]
    unmapped = [(account, _balance_text(balance)) for account, balance in sorted(prefill.unmapped.items())]
    return PrefillView(prefill.establishment, [FunderKind(f).label for f in funders], rows, prefill.notes, unmapped)


def _chosen_year(request, years: list[service.AccountsYear]) -> service.AccountsYear:
    """The year asked for, else the latest complete year, else the latest (its page then says it is partial)."""
    asked = request.GET.get("annee", "")
    by_year = {y.year: y for y in years}
    if asked.isdigit() and int(asked) in by_year:
        return by_year[int(asked)]
    return next((y for y in years if y.complete), years[0])


def _unmapped_message(plan: service.PrefillPlan) -> str:
    accounts = [
        f"{e.establishment.name} : {account} ({_balance_text(balance)})"
        for e in plan.establishments
        for account, balance in sorted(e.unmapped.items())
    ]
    return "Comptes non regroupés, à reporter à la main dans le groupe qui convient : " + " ; ".join(accounts) + "."


@contract_page("budget")
def budget_prefill(request, contract):
    _require(rules.lines_refusal(request.user, contract))
    budget = service.reference_budget(contract)
    years = service.accounts_years(contract)
    if not years:
        return render(request, "finance/budget/prefill.html", {"contract": contract, "years": []})
    chosen = _chosen_year(request, years)
    if request.method == "POST":
        form = PrefillForm(request.POST, years=[y.year for y in years])
        if form.is_valid():
            chosen = next(y for y in years if y.year == form.cleaned_data["year"])
            year = chosen.year
            try:
                plan = service.prefill_from_accounts(
                    budget,
                    year,
                    request.user,
                    form.cleaned_data["version"],
                    accept_partial=form.cleaned_data["accept_partial"],
                )
            except service.BudgetRefused as refused:
                flash_refusal(request, refused)
            else:
                messages.success(
                    request,
                    f"Le budget de référence est pré-rempli à partir des comptes {year} "
                    f"({len(plan.establishments)} établissement{'s' if len(plan.establishments) > 1 else ''}).",
                )
                if plan.unmapped_count:
                    messages.warning(request, _unmapped_message(plan))
                return redirect(_detail_url(contract, "budget"))
    # Closed years only, unless the user asks for the others or picked one of them.
    show_all = request.GET.get("exercices") == "tous"
    offered = [y for y in years if y.complete or show_all or y == chosen]
    plan = service.plan_prefill(contract, chosen.year)
    return render(
        request,
        "finance/budget/prefill.html",
        {
            "contract": contract,
            "budget": budget,
            "years": offered,
            "year": chosen.year,
            "chosen": chosen,
            "plan": plan,
            "hidden_years": [y.year for y in years if y not in offered],
            "show_all": show_all,
            "establishments": [_prefill_view(e) for e in plan.establishments],
        },
    )
