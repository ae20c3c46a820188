"""cpom under load: 50 concurrent users on a regional dataset, served by gunicorn on PostgreSQL (issue 14, point 1).

    python3 bench/web_load.py                   # build (or reuse) the dataset, serve, drive, print the figures
    python3 bench/web_load.py --run-time 90     # seconds of load (120 by default), --users 50, --max-requests 30000

It uses the project's .venv with the ``bench`` and ``prod`` extras (``.venv/bin/pip install -e ".[test,bench,prod]"``)
and PostgreSQL: ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/cpom_bench_load``), a database of its
own that the bench drops and recreates when its dataset's ``VERSION`` changes and otherwise reuses.

1. **The dataset** (built once, timed): the demo (``load_demo``: its two contracts with diagnostic, objectives and
   negotiation, budgets, trajectories, follow-up campaigns and grids, a held review with its pack, and the region's
   programming), through the services as ``cpom demo`` does; then, in bulk (``tests/territory.py``: the services
   write one contract at a time, minutes for 150), 148 managing bodies of 7 establishments (150 bodies and 1,045
   establishments in all) holding 148 contracts led by the ARS, spread over every state of the lifecycle; five years
   of synthetic data (2021-2025) for all of them and their peers, computed by the engine with its benchmarks; 300
   accounts (200 authority agents of the ARS and the two départements, 100 members of the managing bodies, 30 of
   them in the demo's two), written with ``bulk_create`` and one password hash.
2. **The server**: ``gunicorn`` with 4 workers on a free loopback port, ``DEBUG`` off (cpom's default), the
   development settings otherwise: ``CPOM_ENV=production`` marks the session cookie ``Secure``, which a client speaking
   plain HTTP on the loopback never sends back, so every page would redirect to the login. What makes a page fast
   or slow (no debug, persistent connections, WhiteNoise, the workers) is the same. The bench waits for ``/sante/``.
3. **The load**: Locust, headless, in a process of its own (its gevent must not patch the builder's Django), 50
   users started 10 a second, each signing in once through the login form (its CSRF token read from the page), then
   walking its side's journey in a loop (``JOURNEYS``) with one to two seconds between pages, for ``--run-time``
   seconds or ``--max-requests`` requests, whichever comes first. Every request is named by its page family.
4. **The figures**: ``bench: <family>_p50_ms``, ``_p95_ms``, ``_p99_ms`` and ``_error_rate`` per family and
   ``overall`` (the sign-in excluded from the overall: it hashes the password on purpose, PBKDF2, a few hundred ms),
   then the slowest pages (URL and p95). Goal: overall p95 ≤ 200 ms, no family above 500 ms at p95, no error.

The machine's two cores serve gunicorn, PostgreSQL and Locust at once (and, when shared, other people's work): the
load average is printed with the figures.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/cpom_bench_load"
# Raise it whenever what ``build`` writes changes: a database built by another version is dropped and built anew.
VERSION = "2"
PASSWORD = "cpom-bench-2026"
BODIES = 148
SITES_PER_BODY = 7
AUTHORITY_AGENTS = 200
BODY_MEMBERS = 100
DEMO_BODY_MEMBERS = 15  # of each demo body, whose contracts have every page filled
WORKERS = 4

# Page families, in the order of a journey; each side's users walk theirs (``plan`` fills the URLs).
FAMILIES = [
    "home",
    "portfolio",
    "contract",
    "diagnostic",
    "objectives",
    "negotiation",
    "indicators",
    "budget",
    "trajectory",
    "followup_grid",
    "review",
    "review_pack",
    "document",
    "api_contracts",
    "api_establishments",
    "api_alerts",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", type=int, default=120, help="secondes de charge")
    parser.add_argument("--max-requests", type=int, default=30000)
    parser.add_argument("--build", help=argparse.SUPPRESS)  # the builder's process: where to write the plan
    parser.add_argument("--drive", help=argparse.SUPPRESS)  # the Locust process: the plan's file
    options = parser.parse_args()
    if options.build:
        return build(Path(options.build))
    if options.drive:
        return drive(Path(options.drive), options)
    database = os.environ.get("DATABASE_URL", DEFAULT_DATABASE)
    if not database.startswith("postgres"):
        sys.exit("Ce banc tourne sur PostgreSQL : DATABASE_URL doit commencer par postgres://.")
    folder = Path(tempfile.mkdtemp(prefix="cpom-bench-load-"))
    environment = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "DATABASE_URL": database,
        "CPOM_VAR_DIR": str(folder),
        "DJANGO_SETTINGS_MODULE": "cpom.config.settings",
        "CPOM_DEBUG": "0",
    }
    try:
        began = time.perf_counter()
        subprocess.run(
            [str(BIN / "python"), __file__, "--build", str(folder / "plan.json")], env=environment, check=True
        )
        print(f"bench: dataset_ready_s {time.perf_counter() - began:.0f} s", flush=True)
        port = _free_port()
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "cpom.config.wsgi:application",
                f"--workers={WORKERS}",
                f"--bind=127.0.0.1:{port}",
                "--timeout=60",
                "--log-level=warning",
            ],
            env=environment,
            cwd=ROOT,
            start_new_session=True,
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}/sante/", server)
            plan = json.loads((folder / "plan.json").read_text())
            plan["host"] = f"http://127.0.0.1:{port}"
            (folder / "plan.json").write_text(json.dumps(plan))
            driven = subprocess.run(
                [
                    str(BIN / "python"),
                    __file__,
                    "--drive",
                    str(folder / "plan.json"),
                    f"--users={options.users}",
                    f"--spawn-rate={options.spawn_rate}",
                    f"--run-time={options.run_time}",
                    f"--max-requests={options.max_requests}",
                ],
                env=environment,
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        print(f"bench: total_s {time.perf_counter() - began:.0f} s")
        return driven.returncode
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def build(plan_file: Path) -> int:
    """The dataset (reused when the database holds this ``VERSION``), then the journeys' URLs, each tried once."""
    _database_of_this_version()
    import django

    sys.path.insert(0, str(ROOT / "tests"))
    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_web_load (version text NOT NULL)")
        cursor.execute("SELECT version FROM bench_web_load")
        built = cursor.fetchone()
    if built is None:
        began = time.perf_counter()
        _write_dataset()
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_web_load (version) VALUES (%s)", [VERSION])
        print(f"bench: dataset_build_s {time.perf_counter() - began:.0f} s", flush=True)
    else:
        # Built by an earlier cpom: its tables are brought up to date as an upgrade in production would be.
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(f"Jeu de données version {VERSION} déjà construit : réutilisé (migrations appliquées).", flush=True)
    plan_file.write_text(json.dumps(_plan()))
    return 0


