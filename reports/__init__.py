"""HTML report for the MFCC benchmark (librosa vs torchaudio).

Reads ``results.json`` files (schema_version 1) and, optionally,
pytest-benchmark JSON; never imports ``features``, ``model`` or ``bench``.

* :mod:`reports.build` — ``python -m reports.build`` and :func:`reports.build.build_report`
* :mod:`reports.plots` — one matplotlib figure per function
* :mod:`reports.data` — loading results and picking the records to show
"""
