import logging
import threading

from django.conf import settings
from django.core.management.base import CommandError

from cpom import commands
from cpom.jobs import services

logger = logging.getLogger("cpom.jobs")
# How often the worker looks for jobs whose worker died (cpom.jobs.services.reclaim_interrupted).
RECLAIM_EVERY_SECONDS = 60


class Command(commands.Command):
    help = (
        "Exécute les travaux longs en file d'attente (dossiers des dialogues, recalculs des indicateurs, gros imports, "
        "alertes et notifications de la nuit). S'arrête proprement sur SIGTERM ou Ctrl+C : le travail en cours est "
        "fini avant. La file est la base de données, ou Redis quand CPOM_QUEUE=redis."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--lot",
            dest="batch",
            action="store_true",
            help="exécute les travaux en attente puis s'arrête (au lieu d'attendre les suivants)",
        )
        parser.add_argument(
            "--intervalle",
            dest="interval",
            metavar="SECONDES",
            type=float,
            default=1.0,
            help="attente entre deux regards sur une file vide (1 seconde par défaut ; base de données seulement)",
        )

    def handle(self, *args, batch, interval, **options):
        if interval < 0:
            raise CommandError("L'intervalle est un nombre de secondes positif ou nul.")
        self.reclaim()
        if settings.CPOM_QUEUE == "redis":
            self.work_on_redis(batch)
        else:
            self.work_on_database(batch, interval)

    def reclaim(self) -> None:
        for job in services.reclaim_interrupted():
            self.stdout.write(f"Travail n° {job.pk} « {job.label} » interrompu : {job.get_state_display().lower()}.")

    def work_on_database(self, batch: bool, interval: float) -> None:
        from django_tasks.utils import get_random_id
        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_id(),
        )
        # SIGTERM (systemd's stop) and Ctrl+C: the job under way is finished, then the worker stops; a second one
        # stops it at once (the job is then run again by the next worker, see reclaim_interrupted).
        worker.configure_signals()
        stop = self.reclaim_periodically()
        self.stdout.write("En attente de travaux (file : base de données)…")
        try:
            worker.run()
        finally:
            # Also on the SystemExit the worker raises when a signal stops it.
            stop.set()
            self.stdout.write("Arrêt du traitement des travaux.")

    def reclaim_periodically(self) -> threading.Event:
        stop = threading.Event()

        def loop():
            while not stop.wait(RECLAIM_EVERY_SECONDS):
                try:
                    self.reclaim()
                except Exception:
                    logger.exception("La reprise des travaux interrompus a échoué ; nouvel essai dans une minute.")

        threading.Thread(target=loop, name="cpom-reprise", daemon=True).start()
        return stop

    def work_on_redis(self, batch: bool) -> None:
        import django_rq
        from django_tasks_rq.backend import Job

        worker = django_rq.get_worker("default", job_class=Job)
        # RQ finishes the job under way on SIGTERM (« warm shutdown ») and stops at once on a second one.
        self.stdout.write("En attente de travaux (file : Redis)…")
        worker.work(burst=batch, with_scheduler=False)
        self.stdout.write("Arrêt du traitement des travaux.")
