"""``cpom worker``: the name the issue gives to ``cpom travaux``, kept beside it for the systemd unit."""

from .travaux import Command as Travaux


class Command(Travaux):
    """``cpom worker``: the name the issue gives, the same command as ``cpom travaux``."""
