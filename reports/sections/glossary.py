"""The terms the page uses, in plain words: each is defined inline where it first appears (``define``),
and all of them are listed once more in the glossary after the verdict."""

from __future__ import annotations

import html

from reports.page import Block, Section
from reports.speed_rule import THRESHOLD

TERMS = {
    "speedup": "the reference's time for a call divided by the backend's, at the same batch size and clip "
               "length; above 1 the backend is faster.",
    "throughput grid": "every backend timed at every batch size × clip length; the time shown for a point is "
                       "the median over all its timed calls, the one number this page gives for a whole call "
                       "there.",
    "pass / per-pass median": "the throughput grid is timed several times over (passes), backends in "
                              "alternating order; each pass gives one median time per point, and the spread of "
                              "those per-pass medians is the error bar the verdict reads.",
    "asv's rule": f"the comparison rule of airspeed velocity (asv, a Python benchmarking tool): two timings differ "
                  f"only when their per-pass ranges do not overlap and their ratio exceeds {THRESHOLD:.2f}; "
                  "otherwise they are \"even\".",
    "even": f"the passes do not separate two timings (ranges overlap, or the ratio is within {THRESHOLD:.2f}×): "
            "neither is called faster.",
    "realtime factor": "seconds of audio processed per second of wall-clock time (higher is faster).",
    "H2D copy": "host-to-device copy: moving the batch from CPU memory to the GPU. GPU timings are given with "
                "it (incl. copy) and without it (kernels only).",
    "matched": "one MFCC configuration both libraries honour exactly; the preset meant to agree.",
    "library_defaults": "each library with its own defaults (n_mfcc, n_fft, hop, n_mels, mel scale, norm...).",
    "naive_port": "the second library's defaults with only n_mfcc, n_fft, hop and n_mels copied from the first: "
                  "what a hurried port does.",
    "ported": "the library_defaults model served the other library's features built by `python -m features.port` "
              "from the training library's own call; its baseline is the same model on its own features.",
    "defaults_swap": "each library with its own defaults, compared on the overlap of their shapes.",
    "kaldi_defaults": "Kaldi's MFCC definition (povey window, pre-emphasis, natural log of mel energies, 25 ms / "
                      "10 ms frames; c0 kept, not replaced by the log energy): a different definition, so its "
                      "distance from the reference is not an error.",
    "different definition": "a backend following another MFCC definition than the reference's; its agreement "
                            "numbers are distances between two definitions, not numerical errors.",
    "ablation (only the second backend's side changes)": "starting from matched, one parameter of the second "
                                                         "backend is set back to its library's default while the "
                                                         "reference keeps matched, to rank what causes disagreement.",
    "top_db_scope": "where the 80 dB floor of the dB step is taken: per clip (`clip`, a clip's features never "
                    "depend on its batch-mates) or over the whole batch (`batch`, what both libraries do).",
    "bare FFT + mel time": "the same batch through nothing but a batched FFT and one mel matrix product (torch, on "
                           "the same device; whole or in chunks of 32 clips, whichever was faster). A yardstick, "
                           "not a bound: a backend that frames, chunks or fuses its work differently can take "
                           "less; \"time ÷ bare FFT + mel\" says how many times that arithmetic a backend's whole "
                           "call costs.",
    "sum of stages": "each step of a call (stft, power, mel, dB, DCT...) timed on its own in a separate stage run; "
                     "their sum is not the whole call's time, which comes from the throughput grid.",
    "crossover batch": "the smallest batch at which a backend on the GPU, the H2D copy included, takes less time "
                       "per call than a library on the same machine's CPU.",
    "pp": "percentage points: the difference of two accuracies; every pp delta names the accuracy it is taken "
          "from (its baseline).",
    "projection": "an extrapolation from measured rates and scaling efficiency, not a measurement.",
    "thread sweep": "extra throughput rows timed at other thread counts; they are listed, never used for a verdict.",
}


def define(*terms: str) -> str:
    """Inline definitions for a caption: ``"“speedup” means ... “even” means ..."`` (plain text, to be escaped)."""
    return " ".join(f"“{t}” means {TERMS[t]}" for t in terms)


def section(ctx) -> Section:
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in TERMS.items())
    return Section("glossary", "Terms used on this page",
                   [Block("glossary", "Glossary", "Each term is also defined where it first appears; all of them, "
                          "once more, here.", html=f'<dl class="glossary">{items}</dl>')],
                   folded=f"Glossary: {len(TERMS)} terms")
