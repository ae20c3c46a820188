from rest_framework.test import APIClient

from api_support import api_client


def test_token_authentication_and_contract_detail(users, association_contract):
    client = api_client(users["cd44"])
    data = client.get(f"/api/v1/contracts/{association_contract.pk}/").json()
    assert data["reference"] == "CPOM-PDL-2027-044-01"
    assert data["state"] == "negotiation" and data["state_label"] == "En négociation"
    assert len(data["establishments"]) == 7
    assert [(p["authority"]["name"], p["is_lead"]) for p in data["parties"]] == [
        ("ARS Pays de la Loire", True),
        ("Conseil départemental de Loire-Atlantique", False),
    ]


def test_establishment_by_finess(users):
    client = APIClient()
    client.force_authenticate(users["asso"])
    data = client.get("/api/v1/establishments/440005015/").json()
    assert (
        data["name"] == "IME Les Grands Chênes" and data["managing_body"]["name"] == "Association Les Chemins de Loire"
    )
    assert client.get("/api/v1/establishments/490008013/").status_code == 404


def test_a_bad_token_is_refused(association_contract):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000")
    assert client.get(f"/api/v1/contracts/{association_contract.pk}/").status_code == 401


def test_openapi_schema_documents_the_routes(users):
    client = APIClient()
    client.force_authenticate(users["ars"])
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {
        "/api/v1/contracts/",
        "/api/v1/contracts/{id}/",
        "/api/v1/establishments/",
        "/api/v1/establishments/{finess}/",
    } <= set(schema["paths"])
