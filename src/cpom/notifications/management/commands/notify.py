"""``cpom notify``: the name the issue gives to ``cpom notifier``, kept beside it for the daily cron."""

from .notifier import Command as Notifier


class Command(Notifier):
    pass
