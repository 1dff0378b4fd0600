"""Results reused while their inputs are unchanged: parsed documents, the catalog templates of each
domain, loaded catalogs, the QA of each catalog entry, each document's editorial review. A result
is what a pure function made of its inputs, so it is kept under a hash of those inputs and of the
code that made it (this package's files and the versions of the libraries it reads with): an edit
changes the hash, and the result is made again. Nothing is ever invalidated by hand.

A table is one file under .cache/, read whole at the start of a command and written at its end
with exactly the results that command used: the cache holds what the current files make, no more.
Commands that write it hold the project's lock (output.lock), one at a time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import pickle
from pathlib import Path

from . import output

# The code results depend on: every module of the package (a change anywhere may change any of
# them, and a release changes them all at once) and the libraries that parse and judge text.
CODE = hashlib.sha256(b"\0".join([
    *(p.read_bytes() for p in sorted(Path(__file__).parent.glob("*.py"))),
    *(f"{name} {importlib.metadata.version(name)}".encode()
      for name in ("markdown-it-py", "mdit-py-plugins", "PyYAML", "polib", "Babel", "Jinja2", "opencc",
                   "pyphen"))])).digest()


def digest(*inputs: bytes | str) -> bytes:
    """A hash of the inputs, each told apart from its neighbours by its length."""
    h = hashlib.sha256(CODE)
    for value in inputs:
        data = value.encode() if isinstance(value, str) else value
        h.update(len(data).to_bytes(8, "little") + data)
    return h.digest()


class Table:
    """One table of results, in a file: `table(compute, *inputs)` is `compute()`, or the value it
    gave for the same inputs before. Values are pickled when made, so a caller changing one later
    does not change what is kept. As a context manager, the table is saved when the block ends
    without an error."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.kept: dict[bytes, bytes] = pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            self.kept = {}  # a missing, damaged or older table: everything is made again
        self.used: dict[bytes, bytes] = {}

    def __call__(self, compute, *inputs: bytes | str):
        key = digest(*inputs)
        value = self._take(key)
        if value is None:
            value = compute()
            self._keep(key, value)
        return value

    def get(self, *inputs: bytes | str):
        """The value kept for these inputs, or None."""
        return self._take(digest(*inputs))

    def put(self, value, *inputs: bytes | str) -> None:
        self._keep(digest(*inputs), value)

    def _take(self, key: bytes):
        data = self.used.get(key) or self.kept.get(key)
        if data is None:
            return None
        self.used[key] = data
        return pickle.loads(data)

    def _keep(self, key: bytes, value) -> None:
        self.used[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def save(self, prune: bool = True) -> None:
        """Write the table: what this command used, and with `prune` false (a command that used
        only part of it) what it held before as well."""
        table = self.used if prune else {**self.kept, **self.used}
        if table != self.kept:
            output.write_atomic(self.path, pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
            self.kept = dict(table)

    def __enter__(self) -> Table:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.save()
