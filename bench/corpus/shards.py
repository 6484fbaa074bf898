"""The corpus job's files on disk: Parquet feature shards, per-shard completion markers, the manifest.

Layout of an output folder DIR (written by `python -m bench.corpus`):

    DIR/job.json                    backend, device, config, dataset, shard list; "complete": true at the end
    DIR/shards/shard-00003-<id>.parquet
                                    one row per featurised file: path (str), label (str), n_mfcc (int32),
                                    n_frames (int32), features (list<float32>, the (n_mfcc, n_frames)
                                    matrix flattened in C order)
    DIR/done/<id>.json              written after its shard: the shard's manifest rows (the marker of a
                                    complete shard; a shard without it is recomputed)
    DIR/manifest.csv                path, label, n_frames, skip_reason: a row per input file

Every file is written under a temporary name and renamed into place, so a killed job never leaves a
file that looks complete. Reading back, one call:

    from bench.corpus.shards import read_features
    paths, labels, feats = read_features("DIR")      # feats: np.ndarray (N, n_mfcc, n_frames)

or, on a cluster, `ray.data.read_parquet("DIR/shards")` (a row's features reshape to (n_mfcc, n_frames)).
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from common.atomic_write import atomic_path, write_text_atomic

MANIFEST_FIELDS = ("path", "label", "n_frames", "skip_reason")
SCHEMA = pa.schema([("path", pa.string()), ("label", pa.string()), ("n_mfcc", pa.int32()),
                    ("n_frames", pa.int32()), ("features", pa.list_(pa.float32()))])


class Features(NamedTuple):
    """What `read_features` returns: paths (list[str]), labels (list[str]) and features: np.ndarray
    float32 (N, n_mfcc, n_frames) where every clip has the same frame count, else a list of
    (n_mfcc, n_frames_i) arrays."""

    paths: list
    labels: list
    features: object


def shard_path(out, index: int, shard_id: str) -> Path:
    """DIR/shards/shard-{index:05d}-{shard_id}.parquet."""
    return Path(out) / "shards" / f"shard-{index:05d}-{shard_id}.parquet"


def done_path(out, shard_id: str) -> Path:
    """DIR/done/{shard_id}.json: the completion marker of a shard."""
    return Path(out) / "done" / f"{shard_id}.json"


def write_shard(path, paths: Sequence[str], labels: Sequence[str], features: Sequence[np.ndarray],
                metadata: dict) -> None:
    """Write one Parquet shard atomically (temporary name, then rename).

    Args:
        path (str | Path): the shard file.
        paths (Sequence[str]), labels (Sequence[str]): one per clip.
        features (Sequence[np.ndarray]): one (n_mfcc, n_frames_i) array per clip (stored as float32).
        metadata (dict): JSON-able job description kept in the file's key-value metadata ("job").
    """
    flat = [np.ascontiguousarray(f, dtype=np.float32).reshape(-1) for f in features]
    table = pa.table({
        "path": pa.array(list(paths), pa.string()),
        "label": pa.array(list(labels), pa.string()),
        "n_mfcc": pa.array([f.shape[0] for f in features], pa.int32()),
        "n_frames": pa.array([f.shape[1] for f in features], pa.int32()),
        "features": pa.array(flat, pa.list_(pa.float32())),
    }, schema=SCHEMA.with_metadata({"job": json.dumps(metadata, sort_keys=True)}))
    with atomic_path(path, suffix=".tmp") as tmp:
        pq.write_table(table, tmp)


def job_json(data: dict) -> str:
    """The text of a job description or completion marker (indented, keys sorted)."""
    return json.dumps(data, indent=1, sort_keys=True)


def read_done(out, shard_id: str):
    """The completion marker of shard `shard_id` as a dict, or None where it is absent or unreadable."""
    try:
        return json.loads(done_path(out, shard_id).read_text())
    except (OSError, ValueError):
        return None


def write_manifest(out, rows: Sequence[dict]) -> Path:
    """DIR/manifest.csv (atomically): columns path, label, n_frames, skip_reason; returns its path."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=MANIFEST_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in MANIFEST_FIELDS})
    path = Path(out) / "manifest.csv"
    return write_text_atomic(path, buf.getvalue())


def read_manifest(out) -> list:
    """Rows of DIR/manifest.csv as dicts of strings (n_frames and skip_reason empty where not set)."""
    with open(Path(out) / "manifest.csv", newline="") as f:
        return list(csv.DictReader(f))


def shard_files(out) -> list:
    """The shards of a finished job, in shard order: those job.json lists (never a temporary file)."""
    out = Path(out)
    job = json.loads((out / "job.json").read_text())
    files = [out / "shards" / name for name in job.get("shard_files", [])]
    return [f for f in files if f.is_file()]


def read_features(out) -> Features:
    """Read back every featurised clip of the job in `out`, in shard order.

    Args:
        out (str | Path): the job's output folder (holding job.json and shards/).

    Returns:
        Features(paths, labels, features): features is np.ndarray float32 (N, n_mfcc, n_frames) where
        the frame counts agree (any fixed-length config), else a list of (n_mfcc, n_frames_i) arrays.

    Raises:
        FileNotFoundError: `out` holds no job.json.
        ValueError: the job did not finish (job.json "complete" is false).
    """
    out = Path(out)
    job = json.loads((out / "job.json").read_text())
    if not job.get("complete"):
        raise ValueError(f"{out}: the corpus job there has not finished (re-run it to complete it)")
    paths, labels, feats = [], [], []
    for f in shard_files(out):
        t = pq.read_table(f)
        paths += t.column("path").to_pylist()
        labels += t.column("label").to_pylist()
        values = t.column("features").combine_chunks()
        flat = values.values.to_numpy(zero_copy_only=False)
        offsets = values.offsets.to_numpy()
        for i, (m, n) in enumerate(zip(t.column("n_mfcc").to_pylist(), t.column("n_frames").to_pylist())):
            feats.append(flat[offsets[i]:offsets[i + 1]].reshape(m, n))
    if feats and len({f.shape for f in feats}) == 1:
        return Features(paths, labels, np.stack(feats))
    if not feats:
        return Features(paths, labels, np.zeros((0, 0, 0), np.float32))
    return Features(paths, labels, feats)
