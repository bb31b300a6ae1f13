"""``python -m probkg.cli``: the same as the ``probkg`` command."""

from probkg.cli import main

main()
