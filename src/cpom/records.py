"""The shapes every app's records share, written once: a versioned record, and a data file loaded as a record."""

from django.db import models


class VersionedModel(models.Model):
    """A record edited by several people: every write bumps ``version``, and a write based on an older copy is refused
    (cpom.core.locking: the page sends back the version it showed)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def bump_version(self, *fields: str) -> None:
        """Saves ``fields`` and the next version together."""
        self.version += 1
        self.save(update_fields=["version", *fields])


class CatalogueFile(models.Model):
    """A data file of the repository loaded into the database (an indicator catalogue, the diagnostic's frame, the
    chart of accounts), or an authority's own, which then stands for the national one. Each kind names its
    ``authority`` link itself (its related name and help differ)."""

    code = models.SlugField("code", max_length=60, unique=True)
    label = models.CharField("intitulé", max_length=250)
    version = models.CharField("version", max_length=30)
    source = models.TextField("source", blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.label} (v{self.version})"
