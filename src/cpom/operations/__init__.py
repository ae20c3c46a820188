"""Operations (issue 14): structured logs with each request's user and organisation, the health endpoint the reverse
proxy asks (``/sante/``) and the metrics a supervisor reads (``/metriques/``).

No models and no pages: middleware, two views and a logging formatter, configured by the settings' « Operations »
block. The pure part (counters, histogram and Prometheus' text format) is :mod:`cpom.operations.prometheus`.
"""
