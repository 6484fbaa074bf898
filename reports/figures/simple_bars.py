"""The one-table bar figures: cold start, decode/resample, ablation, batch invariance, epoch time,
and pipeline. Each is a short function giving rows to :func:`style.hbar_figure`."""

from __future__ import annotations

from reports.data import frame, num
from reports.figures.style import CATEGORY, RUN_HATCHES, colour, hbar_figure, run_suffix, sig


def _over(runs, table):
    for i, run in enumerate(runs):
        for rec in frame(run, table).to_dict("records"):
            yield i, run, rec


def cold_start(runs, order):
    parts = [("import_s", "import"), ("first_call_s", "first call"), ("steady_call_s", "steady call (cold-start run)")]
    rows = [(f"{r['backend']} {r['device']}: {name}" + run_suffix(run, runs), num(r.get(k)),
             colour(order, r["backend"]), ["", "//", ".."][j])
            for i, run, r in sorted(_over(runs, "cold_start"), key=lambda t: _o(order, t[2]))
            for j, (k, name) in enumerate(parts)]
    return hbar_figure(rows, xlabel="seconds (log scale)", title="Cold start: import, first call, a steady call",
                       fmt=lambda v: sig(v, " s"))


def io(runs, order):
    rows = [(f"{r['stage']}: {r['method']}" + run_suffix(run, runs), num(r.get("realtime_factor")),
             CATEGORY[0 if r["stage"] == "decode" else 2], RUN_HATCHES[i % 4]) for i, run, r in _over(runs, "io")]
    return hbar_figure(rows, xlabel="realtime factor (log scale)", title="Decoding and resampling the dataset's files")


def ablation(runs, order):
    rows = [(f"{r['parameter']} = {r.get('value')}" + run_suffix(run, runs), num(r.get("rel_error")), CATEGORY[4],
             RUN_HATCHES[i % 4])
            for i, run, r in sorted(_over(runs, "ablation"), key=lambda t: num(t[2].get("rank")) or 99)]
    return hbar_figure(rows, xlabel="relative error against the reference (log scale)",
                       title="Ablation: one parameter changed from matched, only the second backend's side",
                       fmt=lambda v: f"{v:.2g}")


def batch_invariance(runs, order):
    rows = [(f"{r['backend']} {r.get('device', '')}, scope {r['scope']}" + run_suffix(run, runs),
             num(r.get("max_abs_error")), colour(order, r["backend"]), RUN_HATCHES[i % 4])
            for i, run, r in sorted(_over(runs, "batch_invariance"), key=lambda t: _o(order, t[2]))]
    return hbar_figure(rows, xlabel="max |alone − in batch| (log scale)",
                       title="Batch invariance: one clip alone against inside a batch", fmt=lambda v: f"{v:.2g}")


def epoch_time(runs, order):
    rows = [(str(r["path"]) + run_suffix(run, runs), num(r.get("epoch_seconds")), CATEGORY[1], RUN_HATCHES[i % 4])
            for i, run, r in _over(runs, "epoch_time")]
    return hbar_figure(rows, xlabel="seconds per epoch", title="Training epoch time per way of feeding features",
                       log=False, fmt=lambda v: sig(v, " s"))


def pipeline(runs, order):
    rows = [(f"{r['backend']} {r['device']}, {r['mode']}, {r.get('workers', '?')} workers" + run_suffix(run, runs),
             num(r.get("samples_per_s")), colour(order, r["backend"]), RUN_HATCHES[i % 4])
            for i, run, r in sorted(_over(runs, "pipeline"), key=lambda t: _o(order, t[2]))]
    fig = hbar_figure(rows, xlabel="training samples per second (log scale)",
                      title="Feeding a model: samples per second per way of computing features")
    if fig is not None:  # the limiting stage beside each bar's label
        ax = fig.axes[0]
        limits = [r.get("limiting_stage") for _, _, r in sorted(_over(runs, "pipeline"), key=lambda t: _o(order, t[2]))]
        ax.set_yticks(ax.get_yticks(), [f"{t.get_text()}\n(limited by {lim})" for t, lim in
                                        zip(ax.get_yticklabels(), limits)])
    return fig


def _o(order, rec):
    b = rec.get("backend") or rec.get("train_backend")
    return order.index(b) if b in order else len(order)
