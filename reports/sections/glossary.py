"""The terms the page uses, explained once, before the first section that uses them."""

from __future__ import annotations

import html

from reports.page import Block, Section

TERMS = {
    "realtime factor": "seconds of audio processed per second of wall-clock time (higher is faster).",
    "pass / per-pass median": "the whole throughput grid is timed several times (passes) in alternating backend "
                              "order; each pass gives a median per point (pass_medians_s). Their spread is what the "
                              "verdict rule reads.",
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
    "H2D copy": "host-to-device copy: moving the batch from CPU memory to the GPU. GPU throughput is given with "
                "it (incl. copy) and without it (kernels only).",
    "ceiling": "the same batch through a bare batched FFT plus mel matrix product on the device, whole or in "
               "chunks of 32 clips, whichever is faster (chunk_clips; both times are kept): the most a backend "
               "could do there.",
    "crossover batch": "the smallest batch at which a backend on the GPU, the H2D copy included, takes less time "
                       "per call than a library on the same machine's CPU.",
    "pp": "percentage points: the difference of two accuracies; every pp delta names the accuracy it is taken "
          "from (its baseline).",
    "projection": "an extrapolation from measured rates and scaling efficiency, not a measurement.",
    "thread_sweep": "extra throughput rows timed at other thread counts; they are listed, never used for a verdict.",
}


def section(ctx) -> Section:
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in TERMS.items())
    return Section("glossary", "Terms used on this page",
                   [Block("glossary", "Glossary", "Read once; the sections below use these words as defined here.",
                          html=f'<dl class="glossary">{items}</dl>')])
