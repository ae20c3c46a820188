"""Visibility: every route that shows a contract or an establishment refuses outsiders.

Routes are enumerated from the URL configuration: any route taking a contract,
an establishment or a managing body in its path is checked, so a new route is
covered the day it is added.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cpom.contracts.models import State
from cpom.registry.models import Establishment
from support import programmed_copy, served, walk_to

OBJECT_KWARGS = {"contract_id", "finess", "managing_body_id"}
# Further path parts that only make sense together with one of the objects above.
QUALIFIERS = {
    "indicator_id",
    "year",
    "section_code",
    "finding_id",
    "attachment_id",
    "objective_id",
    "follow_up_id",
    "milestone_id",
    "extension",
    "scenario_id",
    "party_id",
    "number",
    "authority_id",
    "consultation_id",
    "version_id",
    "signature_id",
    "alert_id",
    "campaign_id",
    "entry_id",
    "kind",
    # cpom.reviews
    "review_id",
    "decision_id",
    "adjustment_id",
    # issue 14, the job queue: a review's pack
    "job_id",
    # issue 13, roadmap: a table of the managing body's portfolio
    "table",
    # issue 13, the launch kit
    "member_id",
    "item_id",
    "step",
}


def _routes(resolver=None, namespace="", outer=frozenset()):
    """Each named route with all its path parameters, those of the includes above it too."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern, inner, outer | set(pattern.pattern.regex.groupindex))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", set(pattern.pattern.regex.groupindex) | outer


# The API's objects named by their own id (/contracts/{id}/, /campaigns/{id}/…): the route's basename → the object.
API_OBJECTS = {"contract": "contract_id", "campaign": "campaign_id", "alert": "alert_id", "grid": "entry_id"}


def _api_object(name: str) -> str | None:
    return API_OBJECTS.get(name.split("-")[0]) if "-" in name and ":" not in name else None


def object_routes():
    routes = []
    for name, kwargs in _routes():
        api_object = _api_object(name)
        if api_object and "pk" in kwargs:
            kwargs = kwargs - {"pk"} | {api_object}
        if name.startswith("admin:") or "format" in kwargs:
            continue
        if not kwargs & OBJECT_KWARGS and not (api_object and api_object in kwargs):
            continue
        assert kwargs <= OBJECT_KWARGS | QUALIFIERS, f"{name}: add its path parameters {kwargs} to this test"
        routes.append((name, frozenset(kwargs)))
    return sorted(set(routes))


ROUTES = object_routes()


def test_enumeration_finds_the_pages_and_api_routes():
    names = {name for name, _ in ROUTES}
    assert {
        "contracts:detail",
        "contracts:update",
        "contracts:transition",
        "registry:establishment",
        "registry:establishment_update",
        "registry:managing_body",
        "contract-detail",
        "establishment-detail",
        "indicators:establishment",
        "indicators:detail",
        "diagnostic:home",
        "diagnostic:section",
        "diagnostic:attachment",
        "diagnostic:finding",
        "objectives:list",
        "objectives:detail",
        "objectives:update",
        "objectives:negotiate",
        "objectives:indicator",
        "objectives:milestone_delete",
        "documents:sheet",
        "documents:annex",
        "documents:contract",
        "documents:contract_file",
        "documents:drafting",
        "signing:consultations",
        "signing:versions",
        "signing:document",
        "signing:scan",
        "signing:check",
        "contract-versions",
        "contract-signatures",
        "contracts:party_accept",
        "contracts:party_decline",
        "amendments:detail",
        "amendments:send",
        "amendments:termination",
        "amendments:version_history",
        "alerts:contract",
        "alerts:acknowledge",
        "contract-alerts",
        # issue 14: the API reads what the pages show
        "contract-diagnostic",
        "contract-diagnostic-sections",
        "contract-diagnostic-findings",
        "contract-objectives",
        "contract-negotiation",
        "contract-budget",
        "contract-envelopes",
        "contract-scenarios",
        "contract-amendments",
        "contract-reviews",
        "contract-campaigns",
        "contract-life",
        "campaign-detail",
        "campaign-grid",
        "alert-detail",
        "establishment-indicator-values",
        "establishment-benchmarks",
        "followup:campaign",
        "followup:entry",
        "followup:document",
        # cpom.reviews
        "reviews:list",
        "reviews:plan",
        "reviews:detail",
        "reviews:edit",
        "reviews:hold",
        "reviews:question",
        "reviews:summary",
        "reviews:decision_add",
        "reviews:decision_edit",
        "reviews:decision_remove",
        "reviews:adjustment_propose",
        "reviews:adjustment_answer",
        "reviews:send",
        "reviews:sign",
        "reviews:decision_status",
        "reviews:decision_amendment",
        "reviews:pack",
        "reviews:pack_job",
        "reviews:pack_download",
        "reviews:minutes",
        # issue 13, roadmap and timeline
        "roadmap:portfolio",
        "roadmap:portfolio_export",
        "roadmap:establishment_sheet",
        "timeline:history",
        "timeline:history_pdf",
        # issue 13, the launch kit
        "launch:home",
        "launch:create",
        "launch:add_member",
        "launch:remove_member",
        "launch:set_referent",
        "launch:raci",
        "launch:raci_default",
        "launch:tick",
        "launch:step_done",
        "launch:step_undo",
        "launch:letter",
    } <= names


