"""Fitting and scoring `MFCCNet`: normalisation from the training features, the training loop
(AdamW, one-cycle schedule, augmentation, best validation epoch kept, stopped with a RuntimeError
the moment a loss is not finite), prediction and the test scores."""
from __future__ import annotations

import copy
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from .net import MFCCNet

BATCH_SIZE = 64
LR = 3e-3
PATIENCE = 8


@torch.no_grad()
def set_normalisation(net: MFCCNet, train_x: torch.Tensor, feature_fn, batch_size: int = 256) -> None:
    """Store in `net` the per-coefficient mean and std of the TRAINING features `feature_fn(train_x)`
    (train_x: (N, n_mfcc, n_frames) features or (N, T) waveforms) after the net's own per-utterance step
    (`MFCCNet.per_utterance`, CMVN where on), accumulated in float64."""
    n, s, s2 = 0, 0.0, 0.0
    for i in range(0, len(train_x), batch_size):
        f = net.per_utterance(feature_fn(train_x[i:i + batch_size])).double()
        n += f.shape[0] * f.shape[2]
        s = s + f.sum(dim=(0, 2))
        s2 = s2 + (f * f).sum(dim=(0, 2))
    mean = s / n
    net.set_normalisation(mean.float(), (s2 / n - mean * mean).clamp_min(0).sqrt().float())


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Training-time augmentation on normalised features (B, C, T), same for every backend:
    a random circular time shift (up to +-10 frames), one time mask (up to 12 frames) and one
    coefficient mask (up to 2 coefficients), masked values set to 0 (the training mean)."""
    b, c, t = x.shape
    dev = x.device
    r = torch.rand(b, 5, generator=gen).to(dev)
    shift = ((r[:, 0] * 21).long() - 10)
    idx = (torch.arange(t, device=dev)[None, :] - shift[:, None]) % t
    x = torch.gather(x, 2, idx[:, None, :].expand(b, c, t))
    tw, t0 = (r[:, 1] * 13).long(), (r[:, 2] * t).long()
    tpos = torch.arange(t, device=dev)[None, :]
    tmask = (tpos >= t0[:, None]) & (tpos < (t0 + tw)[:, None])
    cw, c0 = (r[:, 3] * 3).long(), (r[:, 4] * c).long()
    cpos = torch.arange(c, device=dev)[None, :]
    cmask = (cpos >= c0[:, None]) & (cpos < (c0 + cw)[:, None])
    return x.masked_fill(tmask[:, None, :] | cmask[:, :, None], 0.0)


@torch.no_grad()
def predict(net: MFCCNet, x: torch.Tensor, feature_fn, batch_size: int = 256):
    """Logits of `net` for every row of `x` (features, or waveforms through `feature_fn`)."""
    net.eval()
    outs = [net(feature_fn(x[i:i + batch_size])).float() for i in range(0, len(x), batch_size)]
    return torch.cat(outs) if outs else torch.zeros(0, net.n_classes, device=x.device)


def scores(logits: torch.Tensor, y: torch.Tensor, labels: list) -> dict:
    """test_accuracy, per_class_accuracy, confusion (rows = true, columns = predicted), labels."""
    n = len(labels)
    pred = logits.argmax(1).cpu()
    y = y.cpu()
    conf = torch.zeros(n, n, dtype=torch.long)
    conf.index_put_((y, pred), torch.ones_like(y), accumulate=True)
    per_class = {labels[c]: (int(conf[c, c]) / int(conf[c].sum()) if conf[c].sum() else None) for c in range(n)}
    acc = int((pred == y).sum()) / len(y) if len(y) else None
    return dict(test_accuracy=acc, per_class_accuracy=per_class, confusion=conf.tolist(), labels=list(labels))


def fit(net, train_x, train_y, val_x, val_y, feature_fn, *, epochs, seed, progress, batch_size=BATCH_SIZE,
         lr=LR, patience=PATIENCE):
    """Adam + cosine schedule with augmentation; keeps the weights of the best validation epoch.

    Returns (history list of per-epoch dicts, best epoch number)."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    steps = max(1, epochs * -(-len(train_x) // batch_size))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    history, best, best_state, best_epoch = [], (-1.0, float("inf")), None, 0
    bar = tqdm(range(1, epochs + 1), desc="train", disable=not progress, leave=False, file=sys.stderr)
    for epoch in bar:
        epoch_start = time.perf_counter()
        net.train()
        perm = torch.randperm(len(train_x), generator=gen).to(train_x.device)
        tot_loss, tot_ok, tot_n = 0.0, 0, 0
        for i in range(0, len(perm), batch_size):
            idx = perm[i:i + batch_size]
            if len(idx) == 0:      # nothing left in this batch (cannot happen with decoded splits)
                continue
            with torch.no_grad():
                xb = augment(net.normalise(feature_fn(train_x[idx])), gen)
            yb = train_y[idx]
            logits = net(xb, normalised=True)
            loss = F.cross_entropy(logits, yb, label_smoothing=0.05)
            if not torch.isfinite(loss):
                raise RuntimeError(f"training stopped at epoch {epoch}, batch {i // batch_size + 1}: the loss is "
                                   f"{loss.item()} (features or weights not finite); nothing was written")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tot_loss += loss.item() * len(idx)
            tot_ok += int((logits.argmax(1) == yb).sum())
            tot_n += len(idx)
        val_logits = predict(net, val_x, feature_fn)
        val_loss = float(F.cross_entropy(val_logits, val_y)) if len(val_y) else float("nan")
        if len(val_y) and not np.isfinite(val_loss):
            raise RuntimeError(f"training stopped at epoch {epoch}: the validation loss is {val_loss} "
                               "(features or weights not finite); nothing was written")
        val_acc = float((val_logits.argmax(1) == val_y).float().mean()) if len(val_y) else float("nan")
        row = dict(epoch=epoch, train_loss=tot_loss / max(tot_n, 1), train_accuracy=tot_ok / max(tot_n, 1),
                   val_loss=val_loss, val_accuracy=val_acc, lr=sched.get_last_lr()[0],
                   seconds=time.perf_counter() - epoch_start)
        history.append(row)
        msg = (f"epoch {epoch:3d}  train loss {row['train_loss']:.4f} acc {row['train_accuracy']:.4f}  "
               f"val loss {val_loss:.4f} acc {val_acc:.4f}")
        if progress:
            tqdm.write(msg, file=sys.stderr)
        score = (val_acc if val_acc == val_acc else row["train_accuracy"], val_loss if val_loss == val_loss else 0)
        if score[0] > best[0] or (score[0] == best[0] and score[1] < best[1]):
            best, best_epoch = score, epoch
            best_state = copy.deepcopy(net.state_dict())
        elif epoch - best_epoch >= patience:
            break
    if best_state is not None:
        net.load_state_dict(best_state)
    net.eval()
    return history, best_epoch
