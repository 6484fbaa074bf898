"""The bottom layer every package may import (standard library only): command-line option types and
checks (cli_options) and atomic file writing (atomic_write)."""
