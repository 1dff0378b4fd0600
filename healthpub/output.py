"""The output folder as readers and deployers see it: one writer at a time, and every tree in it
(site/, print/, report/) always one whole build, swapped in at once.

    output/.builds/7/site/…      the build before (kept for readers still reading it)
    output/.builds/8/site/…      the current build
    output/.current -> .builds/8 switched atomically (rename of a new symlink over it)
    output/site -> .current/site made once, never changed; likewise print and report

A web server serving output/site/ answers each request from the build before or the build after
the switch, never from neither and never from a half-written one. Files of a build are never
written again: an unchanged file is hard-linked into the next build.
"""

from __future__ import annotations

import contextlib
import fcntl
import filecmp
import hashlib
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

BUILDS = ".builds"
CURRENT = ".current"


@contextlib.contextmanager
def lock(cache: Path, command: str):
    """One command at a time writes output/, the cache and the catalogs: a second build, or `serve`
    and a build, waits for the first to finish (saying so) instead of mixing their files. The lock
    file names the `command` holding it, for the message."""
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another command"
            print(f"waiting for {holder} to finish with this project…", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.truncate(0)
        handle.write(f"pid {os.getpid()} ({command})")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def write(path: Path, data: bytes) -> None:
    """Write a file; a failure names it (write() itself says only "No space left on device")."""
    try:
        path.write_bytes(data)
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(path)) from None


def link(path: Path, target: Path) -> None:
    """`target` as another name of `path`, or a copy where they are on different file systems."""
    try:
        os.link(path, target)
    except OSError:
        copy(path, target)


