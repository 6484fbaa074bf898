"""The kaldi-native-fbank backend: Kaldi's MFCC as k2, icefall and sherpa compute it (C++, CPU, one clip
at a time). The config mapping and refusals are in kaldi_options.py, shared with torchaudio_kaldi.
"""
from __future__ import annotations

import numpy as np
import torch

from .kaldi_options import KaldiDefinition


def knf_options(options: dict):
    """kaldi_native_fbank.MfccOptions holding `options` (KaldiDefinition.kaldi_options names)."""
    import kaldi_native_fbank as knf

    opts = knf.MfccOptions()
    frame, mel = opts.frame_opts, opts.mel_opts
    frame.samp_freq = options["sample_frequency"]
    frame.frame_length_ms, frame.frame_shift_ms = options["frame_length"], options["frame_shift"]
    frame.round_to_power_of_two, frame.snip_edges = options["round_to_power_of_two"], options["snip_edges"]
    frame.window_type, frame.blackman_coeff = options["window_type"], options["blackman_coeff"]
    frame.preemph_coeff, frame.remove_dc_offset = options["preemphasis_coefficient"], options["remove_dc_offset"]
    frame.dither = options["dither"]
    mel.num_bins, mel.low_freq, mel.high_freq = options["num_mel_bins"], options["low_freq"], options["high_freq"]
    opts.num_ceps, opts.cepstral_lifter = options["num_ceps"], options["cepstral_lifter"]
    opts.use_energy, opts.energy_floor, opts.raw_energy = (options["use_energy"], options["energy_floor"],
                                                           options["raw_energy"])
    opts.htk_compat = options["htk_compat"]
    return opts


def mfcc_of_clip(opts, clip: np.ndarray) -> np.ndarray:
    """kaldi-native-fbank's MFCC of one float32 clip (T,) -> (n_frames, num_ceps) float32."""
    import kaldi_native_fbank as knf

    computer = knf.OnlineMfcc(opts)
    computer.accept_waveform(opts.frame_opts.samp_freq, clip)
    computer.input_finished()
    return np.stack([computer.get_frame(i) for i in range(computer.num_frames_ready)])


class KaldiNativeFbankMFCC(KaldiDefinition):
    """Kaldi's MFCC with kaldi-native-fbank on the CPU, one clip at a time.

    Args:
        cfg (MFCCConfig): mapped onto Kaldi's options as kaldi_options.py lists; the fields Kaldi has no
            option for must hold Kaldi's behaviour (center=False, power 2, HTK mels without norm,
            orthonormal DCT-II, ref 1, amin FLT_EPSILON, top_db_scope "off", float32), else ValueError.
            `MFCCConfig.preset("kaldi_defaults")` is Kaldi's defaults at 16 kHz.
        device (str | torch.device, "cpu"): must be the CPU.

    Calling: (T,) or (B, T) NumPy array or tensor at `cfg.sample_rate` -> torch.Tensor float32 on the
    CPU, (n_mfcc, n_frames) or (B, n_mfcc, n_frames) with n_frames = 1 + (T - win_length) // hop_length
    (Kaldi's snip_edges count, not `cfg.n_frames`).
    """

    name = "kaldi"
    per_clip = True   # one clip at a time: timed at fewer grid points
    devices = ("cpu",)
    batch_independent = True   # one clip at a time, no floor
    library = "kaldi_native_fbank"
    distribution = "kaldi-native-fbank"
    description = "kaldi-native-fbank OnlineMfcc, Kaldi's MFCC definition (C++, CPU, per clip)"

    def __init__(self, cfg, device="cpu"):
        super().__init__(cfg, device)
        self.opts = knf_options(self.kaldi_options(cfg))

    def forward(self, waveform) -> torch.Tensor:
        x = self.waveform_array(waveform)           # float32 (required), pre-emphasis left to Kaldi
        self.frames_of(x.shape[-1])
        clips = x.reshape(-1, x.shape[-1])
        mfcc = np.stack([mfcc_of_clip(self.opts, clip).T for clip in clips])       # (B, n_mfcc, frames)
        return torch.from_numpy(mfcc.reshape(x.shape[:-1] + mfcc.shape[-2:]))

    @classmethod
    def direct_call(cls, cfg, device="cpu"):
        opts = knf_options(cls.kaldi_options(cfg))
        return lambda x: [mfcc_of_clip(opts, clip) for clip in np.asarray(x, dtype=np.float32)]
