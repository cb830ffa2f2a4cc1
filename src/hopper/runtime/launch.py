"""Start one Machine's process inside its namespace: ``python -m hopper.runtime.launch SPEC``.

``ip netns exec`` runs this in the Machine's network namespace and in a private mount
namespace (its mounts never reach the host). Here the files the image copies to fixed places
(``/etc/nginx/nginx.conf``, the static root) are bind-mounted over the host's, the working
directory and user are set, and the command replaces this process, so its pid is the
Machine's main process. SPEC is a JSON file the runtime wrote:
``{"argv": [...], "env": {...}, "cwd": "...", "binds": [[src, dst], ...], "user": "name"|null}``.
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    for source, target in spec.get("binds", []):
        done = subprocess.run(["mount", "--bind", source, target], capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            print(f"hopper launch: cannot mount {source} on {target}: {done.stderr.strip()}",
                  file=sys.stderr)
            return 126
    os.chdir(spec["cwd"])
    user = spec.get("user")
    if user:
        entry = pwd.getpwnam(user)
        os.setgroups([])
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)
    try:
        os.execvpe(spec["argv"][0], spec["argv"], spec["env"])
    except OSError as exc:
        print(f"hopper launch: cannot run {spec['argv'][0]}: {exc.strerror}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
