"""The network benchmark: editions per minute on one machine and on a Dask cluster.

Run from the project folder:  .venv/bin/python bench/network.py  [--editions 20] [--workers 2]

It makes a synthetic network (``reportgen demo network``) from the reference editions in a
temporary folder, then builds all of it, from a clean build/ each time:
- in one process (``reportgen build``), the reference for every PDF;
- with ``reportgen build -j <workers>``;
- on a ``LocalCluster`` of <workers> processes, one thread each, through the function that
  ``reportgen build --cluster`` calls, in a process of its own (imports counted); then N tasks
  that carry the same inputs and bring back as many bytes as the outputs, but build nothing:
  the cost of the scheduler and the transfers per task.
Each time is measured twice, wall and CPU seconds (the command and what it started). Each PDF
of -j and of the cluster must be byte-identical to the one-process build. The per-edition cost
(each worker's build time and CPU) and a projection for 100 caisses on N workers are written
with the rest to bench/network-results.json: the only figures the README quotes.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = """
import json, logging, os, sys, time
os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
from distributed import Client, LocalCluster
from reportgen.network.cluster import _pack_inputs, build_on_cluster
from reportgen.project import Project

workers = int(sys.argv[1])
project = Project.find()
names = project.editions()
start = time.perf_counter()
cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                       silence_logs=logging.ERROR)
client = Client(cluster)
client.wait_for_workers(workers)
startup = time.perf_counter() - start
report = build_on_cluster(project, names, cluster.scheduler_address)
payloads = [_pack_inputs(project, name) for name in names]
back = [o.received for o in report.outcomes]

def carry(inputs, size):      # what a task costs without its build: inputs in, outputs' bytes out
    return bytes(size)

start = time.perf_counter()
client.gather([client.submit(carry, p, n, pure=False) for p, n in zip(payloads, back)])
noop = time.perf_counter() - start
client.close()
cluster.close()
print(json.dumps({"startup": startup, "wall": report.wall, "noop_wall": noop, "workers": report.workers,
                  "outcomes": [{"edition": o.edition, "ok": o.ok, "message": o.message, "pages": o.pages,
                                "seconds": o.seconds, "cpu": o.cpu, "worker": o.worker, "sent": o.sent,
                                "received": o.received, "retried": o.retried} for o in report.outcomes]}))
"""


def run(root: Path, *args: str, code: str | None = None) -> tuple[dict[str, float], str]:
    """One command (``reportgen …``, or a Python snippet): its wall time, CPU seconds with its
    children, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "reportgen", *args]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "REPORTGEN_ROOT": str(root)})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": round(wall, 2), "cpu": round(cpu, 2)}, done.stdout


def pdfs(root: Path) -> dict[str, str]:
    """The sha256 of each final PDF under build/, by edition folder."""
    return {p.parent.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "build").glob("*/rapport-activite-*.pdf"))
            if not p.stem.endswith(("brouillon", "epreuve"))}


def stamps(root: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((root / "build").glob("*/build-inputs.json"))}


def per_minute(count: int, wall: float) -> float:
    return round(count * 60 / wall, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editions", type=int, default=20, help="editions of the synthetic network")
    parser.add_argument("--workers", type=int, default=2, help="processes of -j and workers of the cluster")
    parser.add_argument("--output", default=str(ROOT / "bench" / "network-results.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reportgen-network-") as tmp:
        root = Path(tmp) / "reseau"
        run(ROOT, "demo", "network", str(args.editions), str(root))
        count = len(list((root / "content").glob("*/*/edition.yml")))
        results: dict[str, object] = {
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cœurs, Python {platform.python_version()}",
            "editions": count, "workers": args.workers,
            "network": f"reportgen demo network {args.editions}, from {', '.join(sorted(p.parent.parent.name + '/' + p.parent.name for p in (ROOT / 'content').glob('*/*/edition.yml')))}",
        }
        one, _ = run(root, "build")
        reference, built = pdfs(root), stamps(root)
        assert len(reference) == count, f"{len(reference)} PDF for {count} editions"
        one["editions_per_minute"] = per_minute(count, one["wall"])
        one["per_edition_s"] = {slug: stamp["seconds"] for slug, stamp in built.items()}
        results["one_process"] = one

        shutil.rmtree(root / "build")
        parallel, _ = run(root, "build", "-j", str(args.workers))
        parallel["editions_per_minute"] = per_minute(count, parallel["wall"])
        parallel["identical_pdfs"] = pdfs(root) == reference
        results[f"j{args.workers}"] = parallel

        shutil.rmtree(root / "build")
        measured, out = run(root, str(args.workers), code=CLUSTER)
        detail = json.loads(out.strip().splitlines()[-1])
        failed = [o for o in detail["outcomes"] if not o["ok"]]
        assert not failed, failed
        seconds = [o["seconds"] for o in detail["outcomes"]]
        cpus = [o["cpu"] for o in detail["outcomes"]]
        measured.update({
            "editions_per_minute": per_minute(count, measured["wall"]),
            "identical_pdfs": pdfs(root) == reference,
            "different": sorted(k for k, v in pdfs(root).items() if reference.get(k) != v),
            "startup_s": round(detail["startup"], 2),
            "tasks_wall_s": detail["wall"],
            "per_edition": detail["outcomes"],
        })
        results["cluster_local"] = measured
        workers = detail["workers"]
        mean = sum(seconds) / count
        # a task's cost beyond its build: on the cluster just measured, and with no build at all
        overhead_measured = max(0.0, (detail["wall"] * workers - sum(seconds)) / count)
        overhead_noop = detail["noop_wall"] * workers / count
        results["cost"] = {
            "build_s_mean": round(mean, 2), "build_s_max": max(seconds), "build_s_min": min(seconds),
            "build_cpu_mean": round(sum(cpus) / count, 2),
            "sent_kb_mean": round(sum(o["sent"] for o in detail["outcomes"]) / count / 1024, 1),
            "received_kb_mean": round(sum(o["received"] for o in detail["outcomes"]) / count / 1024, 1),
            "overhead_per_task_s": round(overhead_noop, 3),
            "overhead_per_task_in_run_s": round(overhead_measured, 3),
        }
        # T(E, N) ≈ startup + ⌈E / N⌉ × (c̄ + o), and never less than the slowest edition
        o = overhead_noop
        results["projection_100"] = {
            "formula": "T(E, N) = démarrage + ceil(E / N) × (c + o), au moins démarrage + c_max",
            **{str(n): round(max(detail["startup"] + math.ceil(100 / n) * (mean + o),
                                 detail["startup"] + max(seconds)) / 60, 1) for n in (1, 2, 4, 8, 16, 32, 100)},
            "unit": "minutes, for 100 editions on N workers of this machine's speed",
        }
    for key, value in results.items():
        print(f"{key:<16} {json.dumps(value, ensure_ascii=False)[:300]}")
    Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
