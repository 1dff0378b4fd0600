"""Leaflets rendered on a Dask cluster (`build --scheduler`): the same PDFs as on this machine."""

from __future__ import annotations

import re
import socket

import pytest
from distributed import LocalCluster

from conftest import output_files, run


@pytest.fixture(scope="module")
def scheduler():
    # Worker processes, as on other machines: each imports the package and renders on its own.
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_a_cluster_renders_the_same_leaflets_as_this_machine(built, project, scheduler):
    result = run(project, "build", "--scheduler", scheduler)
    assert result.returncode == 0, result.stderr
    rendered = int(re.search(r"leaflets of (\d+) documents rendered", result.stdout)[1])
    assert rendered == len(list((project / "source").glob("*.md")))
    local, remote = output_files(built), output_files(project)
    leaflets = sorted(name for name in local if name.endswith((".pdf", ".webp")))
    assert leaflets and sorted(name for name in remote if name.endswith((".pdf", ".webp"))) == leaflets
    for name in leaflets:
        assert remote[name].read_bytes() == local[name].read_bytes(), name


def test_an_unreachable_scheduler_is_refused_in_one_line(project):
    with socket.socket() as free:  # a port nobody listens on
        free.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{free.getsockname()[1]}"
    result = run(project, "build", "--scheduler", address)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: --scheduler: cannot reach the Dask scheduler") and address in line
    assert not (project / "output" / "site").exists()
