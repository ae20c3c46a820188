"""Requests counted in a process's memory and written in Prometheus' text exposition format (0.0.4).

Pure: no Django, no other part of cpom. Each server process (each gunicorn worker) keeps its own figures, as a
Prometheus client without a multiprocess collector does: a supervisor sums them across the scrapes it gets, and a
restarted worker starts again from zero (Prometheus' ``rate()`` reads that as a counter reset).
"""

import math
import os
import threading
import time
from collections.abc import Callable, Iterable

# Seconds; 0.2 and 0.5 are the goals (p95 overall, p95 of a page family).
BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

Source = Callable[[], Iterable[str]]  # more exposition lines (HELP, TYPE and samples), for the job queue say


def status_class(status: int) -> str:
    """``200`` → ``2xx``: the label stays within five values whatever the pages answer."""
    return f"{status // 100}xx" if 100 <= status <= 599 else "autre"


def method_label(method: str) -> str:
    """A method the platform knows, else ``OTHER``: a client cannot grow the labels by inventing methods."""
    method = (method or "").upper()
    return method if method in METHODS else "OTHER"


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class RequestMetrics:
    """Requests by method and status class, a latency histogram and the server errors (5xx) of one process."""

    def __init__(self, buckets: Iterable[float] = BUCKETS):
        self.buckets = tuple(sorted(buckets))
        self._lock = threading.Lock()
        self._sources: list[Source] = []
        self.started = time.time()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests: dict[tuple[str, str], int] = {}
            self.bucket_counts = [0] * len(self.buckets)
            self.duration_sum = 0.0
            self.duration_count = 0
            self.server_errors = 0

    def observe(self, method: str, status: int, seconds: float) -> None:
        key = (method_label(method), status_class(status))
        with self._lock:
            self.requests[key] = self.requests.get(key, 0) + 1
            for index, bound in enumerate(self.buckets):
                if seconds <= bound:
                    self.bucket_counts[index] += 1
            self.duration_sum += seconds
            self.duration_count += 1
            if 500 <= status <= 599:
                self.server_errors += 1

    def add_source(self, source: Source) -> None:
        """More figures in the same page (the jobs of a queue, say), asked each time it is read."""
        if source not in self._sources:
            self._sources.append(source)

    def render(self, pid: int | None = None) -> str:
        with self._lock:
            requests = sorted(self.requests.items())
            buckets = list(zip(self.buckets, self.bucket_counts, strict=True))
            total, count, errors = self.duration_sum, self.duration_count, self.server_errors
        lines = [
            "# HELP cpom_process_start_time_seconds Démarrage de ce processus (secondes depuis 1970) : chaque processus "
            "du serveur compte pour lui seul.",
            "# TYPE cpom_process_start_time_seconds gauge",
            f'cpom_process_start_time_seconds{{pid="{pid if pid is not None else os.getpid()}"}} {number(self.started)}',
            "# HELP cpom_http_requests_total Requêtes servies par ce processus, par méthode et classe de statut.",
            "# TYPE cpom_http_requests_total counter",
        ]
        lines += [
            f'cpom_http_requests_total{{method="{escape(method)}",status="{escape(status)}"}} {value}'
            for (method, status), value in requests
        ]
        lines += [
            "# HELP cpom_http_request_duration_seconds Durée des requêtes servies par ce processus, en secondes.",
            "# TYPE cpom_http_request_duration_seconds histogram",
        ]
        lines += [f'cpom_http_request_duration_seconds_bucket{{le="{number(b)}"}} {c}' for b, c in buckets]
        lines += [
            f'cpom_http_request_duration_seconds_bucket{{le="+Inf"}} {count}',
            f"cpom_http_request_duration_seconds_sum {number(total)}",
            f"cpom_http_request_duration_seconds_count {count}",
            "# HELP cpom_http_server_errors_total Réponses en erreur du serveur (5xx) de ce processus.",
            "# TYPE cpom_http_server_errors_total counter",
            f"cpom_http_server_errors_total {errors}",
        ]
        for source in list(self._sources):
            lines += list(source())
        return "\n".join(lines) + "\n"


def parse(text: str) -> dict[str, float]:
    """The samples of an exposition, by their name with labels as written (``name{a="b"}``): for tests and tools."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        samples[name] = float(value)
    return samples
