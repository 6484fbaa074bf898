"""For torchaudio: the power step of `spectrogram`, `spec.abs().pow(2)`, against `real^2 + imag^2`.

Prints, at batch 64 x 1 s of 16 kHz audio (n_fft 512, hop 160, 40 mels, 13 MFCCs) on the CPU, the
power step alone on torch.stft's output and torchaudio.transforms.MFCC's whole call with and without
the cheaper step, as medians of interleaved runs (about 10 s). Run: python scripts/upstream_power_step.py
(needs torch, torchaudio and numpy; the interleaved timing is bench.timing.time_pairs, the one the
power_step measurement uses, imported from this checkout).
"""
import statistics
import sys
from pathlib import Path

import torch
import torchaudio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's bench/, installed or not
from bench.timing import time_pairs  # noqa: E402


class CheapPower(torch.nn.Module):
    """A Spectrogram with power=None (complex out), then |X|^2 as real^2 + imag^2."""

    def __init__(self, spectrogram):
        super().__init__()
        self.spectrogram = spectrogram
        self.spectrogram.power = None

    def forward(self, waveform):
        spec = self.spectrogram(waveform)
        return spec.real.square() + spec.imag.square()


def medians_ms(a, b, pairs: int = 30) -> tuple[float, float]:
    """Median milliseconds per call of a() and of b(), timed in turn (A, B, A, B, ...) after a warm-up."""
    times_a, times_b = time_pairs(a, b, pairs=pairs)
    return 1e3 * statistics.median(times_a), 1e3 * statistics.median(times_b)


def main() -> None:
    torch.manual_seed(0)
    x = 0.1 * torch.randn(64, 16000)
    melkwargs = dict(n_fft=512, hop_length=160, n_mels=40)
    stock = torchaudio.transforms.MFCC(sample_rate=16000, n_mfcc=13, melkwargs=melkwargs)
    cheap = torchaudio.transforms.MFCC(sample_rate=16000, n_mfcc=13, melkwargs=melkwargs)
    cheap.MelSpectrogram.spectrogram = CheapPower(cheap.MelSpectrogram.spectrogram)
    with torch.inference_mode():
        spec = torch.stft(x, 512, 160, window=torch.hann_window(512), return_complex=True)
        power = dict(zip(("abs().pow(2)", "real^2 + imag^2"),
                         medians_ms(lambda: spec.abs().pow(2), lambda: spec.real.square() + spec.imag.square())))
        whole = dict(zip(("MFCC stock", "MFCC cheap power"), medians_ms(lambda: stock(x), lambda: cheap(x))))
        a, b = stock(x), cheap(x)
    print(f"torch {torch.__version__}, torchaudio {torchaudio.__version__}, {torch.get_num_threads()} threads, "
          "batch 64 x 1 s, n_fft 512, hop 160")
    for name, ms in {**power, **whole}.items():
        print(f"  {name:18s} {ms:8.2f} ms")
    print(f"  power step: {power['abs().pow(2)'] / power['real^2 + imag^2']:.2f}x faster; "
          f"whole MFCC call: {whole['MFCC stock'] / whole['MFCC cheap power']:.2f}x faster")
    print(f"  largest MFCC difference: {(a - b).abs().max().item():.2e} (values up to {a.abs().max().item():.0f})")


if __name__ == "__main__":
    main()
