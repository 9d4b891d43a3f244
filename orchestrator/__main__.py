"""``python -m orchestrator``: the admin CLI."""

import sys

from orchestrator.cli import main

sys.exit(main())
