"""A seeded, in-memory vowel task: 10 classes told apart by their spectral envelope only.

Each class is a vowel given by three formant frequencies (Peterson & Barney 1952, adult male means).
A clip is a glottal pulse train (with breath noise, sometimes whispered: noise only) through three
resonators at the class's formants. Nuisances, none of which carry the class:

- speaker: one vocal-tract scale factor on all formants (x0.85-1.15), plus per-formant jitter (+-6%)
  and random bandwidths; neighbouring vowels overlap, so accuracy is informative, not 100%;
- pitch: f0 80-260 Hz (log-uniform) with drift and vibrato;
- duration 0.3-0.9 s, onset delay 0-0.1 s, attack/release ramps;
- loudness -30..0 dB, additive white noise at 5-30 dB SNR.

1,000 clips at 16 kHz take about a second to generate.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from scipy.signal import sosfilt

from .splits import SkipLog, Splits, WaveformDataset, stratified_split, stratified_take

VOWELS = {  # name: (F1, F2, F3) in Hz
    "iy": (270, 2290, 3010), "ih": (390, 1990, 2550), "eh": (530, 1840, 2480),
    "ae": (660, 1720, 2410), "aa": (730, 1090, 2440), "ao": (570, 840, 2410),
    "uh": (440, 1020, 2240), "uw": (300, 870, 2240), "ah": (640, 1190, 2390),
    "er": (490, 1350, 1690),
}
LABELS = list(VOWELS)


def _resonator(freq: float, bandwidth: float, sr: int) -> np.ndarray:
    """One second-order section (b0 b1 b2 a0 a1 a2) of a resonance at `freq` Hz, unit gain at DC."""
    r = np.exp(-np.pi * bandwidth / sr)
    a1, a2 = -2 * r * np.cos(2 * np.pi * freq / sr), r * r
    return np.array([1 + a1 + a2, 0.0, 0.0, 1.0, a1, a2])


def synth_vowel(rng: np.random.Generator, formants, sr: int = 16000) -> np.ndarray:
    """One clip of the vowel with `formants` (F1, F2, F3) Hz, with random nuisances from `rng`.

    Returns np.float32 (T,), T <= sr (at most one second).
    """
    n = int(rng.uniform(0.3, 0.9) * sr)
    t = np.arange(n) / sr
    f0 = np.exp(rng.uniform(np.log(80), np.log(260)))
    f0_t = f0 * (1 + rng.uniform(-0.1, 0.1) * t / t[-1]) * (1 + 0.02 * np.sin(2 * np.pi * 5 * t + rng.uniform(0, 6.3)))
    phase = np.cumsum(f0_t / sr)
    pulses = np.diff(np.floor(phase), prepend=0.0)                       # 1 at each glottal closure
    source = sosfilt(np.array([[1, 0, 0, 1, -0.97, 0], [1, 0, 0, 1, -0.97, 0]]), pulses)  # -12 dB/oct
    source /= np.abs(source).max() + 1e-9
    breath = rng.standard_normal(n) * rng.uniform(0.0, 0.3)
    source = breath if rng.random() < 0.1 else source + breath           # 10% whispered
    scale = rng.uniform(0.85, 1.15)
    sections = [_resonator(f * scale * rng.uniform(0.94, 1.06), bw * rng.uniform(0.7, 1.5), sr)
                for f, bw in zip(formants, (70, 100, 140))]
    y = sosfilt(np.stack(sections), source)
    ramp = int(rng.uniform(0.02, 0.06) * sr)
    env = np.ones(n)
    env[:ramp] = np.sin(np.linspace(0, np.pi / 2, ramp)) ** 2
    env[-ramp:] = env[:ramp][::-1]
    y = y * env
    y *= 10 ** (rng.uniform(-30, 0) / 20) / (np.abs(y).max() + 1e-9)
    delay = np.zeros(int(rng.uniform(0, 0.1) * sr))
    y = np.concatenate([delay, y])
    noise_rms = np.sqrt(np.mean(y ** 2)) / 10 ** (rng.uniform(5, 30) / 20)
    y = y + rng.standard_normal(len(y)) * noise_rms
    return y.astype(np.float32)


def synthetic_dataset(n_per_class: int = 100, *, sample_rate: int = 16000, seed: int = 0) -> WaveformDataset:
    """`n_per_class` clips of each of the 10 vowels (class id = index in LABELS), deterministic in `seed`.

    Paths are "synthetic/{vowel}/{i:04d}"; keys are sha1 of the waveform bytes.
    """
    rng = np.random.default_rng([seed, sample_rate, 0x5EED])
    waves, labels, paths = [], [], []
    for i in range(n_per_class):
        for c, name in enumerate(LABELS):
            waves.append(synth_vowel(rng, VOWELS[name], sample_rate))
            labels.append(c)
            paths.append(f"synthetic/{name}/{i:04d}")
    return WaveformDataset(waves, labels, paths, LABELS, sample_rate=sample_rate, resampler="none")


def synthetic_splits(*, n_per_class: int = 100, sample_rate: int = 16000, seed: int = 0,
                     val_fraction: float = 0.1, test_fraction: float = 0.2,
                     limit: Optional[int] = None) -> Splits:
    """Stratified seeded train/val/test of `synthetic_dataset` (default 720/80/200 clips)."""
    data = synthetic_dataset(n_per_class, sample_rate=sample_rate, seed=seed)
    rest, test = stratified_split(data.labels, test_fraction, seed)
    keep, val = stratified_split([data.labels[i] for i in rest], val_fraction, seed)
    train, val = [rest[i] for i in keep], [rest[i] for i in val]

    def cap(idx):
        if limit is None or len(idx) <= limit:
            return idx
        return [idx[i] for i in stratified_take([data.labels[i] for i in idx], limit, seed)]

    return Splits(data.subset(cap(train)), data.subset(cap(val)), data.subset(cap(test)), list(LABELS),
                  SkipLog(), name="synthetic")
