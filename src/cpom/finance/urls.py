"""The finance screens, one sub-package per capability, under one namespace.

Contract pages live under contrats/<contract_id>/moyens/…, accounting imports and reference costs under finances/….
"""

from cpom.finance.accounting import urls as accounting
from cpom.finance.budget import urls as budget
from cpom.finance.reference import urls as reference
from cpom.finance.trajectory import urls as trajectory

app_name = "finance"

urlpatterns = [*accounting.urlpatterns, *reference.urlpatterns, *budget.urlpatterns, *trajectory.urlpatterns]
