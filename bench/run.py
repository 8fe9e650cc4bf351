"""The build benchmark: the single source of the speed and memory figures quoted in the README.

Run from the project folder:  .venv/bin/python bench/run.py  [--edition ardeche/2023]

It works on a copy of content/, data/ and layouts/ in a temporary folder, runs the real
command line, and prints then writes bench/results.json. Each time is measured twice: wall
time, and CPU seconds (the command and every process it started), which the other programs
of a shared machine disturb less. The runs:
- every edition built cold, one after the other: the slowest in CPU seconds is the one
  measured alone (unless --edition names one); then all of them with -j 2;
- the slowest edition built cold with caching and parallelism, and without them (the best of
  --repeat runs each, 3 by default: timings vary from run to run); the draft, in pieces;
- rebuild with nothing changed; after one paragraph edited (--repeat times, each a new
  sentence); after one data cell changed: final build, draft from the command line, and the
  preview's rebuild (a running process);
- peak memory of the slowest build; time of ``reportgen --help``;
- the layout floor (bench/floor.py): a synthetic report laid out by a plain WeasyPrint call and
  by Typst (when the ``bench`` extra is installed), per page, beside the final build's;
- the ratios the README quotes against their targets.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREVIEW = """
import json, sys, time
from pathlib import Path
from reportgen.workflows.preview import Preview
from reportgen.project import Project
preview = Preview(Project.find(), sys.argv[1])
chapter = Path(sys.argv[2])
text = chapter.read_text(encoding="utf-8")
times = []
for n in range(3):   # the first rebuild of a preview compiles the templates; the loop is what follows
    chapter.write_text(text + f"\\nParagraphe {n} écrit dans l'aperçu.\\n", encoding="utf-8")
    start = time.perf_counter()
    preview.rebuild()
    assert preview.error is None, preview.error
    times.append(time.perf_counter() - start)
print(json.dumps(round(max(times[1:]), 2)))   # the slower of the two
"""
PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def run(root: Path, *args: str, env: dict | None = None) -> dict[str, float]:
    """One command: its wall time and its CPU seconds, children included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reportgen", *args], check=True, capture_output=True,
                   env={**os.environ, "REPORTGEN_ROOT": str(root), **(env or {})})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": round(wall, 2), "cpu": round(cpu, 2)}


def each_pages(root: Path, edition: str) -> int:
    """The pages of an edition's final PDF, as last built."""
    import pikepdf

    slug = edition.replace("/", "-")
    pdf = next(p for p in (root / "build" / slug).glob("*.pdf") if not p.stem.endswith(("brouillon", "epreuve")))
    with pikepdf.open(pdf) as document:
        return len(document.pages)


def one_cell(csv: str, digit: str) -> str:
    """The first figure of the table's body with a digit put in front (the header stays as it is)."""
    header, _, body = csv.partition("\n")
    return header + "\n" + re.sub(r";(\d)", f";{digit}\\1", body, count=1)


