"""The health endpoint the reverse proxy and the supervisor ask: is the database there, is the queue there (Redis
PINGed when CPOM_REDIS_URL is set, else the database's table of tasks read).

No login, nothing sensitive: the answer names what fails (« base de données », « file d'attente ») and never why
(an address, a user, an error's text): the why goes to the logs.
"""

import logging
import socket
import ssl
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("cpom.operations")

OK = "ok"
FAILING = "en panne"
NOT_CONFIGURED = "non configurée"
DATABASE = "base de données"
QUEUE = "file d'attente"


def check_database() -> str:
    """A trivial query on the default database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Vérification de santé : la base de données ne répond pas.")
        return FAILING
    return OK


def _command(*parts: str) -> bytes:
    """A command in Redis' protocol (RESP): an array of bulk strings."""
    encoded = [part.encode() for part in parts]
    return b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in encoded)


def _reply(stream) -> bytes:
    line = stream.readline(512)
    if not line.endswith(b"\r\n"):
        raise ConnectionError("réponse de Redis incomplète")
    return line[:-2]


def ping_redis(url: str, timeout: float) -> None:
    """PING the Redis server at ``url`` (``redis://[user:password@]host[:port][/db]``, ``rediss://`` for TLS) within
    ``timeout`` seconds; raises when it does not answer PONG. The standard library only: no client to install."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError("adresse Redis illisible (redis://hôte:port attendu)")
    with socket.create_connection((parts.hostname, parts.port or 6379), timeout=timeout) as raw:
        sock = raw
        if parts.scheme == "rediss":
            sock = ssl.create_default_context().wrap_socket(raw, server_hostname=parts.hostname)
        sock.settimeout(timeout)
        with sock.makefile("rb") as stream:
            if parts.password is not None:
                credentials = [unquote(parts.password)]
                if parts.username:
                    credentials.insert(0, unquote(parts.username))
                sock.sendall(_command("AUTH", *credentials))
                if not _reply(stream).startswith(b"+OK"):
                    raise ConnectionError("Redis refuse l'authentification")
            sock.sendall(_command("PING"))
            if _reply(stream) != b"+PONG":
                raise ConnectionError("Redis ne répond pas PONG")


def check_database_queue() -> str:
    """The database's queue (CPOM_QUEUE=database): its table of tasks answers."""
    from django_tasks_db.models import DBTaskResult

    try:
        DBTaskResult.objects.exists()
    except Exception:
        logger.exception("Vérification de santé : la file d'attente (table des tâches) ne répond pas.")
        return FAILING
    return OK


def check_queue() -> str:
    url = settings.CPOM_REDIS_URL
    if not url:
        return check_database_queue() if settings.CPOM_QUEUE == "database" else NOT_CONFIGURED
    try:
        ping_redis(url, settings.CPOM_HEALTH_TIMEOUT)
    except Exception as error:
        logger.error("Vérification de santé : la file d'attente (Redis) ne répond pas : %s", type(error).__name__)
        return FAILING
    return OK


@never_cache
@require_safe
def health(request):
    """200 when all is well, 503 naming what fails, in French."""
    checks = {DATABASE: check_database(), QUEUE: check_queue()}
    failing = [name for name, state in checks.items() if state == FAILING]
    if failing:
        body = {"etat": "indisponible", "message": f"En panne : {', '.join(failing)}.", "verifications": checks}
    else:
        body = {"etat": "disponible", "message": "Tout fonctionne.", "verifications": checks}
    return JsonResponse(body, status=503 if failing else 200, json_dumps_params={"ensure_ascii": False})
