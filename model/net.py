"""The one classifier, identical whichever backend made the features: a small 2-D CNN over MFCC maps."""
from __future__ import annotations

import torch
from torch import nn


class MFCCNet(nn.Module):
    """Per-coefficient normalisation, 3 conv blocks, global average pooling, dropout, linear.

    Args:
        n_mfcc (int): coefficients per frame (the input height; fixed once trained).
        n_classes (int): outputs.
        width (int, 16): channels of the first block (then x2, x4).
        dropout (float, 0.3): before the linear layer.
        cmvn (bool, False): per-utterance cepstral mean and variance normalisation first (each clip's
            coefficients have their own mean and standard deviation over its frames removed, as Kaldi
            recipes do), then the per-coefficient normalisation below.

    Buffers `mean`, `std` (n_mfcc,): input statistics, set from the training split with
    `set_normalisation` and saved with the weights.

    forward(x): (B, n_mfcc, n_frames) features, any n_frames >= 1 -> (B, n_classes) logits.
    """

    def __init__(self, n_mfcc: int, n_classes: int, width: int = 16, dropout: float = 0.3, cmvn: bool = False):
        super().__init__()
        self.n_mfcc, self.n_classes, self.width, self.dropout_p = n_mfcc, n_classes, width, dropout
        self.cmvn = bool(cmvn)
        self.register_buffer("mean", torch.zeros(n_mfcc))
        self.register_buffer("std", torch.ones(n_mfcc))

        def block(c_in, c_out, pool):
            layers = [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
            return layers + ([nn.MaxPool2d(2, ceil_mode=True)] if pool else [])

        self.features = nn.Sequential(*block(1, width, True), *block(width, 2 * width, True),
                                      *block(2 * width, 4 * width, False))
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(4 * width, n_classes))

    def kwargs(self) -> dict:
        """Constructor arguments, to rebuild the net from a checkpoint."""
        return dict(n_mfcc=self.n_mfcc, n_classes=self.n_classes, width=self.width, dropout=self.dropout_p,
                    cmvn=self.cmvn)

    @torch.no_grad()
    def set_normalisation(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        """Store per-coefficient mean and std (n_mfcc,) of the TRAINING features."""
        self.mean.copy_(mean)
        self.std.copy_(std.clamp_min(1e-5))

    def per_utterance(self, x: torch.Tensor) -> torch.Tensor:
        """(B, n_mfcc, n_frames) -> the same with each clip's per-coefficient mean and standard deviation
        over its frames removed where `cmvn` (std floored at 1e-5); `x` itself otherwise."""
        if not self.cmvn:
            return x
        std = x.std(dim=-1, keepdim=True, unbiased=False).clamp_min(1e-5)
        return (x - x.mean(dim=-1, keepdim=True)) / std

    def normalise(self, x: torch.Tensor) -> torch.Tensor:
        """Raw features -> the net's input: `per_utterance`, then the training split's per-coefficient
        mean and std."""
        if x.shape[-2] != self.n_mfcc:
            raise ValueError(f"features have {x.shape[-2]} coefficients, the model was trained on "
                             f"{self.n_mfcc}: the shapes are incompatible")
        return (self.per_utterance(x) - self.mean[:, None]) / self.std[:, None]

    def forward(self, x: torch.Tensor, normalised: bool = False) -> torch.Tensor:
        """`x` (B, n_mfcc, n_frames) raw features (or already normalised, if `normalised`)."""
        if not normalised:
            x = self.normalise(x)
        h = self.features(x.unsqueeze(1))          # (B, 4w, n_mfcc/4, n_frames/4)
        return self.head(h.mean(dim=(2, 3)))
