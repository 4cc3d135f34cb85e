"""The benchmark: ``nox -s bench`` (``python -m bench`` from ``scripts/``) writes BENCHMARKS.md.

One module per question (``cpu``, ``processes``, ``memory``, ``imports``, ``latency``,
``overhead``), each a ``run(bench) -> Section`` that :mod:`bench.__main__` lists in
``QUESTIONS``; the page server (:mod:`bench.server`), the clients measured
(:mod:`bench.clients`) and the report with its table of targets (:mod:`bench.report`). Child
processes run as modules of this package (``python -m bench.clients ...``).
"""
