"""How the tests write through the API as an integrator does: read the resource's ETag, send it back in If-Match,
and read the refusal as a problem (application/problem+json, in French)."""

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def problem(response, status: int) -> dict:
    """The body of a refusal, checked to be a problem with ``status``."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    return body


def pointed(body: dict) -> dict[str, str]:
    """A refused input's messages by the JSON pointer of their field (« #/rows/3/year »)."""
    return {error["pointer"]: error["detail"] for error in body["errors"]}


def patch(client, url: str, data: dict, etag: str | None):
    """A JSON PATCH, with If-Match when ``etag`` is given."""
    headers = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return client.patch(url, data, format="json", **headers)
