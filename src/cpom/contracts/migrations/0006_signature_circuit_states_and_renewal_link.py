"""The states of the signature circuit and of an amendment being applied, and the link of a renewed contract.

SQLite rebuilds the contract table to alter it, and the triggers of the other tables that read it would fail
during the rebuild: they are dropped first, and put back after the migration (ContractsConfig.reinstall_freeze).
"""

import django.db.models.deletion
from django.db import migrations, models

from cpom.contracts import freeze


def drop_triggers(apps, schema_editor):
    freeze.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0005_party_acceptance'),
    ]

    operations = [
        migrations.RunPython(drop_triggers, drop_triggers),
        migrations.AddField(
            model_name='contract',
            name='predecessor',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='successor', to='contracts.contract', verbose_name='contrat renouvelé'),
        ),
        migrations.AlterField(
            model_name='contract',
            name='state',
            field=models.CharField(choices=[('programmed', 'Programmé'), ('launched', 'Lancé'), ('diagnostic', 'Diagnostic partagé'), ('negotiation', 'En négociation'), ('ready_for_signature', 'Prêt pour signature'), ('in_signature', 'En signature'), ('signed', 'Signé'), ('in_force', 'En vigueur'), ('renewal', 'En renouvellement'), ('closed', 'Clos'), ('terminated', 'Dénoncé'), ('amending', "Modification en cours d'application")], default='programmed', max_length=20, verbose_name='état'),
        ),
        migrations.AlterField(
            model_name='transition',
            name='from_state',
            field=models.CharField(blank=True, choices=[('programmed', 'Programmé'), ('launched', 'Lancé'), ('diagnostic', 'Diagnostic partagé'), ('negotiation', 'En négociation'), ('ready_for_signature', 'Prêt pour signature'), ('in_signature', 'En signature'), ('signed', 'Signé'), ('in_force', 'En vigueur'), ('renewal', 'En renouvellement'), ('closed', 'Clos'), ('terminated', 'Dénoncé'), ('amending', "Modification en cours d'application")], max_length=20, verbose_name='état de départ'),
        ),
        migrations.AlterField(
            model_name='transition',
            name='to_state',
            field=models.CharField(choices=[('programmed', 'Programmé'), ('launched', 'Lancé'), ('diagnostic', 'Diagnostic partagé'), ('negotiation', 'En négociation'), ('ready_for_signature', 'Prêt pour signature'), ('in_signature', 'En signature'), ('signed', 'Signé'), ('in_force', 'En vigueur'), ('renewal', 'En renouvellement'), ('closed', 'Clos'), ('terminated', 'Dénoncé'), ('amending', "Modification en cours d'application")], max_length=20, verbose_name='nouvel état'),
        ),
    ]
