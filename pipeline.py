#!/usr/bin/env python3
"""Command-line entry of the publishing pipeline: `.venv/bin/python pipeline.py --help`."""

import sys

from healthpub.cli import main

if __name__ == "__main__":
    sys.exit(main())
