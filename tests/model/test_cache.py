"""Feature cache: miss, hit, invalidation by content and by config, atomic files."""
from __future__ import annotations

import torch

from features import create_extractor
from model.cache import FeatureCache
from model.datasets import load_splits
from model.train import dataset_features, waveform_matrix
from tests.floats import assert_rounding_close, same_bytes


def _all(splits):
    return [splits.train, splits.val, splits.test]


def test_miss_then_hit_same_values(tmp_path, cfg):
    data = load_splits("synthetic", limit=12).train
    cache = FeatureCache(tmp_path / "c")
    first = dataset_features("torchaudio", cfg, data, cache=cache)
    assert (cache.hits, cache.misses) == (0, 12)
    second = dataset_features("torchaudio", cfg, data, cache=cache)
    assert (cache.hits, cache.misses) == (12, 12)
    assert same_bytes(first, second)                               # a hit returns the stored bytes
    direct = create_extractor("torchaudio", cfg)(waveform_matrix(data, range(len(data)), cfg.sample_size))
    assert_rounding_close(first, direct)                                # batched otherwise: float32 rounding
    assert first.shape == (12, cfg.n_mfcc, cfg.n_frames())
    assert not list((tmp_path / "c").rglob(".*.partial-*"))        # atomic writes leave no temp files


def test_backend_and_config_are_part_of_the_key(tmp_path, cfg):
    data = load_splits("synthetic", limit=5).train
    cache = FeatureCache(tmp_path)
    dataset_features("torchaudio", cfg, data, cache=cache)
    dataset_features("librosa", cfg, data, cache=cache)
    dataset_features("torchaudio", cfg.replace(n_mels=64), data, cache=cache)
    assert (cache.hits, cache.misses) == (0, 15)


def test_editing_a_file_invalidates_its_entry(tmp_path, cfg, rng, tone_writer):
    write_tone = tone_writer
    root = tmp_path / "data"
    for c, f in (("a", 400), ("b", 2000)):
        for i in range(6):
            write_tone(root / c / f"{i}.wav", f, rng)
    cache = FeatureCache(tmp_path / "c")

    def run():
        s = load_splits("folder", data_dir=root, seed=0)
        return [dataset_features("librosa", cfg, d, cache=cache) for d in _all(s)]

    before = run()
    assert (cache.hits, cache.misses) == (0, 12)
    run()
    assert (cache.hits, cache.misses) == (12, 12)
    write_tone(root / "a" / "0.wav", 900, rng)                     # edit one file
    after = run()
    assert (cache.hits, cache.misses) == (23, 13)
    assert any(not torch.equal(x, y) for x, y in zip(before, after))


def test_unreadable_entry_is_recomputed(tmp_path, cfg):
    data = load_splits("synthetic", limit=3).train
    cache = FeatureCache(tmp_path)
    ref = dataset_features("torchaudio", cfg, data, cache=cache)
    next(tmp_path.rglob("*.npy")).write_bytes(b"garbage")
    again = dataset_features("torchaudio", cfg, data, cache=cache)
    assert cache.misses == 4 and sum(same_bytes(a, r) for a, r in zip(again, ref)) >= 2
    assert_rounding_close(again, ref)                                   # the recomputed clip ran alone


def test_batch_scoped_floor_is_per_clip(tmp_path):
    from features import MFCCConfig

    cfg = MFCCConfig.preset("librosa_defaults")                    # top_db_scope="batch"
    data = load_splits("synthetic", limit=4).train
    together = dataset_features("librosa", cfg, data, cache_dir=False)
    alone = torch.cat([dataset_features("librosa", cfg, data.subset([i]), cache_dir=False) for i in range(4)])
    # a floor taken across the batch would move a quiet clip by dB units; batching moves the last bits
    assert_rounding_close(together, alone)
