"""Helpers that only measurements import: synthetic batches (batches), clip files (clip_files), the
agreement comparison (mfcc_agreement), the "ported" accuracy server (ported) and the settings study's
declarations (study_settings)."""
