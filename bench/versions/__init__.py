"""The version matrix: does a new librosa or torch change the features, the accuracy of a model trained on
the locked stack, or the speed? `python -m bench.versions` (make bench-versions) builds one isolated
environment per combination (combos.py, envs.py), runs worker.py inside each, and compares what each wrote
with the locked stack's (compare.py, driver.py).
"""
