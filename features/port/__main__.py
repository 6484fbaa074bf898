"""`python -m features.port`: see features/port/cli.py."""
import sys

from .cli import main

sys.exit(main())
