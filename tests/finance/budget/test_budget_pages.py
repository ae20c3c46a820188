"""The reference budget through the screens: the model contract's table with French amounts, editing one
establishment's lines, bad input that saves nothing, the growth mode, the pre-fill preview, and who sees what."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cpom.core.text import of
from cpom.finance.budget import services as service
from cpom.finance.models import BudgetLine, FunderKind, GrowthMode, ReferenceBudget, Side
from cpom.indicators.models import DataValue
from cpom.registry.models import Establishment
from support import assert_stale

AM, CD = FunderKind.ARS_HEALTH_INSURANCE, FunderKind.CD
NBSP = "\xa0"


def euros(text: str) -> str:
    """« 12 500,00 € » with the non-breaking spaces the pages put in numbers and before € and %."""
    return re.sub(r"(?<=\d) (?=[\d€%])", NBSP, text)


@pytest.fixture
def contract(association_contract):
    ReferenceBudget.objects.filter(contract=association_contract).delete()
    return association_contract


@pytest.fixture
def fam(db):
    return Establishment.objects.get(name="FAM Le Clos Fleuri")


def _url(name, contract, **kwargs):
    return reverse(f"finance:{name}", kwargs={"contract_id": contract.pk, **kwargs})


def _fam_post(version=1, **overrides):
    data = {
        "version": version,
        "days": "11 000",
        f"{AM}-expense-1": "20 000",
        f"{AM}-expense-2": "330 000",
        f"{AM}-expense-3": "30 000",
        f"{AM}-income-1": "380 000",
        f"{CD}-expense-1": "50 000",
        f"{CD}-expense-2": "80 000",
        f"{CD}-expense-3": "23 450",
        f"{CD}-income-1": "123 450,00 €",
        f"{CD}-income-2": "20 000",
        f"{CD}-income-3": "10 000",
    }
    data.update(overrides)
    return data


def _body(response) -> str:
    return response.content.decode()


def test_the_managing_body_types_the_lines_the_french_way(client_for, contract, fam):
    client = client_for("asso")
    response = client.post(_url("budget_lines", contract, finess=fam.finess), _fam_post(), follow=True)
    body = _body(response)
    assert "Le budget de référence du FAM Le Clos Fleuri est enregistré." in body
    lines = {
        (line.funder, line.side, line.group): line.amount
        for line in BudgetLine.objects.filter(budget__contract=contract)
    }
    assert lines[(CD, Side.INCOME, 1)] == Decimal("123450.00") and lines[(AM, Side.EXPENSE, 2)] == Decimal("330000.00")
    assert contract.reference_budget.activity.get().days == 11000
    # The page: the model contract's rows, the envelope with its douzièmes, the daily prices, French amounts.
    for text in (
        "Groupe I – Dépenses afférentes à l&#x27;exploitation courante",
        "Groupe II – Dépenses afférentes au personnel",
        "Total des dépenses (classe 6)",
        "Groupe I – Produits de la tarification",
        "dont ARS – assurance maladie",
        "dont Conseil départemental",
        "Total des recettes (classe 7)",
        "Résultat (recettes − dépenses)",
        euros("533 450,00 €"),
        euros("11 douzièmes de 31 666,67 € puis un dernier de 31 666,63 €"),
        euros("12 douzièmes de 10 287,50 €"),
        euros("34,55 €"),
        euros("11,22 €"),
        euros("100,00 %"),
        euros("11 000"),
    ):
        assert text in body, text
    assert "non calculable : journées prévisionnelles non renseignées" in body  # the other per-day establishments


def test_the_envelope_is_presented_in_the_model_layout(client_for, contract, fam, users):
    service.save_lines(
        service.reference_budget(contract),
        users["asso"],
        fam,
        {(AM, Side.EXPENSE, 2): Decimal("380000.00"), (AM, Side.INCOME, 1): Decimal("380000.00")},
        None,
        1,
    )
    body = _body(client_for("cd44").get(_url("budget_detail", contract)))
    assert "Budget de référence (crédits reconductibles) – ARS – assurance maladie" in body
    assert (
        euros(
            "La dotation globalisée commune de référence (ARS – assurance maladie) est de 380 000,00 €, pour un "
            "équipement de 1 établissement et service et de 32 places autorisées."
        )
        in body
    )
    # Until the ARS chooses, its envelope has no projection, and each funder reads what is not chosen yet.
    assert "L'évolution de cette dotation n'est pas encore fixée par l&#x27;ARS Pays de la Loire" in body
    assert "L&#x27;ARS Pays de la Loire n&#x27;a pas encore fixé l&#x27;évolution de sa dotation." in body
    assert "Le Conseil départemental de Loire-Atlantique n&#x27;a pas encore fixé" in body
    assert "Pré-remplir à partir des comptes N-1" not in body  # the département only reads
    assert "Fixer le mode d'évolution de la dotation du Conseil départemental de Loire-Atlantique" in body
    budget = ReferenceBudget.objects.get(contract=contract)
    ars = users["ars"].membership.authority
    service.set_growth(budget, users["ars"], ars, GrowthMode.ANNUAL_AMENDMENT, Decimal("0"), 0, None, 1)
    body = _body(client_for("asso").get(_url("budget_detail", contract)))
    assert "font l&#x27;objet d&#x27;un avenant annuel : pas d&#x27;évolution automatique." in body
    assert body.count("fixée par avenant") == 5  # N to N+4


CD_TARIFF = "Groupe I – Produits de la tarification – Conseil départemental"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("12 500,5x", f"{CD_TARIFF} : « 12 500,5x » n&#x27;est pas un nombre : écrivez par exemple 12 500,50."),
        ("-100", f"{CD_TARIFF} : un montant ne peut pas être négatif."),
        ("12,345", f"{CD_TARIFF} : deux chiffres au plus après la virgule (les centimes)."),
    ],
)
def test_bad_input_says_why_in_french_and_saves_nothing(client_for, contract, fam, typed, message):
    response = client_for("asso").post(
        _url("budget_lines", contract, finess=fam.finess), _fam_post(**{f"{CD}-income-1": typed})
    )
    body = _body(response)
    assert "Rien n'a été enregistré" in body and message in body
    assert not ReferenceBudget.objects.filter(contract=contract).exists()
    assert not BudgetLine.objects.filter(establishment=fam).exists()


def test_days_that_are_not_a_whole_number_save_nothing(client_for, contract, fam):
    body = _body(
        client_for("asso").post(_url("budget_lines", contract, finess=fam.finess), _fam_post(days="onze mille"))
    )
    assert (
        "Journées prévisionnelles : « onze mille » n&#x27;est pas un nombre entier : écrivez par exemple 1 200." in body
    )
    assert not ReferenceBudget.objects.filter(contract=contract).exists()


def test_a_stale_form_is_refused(client_for, contract, fam):
    client = client_for("asso")
    client.post(_url("budget_lines", contract, finess=fam.finess), _fam_post())
    response = client.post(
        _url("budget_lines", contract, finess=fam.finess), _fam_post(version=1, **{f"{AM}-income-1": "1"})
    )
    assert_stale(response)
    assert BudgetLine.objects.get(establishment=fam, funder=AM, side=Side.INCOME, group=1).amount == Decimal(
        "380000.00"
    )


def _growth_url(contract, username, users):
    return _url("budget_growth", contract, authority_id=users[username].membership.authority_id)


def test_each_funder_sets_its_growth_mode_through_the_form(client_for, contract, users):
    response = client_for("ars").post(
        _growth_url(contract, "ars", users),
        {
            "growth_mode": GrowthMode.ZERO_RATE,
            "growth_rate": "1,5",
            "zero_rate_years": "2",
            "contradictory_procedure": "non",
            "version": 1,
        },
        follow=True,
    )
    body = _body(response)
    assert "Le mode d&#x27;évolution de la dotation de l&#x27;ARS Pays de la Loire est enregistré." in body
    assert (
        euros(
            "Le taux directeur annuel est fixé à 0 sur 2 années, puis à 1,5 %. La fixation annuelle du tarif n&#x27;est "
            "pas soumise à la procédure contradictoire."
        )
        in body
    )
    response = client_for("cd44").post(
        _growth_url(contract, "cd44", users),
        {"growth_mode": GrowthMode.AUTHORITY_RATE, "growth_rate": "0,8", "zero_rate_years": "", "version": 1},
        follow=True,
    )
    body = _body(response)
    assert euros("Le taux d&#x27;évolution annuel fixé par l&#x27;autorité est de 0,8 % chaque année") in body
    assert [(g.authority.name, g.mode, g.rate) for g in service.growth_by_funder(contract.reference_budget)] == [
        ("ARS Pays de la Loire", GrowthMode.ZERO_RATE, Decimal("1.5")),
        ("Conseil départemental de Loire-Atlantique", GrowthMode.AUTHORITY_RATE, Decimal("0.8")),
    ]


def test_a_rate_that_is_not_a_number_is_refused(client_for, contract, users):
    body = _body(
        client_for("ars").post(
            _growth_url(contract, "ars", users),
            {"growth_mode": GrowthMode.AUTHORITY_RATE, "growth_rate": "un peu", "zero_rate_years": "", "version": 1},
        )
    )
    assert "Taux d&#x27;évolution annuel (%) : « un peu » n&#x27;est pas un nombre : écrivez par exemple 1,2." in body
    assert not ReferenceBudget.objects.filter(contract=contract).exists()


def test_the_regional_rate_without_an_answer_on_the_contradictory_procedure_saves_nothing(client_for, contract, users):
    body = _body(
        client_for("ars").post(
            _growth_url(contract, "ars", users),
            {"growth_mode": GrowthMode.REGIONAL_RATE, "growth_rate": "1,2", "zero_rate_years": "", "version": 1},
        )
    )
    assert "Procédure contradictoire : précisez si la fixation annuelle du tarif y est soumise ou non" in body
    assert not ReferenceBudget.objects.filter(contract=contract).exists()


REFUSED_GROWTH = "chaque financeur décide de l&#x27;évolution de ses propres crédits"


@pytest.mark.parametrize(
    "username, page, forbidden",
    [
        ("ars", "budget_lines", "Seul l&#x27;organisme gestionnaire"),
        ("cd44", "budget_prefill", "Seul l&#x27;organisme gestionnaire"),
        ("asso", "budget_growth:ars", REFUSED_GROWTH),
        ("cd44", "budget_growth:ars", REFUSED_GROWTH),
        ("ars", "budget_growth:cd44", REFUSED_GROWTH),
        ("asso", "budget_growth:cd44", REFUSED_GROWTH),
    ],
)
def test_each_party_only_does_its_part(client_for, contract, fam, users, username, page, forbidden):
    page, _, funder = page.partition(":")
    kwargs = {"finess": fam.finess} if page == "budget_lines" else {}
    if funder:
        kwargs = {"authority_id": users[funder].membership.authority_id}
    response = client_for(username).get(_url(page, contract, **kwargs))
    assert response.status_code == 403 and forbidden in _body(response)
    if funder:
        post = {"growth_mode": GrowthMode.AUTHORITY_RATE, "growth_rate": "9", "zero_rate_years": "", "version": 1}
        assert client_for(username).post(_url(page, contract, **kwargs), post).status_code == 403
        assert not ReferenceBudget.objects.filter(contract=contract).exists()


@pytest.mark.parametrize("username", ["ehpad", "cd49"])
def test_outsiders_get_not_found(client_for, contract, fam, users, username):
    client = client_for(username)
    for url in (
        _url("budget_detail", contract),
        _url("budget_lines", contract, finess=fam.finess),
        _growth_url(contract, "ars", users),
        _url("budget_prefill", contract),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(_url("budget_lines", contract, finess=fam.finess), _fam_post()).status_code == 404
    assert not ReferenceBudget.objects.filter(contract=contract).exists()


def test_a_signed_contract_shows_its_budget_read_only(client_for, ehpad_contract):
    ehpad = ehpad_contract.establishments.get(category="EHPAD")
    client = client_for("ehpad")
    body = _body(client.get(_url("budget_detail", ehpad_contract)))
    assert "le budget de référence est figé" in body
    assert "Modifier" not in body and "Pré-remplir" not in body
    response = client.get(_url("budget_lines", ehpad_contract, finess=ehpad.finess))
    assert response.status_code == 403 and "qu&#x27;avant la signature" in _body(response)


def test_the_platform_reads_without_editing(client_for, contract):
    body = _body(client_for("admin").get(_url("budget_detail", contract)))
    assert "Moyens : budget de référence" in body and "Ensemble du périmètre" in body
    assert "Pré-remplir" not in body and "Fixer le mode" not in body


def test_prefill_preview_then_write(client_for, contract, fam):
    ime = Establishment.objects.get(name="IME Les Grands Chênes")
    DataValue.objects.bulk_create(
        DataValue(establishment=ime, year=2026, element=f"compte:{a}", value=Decimal(v))
        for a, v in {"6411": "500000", "6341": "700", "7311": "-520000"}.items()
    )
    client = client_for("asso")
    body = _body(client.get(_url("budget_prefill", contract) + "?annee=2026"))
    assert "Ce qui sera écrit (comptes 2026)" in body
    assert "1 compte non regroupé" in body and euros("compte 6341 : 700,00 € (solde débiteur)") in body
    assert euros("520 000,00 €") in body
    assert "gardent leurs lignes actuelles" in body and "FAM Le Clos Fleuri" in body
    assert not ReferenceBudget.objects.filter(contract=contract).exists()  # a preview writes nothing
    assert "Les lignes actuelles de cet établissement seront remplacées" in body and "ces 1 " not in body
    body = _body(
        client.post(_url("budget_prefill", contract), {"year": 2026, "version": 1, "accept_partial": "on"}, follow=True)
    )
    assert "Le budget de référence est pré-rempli à partir des comptes 2026 (1 établissement)." in body
    assert euros("IME Les Grands Chênes : 6341 (700,00 € (solde débiteur))") in body
    assert "Exercice de référence : <strong>2026</strong>" in body
    assert BudgetLine.objects.get(establishment=ime, side=Side.INCOME, group=1).amount == Decimal("520000.00")


MANAGING_BODY_USER = {"CPOM-PDL-2027-044-01": "asso", "CPOM-PDL-2024-049-07": "ehpad"}


def test_the_budget_page_of_every_demo_establishment_opens_for_its_managing_body_and_its_lead(client_for, db):
    """Every establishment of every demo contract: the form where the managing body may type, the reason where not."""
    from cpom.contracts.models import Contract

    opened = 0
    for contract in Contract.objects.filter(reference__in=MANAGING_BODY_USER).order_by("reference"):
        editable = contract.is_open
        for establishment in contract.establishments.order_by("finess"):
            url = _url("budget_lines", contract, finess=establishment.finess)
            response = client_for(MANAGING_BODY_USER[contract.reference]).get(url)
            where = f"{contract.reference} {establishment.finess} {establishment.category}"
            body = _body(response)
            if editable:
                assert response.status_code == 200, where
                assert f"Budget de référence : {establishment.name}".replace("'", "&#x27;") in body, where
                assert f"FINESS {establishment.finess}" in body, where
                for funder in service.funders_of(establishment):
                    assert f'<th scope="col">{FunderKind(funder).label}</th>' in body, where
                per_day = establishment.category in service.PER_DAY_CATEGORIES
                assert ("Journées prévisionnelles" in body) == per_day, where
                assert ('name="days"' in body) == per_day, where
                opened += 1
            else:
                assert response.status_code == 403, where
                assert "le budget de référence ne se modifie qu&#x27;avant la signature" in body, where
            response = client_for("ars").get(url)
            assert response.status_code == 403, where
            assert (
                "Seul l&#x27;organisme gestionnaire (rôle contribution ou plus) propose les lignes du budget de "
                "référence."
            ) in _body(response), where
    assert opened == 7  # the association's seven establishments


@pytest.mark.parametrize(
    "finess, funder",
    [
        ("440005072", CD),  # SAVS: the département
        ("440005023", AM),  # SESSAD: health insurance
        ("440005031", FunderKind.ARS_STATE),  # ESAT: the State, through the ARS
    ],
)
def test_the_association_saves_the_budget_of_a_service_funded_without_daily_price(client_for, contract, finess, funder):
    establishment = Establishment.objects.get(finess=finess)
    client = client_for("asso")
    url = _url("budget_lines", contract, finess=finess)
    assert client.get(url).status_code == 200
    typed = {
        "version": 1,
        f"{funder}-expense-1": "12 000",
        f"{funder}-expense-2": "250 000,50",
        f"{funder}-expense-3": "18 000",
        f"{funder}-income-1": "240 000",
    }
    body = _body(client.post(url, typed, follow=True))
    assert f"Le budget de référence {of(establishment.name)} est enregistré.".replace("'", "&#x27;") in body
    lines = {
        (line.funder, line.side, line.group): line.amount
        for line in BudgetLine.objects.filter(establishment=establishment)
    }
    assert lines == {
        (funder, Side.EXPENSE, 1): Decimal("12000.00"),
        (funder, Side.EXPENSE, 2): Decimal("250000.50"),
        (funder, Side.EXPENSE, 3): Decimal("18000.00"),
        (funder, Side.INCOME, 1): Decimal("240000.00"),
    }
    assert not contract.reference_budget.activity.filter(establishment=establishment).exists()
    assert euros("240 000,00 €") in body and euros("12 douzièmes de 20 000,00 €") in body


def test_the_prefill_offers_closed_years_and_says_plainly_when_a_year_is_partial(client_for, contract):
    from django.utils import timezone

    year = timezone.localdate().year  # the open year, after the demo's five closed ones
    ime = Establishment.objects.get(name="IME Les Grands Chênes")
    DataValue.objects.bulk_create(
        DataValue(establishment=ime, year=year, element=f"compte:{a}", value=Decimal(v))
        for a, v in {"6411": "250000", "7311": "-260000"}.items()
    )
    client = client_for("asso")
    url = _url("budget_prefill", contract)
    body = _body(client.get(url))
    options = re.findall(r'<option value="(\d{4})"', body)
    assert options == ["2025", "2024", "2023", "2022", "2021"]  # closed years only, the latest chosen
    assert "Ce qui sera écrit (comptes 2025)" in body and "partiels" not in body.split("Ce qui sera écrit")[1]
    assert f"Afficher aussi les exercices en cours ou importés avant leur fin ({year})" in body
    assert f'<option value="{year}">{year} (comptes partiels)</option>' in _body(client.get(url + "?exercices=tous"))
    warning = (
        f"Les comptes {year} sont partiels (IME Les Grands Chênes : exercice {year} en cours). Le budget de "
        "référence se calcule sur un exercice clos (N-1) : des comptes partiels sous-estiment les charges et les "
        "produits de l&#x27;année."
    )
    body = _body(client.get(url + f"?annee={year}"))
    assert warning in body and f"J'ai compris que les comptes {year} sont partiels" in body
    body = _body(client.post(url, {"year": year, "version": 1}, follow=True))
    assert (
        warning in body
        and "Cochez la case de confirmation pour les prendre malgré tout ; rien n&#x27;a été écrit." in body
    )
    assert not ReferenceBudget.objects.filter(contract=contract).exists()
    body = _body(client.post(url, {"year": year, "version": 1, "accept_partial": "on"}, follow=True))
    assert f"Le budget de référence est pré-rempli à partir des comptes {year} (1 établissement)." in body
    assert contract.reference_budget.base_year == year
