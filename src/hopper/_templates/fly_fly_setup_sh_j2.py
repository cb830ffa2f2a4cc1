# type: ignore
# ruff: noqa
# templates/fly/fly-setup.sh.j2 compiled by Jinja2 (hopper.templating.compiled_sources;
# HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py rewrites it).
# Used only while KEY equals hopper.templating.template_key() of the template.
KEY = 'be578fbf0ec4a654345cec4f46ff0d89c45e08ad496b7184fa00e5da749ece8b'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'fly/fly-setup.sh.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_project = resolve('project')
    l_0_source = resolve('source')
    l_0_org = resolve('org')
    l_0_region = resolve('region')
    l_0_apps = resolve('apps')
    l_0_private_apps = resolve('private_apps')
    l_0_databases = resolve('databases')
    l_0_stores = resolve('stores')
    l_0_upstash = resolve('upstash')
    l_0_build_vars = resolve('build_vars')
    l_0_scale_commands = resolve('scale_commands')
    l_0_scheduled_machines = resolve('scheduled_machines')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['list']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'list' found.")
    try:
        t_3 = environment.filters['map']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'map' found.")
    try:
        t_4 = environment.filters['selectattr']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'selectattr' found.")
    try:
        t_5 = environment.filters['sh']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'sh' found.")
    pass
    yield '#!/usr/bin/env bash\n# One-time Fly.io provisioning for '
    yield str((undefined(name='project') if l_0_project is missing else l_0_project))
    yield ', written by hopper from the '
    yield str((undefined(name='source') if l_0_source is missing else l_0_source))
    yield ' setup. See MIGRATION.md.\n#\n# By default this script only prints the commands it would run. To run them:\n#     HOPPER_APPLY=1 ./fly-setup.sh\n# Steps already done are skipped where flyctl can tell (apps, attachments, secrets, IPs).\n#\n# Secret values never appear in this file or on a command line. For each app, put NAME=value\n# lines in "$HOPPER_SECRETS_DIR/<folder>.env" (default folder: fly-secrets/, which hopper never\n# writes; keep it out of git), or export the names listed below before running: each value goes\n# to flyctl on stdin.\nset -euo pipefail\n\nAPPLY="${HOPPER_APPLY:-0}"\nORG="${HOPPER_FLY_ORG:-}"\nif [ -z "$ORG" ]; then ORG='
    yield str(t_5((undefined(name='org') if l_0_org is missing else l_0_org)))
    yield '; fi\nREGION="${HOPPER_FLY_REGION:-}"\nif [ -z "$REGION" ]; then REGION='
    yield str(t_5((undefined(name='region') if l_0_region is missing else l_0_region)))
    yield '; fi\nSECRETS_DIR="${HOPPER_SECRETS_DIR:-fly-secrets}"\nMISSING=0\n\nsay() { printf \'%s\\n\' "$*" >&2; }\n\n# Print a command (shell-quoted), and run it when HOPPER_APPLY=1.\nrun() {\n  printf \'+\'\n  printf \' %q\' "$@"\n  printf \'\\n\'\n  if [ "$APPLY" = 1 ]; then\n    "$@"\n  fi\n}\n\napplying() { [ "$APPLY" = 1 ]; }\n\napp_exists() { applying && flyctl status --app "$1" >/dev/null 2>&1; }\n\nhas_secret() {\n  applying && flyctl secrets list --app "$1" 2>/dev/null | awk \'NR > 1 { print $1 }\' | grep -qxF -- "$2"\n}\n\nhas_private_ip() {\n  applying && flyctl ips list --app "$1" 2>/dev/null | grep -qi \'private\'\n}\n\n'
    if t_2(context.eval_ctx, t_4(context, (undefined(name='apps') if l_0_apps is missing else l_0_apps), 'domains')):
        pass
        yield 'has_cert() {\n  applying && flyctl certs list --app "$1" 2>/dev/null | awk \'NR > 1 { print $1 }\' | grep -qxF -- "$2"\n}\n\n'
    yield 'create_app() {\n  if app_exists "$1"; then\n    say "app $1 exists; skipped"\n    return 0\n  fi\n  run flyctl apps create --name "$1" --org "$ORG"\n}\n\n# stage_secrets APP FOLDER NAME...: from $SECRETS_DIR/FOLDER.env if present, otherwise from the\n# operator\'s environment, one value at a time on stdin. Nothing is deployed yet (--stage).\nstage_secrets() {\n  local app=$1 folder=$2 name\n  shift 2\n  if [ -f "$SECRETS_DIR/$folder.env" ]; then\n    printf \'+ flyctl secrets import --stage --app %q < %q\\n\' "$app" "$SECRETS_DIR/$folder.env"\n    if applying; then\n      flyctl secrets import --stage --app "$app" <"$SECRETS_DIR/$folder.env"\n    fi\n    return 0\n  fi\n  for name in "$@"; do\n    if [ -n "${!name+x}" ]; then\n      # flyctl reads at most 64 KiB of a value from stdin: refuse a longer one by name.\n      if [ "$(printf \'%s\' "${!name}" | wc -c)" -gt 65536 ]; then\n        say "secret $name for $app is over 64 KiB, more than flyctl reads from stdin; set it another way"\n        MISSING=$((MISSING + 1))\n        continue\n      fi\n      printf \'+ printf %%s "$%s" | flyctl secrets set --stage --app %q %q\\n\' "$name" "$app" "$name=-"\n      if applying; then\n        printf \'%s\' "${!name}" | flyctl secrets set --stage --app "$app" "$name=-"\n      fi\n    elif has_secret "$app" "$name"; then\n      say "secret $name of $app is already set; skipped"\n    else\n      say "missing secret $name for $app: export it or add it to $SECRETS_DIR/$folder.env"\n      MISSING=$((MISSING + 1))\n    fi\n  done\n}\n\nif applying && ! command -v flyctl >/dev/null 2>&1; then\n  say "flyctl is not installed: https://fly.io/docs/flyctl/install/"\n  exit 1\nfi\n\nsay "== 1. Apps"\n'
    for l_1_app in (undefined(name='apps') if l_0_apps is missing else l_0_apps):
        _loop_vars = {}
        pass
        yield 'create_app '
        yield str(t_5(environment.getattr(l_1_app, 'name')))
        yield '\n'
    l_1_app = missing
    if (undefined(name='private_apps') if l_0_private_apps is missing else l_0_private_apps):
        pass
        yield '\nsay "== 2. Private addresses (Flycast) for apps only the front reaches"\n'
        for l_1_app in (undefined(name='private_apps') if l_0_private_apps is missing else l_0_private_apps):
            _loop_vars = {}
            pass
            yield 'if has_private_ip '
            yield str(t_5(environment.getattr(l_1_app, 'name')))
            yield '; then\n  say "app '
            yield str(environment.getattr(l_1_app, 'name'))
            yield ' has a private address; skipped"\nelse\n  run flyctl ips allocate-v6 --private --app '
            yield str(t_5(environment.getattr(l_1_app, 'name')))
            yield '\nfi\n'
        l_1_app = missing
    if (undefined(name='databases') if l_0_databases is missing else l_0_databases):
        pass
        yield '\nsay "== 3. PostgreSQL"\n'
        for l_1_db in (undefined(name='databases') if l_0_databases is missing else l_0_databases):
            l_1_db_volumes = resolve('db_volumes')
            _loop_vars = {}
            pass
            if environment.getattr(l_1_db, 'managed'):
                pass
                yield '# Managed Postgres cluster '
                yield str(environment.getattr(l_1_db, 'name'))
                yield ' (plan '
                yield str(environment.getattr(environment.getattr(l_1_db, 'mpg'), 'plan'))
                yield ', region '
                yield str(environment.getattr(environment.getattr(l_1_db, 'mpg'), 'region'))
                yield ').\nif applying && flyctl mpg list --org "$ORG" 2>/dev/null | grep -qwF -- '
                yield str(t_5(environment.getattr(l_1_db, 'name')))
                yield '; then\n  say "Postgres cluster '
                yield str(environment.getattr(l_1_db, 'name'))
                yield ' exists; skipped"\nelse\n  run flyctl mpg create --name '
                yield str(t_5(environment.getattr(l_1_db, 'name')))
                yield ' --org "$ORG" --region '
                yield str(t_5(environment.getattr(environment.getattr(l_1_db, 'mpg'), 'region')))
                yield ' --plan '
                yield str(t_5(environment.getattr(environment.getattr(l_1_db, 'mpg'), 'plan')))
                yield ' --volume-size '
                yield str(t_5(environment.getattr(environment.getattr(l_1_db, 'mpg'), 'volume_gb')))
                if environment.getattr(environment.getattr(l_1_db, 'mpg'), 'major_version'):
                    pass
                    yield ' --pg-major-version '
                    yield str(t_5(environment.getattr(environment.getattr(l_1_db, 'mpg'), 'major_version')))
                yield '\nfi\n'
                for (l_2_user, l_2_variable) in environment.getattr(l_1_db, 'users'):
                    _loop_vars = {}
                    pass
                    yield 'if has_secret '
                    yield str(t_5(l_2_user))
                    yield ' '
                    yield str(t_5(l_2_variable))
                    yield '; then\n  say "'
                    yield str(l_2_user)
                    yield ' already has '
                    yield str(l_2_variable)
                    yield '; skipped"\nelse\n  cluster_id="${HOPPER_MPG_CLUSTER_ID:-}"\n  if [ -z "$cluster_id" ] && applying; then\n    cluster_id=$(flyctl mpg list --org "$ORG" 2>/dev/null | awk -v n='
                    yield str(t_5(environment.getattr(l_1_db, 'name')))
                    yield ' \'{ for (i = 1; i <= NF; i++) if ($i == n) { print $1; exit } }\')\n  fi\n  if [ -z "$cluster_id" ] && applying; then\n    say "cannot find the id of cluster '
                    yield str(environment.getattr(l_1_db, 'name'))
                    yield ': run \'flyctl mpg list\' and rerun with HOPPER_MPG_CLUSTER_ID=<id>"\n    exit 1\n  fi\n  run flyctl mpg attach "${cluster_id:-<cluster-id>}" --app '
                    yield str(t_5(l_2_user))
                    yield ' --variable-name '
                    yield str(t_5(l_2_variable))
                    yield '\nfi\n'
                l_2_user = l_2_variable = missing
            else:
                pass
                yield '# Fly Postgres app '
                yield str(environment.getattr(l_1_db, 'name'))
                yield ' ('
                yield str(environment.getattr(l_1_db, 'cluster_size'))
                yield ' node(s)), not managed by Fly.\nif app_exists '
                yield str(t_5(environment.getattr(l_1_db, 'name')))
                yield '; then\n  say "Postgres app '
                yield str(environment.getattr(l_1_db, 'name'))
                yield ' exists; skipped"\nelse\n  run flyctl postgres create --name '
                yield str(t_5(environment.getattr(l_1_db, 'name')))
                yield ' --org "$ORG" --region "$REGION" --initial-cluster-size '
                yield str(t_5(environment.getattr(l_1_db, 'cluster_size')))
                yield ' --vm-size shared-cpu-1x --volume-size '
                yield str(t_5(environment.getitem((undefined(name='db_volumes') if l_1_db_volumes is missing else l_1_db_volumes), environment.getattr(l_1_db, 'name'))))
                yield '\nfi\n'
                for (l_2_user, l_2_variable) in environment.getattr(l_1_db, 'users'):
                    _loop_vars = {}
                    pass
                    yield 'if has_secret '
                    yield str(t_5(l_2_user))
                    yield ' '
                    yield str(t_5(l_2_variable))
                    yield '; then\n  say "'
                    yield str(l_2_user)
                    yield ' already has '
                    yield str(l_2_variable)
                    yield '; skipped"\nelse\n  run flyctl postgres attach '
                    yield str(t_5(environment.getattr(l_1_db, 'name')))
                    yield ' --app '
                    yield str(t_5(l_2_user))
                    yield ' --variable-name '
                    yield str(t_5(l_2_variable))
                    yield ' --yes\nfi\n'
                l_2_user = l_2_variable = missing
        l_1_db = l_1_db_volumes = missing
    if (undefined(name='stores') if l_0_stores is missing else l_0_stores):
        pass
        yield '\nsay "== 4. Object storage (Tigris)"\n'
        for l_1_store in (undefined(name='stores') if l_0_stores is missing else l_0_stores):
            _loop_vars = {}
            pass
            yield '# Object store '
            yield str(environment.getattr(l_1_store, 'label'))
            yield ' (Tigris): '
            yield str(t_1(context.eval_ctx, environment.getattr(l_1_store, 'buckets'), ' '))
            yield '\n'
            if environment.getattr(l_1_store, 'owner'):
                pass
                yield 'if has_secret '
                yield str(t_5(environment.getattr(l_1_store, 'owner')))
                yield ' BUCKET_NAME; then\n  say "'
                yield str(environment.getattr(l_1_store, 'owner'))
                yield ' already has a bucket; skipped"\nelse\n  run flyctl storage create --app '
                yield str(t_5(environment.getattr(l_1_store, 'owner')))
                yield ' --name '
                yield str(t_5(environment.getitem(environment.getattr(l_1_store, 'buckets'), 0)))
                if (environment.getitem(environment.getattr(l_1_store, 'buckets'), 0) in environment.getattr(l_1_store, 'public')):
                    pass
                    yield ' --public'
                yield '\nfi\n'
                for l_2_bucket in environment.getattr(l_1_store, 'buckets')[1:]:
                    _loop_vars = {}
                    pass
                    yield 'run flyctl storage create --org "$ORG" --name '
                    yield str(t_5(l_2_bucket))
                    if (l_2_bucket in environment.getattr(l_1_store, 'public')):
                        pass
                        yield ' --public'
                    yield '\n'
                l_2_bucket = missing
            else:
                pass
                for l_2_bucket in environment.getattr(l_1_store, 'buckets'):
                    _loop_vars = {}
                    pass
                    yield 'run flyctl storage create --org "$ORG" --name '
                    yield str(t_5(l_2_bucket))
                    if (l_2_bucket in environment.getattr(l_1_store, 'public')):
                        pass
                        yield ' --public'
                    yield '\n'
                l_2_bucket = missing
        l_1_store = missing
    if (undefined(name='upstash') if l_0_upstash is missing else l_0_upstash):
        pass
        yield '\nsay "== 4b. Redis (Upstash): flyctl redis create prints the URL; it sets no secret on the apps"\n'
        for l_1_r in (undefined(name='upstash') if l_0_upstash is missing else l_0_upstash):
            _loop_vars = {}
            pass
            yield '# Service '
            yield str(environment.getattr(l_1_r, 'service'))
            yield ' becomes Upstash Redis '
            yield str(environment.getattr(l_1_r, 'name'))
            yield ' (convert --redis upstash).\nif applying && flyctl redis status '
            yield str(t_5(environment.getattr(l_1_r, 'name')))
            yield ' >/dev/null 2>&1; then\n  say "Upstash Redis '
            yield str(environment.getattr(l_1_r, 'name'))
            yield ' exists; skipped (flyctl redis status '
            yield str(environment.getattr(l_1_r, 'name'))
            yield ' shows its URL)"\nelse\n  run flyctl redis create --name '
            yield str(t_5(environment.getattr(l_1_r, 'name')))
            yield ' --org "$ORG" --region "$REGION" --no-replicas --disable-eviction\nfi\n'
            for (l_2_user, l_2_folder, l_2_variable) in environment.getattr(l_1_r, 'users'):
                _loop_vars = {}
                pass
                yield 'say "set '
                yield str(l_2_variable)
                yield ' of '
                yield str(l_2_user)
                yield ' to the Redis URL shown above (or by flyctl redis status '
                yield str(environment.getattr(l_1_r, 'name'))
                yield '): add '
                yield str(l_2_variable)
                yield '=<url> to $SECRETS_DIR/'
                yield str(l_2_folder)
                yield '.env, or export '
                yield str(l_2_variable)
                yield '"\n'
            l_2_user = l_2_folder = l_2_variable = missing
        l_1_r = missing
    yield '\nsay "== 5. Secrets (staged: applied by the first deploy)"\n'
    for l_1_app in (undefined(name='apps') if l_0_apps is missing else l_0_apps):
        _loop_vars = {}
        pass
        if environment.getattr(l_1_app, 'runtime_secrets'):
            pass
            yield 'stage_secrets '
            yield str(t_5(environment.getattr(l_1_app, 'name')))
            yield ' '
            yield str(t_5(environment.getattr(l_1_app, 'folder')))
            for l_2_s in environment.getattr(l_1_app, 'runtime_secrets'):
                _loop_vars = {}
                pass
                yield ' '
                yield str(t_5(l_2_s))
            l_2_s = missing
            yield '\n'
        else:
            pass
            yield 'say "'
            yield str(environment.getattr(l_1_app, 'name'))
            yield ': no secrets to stage"\n'
    l_1_app = missing
    if (undefined(name='build_vars') if l_0_build_vars is missing else l_0_build_vars):
        pass
        yield '\n# Public build-time values the front\'s build inlines (build arguments, not secrets): from the\n# operator\'s environment, as the workflows take them from the GitHub variables of the same name.\nneed_build_var() {\n  if [ -z "${!1+x}" ]; then\n    say "missing build variable $1: export it (the workflow reads the GitHub variable $1)"\n    MISSING=$((MISSING + 1))\n  fi\n}\n'
        for l_1_v in (undefined(name='build_vars') if l_0_build_vars is missing else l_0_build_vars):
            _loop_vars = {}
            pass
            yield 'need_build_var '
            yield str(t_5(l_1_v))
            yield '\n'
        l_1_v = missing
    yield '\n'
    if (undefined(name='apps') if l_0_apps is missing else l_0_apps):
        pass
        yield 'say "== 6. Deploy tokens for GitHub Actions (needs the gh CLI; the token goes through a pipe)"\nif [ "${HOPPER_SET_GITHUB_SECRETS:-0}" = 1 ]; then\n'
        for l_1_app in (undefined(name='apps') if l_0_apps is missing else l_0_apps):
            _loop_vars = {}
            pass
            yield "  printf '+ flyctl tokens create deploy --app %q | gh secret set %q\\n' "
            yield str(t_5(environment.getattr(l_1_app, 'name')))
            yield ' '
            yield str(t_5(environment.getattr(l_1_app, 'token_secret')))
            yield '\n  if applying; then\n    flyctl tokens create deploy --app '
            yield str(t_5(environment.getattr(l_1_app, 'name')))
            yield ' | gh secret set '
            yield str(t_5(environment.getattr(l_1_app, 'token_secret')))
            yield '\n  fi\n'
        l_1_app = missing
        yield 'else\n  say "skipped: rerun with HOPPER_SET_GITHUB_SECRETS=1, or set'
        for l_1_app in (undefined(name='apps') if l_0_apps is missing else l_0_apps):
            _loop_vars = {}
            pass
            yield ' '
            yield str(environment.getattr(l_1_app, 'token_secret'))
        l_1_app = missing
        yield ' by hand"\nfi\n'
    yield '\nsay "== 7. First deploy (private apps first, the front last)"\nif [ "$MISSING" -gt 0 ]; then\n  if applying; then\n    say "$MISSING value(s) missing (listed above): nothing is deployed until they are set; rerun then (the steps done are skipped)"\n    exit 1\n  fi\n  say "$MISSING value(s) missing (listed above): with HOPPER_APPLY=1 the script stops here until they are set"\nfi\n'
    for l_1_app in (undefined(name='apps') if l_0_apps is missing else l_0_apps):
        l_1_deploy_commands = resolve('deploy_commands')
        _loop_vars = {}
        pass
        if environment.getattr(l_1_app, 'build_secrets'):
            pass
            yield '# '
            yield str(environment.getattr(l_1_app, 'name'))
            yield ' needs build secrets: it is deployed by its workflow, which has them.\nrun gh workflow run '
            yield str(t_5(str_join(('fly-deploy-', environment.getattr(l_1_app, 'folder'), '.yml', ))))
            yield '\n'
        else:
            pass
            yield 'run '
            yield str(environment.getitem((undefined(name='deploy_commands') if l_1_deploy_commands is missing else l_1_deploy_commands), environment.getattr(l_1_app, 'name')))
            yield '\n'
    l_1_app = l_1_deploy_commands = missing
    yield '\n'
    if (undefined(name='scale_commands') if l_0_scale_commands is missing else l_0_scale_commands):
        pass
        yield 'say "== 7b. Machine counts (flyctl\'s first deploy starts its own; MIGRATION.md, step 5)"\n'
        for l_1_command in (undefined(name='scale_commands') if l_0_scale_commands is missing else l_0_scale_commands):
            _loop_vars = {}
            pass
            yield 'run '
            yield str(t_1(context.eval_ctx, t_3(context, l_1_command, 'sh'), ' '))
            yield '\n'
        l_1_command = missing
        yield '\n'
    if (undefined(name='scheduled_machines') if l_0_scheduled_machines is missing else l_0_scheduled_machines):
        pass
        yield 'say "== 7c. Scheduled Machines: not in fly.toml, and flyctl deploy does not update their image"\n'
        for l_1_m in (undefined(name='scheduled_machines') if l_0_scheduled_machines is missing else l_0_scheduled_machines):
            _loop_vars = {}
            pass
            yield 'run flyctl machine run '
            yield str(t_5(environment.getattr(l_1_m, 'image')))
            for l_2_arg in environment.getattr(l_1_m, 'command'):
                _loop_vars = {}
                pass
                yield ' '
                yield str(t_5(l_2_arg))
            l_2_arg = missing
            yield ' --app '
            yield str(t_5(environment.getattr(l_1_m, 'job_app')))
            yield ' --schedule '
            yield str(t_5(environment.getattr(l_1_m, 'interval')))
            yield ' --region "$REGION" --name '
            yield str(t_5(environment.getattr(l_1_m, 'name')))
            yield '\n'
        l_1_m = missing
        yield '\n'
    if t_2(context.eval_ctx, t_4(context, (undefined(name='apps') if l_0_apps is missing else l_0_apps), 'domains')):
        pass
        yield 'say "== 8. Certificates for custom domains (DNS moves later: MIGRATION.md, step 7)"\n'
        for l_1_app in (undefined(name='apps') if l_0_apps is missing else l_0_apps):
            _loop_vars = {}
            pass
            for l_2_domain in environment.getattr(l_1_app, 'domains'):
                _loop_vars = {}
                pass
                yield 'if has_cert '
                yield str(t_5(environment.getattr(l_1_app, 'name')))
                yield ' '
                yield str(t_5(l_2_domain))
                yield '; then\n  say "certificate for '
                yield str(l_2_domain)
                yield ' on '
                yield str(environment.getattr(l_1_app, 'name'))
                yield ' exists; skipped"\nelse\n  run flyctl certs add '
                yield str(t_5(l_2_domain))
                yield ' --app '
                yield str(t_5(environment.getattr(l_1_app, 'name')))
                yield '\nfi\n'
            l_2_domain = missing
        l_1_app = missing
        yield '\n'
    yield 'say "done; next: MIGRATION.md, step 2 (copy the data)"\n'

blocks = {}
debug_info = '2=54&16=58&18=60&46=62&99=66&100=70&102=73&105=76&106=80&107=82&109=84&113=87&116=90&117=94&118=97&119=103&120=105&122=107&125=119&126=123&127=127&131=131&134=133&137=135&141=143&142=147&143=149&145=151&147=157&148=161&149=165&151=169&157=177&160=180&161=184&162=188&163=191&164=193&166=195&169=202&170=206&174=214&175=218&181=225&184=228&185=232&186=236&187=238&189=242&191=244&192=248&198=263&199=266&200=269&203=282&206=285&216=288&217=292&222=296&225=299&226=303&228=307&232=313&244=321&245=325&246=328&247=330&249=335&253=339&255=342&256=346&260=350&262=353&263=357&267=373&269=376&270=379&271=383&272=387&274=391'
