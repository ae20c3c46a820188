"""``cpom notify``: the name the issue gives to ``cpom notifier``, kept beside it for the daily cron."""

from .notifier import Command as Notifier


class Command(Notifier):
    """``cpom notify``: the name the issue gives, the same command as ``cpom notifier``."""