def _contract_objects(contract) -> dict:
    """One object of each kind the contract's routes name, made here when the demo has none."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from cpom.alerts.models import Alert
    from cpom.diagnostic.models import Attachment, Finding, SectionEntry
    from cpom.diagnostic.services import diagnostic_for
    from cpom.finance.models import ReferenceBudget, Scenario
    from cpom.followup.models import Campaign, GridEntry
    from cpom.objectives.models import FollowUpIndicator, Level, Milestone, Objective
    from cpom.signing.models import Consultation, ContractVersion

    diagnostic = diagnostic_for(contract)
    section = diagnostic.template.sections.get(code="1.1.1")
    finding = diagnostic.findings.first() or Finding.objects.create(
        diagnostic=diagnostic,
        section=section,
        text="Constat",
        nature="difficulty",
        level="managing_body",
        organisation_label="x",
    )
    entry = SectionEntry.objects.get_or_create(diagnostic=diagnostic, section=section, establishment=None)[0]
    attachment = Attachment.objects.filter(entry__diagnostic=diagnostic).first()
    if attachment is None:
        attachment = Attachment(
            entry=entry,
            kind="other",
            label="Document",
            original_name="document.pdf",
            size=9,
            sha256="0" * 64,
            organisation_label="x",
        )
        attachment.file.save("visibility-test.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    strategic = Objective.objects.get_or_create(
        contract=contract, number="9", defaults={"level": Level.STRATEGIC, "title": "Axe"}
    )[0]
    objective = contract.objectives.filter(level=Level.OPERATIONAL).first() or Objective.objects.create(
        contract=contract, level=Level.OPERATIONAL, parent=strategic, number="9.1", title="Objectif"
    )
    follow_up = FollowUpIndicator.objects.get_or_create(
        objective=objective, label="Indicateur", defaults={"kind": "resultats"}
    )[0]
    milestone = Milestone.objects.get_or_create(objective=objective, label="Étape")[0]
    budget = ReferenceBudget.objects.get_or_create(
        contract=contract, defaults={"base_year": contract.start_date.year - 1}
    )[0]
    scenario = budget.scenarios.first() or Scenario.objects.create(budget=budget, name="Scénario")
    consultation = contract.consultations.first() or Consultation.objects.create(
        contract=contract, kind="other", body="Instance", held_on=contract.start_date, outcome="informed"
    )
    # A contract shown to an outsider is refused before its versions are looked up: the world's EHPAD version (or
    # none) names the route as well as the contract's own would.
    version = ContractVersion.objects.order_by("pk").first()
    signature = version.signatures.order_by("pk").first() if version else None
    now = timezone.now()
    alert = Alert.objects.get_or_create(
        contract=contract,
        kind="milestone",
        key=f"jalon-{milestone.pk}",
        defaults=dict(
            year=2025,
            message="Jalon en retard",
            cause_url_name="objectives:detail",
            cause_args=[contract.pk, objective.pk],
            first_seen_at=now,
            last_seen_at=now,
        ),
    )[0]
    campaign = Campaign.objects.get_or_create(
        contract=contract, year=contract.start_date.year, defaults={"reviewed_year": contract.start_date.year - 1}
    )[0]
    entry = GridEntry.objects.get_or_create(campaign=campaign, indicator=follow_up, category="")[0]
    return {
        **_review_objects(contract),
        **_launch_objects(contract),
        "alert_id": alert.pk,
        "campaign_id": campaign.pk,
        "entry_id": entry.pk,
        "kind": "grille-xlsx",
        "table": "contrats",
        "consultation_id": consultation.pk,
        "version_id": version.pk if version else 1,
        "signature_id": signature.pk if signature else 1,
        "party_id": contract.parties.order_by("pk").last().pk,
        "authority_id": contract.lead_authority_id,
        "section_code": section.code,
        "finding_id": finding.pk,
        "attachment_id": attachment.pk,
        "objective_id": objective.pk,
        "follow_up_id": follow_up.pk,
        "milestone_id": milestone.pk,
        "extension": "pdf",
        "scenario_id": scenario.pk,
    }


def _launch_objects(contract) -> dict:
    """cpom.launch: a kit with one member (its check-list comes with it)."""
    from django.contrib.auth import get_user_model

    from cpom.launch.models import CommitteeMember, LaunchKit
    from cpom.launch.services import create_kit

    kit = LaunchKit.objects.filter(contract=contract).first()
    if kit is None:
        lead_user = get_user_model().objects.get(username="ars")
        kit = create_kit(lead_user, contract)
    member = kit.members.first() or CommitteeMember.objects.create(
        kit=kit, party_key="managing_body", user=get_user_model().objects.get(username="asso"), name="x"
    )
    return {"member_id": member.pk, "item_id": kit.checklist.first().pk, "step": "board"}


def _review_objects(contract) -> dict:
    """cpom.reviews: a review held, with a decision and a proposed adjustment."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from cpom.reviews.models import Adjustment, Decision, Review

    user = get_user_model().objects.order_by("pk").first()
    review = Review.objects.get_or_create(
        contract=contract,
        year=1,
        defaults=dict(
            kind="annual",
            purposes=["annual"],
            day=contract.start_date,
            place="Délégation",
            state="held",
            created_by=user,
            organisation_label="x",
            created_at=timezone.now(),
        ),
    )[0]
    decision = Decision.objects.get_or_create(
        review=review,
        number=1,
        defaults=dict(
            kind="prepare_amendment",
            text="Décision",
            owner_side="managing_body",
            due_date=contract.start_date,
            created_at=timezone.now(),
        ),
    )[0]
    adjustment = Adjustment.objects.get_or_create(
        review=review,
        decision=decision,
        defaults=dict(
            text="Autre",
            previous_text="Décision",
            proposed_by=user,
            proposed_by_organisation="x",
            proposed_at=timezone.now(),
        ),
    )[0]
    from cpom.jobs.models import Job, JobState

    pack = Job.objects.get_or_create(
        kind="reviews.pack",
        subject=f"reviews.review:{review.pk}",
        defaults={
            "label": "Dossier",
            "params": {"review_id": review.pk, "extension": "pdf"},
            "state": JobState.DONE,
            "result_name": "dossier.pdf",
            "result_file": b"%PDF-1.4\n",
        },
    )[0]
    return {"review_id": review.pk, "decision_id": decision.pk, "adjustment_id": adjustment.pk, "job_id": pack.pk}


