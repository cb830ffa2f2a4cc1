# type: ignore
# ruff: noqa
# templates/fly/MIGRATION.md.j2 compiled by Jinja2 (hopper.templating.compiled_sources;
# HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py rewrites it).
# Used only while KEY equals hopper.templating.template_key() of the template.
KEY = '6707db869294c9455303ae4dbab8e05ac35903c46c4b0d061bfb9bd3f4c2adf8'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'fly/MIGRATION.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_project = resolve('project')
    l_0_source = resolve('source')
    l_0_apps = resolve('apps')
    l_0_replaced = resolve('replaced')
    l_0_checked = resolve('checked')
    l_0_placements = resolve('placements')
    l_0_private = resolve('private')
    l_0_databases = resolve('databases')
    l_0_managed = resolve('managed')
    l_0_stores = resolve('stores')
    l_0_upstash = resolve('upstash')
    l_0_renamed = resolve('renamed')
    l_0_own_image = resolve('own_image')
    l_0_branches = resolve('branches')
    l_0_turbo_apps = resolve('turbo_apps')
    l_0_schedules = resolve('schedules')
    l_0_smoke_urls = resolve('smoke_urls')
    l_0_front = resolve('front')
    l_0_with_domains = missing
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_3 = environment.filters['list']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'list' found.")
    try:
        t_4 = environment.filters['map']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'map' found.")
    try:
        t_5 = environment.filters['md']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'md' found.")
    try:
        t_6 = environment.filters['selectattr']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No filter named 'selectattr' found.")
    pass
    yield '# Moving '
    yield str(t_5((undefined(name='project') if l_0_project is missing else l_0_project)))
    yield ' to Fly.io\n\nWritten by hopper from the '
    yield str(t_5((undefined(name='source') if l_0_source is missing else l_0_source)))
    yield ' setup. Follow the steps in order; each one can be\nchecked before the next. Commands assume the repository root, with the files hopper wrote\ncopied into it as the table below says.\n\n| app | folder | role | reached at | region |\n|---|---|---|---|---|\n'
    for l_1_app in (undefined(name='apps') if l_0_apps is missing else l_0_apps):
        l_1_region = resolve('region')
        _loop_vars = {}
        pass
        yield '| `'
        yield str(environment.getattr(l_1_app, 'name'))
        yield '` | `'
        yield str(environment.getattr(l_1_app, 'folder'))
        yield '/` | '
        yield str(environment.getattr(l_1_app, 'kind'))
        yield ' | '
        if environment.getattr(l_1_app, 'public'):
            pass
            yield 'https://'
            yield str(environment.getattr(l_1_app, 'name'))
            yield '.fly.dev'
        elif environment.getattr(l_1_app, 'http'):
            pass
            yield 'http://'
            yield str(environment.getattr(l_1_app, 'name'))
            yield '.flycast (private)'
        elif environment.getattr(l_1_app, 'tcp_port'):
            pass
            yield str(environment.getattr(l_1_app, 'name'))
            yield '.flycast:'
            yield str(environment.getattr(l_1_app, 'tcp_port'))
            yield ' (private TCP)'
        else:
            pass
            yield 'no HTTP'
        yield ' | '
        yield str((undefined(name='region') if l_1_region is missing else l_1_region))
        yield ' |\n'
    l_1_app = l_1_region = missing
    yield "\n## Where each file goes\n\nThe set is laid out as your repository's root: each file goes to the same path in the\nrepository, and this runbook need not go there. "
    if (undefined(name='replaced') if l_0_replaced is missing else l_0_replaced):
        pass
        yield '**Copying the set replaces '
        l_1_loop = missing
        for l_1_path, l_1_loop in LoopContext((undefined(name='replaced') if l_0_replaced is missing else l_0_replaced), undefined):
            _loop_vars = {}
            pass
            yield '`'
            yield str(l_1_path)
            yield '`'
            yield str((', ' if (not environment.getattr(l_1_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 16 in 'fly/MIGRATION.md.j2' evaluated to false and no else section was defined.")))
        l_1_loop = l_1_path = missing
        yield '**:\nkeep a copy if the '
        yield str(t_5((undefined(name='source') if l_0_source is missing else l_0_source)))
        yield ' setup still needs '
        yield str(('it' if (t_2((undefined(name='replaced') if l_0_replaced is missing else l_0_replaced)) == 1) else 'them'))
        yield '.'
    elif (undefined(name='checked') if l_0_checked is missing else l_0_checked):
        pass
        yield 'None of the files replaces one of yours: the\n'
        yield str(t_5((undefined(name='source') if l_0_source is missing else l_0_source)))
        yield ' setup keeps working from the same repository until the cut-over (step 7).'
    else:
        pass
        yield "hopper's files carry names of their own\n(`Dockerfile.fly`, `nginx.fly.conf`) and sit beside yours, so the "
        yield str(t_5((undefined(name='source') if l_0_source is missing else l_0_source)))
        yield ' setup keeps working\nfrom the same repository until the cut-over (step 7); `hopper convert --out <repository>` never\nwrites over a file of yours without `--force`.'
    yield '\n\n| file | in your repository |\n|---|---|\n'
    for (l_1_path, l_1_note) in (undefined(name='placements') if l_0_placements is missing else l_0_placements):
        _loop_vars = {}
        pass
        yield '| `'
        yield str(l_1_path)
        yield '` | '
        yield str(l_1_note)
        yield ' |\n'
    l_1_path = l_1_note = missing
    yield '\n## 1. Provision\n\n```sh\n./fly-setup.sh                 # prints what it would do\nHOPPER_APPLY=1 ./fly-setup.sh  # does it\n```\n\nIt creates the apps, '
    if (undefined(name='private') if l_0_private is missing else l_0_private):
        pass
        yield 'gives '
        yield str(t_1(context.eval_ctx, (undefined(name='private') if l_0_private is missing else l_0_private), ', '))
        yield ' a private Flycast address (no public IP), '
    if (undefined(name='databases') if l_0_databases is missing else l_0_databases):
        pass
        yield 'creates '
        if (undefined(name='managed') if l_0_managed is missing else l_0_managed):
            pass
            yield 'the Managed Postgres cluster'
        else:
            pass
            yield 'the Fly Postgres app'
        yield ' and attaches it, '
    if (undefined(name='stores') if l_0_stores is missing else l_0_stores):
        pass
        yield 'creates the Tigris bucket, '
    if (undefined(name='upstash') if l_0_upstash is missing else l_0_upstash):
        pass
        yield 'creates the Upstash Redis database'
        yield str(('s' if (t_2((undefined(name='upstash') if l_0_upstash is missing else l_0_upstash)) > 1) else ''))
        yield ', '
    yield 'stages the secrets and deploys once.\n'
    if (undefined(name='upstash') if l_0_upstash is missing else l_0_upstash):
        pass
        yield "\nRedis becomes **Upstash Redis** (`convert --redis upstash`): `flyctl redis create` prints the URL\nthe apps reach it at and sets no secret, so set it yourself before the deploy (the script stops\nwhile a secret is missing). Upstash has its own password: the source's Redis password, settings\nand data do not move (copy keys with `redis-cli --rdb` and a restore, or let the cache refill).\n\n| Upstash Redis | replaces | set on | from |\n|---|---|---|---|\n"
        l_1_loop = missing
        for l_1_r, l_1_loop in LoopContext((undefined(name='upstash') if l_0_upstash is missing else l_0_upstash), undefined):
            _loop_vars = {}
            pass
            yield '| `'
            yield str(environment.getattr(l_1_r, 'name'))
            yield '` | service `'
            yield str(environment.getattr(l_1_r, 'service'))
            yield '` | '
            l_2_loop = missing
            for (l_2_user, l_2_folder, l_2_variable), l_2_loop in LoopContext(environment.getattr(l_1_r, 'users'), undefined):
                _loop_vars = {}
                pass
                yield str(l_2_variable)
                yield ' of `'
                yield str(l_2_user)
                yield '`'
                yield str((', ' if (not environment.getattr(l_2_loop, 'last')) else ''))
            l_2_loop = l_2_user = l_2_folder = l_2_variable = missing
            if (not environment.getattr(l_1_r, 'users')):
                pass
                yield 'no app'
            yield ' | `flyctl redis status '
            yield str(environment.getattr(l_1_r, 'name'))
            yield '` (Private URL) |\n'
        l_1_loop = l_1_r = missing
    if ((undefined(name='managed') if l_0_managed is missing else l_0_managed) and (undefined(name='databases') if l_0_databases is missing else l_0_databases)):
        pass
        yield '\nManaged Postgres gives each attached app a **pooled** URL (PgBouncer in session mode). Migrations\nthat take advisory locks or use LISTEN/NOTIFY need the direct URL: copy it from\n`flyctl mpg status` into a `DIRECT_DATABASE_URL` secret and use it in the release command.\n'
    yield '\n## 2. Copy the PostgreSQL data\n'
    if (undefined(name='databases') if l_0_databases is missing else l_0_databases):
        pass
        yield '\n'
        for l_1_db in (undefined(name='databases') if l_0_databases is missing else l_0_databases):
            l_1_region = resolve('region')
            l_1_db_region = missing
            _loop_vars = {}
            pass
            l_1_db_region = (environment.getattr(environment.getattr(l_1_db, 'mpg'), 'region') if environment.getattr(l_1_db, 'mpg') else (undefined(name='region') if l_1_region is missing else l_1_region))
            _loop_vars['db_region'] = l_1_db_region
            yield '- `'
            yield str(environment.getattr(environment.getattr(l_1_db, 'database'), 'name'))
            yield '` moves to `'
            yield str((undefined(name='db_region') if l_1_db_region is missing else l_1_db_region))
            yield '`'
            if environment.getattr(l_1_db, 'managed'):
                pass
                yield ' (Managed Postgres)'
            if ((undefined(name='db_region') if l_1_db_region is missing else l_1_db_region) != (undefined(name='region') if l_1_region is missing else l_1_region)):
                pass
                yield ', while the apps run in `'
                yield str((undefined(name='region') if l_1_region is missing else l_1_region))
                yield '`: every query crosses regions'
            else:
                pass
                yield ", the apps' region"
            yield '.\n'
        l_1_db = l_1_region = l_1_db_region = missing
        yield '\nStop writes on the old platform first (maintenance mode, or scale the API to zero). Then:\n\n```sh\n# Versions: pg_dump must be at least as new as the source server, and the target must not be older.\npsql "$SOURCE_DATABASE_URL" -Atc \'show server_version\'\npg_dump --version\n'
        for l_1_db in (undefined(name='databases') if l_0_databases is missing else l_0_databases):
            _loop_vars = {}
            pass
            if environment.getattr(l_1_db, 'managed'):
                pass
                yield 'flyctl mpg proxy --cluster <cluster-id of '
                yield str(environment.getattr(l_1_db, 'name'))
                yield '> &   # local port 16380\npsql "postgresql://fly-user:<password>@localhost:16380/fly-db" -Atc \'show server_version\'\npg_dump --format=custom --no-owner --no-acl "$SOURCE_DATABASE_URL" > '
                yield str(environment.getattr(environment.getattr(l_1_db, 'database'), 'name'))
                yield '.dump\npg_restore --no-owner --no-acl --dbname "postgresql://fly-user:<password>@localhost:16380/fly-db" '
                yield str(environment.getattr(environment.getattr(l_1_db, 'database'), 'name'))
                yield '.dump\n'
            else:
                pass
                yield 'flyctl proxy 15432:5432 --app '
                yield str(environment.getattr(l_1_db, 'name'))
                yield ' &\npg_dump --format=custom --no-owner --no-acl "$SOURCE_DATABASE_URL" > '
                yield str(environment.getattr(environment.getattr(l_1_db, 'database'), 'name'))
                yield '.dump\npg_restore --no-owner --no-acl --dbname "postgres://postgres:<password>@localhost:15432/<database>" '
                yield str(environment.getattr(environment.getattr(l_1_db, 'database'), 'name'))
                yield '.dump\n'
        l_1_db = missing
        yield '```\n\nPasswords come from `flyctl mpg status` / the `postgres create` output; type them at a prompt or\nput them in `~/.pgpass` rather than on the command line.\n'
    else:
        pass
        yield '\nNothing to copy: the source has no PostgreSQL database.\n'
    yield '\n## 3. Copy the objects\n'
    if (undefined(name='stores') if l_0_stores is missing else l_0_stores):
        pass
        yield '\nEither let Tigris fetch objects lazily from the old bucket (a *shadow bucket*; no downtime):\n\n```sh\nflyctl storage update <bucket> --shadow-name <old-bucket> --shadow-endpoint <old-endpoint> \\\n  --shadow-region <old-region> --shadow-access-key <key-id> --shadow-secret-key <secret> \\\n  --shadow-write-through\n```\n\n(type this one yourself: the old key is on its command line), or copy everything once with\nrclone, whose credentials come from the environment:\n\n```sh\nexport RCLONE_CONFIG_OLD_TYPE=s3 RCLONE_CONFIG_OLD_PROVIDER=Other\nexport RCLONE_CONFIG_OLD_ENDPOINT=<old-endpoint> RCLONE_CONFIG_OLD_ACCESS_KEY_ID=<key-id>\nexport RCLONE_CONFIG_OLD_SECRET_ACCESS_KEY=<secret>\nexport RCLONE_CONFIG_FLY_TYPE=s3 RCLONE_CONFIG_FLY_PROVIDER=Other\nexport RCLONE_CONFIG_FLY_ENDPOINT=https://fly.storage.tigris.dev\nexport RCLONE_CONFIG_FLY_ACCESS_KEY_ID=<tigris key id> RCLONE_CONFIG_FLY_SECRET_ACCESS_KEY=<tigris secret>\n'
        for l_1_store in (undefined(name='stores') if l_0_stores is missing else l_0_stores):
            _loop_vars = {}
            pass
            for l_2_bucket in environment.getattr(l_1_store, 'buckets'):
                _loop_vars = {}
                pass
                yield 'rclone sync OLD:<old-bucket> FLY:'
                yield str(l_2_bucket)
                yield ' --checksum\n'
            l_2_bucket = missing
        l_1_store = missing
        yield '```\n'
    else:
        pass
        yield '\nNothing to copy: the source has no object storage.\n'
    yield '\n## 4. Set the secrets\n\n`fly-setup.sh` staged these from `fly-secrets/<folder>.env` or your environment; check with\n`flyctl secrets list --app <app>`:\n\n| app | secrets you provide | set by Fly |\n|---|---|---|\n'
    for l_1_app in (undefined(name='apps') if l_0_apps is missing else l_0_apps):
        l_1_fly_set = resolve('fly_set')
        _loop_vars = {}
        pass
        yield '| `'
        yield str(environment.getattr(l_1_app, 'name'))
        yield '` | '
        yield str((t_1(context.eval_ctx, t_4(context, environment.getattr(l_1_app, 'runtime_secrets'), 'md'), ', ') or 'none'))
        yield ' | '
        yield str((t_1(context.eval_ctx, environment.getitem((undefined(name='fly_set') if l_1_fly_set is missing else l_1_fly_set), environment.getattr(l_1_app, 'name')), ', ') or 'none'))
        yield ' |\n'
    l_1_app = l_1_fly_set = missing
    if (undefined(name='renamed') if l_0_renamed is missing else l_0_renamed):
        pass
        yield '\n### Names that changed\n\nYour code keeps reading the names it reads today; on Fly they are derived at boot from what Fly\nsets, by `hopper-env.sh`, which runs before the app starts:\n\n| app | your code reads | derived from |\n|---|---|---|\n'
        for (l_1_app_name, l_1_alias) in (undefined(name='renamed') if l_0_renamed is missing else l_0_renamed):
            _loop_vars = {}
            pass
            yield '| `'
            yield str(l_1_app_name)
            yield '` | `'
            yield str(environment.getattr(l_1_alias, 'variable'))
            yield '` | `'
            yield str(environment.getattr(l_1_alias, 'source'))
            yield '`'
            if (environment.getattr(l_1_alias, 'part') not in ('uri', 'endpoint', 'access_key', 'secret_key', 'bucket', 'region')):
                pass
                yield ' ('
                yield str(context.call(environment.getattr(environment.getattr(l_1_alias, 'part'), 'replace'), '_', ' ', _loop_vars=_loop_vars))
                yield ')'
            yield ' |\n'
        l_1_app_name = l_1_alias = missing
        if (undefined(name='own_image') if l_0_own_image is missing else l_0_own_image):
            pass
            yield '\n'
            yield str(t_1(context.eval_ctx, (undefined(name='own_image') if l_0_own_image is missing else l_0_own_image), ', '))
            yield ' '
            yield str(('is' if (t_2((undefined(name='own_image') if l_0_own_image is missing else l_0_own_image)) == 1) else 'are'))
            yield ' built from '
            yield str(('its' if (t_2((undefined(name='own_image') if l_0_own_image is missing else l_0_own_image)) == 1) else 'their'))
            yield ' own Dockerfile, which hopper\ndoes not change. Add the entrypoint there:\n\n```dockerfile\nCOPY --chmod=0755 <folder>/hopper-env.sh /usr/local/bin/hopper-env.sh\nENTRYPOINT ["/usr/local/bin/hopper-env.sh"]\n```\n'
    yield '\n## 5. Deploy\n\nPush to '
    yield str(t_1(context.eval_ctx, (undefined(name='branches') if l_0_branches is missing else l_0_branches), ' or '))
    yield ': each app has `.github/workflows/fly-deploy-<folder>.yml`, which\ndeploys it when its files change. Repository secrets they need:\n'
    for l_1_app in (undefined(name='apps') if l_0_apps is missing else l_0_apps):
        _loop_vars = {}
        pass
        yield '- `'
        yield str(environment.getattr(l_1_app, 'token_secret'))
        yield '` (`flyctl tokens create deploy --app '
        yield str(environment.getattr(l_1_app, 'name'))
        yield '`)'
        for l_2_s in environment.getattr(l_1_app, 'build_secrets'):
            _loop_vars = {}
            pass
            yield ', `'
            yield str(l_2_s)
            yield '`'
        l_2_s = missing
        yield '\n'
    l_1_app = missing
    yield '\n'
    if t_3(context.eval_ctx, t_6(context, (undefined(name='apps') if l_0_apps is missing else l_0_apps), 'build_vars')):
        pass
        yield "Repository variables (Settings → Variables) they pass as build arguments, because the front's\ncode reads them while it is built:\n"
        def t_7(fiter):
            for l_1_app in fiter:
                if environment.getattr(l_1_app, 'build_vars'):
                    yield l_1_app
        l_1_loop = missing
        for l_1_app, l_1_loop in LoopContext(t_7((undefined(name='apps') if l_0_apps is missing else l_0_apps)), undefined):
            _loop_vars = {}
            pass
            yield '- `'
            yield str(environment.getattr(l_1_app, 'name'))
            yield '`: '
            l_2_loop = missing
            for l_2_v, l_2_loop in LoopContext(environment.getattr(l_1_app, 'build_vars'), undefined):
                _loop_vars = {}
                pass
                yield '`'
                yield str(l_2_v)
                yield '`'
                yield str((', ' if (not environment.getattr(l_2_loop, 'last')) else ''))
            l_2_loop = l_2_v = missing
            yield '\n'
        l_1_loop = l_1_app = missing
        yield '\n'
    if (undefined(name='turbo_apps') if l_0_turbo_apps is missing else l_0_turbo_apps):
        pass
        yield 'turbo 2 runs tasks in strict environment mode: list the build variables and build secrets under\n`env` of the `build` task in `turbo.json` (for example `"env": ["VITE_*"]`), or they never reach\nthe build.\n\n'
    yield 'By hand: '
    l_1_loop = missing
    for l_1_app, l_1_loop in LoopContext((undefined(name='apps') if l_0_apps is missing else l_0_apps), undefined):
        l_1_deploy_commands = resolve('deploy_commands')
        _loop_vars = {}
        pass
        yield '`'
        yield str(environment.getitem((undefined(name='deploy_commands') if l_1_deploy_commands is missing else l_1_deploy_commands), environment.getattr(l_1_app, 'name')))
        yield '`'
        yield str((', then ' if (not environment.getattr(l_1_loop, 'last')) else '.'))
    l_1_loop = l_1_app = l_1_deploy_commands = missing
    yield '\n'
    if (undefined(name='schedules') if l_0_schedules is missing else l_0_schedules):
        pass
        yield "\n### Scheduled jobs\n\nThe source's cron jobs (times in UTC), and where each runs on Fly:\n\n| app | schedule | command | runs as |\n|---|---|---|---|\n"
        for l_1_entry in (undefined(name='schedules') if l_0_schedules is missing else l_0_schedules):
            _loop_vars = {}
            pass
            for l_2_job in environment.getattr(l_1_entry, 'jobs'):
                _loop_vars = {}
                pass
                yield '| `'
                yield str(environment.getattr(l_1_entry, 'app'))
                yield '` | `'
                yield str(environment.getattr(l_2_job, 'cron'))
                yield '` | '
                yield str(t_5(environment.getattr(l_2_job, 'command')))
                yield ' | '
                if environment.getattr(l_1_entry, 'supercronic'):
                    pass
                    yield 'supercronic, process group `cron` (`'
                    yield str(environment.getattr(l_1_entry, 'folder'))
                    yield '/crontab`)'
                else:
                    pass
                    yield 'scheduled Machine'
                yield ' |\n'
            l_2_job = missing
        l_1_entry = missing
        def t_8(fiter):
            for l_1_entry in fiter:
                if environment.getattr(l_1_entry, 'supercronic'):
                    yield l_1_entry
        for l_1_entry in t_8((undefined(name='schedules') if l_0_schedules is missing else l_0_schedules)):
            _loop_vars = {}
            pass
            yield '\n`'
            yield str(environment.getattr(l_1_entry, 'app'))
            yield '`: `fly-setup.sh` keeps one Machine in the `cron` group\n(`flyctl scale count cron=1 --app '
            yield str(environment.getattr(l_1_entry, 'app'))
            yield '`); with more, every job runs once per Machine.\nStop the jobs on the old platform when this group starts, or they run twice.\n'
        l_1_entry = missing
        def t_9(fiter):
            for l_1_entry in fiter:
                if (not environment.getattr(l_1_entry, 'supercronic')):
                    yield l_1_entry
        for l_1_entry in t_9((undefined(name='schedules') if l_0_schedules is missing else l_0_schedules)):
            _loop_vars = {}
            pass
            yield '\n`'
            yield str(environment.getattr(l_1_entry, 'app'))
            yield "`: each job is a Machine made by `flyctl machine run --schedule` in `fly-setup.sh`.\nFly starts it once per hour, day, week or month at a time it picks, not at the source's minute.\nThese Machines are **not in fly.toml**, and `flyctl deploy` does **not** update their image:\nafter each image change, destroy and recreate them (`flyctl machine list --app "
            yield str(environment.getattr(l_1_entry, 'app'))
            yield '`).\n'
        l_1_entry = missing
    yield '\n## 6. Smoke-test\n\n```sh\n'
    for l_1_url in (undefined(name='smoke_urls') if l_0_smoke_urls is missing else l_0_smoke_urls):
        _loop_vars = {}
        pass
        yield "curl -fsS -o /dev/null -w '%{http_code} "
        yield str(l_1_url)
        yield "\\n' "
        yield str(l_1_url)
        yield '\n'
    l_1_url = missing
    for l_1_app in (undefined(name='apps') if l_0_apps is missing else l_0_apps):
        _loop_vars = {}
        pass
        yield 'flyctl status --app '
        yield str(environment.getattr(l_1_app, 'name'))
        yield '\n'
    l_1_app = missing
    yield '```\n\nWatch `flyctl logs --app <app>` while you click through the site.\n\n## 7. Move the domain\n\n1. A day before, lower the TTL of the DNS records to 60 seconds.\n'
    l_0_with_domains = t_3(context.eval_ctx, t_6(context, (undefined(name='apps') if l_0_apps is missing else l_0_apps), 'domains'))
    context.vars['with_domains'] = l_0_with_domains
    context.exported_vars.add('with_domains')
    if (undefined(name='with_domains') if l_0_with_domains is missing else l_0_with_domains):
        pass
        yield '2. `fly-setup.sh` requested the certificates ('
        l_1_loop = missing
        for l_1_app, l_1_loop in LoopContext((undefined(name='with_domains') if l_0_with_domains is missing else l_0_with_domains), undefined):
            _loop_vars = {}
            pass
            l_2_loop = missing
            for l_2_d, l_2_loop in LoopContext(environment.getattr(l_1_app, 'domains'), undefined):
                _loop_vars = {}
                pass
                yield '`'
                yield str(l_2_d)
                yield '` on `'
                yield str(environment.getattr(l_1_app, 'name'))
                yield '`'
                yield str((', ' if (not environment.getattr(l_2_loop, 'last')) else ''))
            l_2_loop = l_2_d = missing
            yield str((', ' if (not environment.getattr(l_1_loop, 'last')) else ''))
        l_1_loop = l_1_app = missing
        yield ").\n   First create only the `_acme-challenge.<domain>` CNAME that `flyctl certs show <domain> --app <app>`\n   prints: Fly validates and issues the certificate while the domain still points at the old platform.\n3. The cut-over: when `flyctl certs show <domain> --app <app>` reports the certificate issued, switch\n   the domain's A and AAAA records (or its CNAME) to the values it prints. Keep the old platform\n   running until the old TTL has passed.\n"
    else:
        pass
        yield '2. `flyctl certs add <your domain> --app '
        yield str((undefined(name='front') if l_0_front is missing else l_0_front))
        yield '`, then create only the\n   `_acme-challenge.<your domain>` CNAME it prints: Fly validates and issues the certificate while\n   the domain still points at the old platform.\n3. The cut-over: when `flyctl certs show <your domain> --app '
        yield str((undefined(name='front') if l_0_front is missing else l_0_front))
        yield "` reports the certificate\n   issued, switch the domain's A and AAAA records (or its CNAME) to the values it prints. Keep the\n   old platform running until the old TTL has passed.\n"
    yield '4. Raise the TTL again once traffic has moved.\n\n## 8. Roll back\n\nUntil the old platform is switched off, rolling back is a DNS change: point the records back\n(the low TTL makes it quick). Data written on Fly after the cut-over must be copied back the\nsame way as step 2, in the other direction. A bad release on Fly alone is rolled back with\n`flyctl releases --app <app>` and `flyctl deploy --image <previous image> --config <folder>/fly.toml`.\n'

blocks = {}
debug_info = '1=67&3=69&9=71&10=76&16=106&17=119&18=126&19=131&26=134&27=138&37=144&38=149&39=159&40=168&49=172&50=176&53=197&61=201&63=204&64=209&65=212&74=230&75=233&76=236&78=238&79=240&81=245&82=247&83=249&96=257&116=260&117=263&118=267&134=276&135=281&137=288&146=291&147=295&149=308&151=311&163=318&165=320&166=324&170=338&173=341&174=350&179=364&185=369&187=379&195=382&196=385&197=389&200=406&202=414&203=416&206=419&208=427&211=429&218=433&219=437&221=442&222=446&231=450&232=453&233=457&240=477&243=479'
