"""Writes tests/reports/data/schema2_gpu_6backends.json: a synthetic schema-2 run on a GPU machine
with six backends and every table, deterministic (seeded). Run: python tests/reports/make_fixture.py

The numbers are invented but shaped like real runs: per-call cost a + b * audio seconds per backend
and device, three passes with seeded jitter, one point where the passes overlap.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).parent / "data" / "schema2_gpu_6backends.json"
BACKENDS = {  # name: (devices, definition, library, defaults preset); schema 2 still says "fast" for librosa_torch
    "librosa": (["cpu"], "librosa", "librosa", "librosa_defaults"),
    "torchaudio": (["cpu", "cuda"], "librosa", "torchaudio", "torchaudio_defaults"),
    "nnaudio": (["cpu", "cuda"], "librosa", "nnAudio", None),
    "kaldi": (["cpu"], "kaldi", "kaldi_native_fbank", "kaldi_defaults"),
    "torchaudio_kaldi": (["cpu", "cuda"], "kaldi", "torchaudio", "kaldi_defaults"),
    "fast": (["cpu", "cuda"], "librosa", "torch", None),
}
COST = {  # (backend, device): (fixed s per call, s per audio second)
    ("librosa", "cpu"): (1.2e-3, 4.0e-4), ("torchaudio", "cpu"): (2.5e-4, 3.0e-4),
    ("nnaudio", "cpu"): (4e-4, 6e-4), ("kaldi", "cpu"): (1e-4, 5e-4), ("torchaudio_kaldi", "cpu"): (6e-4, 7e-4),
    ("fast", "cpu"): (1.5e-4, 2.2e-4), ("torchaudio", "cuda"): (1.5e-4, 4e-6), ("nnaudio", "cuda"): (2e-4, 6e-6),
    ("torchaudio_kaldi", "cuda"): (3e-4, 8e-6), ("fast", "cuda"): (1e-4, 3e-6),
}
COPY_S_PER_AUDIO_S = 2.0e-6
BATCHES, DURATIONS = [1, 8, 64, 256], [0.5, 1.0, 4.0, 10.0]


def throughput(rng):
    out = []
    for (b, dev), (fixed, per) in COST.items():
        for copy in ([False, True] if dev == "cuda" else [False]):
            for n in BATCHES:
                for d in DURATIONS:
                    t = fixed + per * n * d + (COPY_S_PER_AUDIO_S * n * d if copy else 0)
                    jitter = 0.45 if (b == "torchaudio" and dev == "cpu" and n == 64 and d == 1.0) else 0.06
                    passes = [t * (1 + rng.uniform(-jitter, jitter)) for _ in range(3)]
                    med = sorted(passes)[1]
                    out.append({"backend": b, "device": dev, "batch_size": n, "duration_s": d, "threads": 16,
                                "thread_sweep": False, "includes_transfer": copy, "median_s": med,
                                "q1_s": med * 0.97, "q3_s": med * 1.03, "iqr_s": med * 0.06, "repeats": 50,
                                "clips_per_s": n / med, "realtime_factor": n * d / med,
                                "realtime_factor_q1": n * d / (med * 1.03), "realtime_factor_q3": n * d / (med * 0.97),
                                "audio_s": n * d, "passes": 3, "pass_medians_s": passes,
                                "ceiling_fraction": min(1.0, 3e-5 * n * d / med),
                                "config": "kaldi_defaults" if BACKENDS[b][1] == "kaldi" else "matched"})
    out.append({**out[0], "thread_sweep": True, "threads": 1, "median_s": out[0]["median_s"] * 1.6})
    return out


def stages():
    out = []
    split = {"stft": 0.45, "power": 0.05, "mel": 0.2, "db": 0.1, "dct": 0.08, "lifter": 0.02, "other": 0.1}
    for (b, dev), (fixed, per) in COST.items():
        whole = fixed + per * 64
        parts = dict(split, h2d=0.15) if dev == "cuda" else split
        total = sum(parts.values())
        for stage, share in parts.items():
            s = whole * share / total * 1.04
            out.append({"backend": b, "device": dev, "batch_size": 64, "duration_s": 1.0, "stage": stage,
                        "median_s": s, "q1_s": s * 0.95, "q3_s": s * 1.05, "share": share / total, "whole_s": whole,
                        "stages_sum_s": whole * 1.04, "sum_ratio": 1.04, "within_10pct": True, "note": ""})
    return out


def accuracy():
    acc = {"librosa": 0.9867, "torchaudio": 0.9867, "nnaudio": 0.9833, "kaldi": 0.97, "torchaudio_kaldi": 0.9733,
           "fast": 0.99}
    out = []
    for tr in BACKENDS:
        kaldi = BACKENDS[tr][1] == "kaldi"
        preset = "kaldi_defaults" if kaldi else "matched"
        for te in BACKENDS:
            if (BACKENDS[te][1] == "kaldi") != kaldi:
                continue
            a = acc[tr] if tr == te else acc[tr] - 0.0033
            out.append({"train_backend": tr, "test_backend": te, "preset": preset, "split": "official",
                        "test_accuracy": round(a, 4), "n_test": 300, "epochs": 30, "train_seconds": 40.0,
                        "device": "cuda"})
    for tr, te, a in (("librosa", "librosa", 0.9867), ("librosa", "torchaudio", 0.5933),
                      ("torchaudio", "torchaudio", 0.98), ("torchaudio", "librosa", 0.4967)):
        out.append({"train_backend": tr, "test_backend": te, "preset": "library_defaults", "split": "official",
                    "test_accuracy": a, "n_test": 300, "epochs": 30, "train_seconds": 40.0, "device": "cuda"})
    return out


def agreement():
    out = []
    for b, (devs, definition, _, _) in BACKENDS.items():
        if b == "librosa":
            continue
        for preset in (["matched", "librosa_defaults", "naive_port"] if definition == "librosa" else ["kaldi_defaults"]):
            for dev in devs:
                rel = {"matched": 5e-7, "librosa_defaults": 7e-7, "naive_port": 0.34, "kaldi_defaults": 0.62}[preset]
                out.append({"backend": b, "reference": "librosa", "device": dev, "preset": preset,
                            "definition": definition, "max_abs_error": rel * 600, "mean_abs_error": rel * 80,
                            "rel_error": rel * (1.3 if dev == "cuda" else 1), "correlation": 1 - rel,
                            "shapes_match": True, "note": ""})
    out.append({"backend": "torchaudio_kaldi", "reference": "kaldi", "device": "cpu", "preset": "kaldi_defaults",
                "definition": "kaldi", "max_abs_error": 2e-4, "mean_abs_error": 1e-5, "rel_error": 3e-6,
                "correlation": 1.0, "shapes_match": True, "note": "dither off"})
    return out


def corpus():
    scaling, proj = [], []
    for b, dev, rate1 in (("librosa", "cpu", 900.0), ("torchaudio", "cpu", 1500.0), ("fast", "cuda", 9000.0)):
        for w in ([1, 2, 4, 8] if dev == "cpu" else [1]):
            eff = 1.0 if w == 1 else 0.9 ** (w.bit_length() - 1)
            rate = rate1 * w * eff
            scaling.append({"backend": b, "device": dev, "engine": "ray", "workers": w, "files": 3000,
                            "audio_hours": 0.36, "wall_s": 0.36 / rate * 3600, "audio_hours_per_hour": rate,
                            "audio_hours_per_hour_per_worker": rate / w, "speedup_vs_one_worker": w * eff,
                            "efficiency": eff, "overhead_vs_single_process": 0.08 if w == 1 else None})
        scaling.append({"backend": b, "device": dev, "engine": "single_process", "workers": 1, "files": 3000,
                        "audio_hours": 0.36, "wall_s": 0.36 / (rate1 * 1.08) * 3600,
                        "audio_hours_per_hour": rate1 * 1.08, "audio_hours_per_hour_per_worker": rate1 * 1.08,
                        "speedup_vs_one_worker": None, "efficiency": None, "overhead_vs_single_process": None})
        for count in ([16, 64] if dev == "cpu" else [1, 4]):
            proj.append({"backend": b, "device": dev, "resource": "cpu_workers" if dev == "cpu" else "gpus",
                         "count": count, "corpus_hours": 10000, "projected_wall_h": 10000 / (rate1 * count * 0.7),
                         "basis": f"{rate1:g} audio h/h per worker, efficiency 0.7 at 8 workers",
                         "label": "projection"})
    return scaling, proj


def main():
    rng = random.Random(12)
    scaling, proj = corpus()
    ceiling = [{"device": dev, "batch_size": n, "duration_s": d, "fft_s": 2e-5 * n * d * (0.02 if dev == "cuda" else 1),
                "mel_s": 1e-5 * n * d * (0.02 if dev == "cuda" else 1),
                "total_s": 3e-5 * n * d * (0.02 if dev == "cuda" else 1),
                "realtime_factor": 1 / 3e-5, "passes": 3}
               for dev in ("cpu", "cuda") for n in BATCHES for d in DURATIONS]
    results = {
        "schema_version": 2, "label": "synthetic H100 box", "quick": False, "dataset": "fsdd",
        "dataset_info": {"name": "fsdd", "split": "official", "n_train": 2430, "n_val": 270, "n_test": 300,
                         "classes": [str(i) for i in range(10)]},
        "environment": {"cpu_model": "Intel Xeon (synthetic)", "cpu_threads": 16, "gpu_name": "NVIDIA H100 (synthetic)",
                        "cuda_version": "13.0", "torch": "2.11.0", "librosa": "0.11.0", "nnAudio": "0.3.4",
                        "kaldi_native_fbank": "1.23", "git_commit": "0" * 40, "date": "2026-11-24T10:00:00+00:00",
                        "command": "python -m bench.run --backend all --out /home/someone/out"},
        "config": {"sample_rate": 16000, "n_mfcc": 13, "n_fft": 512, "hop_length": 160, "n_mels": 40},
        "backends": list(BACKENDS), "reference": "librosa",
        "backend_info": {b: {"devices": v[0], "library": v[2], "version": "1.0", "definition": v[1],
                             "description": f"{b} (synthetic)", "defaults_preset": v[3]} for b, v in BACKENDS.items()},
        "complete": False, "measurements": ["throughput", "stages", "pipeline", "corpus_scaling", "accuracy"],
        "thinned": ["nnaudio, torchaudio_kaldi: batch 256 x 10 s dropped on the CPU"],
        "throughput": throughput(rng), "ceiling": ceiling, "stages": stages(),
        "scaling": [{"backend": b, "device": dev, "batch_size": 64, "exponent": 1.05, "durations_s": DURATIONS}
                    for (b, dev) in COST],
        "overhead": [{"backend": "librosa", "device": "cpu", "batch_size": 64, "duration_s": 1.0, "interface_s": 0.03,
                      "direct_s": 0.0298, "overhead": 0.007, "overhead_q1": -0.02, "overhead_q3": 0.04, "pairs": 150}],
        "cold_start": [{"backend": b, "device": v[0][-1], "import_s": 1.5, "first_call_s": 0.4, "steady_call_s": 0.002}
                       for b, v in BACKENDS.items()],
        "memory": [{"backend": b, "device": dev, "duration_s": 1.0, "batch_size": n, "peak_bytes": 2**30,
                    "above_baseline_bytes": n * 2**19 * (2 if dev == "cuda" else 1),
                    "kind": "cuda_allocator" if dev == "cuda" else "rss", "peak_reset": True}
                   for (b, dev) in COST for n in BATCHES],
        "io": [{"stage": "decode", "method": "soundfile", "files": 300, "audio_s": 129.3, "seconds": 0.06,
                "realtime_factor": 2155.0, "from_sr": 8000, "to_sr": 8000}],
        "agreement": agreement(),
        "agreement_per_coeff": [{"backend": b, "reference": "librosa", "preset": "matched", "coeff": k,
                                 "rel_error": 5e-7 * (k + 1)} for b in ("torchaudio", "nnaudio", "fast")
                                for k in range(13)],
        "ablation": [{"parameter": p, "value": None, "max_abs_error": r * 500, "rel_error": r, "rank": i + 1}
                     for i, (p, r) in enumerate([("mel_norm", 0.28), ("top_db_scope", 0.22), ("mel_scale", 0.046)])],
        "batch_invariance": [{"backend": b, "device": "cpu", "scope": "clip", "max_abs_error": 0.0, "rel_error": 0.0}
                             for b in BACKENDS],
        "accuracy": accuracy(),
        "epoch_time": [{"path": "cache", "epoch_seconds": 1.2, "test_accuracy": 0.98},
                       {"path": "on_device", "epoch_seconds": 1.9, "test_accuracy": 0.98}],
        "skipped": [],
        "pipeline": [{"backend": b, "device": dev, "mode": mode, "workers": w, "batch_size": 64, "samples_per_s": sps,
                      "decode_s_per_sample": 3e-4, "features_s_per_sample": f, "limiting_stage": lim, "n_samples": 2430}
                     for b, dev, mode, w, sps, f, lim in (
                         ("librosa", "cpu", "dataloader", 4, 2400.0, 1.6e-3, "features"),
                         ("torchaudio", "cuda", "on_device", 0, 9000.0, 2e-5, "decode"),
                         ("torchaudio", "cpu", "cache", 0, 40000.0, 0.0, "model"))],
        "corpus_scaling": scaling, "projection": proj,
    }
    OUT.write_text(json.dumps(results) + "\n", encoding="utf-8")
    print(OUT)


if __name__ == "__main__":
    main()