def best(runs: list[dict[str, float]]) -> dict[str, object]:
    """The run with the least CPU, and every run."""
    kept = min(runs, key=lambda r: r["cpu"])
    return {**kept, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edition", help="the edition measured alone (default: the slowest)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each cold build and edit; the best is kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-") as tmp:
        root = Path(tmp)
        for folder in ("content", "data", "layouts"):
            shutil.copytree(ROOT / folder, root / folder)
        editions = sorted(f"{p.parent.parent.name}/{p.parent.name}" for p in (root / "content").glob("*/*/edition.yml"))
        results: dict[str, object] = {"date": time.strftime("%Y-%m-%d"),
                                      "machine": f"{platform.machine()}, {os.cpu_count()} cœurs, "
                                                 f"Python {platform.python_version()}"}
        each = {name: run(root, "build", name) for name in editions}     # cold, one after the other
        results["each_edition_cold"] = each
        results["all_sequential"] = {k: round(sum(e[k] for e in each.values()), 2) for k in ("wall", "cpu")}
        shutil.rmtree(root / "build")
        results["all_parallel_j2"] = run(root, "build", "-j", "2")
        edition = args.edition or max(each, key=lambda name: each[name]["cpu"])
        slug = edition.replace("/", "-")
        results["edition"] = edition
        runs = []
        for _ in range(args.repeat):
            shutil.rmtree(root / "build" / slug, ignore_errors=True)
            runs.append(run(root, "build", edition, env={"REPORTGEN_NO_CACHE": "1"}))
        results["cold_without_cache"] = best(runs)
        runs = []
        for _ in range(args.repeat):      # this machine's timings vary by ±15 % from run to run
            shutil.rmtree(root / "build" / slug)
            runs.append(run(root, "build", edition))
        results["cold"] = best(runs)
        results["unchanged"] = run(root, "build", edition)
        shutil.rmtree(root / "build" / slug)
        results["cold_draft"] = run(root, "build", "--draft", edition)
        results["unchanged_draft"] = run(root, "build", "--draft", edition)
        chapters = sorted((root / "content" / edition).glob("*.md"))
        chapter = chapters[len(chapters) // 2]        # a chapter in the middle of the report
        text = chapter.read_text(encoding="utf-8")
        chapter.write_text(text + "\nUn paragraphe ajouté pour la mesure.\n", encoding="utf-8")
        results["one_paragraph_draft"] = run(root, "build", "--draft", edition)
        done = subprocess.run([sys.executable, "-c", PREVIEW, edition, str(chapter)], capture_output=True,
                              text=True, check=True, env={**os.environ, "REPORTGEN_ROOT": str(root)})
        results["one_paragraph_preview_s"] = json.loads(done.stdout.strip().splitlines()[-1])
        chapter.write_text(text + "\nUn paragraphe ajouté pour la mesure finale.\n", encoding="utf-8")
        run(root, "build", edition)                  # the final build, warm, before the edits
        runs = []
        for n in range(args.repeat):
            chapter.write_text(text + f"\nUn paragraphe ajouté, mesure {n + 1}.\n", encoding="utf-8")
            runs.append(run(root, "build", edition))
        results["one_paragraph"] = best(runs)
        table = sorted((root / "data" / edition / "tables").glob("*.csv"))[0]
        csv = table.read_text(encoding="utf-8")
        table.write_text(one_cell(csv, "1"), encoding="utf-8")
        results["one_cell"] = run(root, "build", edition)
        table.write_text(one_cell(csv, "2"), encoding="utf-8")
        results["one_cell_draft"] = run(root, "build", "--draft", edition)
        shutil.rmtree(root / "build")
        done = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "reportgen", "build", edition],
                              capture_output=True, text=True, check=True,
                              env={**os.environ, "REPORTGEN_ROOT": str(root)})
        results["peak_memory_mb"] = round(int(done.stdout.strip().splitlines()[-1]) / 1024)
        results["help"] = run(root, "--help")
        sys.path.insert(0, str(ROOT / "bench"))
        from floor import measure as floor

        results["floor"] = floor(12)
        per_page = results["cold_without_cache"]["cpu"] / each_pages(root, edition)
        if results["floor"].get("typst"):
            results["floor"]["reportgen_final_cpu_per_page"] = round(per_page, 4)
            results["floor"]["reportgen_vs_typst_per_page"] = round(per_page / results["floor"]["typst"]["cpu_per_page"], 1)
        results["ratios"] = {
            # targets: ≤ 0.5, ≤ 0.25, ≥ 1.6; in wall time (what a user waits) and in CPU seconds
            # (parallel work costs the same CPU seconds or more: only fewer layouts lower them)
            "cold_vs_without_cache_wall": round(results["cold"]["wall"] / results["cold_without_cache"]["wall"], 2),
            "cold_vs_without_cache_cpu": round(results["cold"]["cpu"] / results["cold_without_cache"]["cpu"], 2),
            "one_paragraph_vs_cold_wall": round(results["one_paragraph"]["wall"] / results["cold"]["wall"], 2),
            "one_paragraph_vs_cold_cpu": round(results["one_paragraph"]["cpu"] / results["cold"]["cpu"], 2),
            "sequential_vs_j2_wall": round(results["all_sequential"]["wall"] / results["all_parallel_j2"]["wall"], 2),
            # the most -j 2 could gain: its CPU seconds spread evenly over the two cores, no wait at all
            "sequential_vs_j2_bound": round(results["all_sequential"]["wall"] / (results["all_parallel_j2"]["cpu"] / 2), 2),
            # cores a sequential build already keeps busy (pieces in parallel, web edition beside)
            "sequential_cores": round(results["all_sequential"]["cpu"] / results["all_sequential"]["wall"], 2),
        }
    for key, value in results.items():
        print(f"{key:<24} {value}")
    Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
