"""The API reads what the pages show, computed by the same services, a page at a time, filtered on request."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api_support import api_client
from cpom.alerts.models import Alert
from cpom.diagnostic.models import Diagnostic, Finding
from cpom.finance.budget import services as budget_service
from cpom.finance.trajectory import services as trajectory_service
from cpom.indicators.services import peer_benchmarks
from cpom.objectives import negotiation
from cpom.objectives.models import Objective
from cpom.reviews.models import Decision, Review


def _results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _refused_parameter(response, parameter):
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert [e["parameter"] for e in body["errors"]] == [parameter]
    assert f"Paramètre de requête refusé : {parameter}" in body["detail"]
    return body["errors"][0]["detail"]


def test_the_diagnostic_its_check_list_and_its_findings(users, association_contract):
    client = api_client(users["cd44"])
    base = f"/api/v1/contracts/{association_contract.pk}/diagnostic/"
    diagnostic = client.get(base).json()
    assert diagnostic["salient_issues"] == association_contract.diagnostic.salient_issues
    assert "Population et parcours" in [line["label"] for line in diagnostic["checklist"]]
    findings = _results(client.get(base + "findings/"))
    assert [(f["text"], f["nature_label"], f["section"]) for f in findings][0] == (
        "Absentéisme élevé des équipes",
        "Difficulté",
        "1.3.4",
    )
    assert _results(client.get(base + "findings/?nature=strength")) == [
        f for f in findings if f["nature"] == "strength"
    ]
    assert "n'est pas un choix valide" in _refused_parameter(client.get(base + "findings/?nature=force"), "nature")


def test_a_diagnostic_never_opened_is_not_found_and_reading_does_not_open_it(users, association_contract):
    association_contract.diagnostic.delete()
    response = api_client(users["asso"]).get(f"/api/v1/contracts/{association_contract.pk}/diagnostic/sections/")
    assert response.status_code == 404 and "pas de diagnostic partagé" in response.json()["detail"]
    assert not Diagnostic.objects.filter(contract=association_contract).exists()


def test_the_objectives_with_their_fiche_and_the_negotiation_as_the_page_says(users, association_contract):
    client = api_client(users["ars"])
    objectives = _results(client.get(f"/api/v1/contracts/{association_contract.pk}/objectives/"))
    strategic, operational = objectives
    assert (strategic["level"], operational["parent"], operational["number"]) == ("strategic", strategic["id"], "1.1")
    assert (
        operational["title"] == "Réduire l'absentéisme"
        and operational["status_label"] == "Accepté par toutes les parties"
    )
    assert _results(client.get(f"/api/v1/contracts/{association_contract.pk}/objectives/?level=operational")) == [
        operational
    ]
    state = _results(client.get(f"/api/v1/contracts/{association_contract.pk}/negotiation/"))[0]
    objective = Objective.objects.get(pk=state["objective"])
    # The page's own rules: the parties whose word counts, those it does not concern, the buttons the ARS gets.
    assert [a["party"] for a in state["agreements"]] == [p.label for p, _ in negotiation.agreement_state(objective)]
    assert state["unconcerned"] == ["Conseil départemental de Loire-Atlantique"]
    assert state["may"] == [
        a for a in ("agree", "reject", "reopen", "comment") if negotiation.may(objective, users["ars"], a)
    ]


def test_the_budget_envelopes_and_scenarios_are_the_services_figures(users, association_contract):
    client = api_client(users["asso"])
    base = f"/api/v1/contracts/{association_contract.pk}/"
    budget = budget_service.reference_budget(association_contract)
    establishments = budget_service.perimeter(association_contract)
    whole = budget_service.budget_columns(budget, establishments)[-1].amounts
    data = client.get(base + "budget/").json()
    assert data["columns"][-1]["establishment"] is None
    assert Decimal(data["columns"][-1]["amounts"]["total_expenses"]) == whole.total_expenses.quantize(Decimal("0.01"))
    envelopes = _results(client.get(base + "envelopes/"))
    for envelope in envelopes:
        assert sum(Decimal(s["amount"]) for s in envelope["shares"]) == Decimal(envelope["amount"])
        assert sum(Decimal(s["percentage"]) for s in envelope["shares"]) == 100
    [scenario] = _results(client.get(base + "scenarios/"))
    [run] = trajectory_service.runs(budget)
    assert scenario["name"] == run.scenario.name and scenario["retained"] is True
    assert len(scenario["years"]) == association_contract.duration_years
    assert Decimal(scenario["closing_reserves"]) == run.trajectory.closing_reserves


def test_indicator_values_and_benchmarks_filtered_by_year_and_indicator(users, ehpad_contract):
    client = api_client(users["ehpad"])
    establishment = ehpad_contract.establishments.order_by("finess").first()
    base = f"/api/v1/establishments/{establishment.finess}/"
    values = _results(client.get(base + "indicator-values/?year=2024&indicator=i-1"))
    assert [(v["indicator"], v["year"]) for v in values] == [("i-1", 2024)]
    benchmarks = _results(client.get(base + "benchmarks/?year=2024&indicator=i-1"))
    expected = peer_benchmarks(establishment).filter(year=2024, indicator__code="i-1")
    assert [(b["level"], b["territory"], b["median"]) for b in benchmarks] == [
        (b.level, b.territory, b.median) for b in expected
    ]
    assert benchmarks[0]["level"] == "department"
    assert "nombre entier" in _refused_parameter(client.get(base + "indicator-values/?year=2024x"), "year")


def test_the_reviews_and_their_decisions(users, ehpad_contract):
    review = Review.objects.create(
        contract=ehpad_contract,
        year=1,
        kind="annual",
        purposes=["annual"],
        day=ehpad_contract.start_date,
        place="Délégation",
        state="held",
        created_by=users["ars"],
        organisation_label="ARS Pays de la Loire",
        created_at=timezone.now(),
    )
    Decision.objects.create(
        review=review,
        number=1,
        kind="document_to_send",
        text="Transmettre le plan de formation",
        owner_side="managing_body",
        due_date=ehpad_contract.start_date,
        created_at=timezone.now(),
    )
    client = api_client(users["cd49"])
    base = f"/api/v1/contracts/{ehpad_contract.pk}/reviews/"
    [listed] = _results(client.get(base))
    assert listed["title"] == review.title and listed["state_label"] == "Tenu : relevé de décisions en rédaction"
    assert [(d["number"], d["text"], d["status_label"]) for d in listed["decisions"]] == [
        (1, "Transmettre le plan de formation", "À faire")
    ]
    assert _results(client.get(base + "?decision_status=done")) == []
    assert "inférieure ou égale à 5" in _refused_parameter(client.get(base + "?year=9"), "year")


def test_contracts_filtered_by_state_year_and_managing_body(users, association_contract, ehpad_contract):
    client = api_client(users["ars"])
    references = lambda query: [c["reference"] for c in _results(client.get("/api/v1/contracts/" + query))]  # noqa: E731
    assert references("?state=in_force") == [ehpad_contract.reference]
    assert references("?year=2030") == [association_contract.reference]
    assert references(f"?managing_body={ehpad_contract.managing_body_id}") == [ehpad_contract.reference]
    assert "n'est pas un choix valide" in _refused_parameter(client.get("/api/v1/contracts/?state=vigueur"), "state")


def test_every_list_is_a_page_and_a_bad_page_is_named(users):
    client = api_client(users["ars"])
    first = client.get("/api/v1/establishments/?page_size=2").json()
    assert len(first["results"]) == 2 and first["count"] > 2 and "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert {e["finess"] for e in second["results"]}.isdisjoint({e["finess"] for e in first["results"]})
    assert "à partir de 1" in _refused_parameter(client.get("/api/v1/establishments/?page=0"), "page")
    assert "entre 1 et 500" in _refused_parameter(client.get("/api/v1/establishments/?page_size=5000"), "page_size")
    assert client.get("/api/v1/establishments/?page=9999").json()["title"] == "Introuvable"


def _more_rows(contract, start, count):
    """``count`` more findings, objectives and alerts on the contract, numbered from ``start``."""
    diagnostic = contract.diagnostic
    section = diagnostic.template.sections.get(code="1.1.1")
    now = timezone.now()
    for index in range(start, start + count):
        Finding.objects.create(
            diagnostic=diagnostic,
            section=section,
            text=f"Constat {index}",
            nature="strength",
            level="managing_body",
            organisation_label="Association Les Chemins de Loire",
        )
        Objective.objects.create(contract=contract, level="strategic", number=str(20 + index), title=f"Axe {index}")
        Alert.objects.create(
            contract=contract,
            kind="milestone",
            key=f"requetes-{index}",
            year=2025,
            message="Jalon en retard",
            cause_url_name="contracts:detail",
            cause_args=[contract.pk],
            first_seen_at=now,
            last_seen_at=now,
        )


@pytest.mark.parametrize("route", ["diagnostic/findings", "objectives", "alerts"])
def test_a_list_s_queries_do_not_grow_with_its_rows(users, association_contract, route):
    client = api_client(users["asso"])
    url = f"/api/v1/contracts/{association_contract.pk}/{route}/"
    _more_rows(association_contract, 0, 1)
    client.get(url)  # the token's first call writes its last use (then once a minute): not the list's
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _more_rows(association_contract, 1, 10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_schema_documents_every_refusal_as_a_problem(users):
    schema = api_client(users["ars"]).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {
        "/api/v1/contracts/{id}/diagnostic/findings/",
        "/api/v1/contracts/{id}/negotiation/",
        "/api/v1/contracts/{id}/scenarios/",
        "/api/v1/establishments/{finess}/benchmarks/",
    } <= set(schema["paths"])
    for operations in schema["paths"].values():
        for operation in operations.values():
            for status in ("400", "401", "403", "404", "429"):
                content = operation["responses"][status]["content"]
                assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    findings = schema["paths"]["/api/v1/contracts/{id}/diagnostic/findings/"]["get"]
    assert {p["name"] for p in findings["parameters"]} >= {"nature", "level", "page", "page_size"}
    assert findings["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "PaginatedFindingList"
    )


def test_alerts_filtered_as_the_alerts_page_filters_them(users, ehpad_contract):
    now = timezone.now()
    for key, resolved, acknowledged in (("ouverte", None, None), ("vue", None, now), ("levee", now, None)):
        Alert.objects.create(
            contract=ehpad_contract,
            kind="milestone",
            key=key,
            year=2025,
            message=f"Alerte {key}",
            cause_url_name="contracts:detail",
            cause_args=[ehpad_contract.pk],
            first_seen_at=now,
            last_seen_at=now,
            resolved_at=resolved,
            acknowledged_at=acknowledged,
            acknowledged_by=users["ars"] if acknowledged else None,
            acknowledgement_comment="Vu en réunion" if acknowledged else "",
        )
    client = api_client(users["ehpad"])
    keys = lambda query: sorted(a["key"] for a in _results(client.get("/api/v1/alerts/" + query)))  # noqa: E731
    assert keys("?status=open") == ["ouverte", "vue"]
    assert keys("?status=open&acknowledged=false") == ["ouverte"]
    assert keys("?status=resolved") == ["levee"]
    assert keys(f"?contract={ehpad_contract.pk}&kind=milestone") == ["levee", "ouverte", "vue"]
    assert "n'est pas un choix valide" in _refused_parameter(client.get("/api/v1/alerts/?status=ouverte"), "status")


def test_the_schema_is_valid_openapi_and_every_operation_is_typed(tmp_path):
    """drf-spectacular warns for an operation it cannot type (an action without serializer, a method field without
    its type): none may."""
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().count("operationId:") >= 26
