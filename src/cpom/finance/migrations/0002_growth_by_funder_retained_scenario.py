"""Each funder sets the growth of its own envelope: one row per (budget, funding authority), instead of the one mode
and rate the lead set for every funder on the budget; and the parties retain one trajectory scenario.

The lead's values become every funder's initial values: the funders are the lead and each admitted authority party
that funds an establishment of the perimeter (cpom.finance.rules.funder_authorities). The budget table is rebuilt on
SQLite when its constraints go (the scenario table when it gains a column), which the triggers naming them forbid:
the first step removes the freeze, the last installs it again, the new table's with it (cpom.contracts.freeze).
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

from cpom.contracts import freeze

CONTRADICTORY_MODES = ("zero_rate", "regional_rate")
ADMITTED = models.Q(acceptance_requested_at__isnull=True) | models.Q(accepted_at__isnull=False)


def lead_values_for_every_funder(apps, schema_editor):
    ReferenceBudget = apps.get_model("finance", "ReferenceBudget")
    FunderGrowth = apps.get_model("finance", "FunderGrowth")
    rows = []
    for budget in ReferenceBudget.objects.select_related("contract"):
        contract = budget.contract
        parties = list(contract.parties.filter(ADMITTED).order_by("-is_lead", "pk"))
        funding = set(
            contract.establishments.values_list("funders", flat=True).exclude(funders=None)
        )
        authorities = [p.authority_id for p in parties if p.is_lead or p.authority_id in funding]
        contradictory = True if budget.growth_mode in CONTRADICTORY_MODES else None
        rows += [
            FunderGrowth(
                budget=budget,
                authority_id=authority,
                growth_mode=budget.growth_mode,
                growth_rate=budget.growth_rate,
                zero_rate_years=budget.zero_rate_years,
                contradictory_procedure=contradictory,
            )
            for authority in authorities
        ]
    FunderGrowth.objects.bulk_create(rows)


def the_lead_values_back(apps, schema_editor):
    FunderGrowth = apps.get_model("finance", "FunderGrowth")
    for growth in FunderGrowth.objects.select_related("budget").order_by("pk"):
        party = growth.budget.contract.parties.filter(authority_id=growth.authority_id, is_lead=True)
        if party.exists():
            budget = growth.budget
            budget.growth_mode, budget.growth_rate = growth.growth_mode, growth.growth_rate
            budget.zero_rate_years = growth.zero_rate_years
            budget.save(update_fields=["growth_mode", "growth_rate", "zero_rate_years"])


def install_freeze(apps, schema_editor):
    freeze.install(schema_editor.connection, apps)


def uninstall_freeze(apps, schema_editor):
    # SQLite checks every trigger when it renames the rebuilt table: the ones naming the table being rebuilt fail.
    freeze.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('finance', '0001_initial'),
        ('registry', '0002_records_versioned'),
        ('contracts', '0005_party_acceptance'),
    ]

    operations = [
        migrations.RunPython(uninstall_freeze, install_freeze),
        migrations.CreateModel(
            name='FunderGrowth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('growth_mode', models.CharField(choices=[('authority_rate', "Taux d'évolution annuel fixé par l'autorité"), ('zero_rate', 'Taux zéro sur plusieurs années'), ('annual_amendment', 'Avenant annuel'), ('regional_rate', "Taux d'évolution régional (taux directeur)")], default='regional_rate', max_length=20, verbose_name="mode d'évolution")),
                ('growth_rate', models.DecimalField(decimal_places=4, default=0, max_digits=7, verbose_name="taux d'évolution annuel (%)")),
                ('zero_rate_years', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(5)], verbose_name='années à taux zéro')),
                ('contradictory_procedure', models.BooleanField(null=True, verbose_name='tarif soumis à la procédure contradictoire')),
            ],
            options={
                'verbose_name': "évolution de la dotation d'un financeur",
                'verbose_name_plural': 'évolutions de la dotation par financeur',
                'ordering': ['budget', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='fundergrowth',
            name='authority',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.authority', verbose_name='financeur'),
        ),
        migrations.AddField(
            model_name='fundergrowth',
            name='budget',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='growths', to='finance.referencebudget'),
        ),
        migrations.AddConstraint(
            model_name='fundergrowth',
            constraint=models.UniqueConstraint(fields=('budget', 'authority'), name='growth_once_per_funder'),
        ),
        migrations.AddConstraint(
            model_name='fundergrowth',
            constraint=models.CheckConstraint(condition=models.Q(('zero_rate_years__lte', 5)), name='growth_zero_rate_years_max_5'),
        ),
        migrations.AddConstraint(
            model_name='fundergrowth',
            constraint=models.CheckConstraint(condition=models.Q(('growth_rate__gt', -100)), name='growth_rate_above_minus_100'),
        ),
        migrations.AddConstraint(
            model_name='fundergrowth',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('contradictory_procedure__isnull', False), ('growth_mode__in', ('zero_rate', 'regional_rate'))), models.Q(models.Q(('growth_mode__in', ('zero_rate', 'regional_rate')), _negated=True), ('contradictory_procedure__isnull', True)), _connector='OR'), name='growth_contradictory_asked_by_its_modes'),
        ),
        migrations.RunPython(lead_values_for_every_funder, the_lead_values_back),
        migrations.RemoveConstraint(
            model_name='referencebudget',
            name='budget_zero_rate_years_max_5',
        ),
        migrations.RemoveConstraint(
            model_name='referencebudget',
            name='budget_growth_rate_above_minus_100',
        ),
        migrations.RemoveField(
            model_name='referencebudget',
            name='growth_mode',
        ),
        migrations.RemoveField(
            model_name='referencebudget',
            name='growth_rate',
        ),
        migrations.RemoveField(
            model_name='referencebudget',
            name='zero_rate_years',
        ),
        migrations.AddField(
            model_name='scenario',
            name='retained',
            field=models.BooleanField(default=False, verbose_name='scénario retenu'),
        ),
        migrations.AddConstraint(
            model_name='scenario',
            constraint=models.UniqueConstraint(condition=models.Q(('retained', True)), fields=('budget',), name='scenario_one_retained_per_budget'),
        ),
        migrations.RunPython(install_freeze, uninstall_freeze),
    ]
