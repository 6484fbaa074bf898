"""Leave-one-speaker-out folds and the pooled-statistics logistic regression (the second classifier)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from model.fit import scores
from model.loso import Fold, join, loso_folds, speaker_of
from model.pooled import fit_pooled, pooled_statistics
from model.splits import WaveformDataset


def fsdd_like(speakers=("ann", "bob", "cy"), digits=3, takes=10) -> WaveformDataset:
    """Clips named <digit>_<speaker>_<take>.wav, a short noise burst each (distinct content keys)."""
    rng = np.random.default_rng(0)
    paths = [f"/x/{d}_{s}_{t}.wav" for s in speakers for d in range(digits) for t in range(takes)]
    waves = [rng.standard_normal(400).astype(np.float32) * 0.1 for _ in paths]
    return WaveformDataset(waves, [int(p.split("/")[-1][0]) for p in paths], paths, [str(d) for d in range(digits)])


def test_speaker_is_read_from_the_fsdd_name_and_anything_else_is_refused():
    assert speaker_of("/data/recordings/3_theo_12.wav") == "theo"
    with pytest.raises(ValueError, match="notes.wav: leave-one-speaker-out needs FSDD file names"):
        speaker_of("/data/notes.wav")


def test_each_speaker_is_held_out_once_and_never_trained_on():
    data = fsdd_like()
    folds = loso_folds(data)
    assert [f.speaker for f in folds] == ["ann", "bob", "cy"]
    for f in folds:
        test_who = {speaker_of(data.paths[i]) for i in f.test}
        seen = {speaker_of(data.paths[i]) for i in f.train + f.val}
        assert test_who == {f.speaker} and f.speaker not in seen and seen == {"ann", "bob", "cy"} - {f.speaker}
        assert len(f.test) == 30 and len(f.train) + len(f.val) == 60 and set(f.train).isdisjoint(f.val)
        # a tenth of each digit of the training speakers (20 clips per digit -> 2) goes to validation
        assert sorted(np.bincount([data.labels[i] for i in f.val]).tolist()) == [2, 2, 2]
    assert sorted(i for f in folds for i in f.test) == list(range(len(data)))


def test_fold_splits_hold_the_fold_clips():
    data = fsdd_like()
    fold = loso_folds(data, speakers=["bob"])[0]
    s = fold.splits(data)
    assert s.split == "loso:bob" and len(s.test) == 30 and all("_bob_" in p for p in s.test.paths)


@pytest.mark.parametrize("kw, message", [(dict(speakers=["zed"]), r"speakers=\['zed'\]: not in the data"),
                                         (dict(val_fraction=1.0), "val_fraction=1.0: must be strictly between")])
def test_bad_fold_arguments_are_refused(kw, message):
    with pytest.raises(ValueError, match=message):
        loso_folds(fsdd_like(), **kw)


def test_one_speaker_cannot_be_left_out():
    with pytest.raises(ValueError, match="at least two speakers"):
        loso_folds(fsdd_like(speakers=("ann",)))


def test_join_keeps_every_clip_in_order():
    data = fsdd_like()
    a, b = data.subset(range(5)), data.subset(range(5, 9))
    j = join(a, b)
    assert j.paths == data.paths[:9] and j.labels == data.labels[:9] and j.keys == data.keys[:9]


def test_pooled_statistics_are_mean_std_and_delta_stats_per_coefficient():
    t = torch.arange(8, dtype=torch.float32)
    feats = torch.stack([2 * t + 1, torch.full((8,), 3.0)])[None]         # (1, 2 coefficients, 8 frames)
    s = pooled_statistics(feats)
    assert s.shape == (1, 8)
    mean, std, dmean, dstd = s[0, :2], s[0, 2:4], s[0, 4:6], s[0, 6:8]
    assert torch.allclose(mean, torch.tensor([8.0, 3.0], dtype=torch.float64))
    assert torch.allclose(std, torch.tensor([float(np.std(2 * np.arange(8))), 0.0], dtype=torch.float64))
    # compute_deltas of a line of slope 2 is 2 away from the edges (replicate padding lowers the ends)
    assert 0 < dmean[0] < 2 and dmean[1] == 0 and dstd[1] == 0


def test_logreg_learns_classes_that_differ_in_their_mean_and_ignores_the_seed():
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(90) % 3
    feats = torch.randn(90, 4, 20, generator=gen) + y[:, None, None].float() * 1.5
    a = fit_pooled(feats, y, n_classes=3)
    torch.manual_seed(123)
    b = fit_pooled(feats, y, n_classes=3)
    assert torch.equal(a.linear.weight, b.linear.weight)       # zero start, full batch: one answer
    test = torch.randn(30, 4, 20, generator=gen) + (torch.arange(30) % 3)[:, None, None].float() * 1.5
    acc = scores(a(test), torch.arange(30) % 3, ["0", "1", "2"])["test_accuracy"]
    assert acc >= 0.9


def test_logreg_refuses_empty_input_and_other_coefficient_counts():
    with pytest.raises(ValueError, match="0 feature rows"):
        fit_pooled(torch.zeros(0, 4, 5), torch.zeros(0), n_classes=2)
    m = fit_pooled(torch.randn(6, 4, 5), torch.tensor([0, 1] * 3), n_classes=2)
    with pytest.raises(ValueError, match="features have 3 coefficients, the model was trained on 4"):
        m(torch.randn(2, 3, 5))


def test_fold_is_a_value():
    assert Fold("a", (0,), (1,), (2,)) == Fold("a", (0,), (1,), (2,))
