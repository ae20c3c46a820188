"""The contract models shipped with cpom (contract_models/*.toml) are in every database from the start: the lead
authority picks one on the drafting page without anyone loading it. A model file changed later gets a new version,
loaded by ``cpom contrats charger-modele`` (or a later migration like this one)."""

import hashlib
from pathlib import Path

from django.db import migrations

from cpom.documents import template

FOLDER = Path(__file__).resolve().parent.parent / "contract_models"
FILES = ("pdl-2011.toml", "national-2017.toml")


def forward(apps, schema_editor):
    ContractModel = apps.get_model("documents", "ContractModel")
    for name in FILES:
        raw = (FOLDER / name).read_bytes()
        text = raw.decode("utf-8")
        spec = template.parse(text, name)
        ContractModel.objects.get_or_create(
            authority=None,
            code=spec.code,
            version=spec.version,
            defaults=dict(
                title=spec.title,
                source=spec.source,
                filename=name,
                text=text,
                sha256=hashlib.sha256(raw).hexdigest(),
                clauses=spec.as_json(),
            ),
        )


def backward(apps, schema_editor):
    apps.get_model("documents", "ContractModel").objects.filter(authority=None, filename__in=FILES).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
