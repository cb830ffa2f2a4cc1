"""A stand-in for the `clever` CLI (clever-tools 4.x) that keeps state the way Clever does.

Only the commands clever-setup.sh uses, with the behaviour that matters for running it twice:

- ``create`` writes the app into ``.clever.json`` (or ``$APP_CONFIGURATION_FILE``) as
  clever-tools does, and refuses an alias that is already there;
- ``addon create`` happily creates a second add-on of the same name (as the API does: names are
  not unique), and stops without ``--yes`` on a paid plan, as the real prompt does without a tty;
- ``service link-addon`` and ``domain add`` fail when the link or the domain already exists;
- ``env import`` replaces all of an app's variables from stdin; ``env import-vars`` reads the
  values from its own environment; ``env --format json`` lists them with the linked add-ons'.

Every argv is appended to ``$FAKE_CLEVER_LOG``; the rest of the state lives in
``$FAKE_CLEVER_STATE`` (a JSON file).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

FREE_PLANS = {"dev", "S", ""}
ADDON_ENV = {
    "postgresql-addon": {"POSTGRESQL_ADDON_HOST": "bxyz-postgresql.services.clever-cloud.com",
                         "POSTGRESQL_ADDON_PORT": "50013", "POSTGRESQL_ADDON_DB": "bxyz",
                         "POSTGRESQL_ADDON_USER": "uxyz", "POSTGRESQL_ADDON_PASSWORD": "pg-pass-1",
                         "POSTGRESQL_ADDON_URI": "postgresql://uxyz:pg-pass-1@bxyz-postgresql.services.clever-cloud.com:50013/bxyz"},
    "cellar-addon": {"CELLAR_ADDON_HOST": "cellar-c2.services.clever-cloud.com",
                     "CELLAR_ADDON_KEY_ID": "KEYID1", "CELLAR_ADDON_KEY_SECRET": "cellar-secret-1"},
    "redis-addon": {"REDIS_HOST": "r-redis.services.clever-cloud.com", "REDIS_PORT": "4021",
                    "REDIS_PASSWORD": "redis-pass-1",
                    "REDIS_URL": "redis://:redis-pass-1@r-redis.services.clever-cloud.com:4021"},
}
_EXPERT = re.compile(r'^([A-Za-z_][A-Za-z0-9_.-]*)="((?:[^"\\]|\\.)*)"$')


def fail(message: str) -> None:
    print(f"[ERROR] {message}", file=sys.stderr)
    sys.exit(1)


def opt(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def positional(args: list[str]) -> list[str]:
    out, skip = [], False
    flags_with_value = {"--type", "--region", "--alias", "--org", "--plan", "--addon-version",
                        "--format", "-F", "--min-flavor", "--max-flavor", "--min-instances",
                        "--max-instances", "--build-flavor", "--link"}
    for arg in args:
        if skip:
            skip = False
        elif arg in flags_with_value:
            skip = True
        elif not arg.startswith("-"):
            out.append(arg)
    return out


def main(argv: list[str]) -> None:
    log = os.environ.get("FAKE_CLEVER_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps(argv) + "\n")
    state_file = Path(os.environ["FAKE_CLEVER_STATE"])
    state: dict[str, Any] = json.loads(state_file.read_text()) if state_file.exists() else {
        "addons": [], "links": {}, "env": {}, "domains": {}}
    apps_file = Path(os.environ.get("APP_CONFIGURATION_FILE", ".clever.json"))
    apps: dict[str, Any] = json.loads(apps_file.read_text()) if apps_file.exists() else {"apps": []}
    aliases = {a["alias"] for a in apps["apps"]}
    cmd, args = argv[:2], argv[2:]
    alias = opt(argv, "--alias")
    if alias is not None and cmd[0] not in ("create",) and alias not in aliases:
        fail(f"the application alias {alias} is not in {apps_file}")

    if cmd[0] == "create":
        if alias in aliases:
            fail(f"an application with the alias {alias} already exists")
        name = positional(argv[1:])[0]
        app_id = f"app_{len(apps['apps']) + 1:08d}"
        apps["apps"].append({"app_id": app_id, "org_id": opt(argv, "--org") or "user_1",
                             "deploy_url": f"https://push.example/{app_id}.git",
                             "git_ssh_url": f"git+ssh://push.example/{app_id}.git",
                             "name": name, "alias": alias})
        apps_file.write_text(json.dumps(apps, indent=2))
    elif cmd[0] in ("scale", "config"):
        pass
    elif cmd == ["addon", "list"]:
        print(json.dumps([{"addonId": a["id"], "name": a["name"], "providerId": a["provider"],
                           "planSlug": a["plan"]} for a in state["addons"]]))
    elif cmd == ["addon", "create"]:
        provider, name = positional(args)[:2]
        plan = opt(args, "--plan") or ""
        if plan not in FREE_PLANS and "--yes" not in args and "-y" not in args:
            fail("this add-on plan is not free: confirm with --yes (no tty to ask)")
        state["addons"].append({"id": f"addon_{len(state['addons']) + 1}", "name": name,
                                "provider": provider, "plan": plan})
    elif cmd[0] == "service" and len(cmd) > 1 and cmd[1] == "link-addon":
        name = positional(args)[0]
        if not any(a["name"] == name for a in state["addons"]):
            fail(f"no add-on named {name}")
        linked = state["links"].setdefault(alias, [])
        if name in linked:
            fail(f"add-on {name} is already linked")
        linked.append(name)
    elif cmd[0] == "service":
        linked = state["links"].get(alias, [])
        print(json.dumps({"applications": [], "addons": [
            {"id": a["id"], "name": a["name"], "isLinked": a["name"] in linked}
            for a in state["addons"]]}))
    elif cmd == ["env", "import"]:
        env: dict[str, str] = {}
        for line in sys.stdin.read().splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = _EXPERT.match(line)
            if m is None:
                fail(f"cannot parse env line {line!r}")
            assert m is not None
            env[m.group(1)] = m.group(2).replace('\\"', '"').replace("\\\\", "\\")
        state["env"][alias] = env
    elif cmd == ["env", "import-vars"]:
        for name in positional(args)[0].split(","):
            if name not in os.environ:
                fail(f"{name} is not set in the environment")
            state["env"].setdefault(alias, {})[name] = os.environ[name]
    elif cmd[0] == "env":
        from_addons = []
        for a in state["addons"]:
            if a["name"] in state["links"].get(alias, []):
                values = ADDON_ENV.get(a["provider"], {})
                from_addons.append({"addonId": a["id"], "addonName": a["name"],
                                    "env": [{"name": k, "value": v} for k, v in values.items()]})
        print(json.dumps({"env": [{"name": k, "value": v}
                                  for k, v in sorted(state["env"].get(alias, {}).items())],
                          "fromAddons": from_addons, "fromDependencies": []}))
    elif cmd == ["domain", "add"]:
        domain = positional(args)[0]
        domains = state["domains"].setdefault(alias, [])
        if domain in domains:
            fail(f"the domain {domain} is already used")
        domains.append(domain)
    elif cmd[0] == "domain":
        print(json.dumps([{"domainWithPathPrefix": d if "/" in d else d + "/"}
                          for d in state["domains"].get(alias, [])]))
    else:
        fail(f"the stand-in does not know `clever {' '.join(argv)}`")
    state_file.write_text(json.dumps(state, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
