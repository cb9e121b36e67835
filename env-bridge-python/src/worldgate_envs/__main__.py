"""``python -m worldgate_envs <subcommand>``."""

import sys

from worldgate_envs.cli import main

if __name__ == "__main__":
    sys.exit(main())
