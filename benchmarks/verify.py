"""Time `hopper verify` of a converted sample, from start to clean-up (issue 15's goal: <= 60 s).

    python benchmarks/verify.py [SAMPLE ...]     # as root on Linux; default: all three samples

Each sample is converted to Fly into a temporary folder, then `hopper verify OUT --source
SAMPLE` runs as a whole process (namespaces, PostgreSQL, the S3 server, the builds, nginx, the
API, every check, the clean-up). Prints one line per sample: wall time and exit code.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ("compose-webapp", "clevercloud-webapp", "monorepo-webapp")


def main(argv: list[str]) -> int:
    for sample in argv or SAMPLES:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            subprocess.run([sys.executable, "-m", "hopper", "--quiet", "convert", str(ROOT / "samples" / sample),
                            "--to", "fly", "--out", str(out)], check=True, capture_output=True)
            started = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "hopper", "--quiet", "verify", str(out),
                                   "--source", str(ROOT / "samples" / sample)],
                                  capture_output=True, text=True, check=False)
            elapsed = time.monotonic() - started
            print(f"{sample:20} {elapsed:6.1f} s  exit {done.returncode}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
