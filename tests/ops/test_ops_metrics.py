"""The metrics a supervisor reads: counted by a middleware, read back in Prometheus' text format."""

import pytest
from django.urls import get_resolver, reverse

from cpom.operations.metrics import METRICS
from cpom.operations.prometheus import RequestMetrics, parse

OUTSIDE = "203.0.113.7"


@pytest.fixture
def fresh_metrics():
    METRICS.reset()
    yield METRICS
    METRICS.reset()


def _read(client, **extra) -> dict[str, float]:
    response = client.get(reverse("metrics"), **extra)
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse(response.content.decode())


@pytest.mark.django_db
def test_requests_are_counted_by_method_and_status_class(client, fresh_metrics, client_for):
    anonymous = client
    anonymous.get("/")  # the home page sends an anonymous visitor to the login page: 3xx
    anonymous.get("/connexion/")
    anonymous.get("/une-page-qui-n-existe-pas/")
    anonymous.post("/connexion/", {"username": "asso", "password": "faux"})
    samples = _read(anonymous)
    assert samples['cpom_http_requests_total{method="GET",status="3xx"}'] == 1
    assert samples['cpom_http_requests_total{method="GET",status="2xx"}'] == 1
    assert samples['cpom_http_requests_total{method="GET",status="4xx"}'] == 1
    assert samples['cpom_http_requests_total{method="POST",status="2xx"}'] == 1, "a refused login shows the form"
    assert samples["cpom_http_request_duration_seconds_count"] == 4, "the metrics page itself is not counted"
    assert samples['cpom_http_request_duration_seconds_bucket{le="+Inf"}'] == 4
    assert samples["cpom_http_request_duration_seconds_sum"] > 0
    assert samples["cpom_http_server_errors_total"] == 0


@pytest.mark.django_db
def test_health_checks_are_not_counted(client, fresh_metrics, settings):
    settings.CPOM_REDIS_URL = ""
    for _ in range(3):
        client.get(reverse("health"))
    assert _read(client)["cpom_http_request_duration_seconds_count"] == 0


@pytest.mark.django_db
def test_a_server_error_is_counted_as_a_failure(client, fresh_metrics, monkeypatch):
    def broken(request):
        raise RuntimeError("panne simulée")

    home = next(p for p in get_resolver().url_patterns if getattr(p, "name", None) == "home")
    monkeypatch.setattr(home, "callback", broken)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "panne simulée" not in response.content.decode()
    samples = _read(client)
    assert samples["cpom_http_server_errors_total"] == 1
    assert samples['cpom_http_requests_total{method="GET",status="5xx"}'] == 1


@pytest.mark.django_db
def test_an_outside_address_gets_the_platform_404(client, fresh_metrics):
    response = client.get(reverse("metrics"), REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 404
    assert "cpom_http_requests_total" not in response.content.decode()


@pytest.mark.django_db
def test_an_organisation_administrator_from_outside_is_refused_a_platform_administrator_reads(
    client_for, fresh_metrics
):
    assert client_for("ars").get(reverse("metrics"), REMOTE_ADDR=OUTSIDE).status_code == 404
    assert (
        "cpom_http_requests_total" in client_for("admin").get(reverse("metrics"), REMOTE_ADDR=OUTSIDE).content.decode()
    )


@pytest.mark.django_db
def test_behind_a_proxy_the_client_address_decides_not_the_proxy_one(client, fresh_metrics, settings):
    """Behind nginx every request comes from 127.0.0.1: the allowed loopback must not let the world in."""
    settings.CPOM_PROXY_COUNT = 1
    refused = client.get(reverse("metrics"), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE)
    assert refused.status_code == 404
    settings.CPOM_METRICS_ALLOWED = "10.0.0.0/8, 203.0.113.7"
    _read(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE)


@pytest.mark.pure
def test_the_histogram_is_cumulative_and_labels_stay_bounded():
    metrics = RequestMetrics(buckets=(0.1, 0.5))
    metrics.observe("GET", 200, 0.05)
    metrics.observe("GET", 201, 0.3)
    metrics.observe("BREW", 418, 2.0)
    metrics.observe("post", 503, 0.01)
    samples = parse(metrics.render(pid=7))
    assert samples['cpom_http_request_duration_seconds_bucket{le="0.1"}'] == 2
    assert samples['cpom_http_request_duration_seconds_bucket{le="0.5"}'] == 3
    assert samples['cpom_http_request_duration_seconds_bucket{le="+Inf"}'] == 4
    assert samples["cpom_http_request_duration_seconds_sum"] == pytest.approx(2.36)
    assert samples['cpom_http_requests_total{method="GET",status="2xx"}'] == 2
    assert samples['cpom_http_requests_total{method="OTHER",status="4xx"}'] == 1
    assert samples['cpom_http_requests_total{method="POST",status="5xx"}'] == 1
    assert samples["cpom_http_server_errors_total"] == 1
    assert 'cpom_process_start_time_seconds{pid="7"}' in samples


@pytest.mark.pure
def test_registered_sources_add_their_lines():
    metrics = RequestMetrics()
    metrics.add_source(lambda: ["# TYPE cpom_jobs_failed_total counter", "cpom_jobs_failed_total 2"])
    assert parse(metrics.render())["cpom_jobs_failed_total"] == 2


@pytest.mark.django_db
def test_the_jobs_are_counted_by_state(client):
    from cpom.jobs.models import Job, JobState

    Job.objects.create(kind="reviews.pack", label="Dossier")
    Job.objects.create(kind="reviews.pack", label="Dossier", state=JobState.FAILED, error="Échec.")
    Job.objects.create(kind="reviews.pack", label="Dossier", state=JobState.DONE)
    Job.objects.create(kind="reviews.pack", label="Dossier", state=JobState.DONE)
    samples = _read(client)
    assert {state: samples[f'cpom_jobs{{state="{state}"}}'] for state in JobState.values} == {
        "queued": 1,
        "running": 0,
        "done": 2,
        "failed": 1,
    }