def _database_of_this_version() -> None:
    """Drops the bench's database when it holds another version's dataset (or a half-built one), creates it if absent."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            with psycopg.connect(url) as bench:
                found = (
                    bench.execute("SELECT to_regclass('bench_web_load')").fetchone()[0]
                    and bench.execute("SELECT version FROM bench_web_load").fetchone()
                )
            if found and found[0] == VERSION:
                return
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _write_dataset() -> None:
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    import territory
    from cpom.access import Role
    from cpom.accounts.models import Membership
    from cpom.contracts.models import State
    from cpom.demo.indicator_data import load_demo_indicators
    from cpom.demo.loader import ASSOCIATION_REFERENCE, EHPAD_REFERENCE, load_demo
    from cpom.registry.models import Authority, Establishment, ManagingBody

    step = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_demo()
    print(f"bench: dataset_demo_s {time.perf_counter() - step:.0f} s", flush=True)
    step = time.perf_counter()
    ars = Authority.objects.get(kind="ARS", territory="52")
    # Every state a contract holds outside an amendment's own transaction, in turn.
    territory.STATES = [s for s in State.values if s != State.AMENDING]
    built = territory.build(ars, bodies=BODIES, sites_per_body=SITES_PER_BODY, prefix="96", today=date(2026, 10, 1))
    print(f"bench: dataset_territory_s {time.perf_counter() - step:.0f} s", flush=True)
    step = time.perf_counter()
    demo_sites = list(Establishment.objects.filter(contracts__reference__in=[ASSOCIATION_REFERENCE, EHPAD_REFERENCE]))
    load_demo_indicators(demo_sites + built.establishments)
    print(f"bench: dataset_indicators_s {time.perf_counter() - step:.0f} s", flush=True)
    step = time.perf_counter()
    User = get_user_model()
    hashed = make_password(PASSWORD)  # one hash for all: hashing 300 passwords would take minutes
    # The ARS first: three agents in four are the ARS's (it leads every contract), the rest the two councils'.
    authorities = list(Authority.objects.filter(territory__in=["52", "44", "49"]).order_by("kind", "territory"))
    demo_bodies = list(ManagingBody.objects.filter(contracts__reference__in=[ASSOCIATION_REFERENCE, EHPAD_REFERENCE]))
    members = [
        (f"agent{n:03d}", authorities[0] if n % 4 else authorities[1 + n // 4 % 2]) for n in range(AUTHORITY_AGENTS)
    ]
    members += [(f"membre{n:03d}", demo_bodies[n % 2]) for n in range(2 * DEMO_BODY_MEMBERS)]
    members += [
        (f"membre{n:03d}", built.bodies[n % len(built.bodies)]) for n in range(2 * DEMO_BODY_MEMBERS, BODY_MEMBERS)
    ]
    User.objects.bulk_create(
        [
            User(username=name, password=hashed, email=f"{name}@exemple.invalid", first_name="Banc", last_name=name)
            for name, _ in members
        ]
    )
    ids = dict(User.objects.filter(username__in=[name for name, _ in members]).values_list("username", "pk"))
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=ids[name],
                role=Role.VALIDATE,
                authority=organisation if isinstance(organisation, Authority) else None,
                managing_body=organisation if isinstance(organisation, ManagingBody) else None,
            )
            for name, organisation in members
        ]
    )
    print(f"bench: dataset_users_s {time.perf_counter() - step:.0f} s", flush=True)


def _plan() -> dict:
    """Each side's journey, every URL tried once by one of its users: what does not answer 200 is left out, said."""
    from django.test import Client
    from django.urls import reverse

    from cpom.access import visible
    from cpom.accounts.models import Membership
    from cpom.contracts.models import Contract
    from cpom.demo.loader import ASSOCIATION_REFERENCE, EHPAD_REFERENCE
    from cpom.registry.models import Authority, ManagingBody

    association = Contract.objects.get(reference=ASSOCIATION_REFERENCE)
    ehpad = Contract.objects.get(reference=EHPAD_REFERENCE)
    ars = Authority.objects.get(kind="ARS", territory="52")

    def visible_of(council) -> list:
        """The demo's contracts a council's agents see (each council is party to one of them, not both)."""
        agent = Membership.objects.filter(authority=council).order_by("user__username").first().user
        return [c for c in (ehpad, association) if visible(agent, Contract.objects.filter(pk=c.pk)).exists()]

    # One side per organisation: the accounts of one organisation see the same records (every one of them has the same
    # role), so the journey tried with its first account holds for all; two organisations never share a journey.
    organisations = [
        ("ARS", _usernames(authority=ars), ars, [ehpad, association]),
        *[
            (str(council), _usernames(authority=council), None, visible_of(council))
            for council in Authority.objects.filter(kind="CD", members__isnull=False).distinct().order_by("territory")
        ],
        ("organisme (EHPAD)", _usernames(managing_body=ehpad.managing_body), None, [ehpad]),
        ("organisme (association)", _usernames(managing_body=association.managing_body), None, [association]),
        *[
            (str(body), _usernames(managing_body=body), None, [])
            for body in ManagingBody.objects.filter(name__startswith="Organisme généré", members__isnull=False)
            .distinct()
            .order_by("pk")
        ],
    ]
    sides = []
    for label, usernames, authority, contracts in organisations:
        journey = [("home", "/")]
        if authority is not None:
            journey.append(("portfolio", reverse("portfolios:portfolio", kwargs={"authority_id": authority.pk})))
        for contract in contracts:
            journey += _contract_pages(contract)
        journey += [(f"api_{name}", f"/api/v1/{name}/") for name in ("contracts", "establishments", "alerts")]
        viewer = Client()
        viewer.force_login(Membership.objects.get(user__username=usernames[0]).user)
        if not contracts:
            # A generated body's members open their own contract and an establishment's indicators.
            own = Contract.objects.filter(managing_body__members__user__username=usernames[0]).first()
            journey[1:1] = [("contract", reverse("contracts:detail", kwargs={"contract_id": own.pk}))]
            site = own.establishments.first()
            journey[2:2] = [("indicators", reverse("indicators:establishment", kwargs={"finess": site.finess}))]
        kept = []
        for family, url in journey:
            status = viewer.get(url).status_code
            if status == 200:
                kept.append((family, url))
            else:
                print(f"  parcours {label} : {url} répond {status}, laissé de côté", flush=True)
        sides.append({"label": label, "usernames": usernames, "journey": kept})
        if not label.startswith("Organisme généré"):
            print(f"Parcours {label} : {len(kept)} pages, {len(usernames)} comptes", flush=True)
    generated = [side for side in sides if side["label"].startswith("Organisme généré")]
    print(f"Parcours des organismes générés : {len(generated)} organismes, un compte chacun", flush=True)
    return {"password": PASSWORD, "sides": sides}