def _url(name, kwargs, contract):
    from cpom.indicators.models import IndicatorValue

    establishment = contract.establishments.order_by("finess").first()
    computed = IndicatorValue.objects.filter(establishment=establishment).first()
    values = {
        "contract_id": contract.pk,
        "finess": establishment.finess,
        "managing_body_id": contract.managing_body_id,
        "indicator_id": computed.indicator_id,
        "year": computed.year,
        "extension": "pdf",
        # An amendment's number: the contract is looked up among those the user sees before its amendment is.
        "number": 1,
    }
    if kwargs & (QUALIFIERS - {"indicator_id", "year", "extension", "number"}):
        values.update(_contract_objects(contract))
    if _api_object(name):
        return reverse(name, kwargs={"pk": values[_api_object(name)]})
    return reverse(name, kwargs={k: values[k] for k in kwargs})


@pytest.fixture
def signed_contract(ehpad_contract, users):
    """A contract of the EHPAD in force with one object of every kind its routes name, made before signature
    (the database refuses them afterwards)."""
    contract = programmed_copy(ehpad_contract, users["ars"])
    _contract_objects(contract)
    return walk_to(contract, State.IN_FORCE)


@pytest.fixture
def association_contract_awaiting_cd49(association_contract, users):
    """The association's contract with cd49 proposed by the lead outside its competence, not accepted yet."""
    from cpom.contracts.parties import set_parties

    parties = list(association_contract.parties.select_related("authority"))
    lead = next(p.authority for p in parties if p.is_lead)
    cd49 = users["cd49"].membership.authority
    set_parties(association_contract, users["ars"], lead, [*(p.authority for p in parties if not p.is_lead), cd49])
    assert not association_contract.parties.get(authority=cd49).is_admitted
    return association_contract


