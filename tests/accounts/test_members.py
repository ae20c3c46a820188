"""Organisation administrators manage their colleagues' accounts; nobody else's."""

from django.contrib.auth import authenticate, get_user_model
from django.test import RequestFactory
from django.urls import reverse

from cpom.access import Role
from cpom.accounts.models import Membership


def _login_request():
    """The request a login comes with: django-axes counts failures per identifier and address."""
    return RequestFactory().post("/connexion/")


NEW_MEMBER = {
    "username": "dq.cheminsdeloire",
    "first_name": "Léa",
    "last_name": "Bernard",
    "email": "lea.bernard@exemple.fr",
    "role": Role.CONTRIBUTE,
    "password": "Qualite-Loire-2026!",
}


def test_an_administrator_adds_a_colleague_who_sees_the_organisation_contracts(client_for, client):
    response = client_for("asso").post(reverse("accounts:members"), NEW_MEMBER, follow=True)
    assert "Le compte dq.cheminsdeloire a été créé." in response.content.decode()
    membership = Membership.objects.get(user__username="dq.cheminsdeloire")
    assert membership.managing_body.name == "Association Les Chemins de Loire"
    assert membership.role == Role.CONTRIBUTE
    client.logout()
    assert authenticate(_login_request(), username="dq.cheminsdeloire", password=NEW_MEMBER["password"]) is not None
    client.force_login(membership.user)
    assert "CPOM-PDL-2027-044-01" in client.get("/").content.decode()


def test_a_non_administrator_cannot_add_accounts(client_for):
    response = client_for("cd44").post(reverse("accounts:members"), NEW_MEMBER)
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="dq.cheminsdeloire").exists()


def test_a_weak_password_or_taken_username_is_refused_in_french(client_for):
    body = client_for("asso").post(reverse("accounts:members"), {**NEW_MEMBER, "password": "123"}).content.decode()
    assert "Ce mot de passe est trop court." in body
    body = client_for("asso").post(reverse("accounts:members"), {**NEW_MEMBER, "username": "ehpad"}).content.decode()
    assert "Cet identifiant est déjà utilisé." in body
    assert not get_user_model().objects.filter(username="dq.cheminsdeloire").exists()


def test_an_administrator_changes_a_role_and_deactivates_an_account(client_for, users):
    colleague = get_user_model().objects.create_user("daf", password="x-Loire-2026-daf")
    membership = Membership.objects.create(
        user=colleague, managing_body=users["asso"].membership.managing_body, role=Role.READ
    )
    client_for("asso").post(
        reverse("accounts:member_change", kwargs={"membership_id": membership.pk}), {"role": Role.VALIDATE}
    )
    membership.refresh_from_db()
    colleague.refresh_from_db()
    assert membership.role == Role.VALIDATE and not colleague.is_active
    assert authenticate(_login_request(), username="daf", password="x-Loire-2026-daf") is None


def test_an_administrator_cannot_lock_themself_out(client_for, users):
    own = users["asso"].membership
    response = client_for("asso").post(
        reverse("accounts:member_change", kwargs={"membership_id": own.pk}),
        {"role": Role.READ, "is_active": "on"},
        follow=True,
    )
    assert "Vous ne pouvez pas modifier votre propre rôle" in response.content.decode()
    own.refresh_from_db()
    assert own.role == Role.ADMINISTER


def test_accounts_of_another_organisation_are_out_of_reach(client_for, users):
    other = users["ehpad"].membership
    response = client_for("asso").post(
        reverse("accounts:member_change", kwargs={"membership_id": other.pk}), {"role": Role.READ}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.role == Role.VALIDATE
    assert "ehpad" not in client_for("asso").get(reverse("accounts:members")).content.decode().split("<main")[1]


def test_my_account_creates_an_api_token_that_works(client_for):
    client = client_for("cd44")
    page = client.post(reverse("accounts:my_account"), {"label": "Tableau de bord", "days": "30"}).content.decode()
    assert "Le jeton « Tableau de bord » a été créé" in page
    secret = page.split('data-testid="api-token">')[1].split("<")[0]
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert [c["reference"] for c in api.get("/api/v1/contracts/").json()["results"]] == ["CPOM-PDL-2027-044-01"]