def _usernames(**membership) -> list[str]:
    from cpom.accounts.models import Membership

    found = Membership.objects.filter(user__username__regex=r"^(agent|membre)[0-9]+$", **membership)
    return list(found.order_by("user__username").values_list("user__username", flat=True))


def _contract_pages(contract) -> list[tuple[str, str]]:
    from django.urls import reverse

    from cpom.finance.models import Scenario

    pk = {"contract_id": contract.pk}
    pages = [("contract", reverse("contracts:detail", kwargs=pk))]
    diagnostic = getattr(contract, "diagnostic", None)
    if diagnostic is not None:
        pages.append(("diagnostic", reverse("diagnostic:home", kwargs=pk)))
        section = diagnostic.template.sections.filter(parent__isnull=False).order_by("pk").first()
        if section is not None:
            pages.append(("diagnostic", reverse("diagnostic:section", kwargs={**pk, "section_code": section.code})))
    pages.append(("objectives", reverse("objectives:list", kwargs=pk)))
    objective = contract.objectives.order_by("pk").first()
    if objective is not None:
        pages.append(("negotiation", reverse("objectives:detail", kwargs={**pk, "objective_id": objective.pk})))
    pages.append(("indicators", reverse("contracts:indicators", kwargs=pk)))
    site = contract.establishments.order_by("finess").first()
    pages.append(("indicators", reverse("indicators:establishment", kwargs={"finess": site.finess})))
    pages.append(("budget", reverse("finance:budget_detail", kwargs=pk)))
    pages.append(("trajectory", reverse("finance:trajectory_list", kwargs=pk)))
    scenario = Scenario.objects.filter(budget__contract=contract).order_by("pk").first()
    if scenario is not None:
        pages.append(("trajectory", reverse("finance:trajectory_detail", kwargs={**pk, "scenario_id": scenario.pk})))
    campaign = contract.campaigns.order_by("-year").first()
    if campaign is not None:
        pages.append(("followup_grid", reverse("followup:campaign", kwargs={**pk, "campaign_id": campaign.pk})))
        sealed = contract.campaigns.filter(documents__isnull=False).order_by("-year").first()
        if sealed is not None:
            kind = sealed.documents.order_by("kind").first().kind
            pages.append(
                ("document", reverse("followup:document", kwargs={**pk, "campaign_id": sealed.pk, "kind": kind}))
            )
    review = contract.reviews.order_by("-day").first()
    if review is not None:
        pages.append(("review", reverse("reviews:detail", kwargs={**pk, "review_id": review.pk})))
        job = _built_pack(review)
        pages.append(
            ("review_pack", reverse("reviews:pack_download", kwargs={**pk, "review_id": review.pk, "job_id": job.pk}))
        )
    return pages