# (owner who may see it, outsider managing body, authority not party (or not admitted yet), contract fixture)
CASES = [
    ("asso", "ehpad", "cd49", "association_contract"),
    ("ehpad", "asso", "cd44", "signed_contract"),
    ("asso", "ehpad", "cd49", "association_contract_awaiting_cd49"),
]


@pytest.mark.parametrize("name,kwargs", ROUTES, ids=[name for name, _ in ROUTES])
@pytest.mark.parametrize("owner,other_body,other_authority,contract_fixture", CASES)
def test_outsiders_are_refused(
    client_for, client, request, settings, tmp_path, name, kwargs, owner, other_body, other_authority, contract_fixture
):
    settings.MEDIA_ROOT = tmp_path
    contract = request.getfixturevalue(contract_fixture)
    url = _url(name, kwargs, contract)
    state_before = contract.state
    for outsider in (other_body, other_authority):
        viewer = client_for(outsider)
        for method in ("get", "post"):
            response = getattr(viewer, method)(url)
            # 405 (method not allowed on this route) says nothing about the object either.
            assert response.status_code in (404, 405), f"{outsider} {method.upper()} {url} → {response.status_code}"
            assert contract.reference not in response.content.decode()
        viewer.logout()
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if url.startswith("/api/v1/"):
            assert response.status_code in (401, 403)
        else:
            assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    contract.refresh_from_db()
    assert contract.state == state_before


@pytest.mark.parametrize("owner,contract_fixture", [("asso", "association_contract"), ("ehpad", "ehpad_contract")])
def test_the_owner_sees_its_own_contract_everywhere(client_for, request, owner, contract_fixture):
    contract = request.getfixturevalue(contract_fixture)
    viewer = client_for(owner)
    for name in ("contracts:detail", "contract-detail"):
        response = viewer.get(
            reverse(name, kwargs={"contract_id": contract.pk} if ":" in name else {"pk": contract.pk})
        )
        assert response.status_code == 200
        assert contract.reference in response.content.decode()


# The API's lists, reached without an object: walked as the pages' lists are.
API_LISTS = ["contract-list", "establishment-list", "alert-list", "campaign-list", "grid-entry-list"]


def test_every_api_route_is_walked():
    """An API route is walked with an object of another organisation (ROUTES) or as a list (API_LISTS): a new
    route must be one or the other."""
    from cpom.api.urls import router

    walked = {name for name, _ in ROUTES} | set(API_LISTS)
    api_routes = {url.name for url in router.urls if url.name != "api-root"}
    assert api_routes - walked == set()


