"""``python -m geotorch``: the ``geotorch`` command, for environments where its script is not on PATH."""

import sys

from geotorch.core.cli import main

if __name__ == "__main__":
    sys.exit(main())
