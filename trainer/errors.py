"""The one base class of mistakes the user can fix — a bad config, bad input, a busy sweep, too few CPUs,
a failed trial whose message says why.  Every such error's message is one line written for the user:
``launch.py`` catches ``UserError`` once and prints ``error: <message>`` with exit status 2; anything
else is a bug (a traceback) or a runtime fault (``OSError``: exit 1)."""


class UserError(Exception):
    pass
