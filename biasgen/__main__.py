"""``python -m biasgen``: the same command line as the ``biasgen`` command (a Slurm job of an installed
biasgen runs ``PYTHON -P -m biasgen slurm-job``, since a node's PATH may not hold the console script)."""

import sys

from biasgen.cli import main

sys.exit(main())
