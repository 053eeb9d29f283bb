"""biasgen's command line (:mod:`biasgen.cli`); the library is the ``trainer``, ``sweeps`` and ``cluster``
packages, which never import this one."""
