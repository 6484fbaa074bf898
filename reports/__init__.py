"""The report: a self-contained HTML page and the README's results table, from results.json files.

Reads results files and pytest-benchmark JSON only; never imports ``model`` or ``bench``, and ``features`` only
where the registry or the port is needed, inside the function that needs it (the answer's question libraries,
the verdict section's snippet).

* :mod:`reports.records` -- one frozen dataclass per results table (bench builds them, the writer serialises them)
* :mod:`reports.run_results` -- RunResults: a results file's top level and its records; load, merge, serialise
  (bench writes with it), validate
* :mod:`reports.schema` -- the results format's version, upgrade and per-record checks
* :mod:`reports.series`, :mod:`reports.intervals` -- Series and Verdict: decisions as values
* :mod:`reports.data` -- reading runs (records), the tables as pandas frames (built in one place)
* :mod:`reports.answer` -- the one Answer, rendered for the terminal, the README and the page; its values from
  :mod:`reports.answer_grid` (speed per workload, thread count and machine; the fastest; the GPU line),
  :mod:`reports.answer_accuracy` (swaps per run, small samples, flagged seeds) and
  :mod:`reports.agreement_verdict` (each backend's numbers against librosa's, decided)
* :mod:`reports.speed_rule`, :mod:`reports.skew` -- the speed rule and the accuracy/skew verdicts
* :mod:`reports.sections` -- one module per page section; :mod:`reports.figures` -- one per figure
* :mod:`reports.harnesses` -- pytest-benchmark against bench.run; :mod:`reports.readme` -- the README block
* :mod:`reports.build` -- ``python -m reports.build``
"""