def test_lists_do_not_leak_other_organisations(client_for, association_contract, ehpad_contract, alert_each):
    association_finess = set(association_contract.establishments.values_list("finess", flat=True))
    ehpad_finess = set(ehpad_contract.establishments.values_list("finess", flat=True))
    list_urls = [
        "/",
        reverse("registry:establishments"),
        reverse("registry:managing_bodies"),
        *(reverse(name) for name in API_LISTS),
    ]
    for viewer, hidden_contract, hidden_finess in [
        ("ehpad", association_contract, association_finess),
        ("cd49", association_contract, association_finess),
        ("asso", ehpad_contract, ehpad_finess),
        ("cd44", ehpad_contract, ehpad_finess),
    ]:
        client = client_for(viewer)
        for url in list_urls:
            body = client.get(url).content.decode()
            assert hidden_contract.reference not in body, f"{viewer} sees {hidden_contract.reference} on {url}"
            assert hidden_contract.managing_body.name not in body, (
                f"{viewer} sees {hidden_contract.managing_body} on {url}"
            )
            for finess in hidden_finess:
                assert finess not in body, f"{viewer} sees {finess} on {url}"
        client.logout()


@pytest.fixture
def alert_each(association_contract, ehpad_contract):
    """An alert and an open campaign on each contract, so that the API's lists have something to leak."""
    from django.utils import timezone

    from cpom.alerts.models import Alert
    from cpom.followup.models import Campaign, CampaignStatus

    now = timezone.now()
    for contract in (association_contract, ehpad_contract):
        Alert.objects.create(
            contract=contract,
            kind="milestone",
            key=f"visibilite-{contract.pk}",
            year=2025,
            message=f"Jalon en retard ({contract.reference})",
            cause_url_name="contracts:detail",
            cause_args=[contract.pk],
            first_seen_at=now,
            last_seen_at=now,
        )
        Campaign.objects.create(
            contract=contract,
            year=2030,
            reviewed_year=2029,
            status=CampaignStatus.OPEN,
            opened_on=now.date(),
            report_deadline=now.date(),
        )


