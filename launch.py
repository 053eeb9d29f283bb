#!/usr/bin/env python3
"""biasgen's command line from a checkout: ``python launch.py --help`` lists the subcommands.

The commands live in :mod:`biasgen.cli`, which an installed wheel runs as the ``biasgen`` command; this
script is the same ``main`` for a checkout, where this folder (the script's own) puts the packages on the path.
"""

import sys

from biasgen.cli import main

if __name__ == "__main__":
    sys.exit(main())
