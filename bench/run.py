"""The build benchmark: the single source of the speed and memory figures quoted in the README.

Run from the project folder:  .venv/bin/python bench/run.py  [--edition lille-douai/2019]

It works on a copy of content/, data/ and layouts/ in a temporary folder, runs the real
command line, and prints then writes bench/results.json:
- cold build of the largest edition, with caching and parallel charts (the best of --repeat
  runs, 3 by default: timings vary from run to run), and without them;
  and the draft, laid out in pieces on every core;
- rebuild with nothing changed; after one paragraph edited; after one data cell changed:
  final build, draft from the command line, and the preview's rebuild (a running process);
- every edition, one after the other and with -j 2;
- peak memory of the largest build; time of ``reportgen --help``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
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
from reportgen.preview import Preview
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


def run(root: Path, *args: str, env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reportgen", *args], check=True, capture_output=True,
                   env={**os.environ, "REPORTGEN_ROOT": str(root), **(env or {})})
    return round(time.perf_counter() - start, 2)


def largest(root: Path) -> str:
    sizes = {f"{p.parent.parent.name}/{p.parent.name}": sum(f.stat().st_size for f in p.parent.rglob("*.md"))
             for p in (root / "content").glob("*/*/edition.yml")}
    return max(sizes, key=sizes.get)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edition", help="the edition measured alone (default: the largest)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--repeat", type=int, default=3, help="cold builds measured; the best one is kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-") as tmp:
        root = Path(tmp)
        for folder in ("content", "data", "layouts"):
            shutil.copytree(ROOT / folder, root / folder)
        edition = args.edition or largest(root)
        slug = edition.replace("/", "-")
        results: dict[str, object] = {"edition": edition, "date": time.strftime("%Y-%m-%d"),
                                      "machine": f"{platform.machine()}, {os.cpu_count()} cœurs, "
                                                 f"Python {platform.python_version()}"}
        results["cold_without_cache_s"] = run(root, "build", edition, env={"REPORTGEN_NO_CACHE": "1"})
        colds = []
        for _ in range(args.repeat):      # this machine's timings vary by ±15 % from run to run
            shutil.rmtree(root / "build" / slug)
            colds.append(run(root, "build", edition))
        results["cold_s"] = min(colds)
        results["cold_runs_s"] = colds
        results["unchanged_s"] = run(root, "build", edition)
        shutil.rmtree(root / "build" / slug)
        results["cold_draft_s"] = run(root, "build", "--draft", edition)
        results["unchanged_draft_s"] = run(root, "build", "--draft", edition)
        chapters = sorted((root / "content" / edition).glob("*.md"))
        chapter = chapters[len(chapters) // 2]        # a chapter in the middle of the report
        text = chapter.read_text(encoding="utf-8")
        chapter.write_text(text + "\nUn paragraphe ajouté pour la mesure.\n", encoding="utf-8")
        results["one_paragraph_draft_s"] = run(root, "build", "--draft", edition)
        done = subprocess.run([sys.executable, "-c", PREVIEW, edition, str(chapter)], capture_output=True,
                              text=True, check=True, env={**os.environ, "REPORTGEN_ROOT": str(root)})
        results["one_paragraph_preview_s"] = json.loads(done.stdout.strip().splitlines()[-1])
        chapter.write_text(text + "\nUn paragraphe ajouté pour la mesure finale.\n", encoding="utf-8")
        run(root, "build", edition)                  # the final build, warm, before the edit
        chapter.write_text(text + "\nUn paragraphe ajouté, deuxième mesure.\n", encoding="utf-8")
        results["one_paragraph_s"] = run(root, "build", edition)
        table = sorted((root / "data" / edition / "tables").glob("*.csv"))[0]
        csv = table.read_text(encoding="utf-8")
        table.write_text(re.sub(r";(\d)", r";1\1", csv, count=1), encoding="utf-8")
        results["one_cell_s"] = run(root, "build", edition)
        table.write_text(re.sub(r";(\d)", r";2\1", csv, count=1), encoding="utf-8")
        results["one_cell_draft_s"] = run(root, "build", "--draft", edition)
        shutil.rmtree(root / "build")
        results["all_sequential_s"] = run(root, "build")
        shutil.rmtree(root / "build")
        results["all_parallel_j2_s"] = run(root, "build", "-j", "2")
        shutil.rmtree(root / "build")
        done = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "reportgen", "build", edition],
                              capture_output=True, text=True, check=True,
                              env={**os.environ, "REPORTGEN_ROOT": str(root)})
        results["peak_memory_mb"] = round(int(done.stdout.strip().splitlines()[-1]) / 1024)
        results["help_s"] = run(root, "--help")
    for key, value in results.items():
        print(f"{key:<24} {value}")
    Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
