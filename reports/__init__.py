"""The report: a self-contained HTML page and the README's results table, from results.json files.

Reads results files and pytest-benchmark JSON only; never imports ``features``, ``model`` or ``bench``.

* :mod:`reports.records` -- one frozen dataclass per results table (bench builds them, the writer serialises them)
* :mod:`reports.schema` -- the results format, its version and validation (bench imports it to write)
* :mod:`reports.data` -- reading runs, the tables as pandas frames
* :mod:`reports.speed_rule`, :mod:`reports.skew` -- the speed rule and the accuracy/skew verdicts
* :mod:`reports.sections` -- one module per page section; :mod:`reports.figures` -- one per figure
* :mod:`reports.harnesses` -- pytest-benchmark against bench.run; :mod:`reports.readme` -- the README block
* :mod:`reports.build` -- ``python -m reports.build``
"""
