"""The second classifier: multinomial logistic regression on pooled per-clip statistics.

A finding about MFCC settings that only the CNN (model.net.MFCCNet) shows may be about the CNN. This model
sees the same features through a different lens: per coefficient, the clip's mean and standard deviation
over frames, and the mean and standard deviation of its deltas (the regression formula over +-2 frames,
edges replicated, as torchaudio.functional.compute_deltas with win_length 5), standardised with the training split's statistics, then one linear layer.

Why a torch logistic regression and not scikit-learn: it is 60 lines on the torch already installed (no new
dependency in the shared environment or the locks), it reads the same feature tensors, and it goes through
the same scoring (model.fit.scores). The loss is convex and L2-regularised, the weights start at zero and
L-BFGS takes the whole training split at once, so a fit has one answer: the seed changes nothing, and one
fit per fold is the whole of its variation.

    model = fit_pooled(train_feats, train_labels, n_classes=10)
    logits = model(test_feats)                     # (N, 10)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

NAME = "logreg"
L2 = 1e-3
MAX_ITER = 100


def deltas(x: torch.Tensor, n: int = 2) -> torch.Tensor:
    """Delta coefficients over the last axis: sum_k k (x[t+k] - x[t-k]) / (2 sum_k k^2), k = 1..n, edges replicated
    (torchaudio.functional.compute_deltas with win_length 2n + 1, without its grouped convolution)."""
    t = x.shape[-1]
    padded = torch.cat([x[..., :1].expand(*x.shape[:-1], n), x, x[..., -1:].expand(*x.shape[:-1], n)], dim=-1)
    out = sum(k * (padded[..., n + k:n + k + t] - padded[..., n - k:n - k + t]) for k in range(1, n + 1))
    return out / (2 * sum(k * k for k in range(1, n + 1)))


def pooled_statistics(feats: torch.Tensor, *, cmvn: bool = False) -> torch.Tensor:
    """(N, n_mfcc, n_frames) features -> (N, 4 * n_mfcc): mean, std, delta mean, delta std over frames.

    cmvn (bool, False): first remove each clip's per-coefficient mean and std (as MFCCNet.per_utterance does).
    """
    x = feats.double()
    if cmvn:
        x = (x - x.mean(-1, keepdim=True)) / x.std(-1, keepdim=True, unbiased=False).clamp_min(1e-5)
    d = deltas(x)
    return torch.cat([x.mean(-1), x.std(-1, unbiased=False), d.mean(-1), d.std(-1, unbiased=False)], dim=1)


class PooledLogReg(nn.Module):
    """Standardised pooled statistics, then one linear layer.

    Args:
        n_mfcc (int): coefficients per frame. n_classes (int): outputs. cmvn (bool, False): see pooled_statistics.

    Buffers `mean`, `std` (4 * n_mfcc,): the training split's statistics of the pooled features.
    forward(feats): (B, n_mfcc, n_frames) -> (B, n_classes) logits (float32).
    """

    def __init__(self, n_mfcc: int, n_classes: int, cmvn: bool = False):
        super().__init__()
        self.n_mfcc, self.n_classes, self.cmvn = n_mfcc, n_classes, bool(cmvn)
        self.register_buffer("mean", torch.zeros(4 * n_mfcc, dtype=torch.float64))
        self.register_buffer("std", torch.ones(4 * n_mfcc, dtype=torch.float64))
        self.linear = nn.Linear(4 * n_mfcc, n_classes, dtype=torch.float64)
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def inputs(self, feats: torch.Tensor) -> torch.Tensor:
        if feats.shape[-2] != self.n_mfcc:
            raise ValueError(f"features have {feats.shape[-2]} coefficients, the model was trained on {self.n_mfcc}")
        return (pooled_statistics(feats, cmvn=self.cmvn) - self.mean) / self.std

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        return self.linear(self.inputs(feats)).float()

    def from_statistics(self, stats: torch.Tensor) -> torch.Tensor:
        """Logits from pooled statistics already computed (`pooled_statistics(feats, cmvn=self.cmvn)`)."""
        return self.linear((stats - self.mean) / self.std).float()


def fit_pooled(feats: torch.Tensor, labels: torch.Tensor, *, n_classes: int, cmvn: bool = False,
               l2: float = L2, max_iter: int = MAX_ITER) -> PooledLogReg:
    """Fit `PooledLogReg` on (N, n_mfcc, n_frames) `feats` and (N,) integer `labels` (full-batch L-BFGS on
    cross-entropy + l2 * ||W||^2, float64). Returns the model in eval mode. ValueError on empty input."""
    if len(feats) == 0 or len(feats) != len(labels):
        raise ValueError(f"fit_pooled: {len(feats)} feature rows and {len(labels)} labels; both must be equal and > 0")
    return fit_statistics(pooled_statistics(feats, cmvn=cmvn), labels, n_mfcc=feats.shape[-2], n_classes=n_classes,
                          cmvn=cmvn, l2=l2, max_iter=max_iter)


def fit_statistics(stats: torch.Tensor, labels: torch.Tensor, *, n_mfcc: int, n_classes: int, cmvn: bool = False,
                   l2: float = L2, max_iter: int = MAX_ITER) -> PooledLogReg:
    """`fit_pooled` from pooled statistics already computed ((N, 4 * n_mfcc), see `pooled_statistics`): the
    statistics of every clip are computed once and each fold fits on its rows."""
    if len(stats) == 0 or len(stats) != len(labels):
        raise ValueError(f"fit_pooled: {len(stats)} feature rows and {len(labels)} labels; both must be equal and > 0")
    model = PooledLogReg(n_mfcc, n_classes, cmvn=cmvn)
    with torch.no_grad():
        stats = stats.double()
        model.mean.copy_(stats.mean(0))
        model.std.copy_(stats.std(0, unbiased=False).clamp_min(1e-8))
        x = (stats - model.mean) / model.std
    y = labels.long()
    opt = torch.optim.LBFGS(model.linear.parameters(), max_iter=max_iter, history_size=10,
                            line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(model.linear(x), y) + l2 * model.linear.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return model.eval()
