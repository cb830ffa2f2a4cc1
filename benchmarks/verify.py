"""Time `hopper verify` of a converted sample, from start to clean-up (issue 15's goal: <= 60 s).

    python benchmarks/verify.py [--as-user UID] [SAMPLE ...]   # as root on Linux; default: all three samples

Each sample is converted to Fly into a temporary folder, then `hopper verify OUT --source
SAMPLE` runs as a whole process (namespaces, PostgreSQL, the S3 server, the builds, nginx, the
API, every check, the clean-up). Prints one line per sample: wall time and exit code.

``--as-user UID`` runs `hopper verify` as that unprivileged user instead (in user namespaces),
through tests/runtime/as_user.py, which makes this Python reachable for the user in a private
mount namespace; the set, the sample and a copy of hopper sit in a folder any user can read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ("compose-webapp", "clevercloud-webapp", "monorepo-webapp")
AS_USER = ROOT / "tests" / "runtime" / "as_user.py"


def main(argv: list[str]) -> int:
    user = None
    if argv[:1] == ["--as-user"]:
        user, argv = argv[1], argv[2:]
    for sample in argv or SAMPLES:
        with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
            base = Path(tmp)
            os.chmod(base, 0o755)
            out, source, env = base / "out", ROOT / "samples" / sample, dict(os.environ)
            subprocess.run([sys.executable, "-m", "hopper", "--quiet", "convert", str(source),
                            "--to", "fly", "--out", str(out)], check=True, capture_output=True)
            command = [sys.executable, "-m", "hopper", "--quiet", "verify", str(out), "--source"]
            if user is None:
                command.append(str(source))
            else:
                shutil.copytree(source, base / "source", ignore=shutil.ignore_patterns("node_modules"))
                shutil.copytree(ROOT / "src" / "hopper", base / "src" / "hopper",
                                ignore=shutil.ignore_patterns("__pycache__"))
                shutil.copytree(ROOT / "mappings", base / "src" / "hopper" / "mappings")
                (base / "mnt").mkdir()
                subprocess.run(["chmod", "-R", "a+rX", str(base)], check=True)
                env.update(PYTHONPATH=str(base / "src"), HOME=str(base))
                command = ["unshare", "--mount", sys.executable, str(AS_USER), user, str(base / "mnt"), "--",
                           *command, str(base / "source")]
            started = time.monotonic()
            done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=base, env=env)
            elapsed = time.monotonic() - started
            print(f"{sample:20} {elapsed:6.1f} s  exit {done.returncode}"
                  + (f"  (as uid {user})" if user else ""), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