_BUILT_PACKS: list = []


def _built_pack(review):
    """The review's pack as the worker leaves it (issue 14: built in the queue, no longer in the request): the page
    family measures its download. The first one is built for real; building every one would take minutes of the
    bench's ten, so the others keep a copy of its bytes (a download of the same size)."""
    from cpom.jobs.models import Job, JobState
    from cpom.jobs.services import run
    from cpom.reviews import jobs

    if not _BUILT_PACKS:
        first = jobs.ask(review, "pdf", None)
        run(first.pk)
        first.refresh_from_db()
        _BUILT_PACKS.append(first)
        return first
    model = _BUILT_PACKS[0]
    return Job.objects.create(
        kind=model.kind,
        label=model.label,
        subject=f"reviews.review:{review.pk}",
        params={"review_id": review.pk, "extension": "pdf"},
        state=JobState.DONE,
        result_name=model.result_name,
        result_type=model.result_type,
        result_file=model.result_file,
        finished_at=model.finished_at,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn s'est arrêté (code {server.returncode}) avant de répondre sur {url}.")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"{url} ne répond pas 200 après {seconds:.0f} s.")


def drive(plan_file: Path, options) -> int:
    """The Locust side: only the standard library, Locust and the plan (no Django in this process)."""
    import gevent
    from locust import HttpUser, between, events, task
    from locust.env import Environment

    plan = json.loads(plan_file.read_text())
    sides = plan["sides"]
    counter = {"next": 0, "requests": 0}
    slowest: dict[str, list[float]] = {}

    class Person(HttpUser):
        host = plan["host"]
        wait_time = between(1, 2)

        def on_start(self):
            # Users are dealt in turn over the sides, then over each side's accounts: each signs in once.
            number = counter["next"]
            counter["next"] += 1
            self.side = sides[number % len(sides)]
            self.username = self.side["usernames"][(number // len(sides)) % len(self.side["usernames"])]
            page = self.client.get("/connexion/", name="login")
            token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[-1].split('"', 1)[0]
            with self.client.post(
                "/connexion/",
                data={"username": self.username, "password": plan["password"], "csrfmiddlewaretoken": token},
                name="login",
                allow_redirects=False,
                catch_response=True,
            ) as answer:
                if answer.status_code != 302:
                    answer.failure(f"{self.username} n'a pas pu se connecter ({answer.status_code})")

        @task
        def journey(self):
            for family, url in self.side["journey"]:
                with self.client.get(url, name=family, catch_response=True, allow_redirects=False) as answer:
                    if answer.status_code != 200:
                        answer.failure(f"{url} → {answer.status_code}")
                if counter["requests"] >= options.max_requests:
                    self.environment.runner.quit()
                    return
                self.wait()

    @events.request.add_listener
    def _count(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
        counter["requests"] += 1
        if name != "login" and response is not None:
            slowest.setdefault(response.request.path_url if response.request else name, []).append(response_time)

    environment = Environment(user_classes=[Person], events=events)
    runner = environment.create_local_runner()
    runner.start(options.users, spawn_rate=options.spawn_rate)
    gevent.spawn_later(options.run_time, runner.quit)
    runner.greenlet.join()
    _report(environment.stats, slowest)
    return 0


def _report(stats, slowest: dict[str, list[float]]) -> None:
    from locust.stats import StatsEntry

    merged: dict[str, StatsEntry] = {}
    for (name, _method), entry in stats.entries.items():
        # The sign-in's GET and POST are one family; the overall leaves it out (see the module's docstring).
        for label in (name, "overall") if name != "login" else (name,):
            merged.setdefault(label, StatsEntry(stats, label, "")).extend(entry)
    order = [*FAMILIES, "login", "overall"]
    for label in sorted(merged, key=lambda n: order.index(n) if n in order else len(order)):
        entry = merged[label]
        for share in (50, 95, 99):
            print(f"bench: {label}_p{share}_ms {entry.get_response_time_percentile(share / 100):.0f} ms")
        print(f"bench: {label}_error_rate {100 * entry.num_failures / max(entry.num_requests, 1):.2f} %")
        print(f"bench: {label}_requests {entry.num_requests} requests")
    print("Pages les plus lentes (p95) :")
    ranked = sorted(slowest.items(), key=lambda item: -_percentile(item[1], 0.95))
    for url, times in ranked[:10]:
        print(f"  {_percentile(times, 0.95):6.0f} ms  {url}  ({len(times)} requêtes)")
    for error in stats.errors.values():
        print(f"  erreur ×{error.occurrences} {error.method} {error.name} : {error.error}")
    print(f"load average: {os.getloadavg()[0]:.1f} (2 cœurs pour gunicorn, PostgreSQL et Locust)")


def _percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


if __name__ == "__main__":
    sys.exit(main())
