"""One module per figure; each has ``draw(...)`` returning a matplotlib Figure or ``None`` (nothing to
draw). Shared colours, markers, tick formatting and the SVG export live in :mod:`reports.figures.style`."""
