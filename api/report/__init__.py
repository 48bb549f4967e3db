"""The round report: one self-contained HTML page of a solve's results, with charts.

``cosource report OUT_DIR`` writes it from a results folder; the service can write the same
page for a run by building :class:`api.report.inputs.ReportInputs` from the run's stored
documents and rows and calling :func:`api.report.html.report_html`.

>>> from api.report.html import report_html
>>> from api.report.inputs import ReportInputs
>>> page = report_html(ReportInputs.from_folder(Path("results/pilot")))

The package imports nothing itself, so that the command line starts without Plotly:
``inputs`` (what a report is made from), ``summaries`` (the numbers per organization and
reason), ``figures`` (one chart per function), ``tables`` and ``html`` (the page),
``command`` (``cosource report``).
"""
