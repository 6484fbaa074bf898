"""The report's "make torchaudio match librosa" snippet (features.port.snippet, generated when the page is
built, so no number is typed by hand): running it gives librosa's MFCCs under `matched`."""
from __future__ import annotations

import librosa
import numpy as np
import torch

from features import MFCCConfig
from features.port import TOLERANCE
from features.port.reference import relative_error
from features.port.snippet import librosa_keywords, snippet


def test_snippet_gives_librosa_s_numbers_per_clip():
    cfg = MFCCConfig.preset("matched", sample_rate=16000)
    rng = np.random.default_rng(0)
    loud = rng.standard_normal(cfg.sample_rate).astype(np.float32)
    batch_np = np.stack([loud, loud * 1e-3])                    # a quiet clip beside a loud one: per-clip floors
    ns = {"batch": torch.from_numpy(batch_np)}
    exec(snippet("matched"), ns)
    got = ns["feats"].numpy()
    kw = librosa_keywords(cfg)
    assert kw.pop("mel_norm") == "slaney"                         # librosa.filters.mel's default: not a keyword here
    for clip, feats in zip(batch_np, got):
        want = librosa.feature.mfcc(y=clip.astype(np.float64), **kw)
        assert relative_error(feats, want) < TOLERANCE["float32"]
