"""The plain-text summary `bench.run` prints at the end: the decision figures, one line each."""
from __future__ import annotations

from .grid import FULL
from .results import serialised


def _throughput(r: dict) -> str:
    threads = f"{r['threads']} thread(s)" + (" sweep" if r["thread_sweep"] else "")
    copy = " +copy" if r.get("includes_transfer") else ""
    return (f"throughput  {r['backend']:<16} {r['device']:<4}{copy:<6} batch {r['batch_size']:>3} x {r['duration_s']} s, "
            f"{threads:<12} {r['realtime_factor']:>12,.0f}x realtime  (IQR {r['realtime_factor_q1']:,.0f}-"
            f"{r['realtime_factor_q3']:,.0f})")


LINES = {
    "throughput": (lambda r: (r["batch_size"], r["duration_s"]) == FULL.usual_point, _throughput),
    "overhead": (None, lambda r: f"overhead    {r['backend']:<16} {r['device']:<4} interface {r['interface_s'] * 1e3:.2f} ms "
                                 f"vs direct {r['direct_s'] * 1e3:.2f} ms ({r['overhead']:+.1%}, IQR {r['overhead_q1']:+.1%} "
                                 f"to {r['overhead_q3']:+.1%})"),
    "cold_start": (None, lambda r: f"cold start  {r['backend']:<16} {r['device']:<4} import {r['import_s']:.2f} s, "
                                   f"first call {r['first_call_s']:.3f} s, steady {r['steady_call_s'] * 1e3:.2f} ms"),
    "stages": (lambda r: r["stage"] == "power", lambda r: f"stage       {r['backend']:<16} {r['device']:<4} batch "
               f"{r['batch_size']:>3}: power {r['median_s'] * 1e3:.2f} ms of {r['whole_s'] * 1e3:.2f} ms"),
    "agreement": (lambda r: r["device"] == "cpu", lambda r: f"agreement   {r['backend']:<16} vs {r['reference']:<16} "
                  f"{r['preset']:<20} max abs {r['max_abs_error']:.3g}  rel {r['rel_error']:.3g}"
                  f"{'' if r['shapes_match'] else '  (shapes differ: overlap compared)'}"),
    "ablation": (lambda r: r["rank"] <= 3, lambda r: f"ablation    #{r['rank']} {r['parameter']}={r['value']!r:<12} "
                                                     f"rel {r['rel_error']:.3g}"),
    "accuracy": (None, lambda r: f"accuracy    {r['preset']:<17} train {r['train_backend']:<16} test "
                                 f"{r['test_backend']:<16} {r['test_accuracy']:.2%}"),
    "crossover": (None, lambda r: f"crossover   {r['backend']:<16} {r['device']:<4} "
                                  f"{'+copy' if r['includes_transfer'] else '':<5} vs {r['competitor']:<10} cpu, "
                                  f"{r['duration_s']:>4} s clips: "
                                  + (f"faster from batch {r['crossover_batch']}" if r["crossover_batch"] else r["note"])),
    "epoch_time": (None, lambda r: f"epoch time  {r['path']:<28} {r['epoch_seconds']:.2f} s  ({r['test_accuracy']:.2%})"),
    "corpus_scaling": (None, lambda r: f"corpus      {r['backend']:<16} {r['engine']:<14} {r['workers']} worker(s) "
                                       f"{r['audio_hours_per_hour']:,.0f} h of audio per hour"),
}


def summary_table(results: dict) -> str:
    """The decision figures as plain text, one line per record worth a glance.

    Args:
        results (dict): a run, its tables holding records (reports.records) or their dicts.
    """
    results = serialised(results)
    lines = ["", "== summary =="]
    for table, (keep, line) in LINES.items():
        for r in results.get(table, []):
            if keep is None or keep(r):
                try:
                    lines.append(line(r))
                except (KeyError, TypeError, ValueError) as err:
                    lines.append(f"{table:<11} (a record could not be shown: {type(err).__name__} {err})")
    if results.get("skipped"):
        lines.append(f"skipped     {len(results['skipped'])} file(s): see skipped.csv")
    for f in results.get("failed", []):
        lines.append(f"FAILED      {f['measurement']}: {f['error']}")
    return "\n".join(lines)
