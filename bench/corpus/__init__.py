"""The corpus job (`python -m bench.corpus`): featurise every file of a dataset on Ray.

    cli.py     the command line: options, the dataset's files, the Ray job and its summary
    engine.py  one shard's work (decode, resample, fix length, featurise) and the job's description
    shards.py  the output folder's layout: Parquet shards, the manifest, read_features to read them back
"""