def test_anonymous_visitors_see_no_list(client):
    for url in ["/", reverse("registry:establishments"), reverse("registry:managing_bodies")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for name in API_LISTS:
        assert client.get(reverse(name)).status_code in (401, 403)


def test_each_side_sees_what_its_organisation_may_see(client_for, association_contract, ehpad_contract):
    association = set(association_contract.establishments.values_list("finess", flat=True))
    ehpad = set(ehpad_contract.establishments.values_list("finess", flat=True))
    in_44 = set(Establishment.objects.filter(department="44").values_list("finess", flat=True))
    in_49 = set(Establishment.objects.filter(department="49").values_list("finess", flat=True))
    in_region = set(
        Establishment.objects.filter(department__in=["44", "49", "53", "72", "85"]).values_list("finess", flat=True)
    )
    expectations = {
        "asso": ({association_contract.reference}, association),
        "ehpad": ({ehpad_contract.reference}, ehpad),
        "ars": ({association_contract.reference, ehpad_contract.reference}, in_region),
        "cd44": ({association_contract.reference}, in_44),
        "cd49": ({ehpad_contract.reference}, in_49),
        "admin": (
            {association_contract.reference, ehpad_contract.reference},
            set(Establishment.objects.values_list("finess", flat=True)),
        ),
    }
    assert association <= in_44 and ehpad <= in_49
    for username, (references, establishments) in expectations.items():
        client = client_for(username)
        contracts = client.get("/api/v1/contracts/").json()["results"]
        assert {c["reference"] for c in contracts} == references, username
        seen, url = set(), "/api/v1/establishments/"
        while url:
            page = client.get(url).json()
            seen |= {e["finess"] for e in page["results"]}
            url = page["next"]
        assert seen == establishments, username
        client.logout()


def test_an_authority_sees_establishments_of_its_territory_without_a_contract(client_for, users):
    from cpom.registry.models import ManagingBody

    newcomer = ManagingBody.objects.create(name="Fondation Nouvelle", legal_status="fondation", siren="775671230")
    from cpom.registry.identifiers import finess_with_key

    site = Establishment.objects.create(
        finess=finess_with_key("44009990"),
        name="SAMSAH Nouveau",
        category="SAMSAH",
        sector="PH",
        audience="adults",
        authorised_places=20,
        installed_places=20,
        opening_days=251,
        department="44",
        managing_body=newcomer,
    )
    for authority in ("cd44", "ars"):
        page = client_for(authority).get(site.get_absolute_url()).content.decode()
        assert "SAMSAH Nouveau" in page and "Fondation Nouvelle" in page, authority
    assert client_for("cd49").get(site.get_absolute_url()).status_code == 404
    assert client_for("asso").get(site.get_absolute_url()).status_code == 404


@pytest.fixture
def bare_signed_contract(ehpad_contract, users):
    """Signed with nothing but its frame: no diagnostic, objective or budget was ever written in cpom."""
    return walk_to(programmed_copy(ehpad_contract, users["ars"]), State.IN_FORCE)


@pytest.mark.parametrize("contract_fixture", ["ehpad_contract", "bare_signed_contract"])
@pytest.mark.parametrize("viewer", ["ehpad", "ars", "cd49"])
def test_every_page_of_a_signed_contract_opens_for_its_parties(client_for, request, contract_fixture, viewer):
    """Reading a signed contract never tries to write to it (the database would refuse: a server error)."""
    contract = request.getfixturevalue(contract_fixture)
    client = client_for(viewer)
    for name, kwargs in ROUTES:
        if not kwargs <= {"contract_id", "finess", "managing_body_id", "indicator_id", "year", "extension"}:
            continue  # routes naming an object of the contract: the bare contract has none
        url = _url(name, kwargs, contract)
        response = served(client.get(url))
        assert response.status_code in (200, 302, 403, 404, 405), f"{viewer} GET {url} → {response.status_code}"


def test_a_co_signatory_awaiting_acceptance_sees_no_list_entry(client_for, association_contract_awaiting_cd49):
    contract = association_contract_awaiting_cd49
    hidden_finess = set(contract.establishments.values_list("finess", flat=True))
    client = client_for("cd49")
    for url in [
        "/",
        reverse("registry:establishments"),
        reverse("registry:managing_bodies"),
        "/api/v1/contracts/",
        "/api/v1/establishments/",
    ]:
        body = client.get(url).content.decode()
        assert contract.reference not in body and contract.managing_body.name not in body, url
        for finess in hidden_finess:
            assert finess not in body, (url, finess)


# --- The calendar feeds of « Mes échéances » (cpom.notifications): a secret address per person --------------------


def test_each_persons_feed_holds_only_the_contracts_they_may_see_and_no_other_token_opens_it(
    client, client_for, users, association_contract, ehpad_contract
):
    from icalendar import Calendar

    from cpom.notifications.services import preference_for

    seen = {
        "asso": {association_contract.reference},
        "ehpad": {ehpad_contract.reference},
        "ars": {association_contract.reference, ehpad_contract.reference},
        "cd44": {association_contract.reference},
        "cd49": {ehpad_contract.reference},
    }
    references = {association_contract.reference, ehpad_contract.reference}
    tokens = {name: preference_for(users[name]).feed_token for name in seen}
    for name, token in tokens.items():
        url = reverse("notifications:feed", kwargs={"token": token})
        response = client.get(url)
        assert response.status_code == 200, name
        summaries = " ".join(str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT"))
        assert {r for r in references if r in summaries} <= seen[name], name
        for hidden in references - seen[name]:
            assert hidden not in response.content.decode(), f"{name} reads {hidden} in their feed"
        # Signed in as anyone else, another person's address answers nothing.
        for other in seen:
            if other == name:
                continue
            answer = client_for(other).get(url)
            assert answer.status_code == 404 and b"VCALENDAR" not in answer.content, f"{other} opens {name}'s feed"
            client.logout()
        # A wrong secret (one character off, or made up) answers nothing either.
        for wrong in (token[:-1] + ("a" if token[-1] != "a" else "b"), "0" * 43):
            answer = client.get(reverse("notifications:feed", kwargs={"token": wrong}))
            assert answer.status_code == 404 and b"VCALENDAR" not in answer.content


def test_my_deadlines_pages_refuse_anonymous_visitors(client):
    for name, method in (
        ("notifications:mine", "get"),
        ("notifications:preferences", "post"),
        ("notifications:regenerate", "post"),
    ):
        response = getattr(client, method)(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name