def copy(path: Path, target: Path) -> None:
    try:
        shutil.copyfile(path, target)
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(target)) from None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file whole: a reader, or a write that fails half-way (a full disk), never leaves
    half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(partial, data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def current(output: Path) -> Path | None:
    """The folder of the build output/ shows now, if any."""
    link = output / CURRENT
    return output / BUILDS / os.readlink(link).rpartition("/")[2] if link.is_symlink() else None


def files(output: Path) -> dict[str, str]:
    """Every file output/ shows, by its name under output/ (site/en/index.html): its path, a string
    (a no-op build lists thousands, and pathlib would be most of its time)."""
    folder = current(output)
    if folder is None or not folder.is_dir():
        return {}
    root = str(folder)
    found = {}
    for top, _, names in os.walk(root):
        under = top[len(root) + 1:]
        for name in names:
            found[f"{under}/{name}" if under else name] = os.path.join(top, name)
    return found


def listing(output: Path) -> list[list]:
    """Every file output/ shows with what a rewrite or an edit changes: size, inode, modification time."""
    return [[name, (stat := os.stat(path)).st_size, stat.st_ino, stat.st_mtime_ns]
            for name, path in sorted(files(output).items())]


class Staging:
    """A build being written: each file goes into output/.builds/N/ as soon as it is made, so that
    memory does not grow with the site; a file equal to the current build's is hard-linked, not
    written again (readers and rsync see it unchanged). `commit` switches the build in at once. As a
    context manager, anything that stops the build first removes what it staged. With `only`
    ("report/"), the build replaces that tree alone and every other file stays."""

    def __init__(self, output: Path, only: str | None = None):
        self.output, self.only = output, only
        self.before = current(output)
        self.shown = files(output)
        builds = output / BUILDS
        builds.mkdir(parents=True, exist_ok=True)
        self.number = str(max((int(p.name) for p in builds.iterdir() if p.name.isdigit()), default=0) + 1)
        self.folder = builds / self.number
        self.names: set[str] = set()  # every file staged, by its name under output/
        self.changed: list[str] = []

    def __enter__(self) -> Staging:
        self.folder.mkdir()
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            (self.output / f"{CURRENT}.{self.number}").unlink(missing_ok=True)
            for empty in (self.output / BUILDS, self.output):  # a first build refused leaves no output/
                with contextlib.suppress(OSError):
                    empty.rmdir()

    def add(self, name: str, data: bytes | Path, cached: bool = False) -> Path:
        """`data`, or a copy of the file it names, as `name` under output/ ("site/en/index.html").
        A `cached` file, one that is never written again (the PDF cache's), is linked instead of
        copied: then the next build sees at once that it is the same file."""
        if name in self.names:  # two outputs of one build under one name: the second would replace the first
            raise ValueError(f"{name} is staged twice")
        target = self.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        old = self.shown.get(name)
        if old is not None and _same(old, data):
            os.link(old, target)
        else:
            if isinstance(data, bytes):
                write(target, data)
            else:
                (link if cached else copy)(data, target)
            self.changed.append(name)
        self.names.add(name)
        return target

    def carry(self, names: Iterable[str]) -> None:
        """Stage the current build's files `names` again, as they are: being its own, they are
        linked without a comparison (a report-only commit carries the whole site)."""
        folders = set()
        for name in names:
            if name in self.names:
                raise ValueError(f"{name} is staged twice")
            target = os.path.join(self.folder, name)
            folder = os.path.dirname(target)
            if folder not in folders:
                os.makedirs(folder, exist_ok=True)
                folders.add(folder)
            os.link(self.shown[name], target)
            self.names.add(name)

    def stage(self, name: str, made, inputs: tuple | None, make: Callable[[], str]) -> None:
        """Stage `name`: the current build's file again, if it still is what the same `inputs` made
        before (`made`, a cache.Table, keeps its hash), or else `make()` it now. Without inputs, it
        is made every time."""
        sha256 = made.get(*inputs) if inputs else None
        if sha256 is None or not self.keep(name, sha256):
            data = make().encode("utf-8")
            self.add(name, data)
            if inputs:
                made.put(hashlib.sha256(data).hexdigest(), *inputs)

    def keep(self, name: str, sha256: str) -> bool:
        """Stage the current build's `name` again, if its bytes still hash to `sha256` (what was
        made of the same inputs before); False if it does not, or is not there."""
        old = self.shown.get(name)
        if old is None or hashlib.sha256(Path(old).read_bytes()).hexdigest() != sha256:
            return False
        self.add(name, Path(old))  # the same file: linked
        return True

    def commit(self) -> list[str]:
        """Switch the staged build in; if nothing changed, nothing is touched. Returns the names
        that changed."""
        if self.only is not None:
            if not self.changed and self.names == {name for name in self.shown if name.startswith(self.only)}:
                shutil.rmtree(self.folder)
                return []  # the tree is as it was: the rest need not be linked to find that out
            self.carry(name for name in self.shown if not name.startswith(self.only))
        if not self.changed and self.names == set(self.shown):
            shutil.rmtree(self.folder)
            return []
        link = self.output / f"{CURRENT}.{self.number}"
        link.unlink(missing_ok=True)
        os.symlink(f"{BUILDS}/{self.number}", link)
        os.replace(link, self.output / CURRENT)  # the switch: atomic
        _link_trees(self.output, {name.partition("/")[0] for name in self.names})
        keep = {self.number, self.before.name if self.before else self.number}
        for old in (self.output / BUILDS).iterdir():  # the build before stays for readers still in it
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
        return sorted(self.changed)


def publish(files_: Iterable[tuple[str, bytes]], output: Path, only: str | None = None) -> list[str]:
    """Make output/ show exactly `files_` (name, data) as a new build switched in at once (see Staging)."""
    with Staging(output, only) as staging:
        for name, data in files_:
            staging.add(name, data)
        return staging.commit()


def _same(path: str, data: bytes | Path) -> bool:
    if isinstance(data, Path):
        return os.path.samefile(path, data) or filecmp.cmp(path, data, shallow=False)
    return os.stat(path).st_size == len(data) and Path(path).read_bytes() == data


def _link_trees(output: Path, trees: set[str]) -> None:
    """output/<tree> -> .current/<tree> for every tree of the build; a folder of an older layout of
    output/ is moved out of the way once."""
    for tree in trees:
        path = output / tree
        if path.is_symlink():
            continue
        if path.exists():
            stale = output / BUILDS / f"old-{tree}"
            shutil.rmtree(stale, ignore_errors=True)
            os.rename(path, stale)
            shutil.rmtree(stale, ignore_errors=True)
        os.symlink(f"{CURRENT}/{tree}", path)
    for path in output.iterdir():  # a tree no build has any more (output/report after report=False)
        if path.is_symlink() and path.name not in trees and os.readlink(path).startswith(f"{CURRENT}/"):
            path.unlink()
