# type: ignore
# ruff: noqa
# templates/clevercloud/MIGRATION.md.j2 compiled by Jinja2 (hopper.templating.compiled_sources;
# HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py rewrites it).
# Used only while KEY equals hopper.templating.template_key() of the template.
KEY = '84e47a24eca8a9980d0ec52d3713056d7fa48adfac7bb3dfde5ab66ca5987b46'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'clevercloud/MIGRATION.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_project = resolve('project')
    l_0_apps = resolve('apps')
    l_0_addons = resolve('addons')
    l_0_derived = resolve('derived')
    l_0_buckets = resolve('buckets')
    l_0_databases = resolve('databases')
    l_0_others = resolve('others')
    l_0_stores = resolve('stores')
    l_0_cellar_host = resolve('cellar_host')
    l_0_secrets = resolve('secrets')
    l_0_release = resolve('release')
    l_0_schedules = resolve('schedules')
    l_0_health = resolve('health')
    l_0_domains = resolve('domains')
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
        t_3 = environment.filters['md']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'md' found.")
    pass
    yield '# Moving '
    yield str(t_3((undefined(name='project') if l_0_project is missing else l_0_project)))
    yield ' to Clever Cloud\n\nWritten by hopper. Follow the steps in order; each one can be checked before the next.\nCommands run from the repository root, with the files hopper wrote copied into it. Clever Cloud\nruns each app from its folder (`APP_FOLDER`): hooks run there and `CC_WEBROOT` is read from there.\n\n| app | runtime | folder | reached at | zone |\n|---|---|---|---|---|\n'
    for l_1_app in (undefined(name='apps') if l_0_apps is missing else l_0_apps):
        _loop_vars = {}
        pass
        yield '| `'
        yield str(t_3(environment.getattr(l_1_app, 'name')))
        yield '` (alias `'
        yield str(t_3(environment.getattr(l_1_app, 'label')))
        yield '`) | '
        yield str(t_3(environment.getattr(l_1_app, 'kind')))
        yield ' | `'
        yield str(t_3((environment.getattr(l_1_app, 'folder') or '.')))
        yield '/` | '
        if environment.getattr(l_1_app, 'reached'):
            pass
            yield str(t_3(t_1(context.eval_ctx, environment.getattr(l_1_app, 'reached'), ', ')))
        else:
            pass
            yield 'no domain (worker)'
        yield ' | '
        yield str(t_3(environment.getattr(l_1_app, 'region')))
        yield ' |\n'
    l_1_app = missing
    if (undefined(name='addons') if l_0_addons is missing else l_0_addons):
        pass
        yield '\n| add-on | provider | plan | linked to |\n|---|---|---|---|\n'
        for l_1_addon in (undefined(name='addons') if l_0_addons is missing else l_0_addons):
            _loop_vars = {}
            pass
            yield '| `'
            yield str(t_3(environment.getattr(l_1_addon, 'name')))
            yield '` | '
            yield str(t_3(environment.getattr(l_1_addon, 'provider')))
            yield ' | '
            yield str(t_3((environment.getattr(l_1_addon, 'plan') or 'default')))
            yield ' | '
            yield str((t_3(t_1(context.eval_ctx, environment.getattr(l_1_addon, 'users'), ', ')) or '-'))
            yield ' |\n'
        l_1_addon = missing
    yield '\n## 1. Provision\n\nEither with Terraform (the declarative form):\n\n```sh\ncd terraform\ncp terraform.tfvars.example terraform.tfvars   # fill it in; keep it out of git\nterraform init && terraform plan && terraform apply\n```\n\nor with the clever CLI (`clever login` first; needs jq):\n\n```sh\nfor f in clever-env/*.env.example; do cp "$f" "${f%.example}"; done   # fill them in; keep them out of git\n./clever-setup.sh            # prints every command, runs nothing\n./clever-setup.sh --apply    # runs them; running it again changes nothing\n```\n\nThe script creates the apps (their aliases land in `.clever.json`), creates and links the\nadd-ons (paid plans are confirmed with `--yes`; their cost is printed first), imports each app\'s\nenv file, then sets the variables whose values exist only once the add-ons do'
    if (undefined(name='derived') if l_0_derived is missing else l_0_derived):
        pass
        yield ' ('
        yield str(t_3(t_1(context.eval_ctx, (undefined(name='derived') if l_0_derived is missing else l_0_derived), ', ')))
        yield ')'
    yield '.\n'
    if (undefined(name='buckets') if l_0_buckets is missing else l_0_buckets):
        pass
        yield '\nCreate the bucket'
        yield str(('s' if (t_2((undefined(name='buckets') if l_0_buckets is missing else l_0_buckets)) > 1) else cond_expr_undefined("the inline if-expression on line 45 in 'clevercloud/MIGRATION.md.j2' evaluated to false and no else section was defined.")))
        yield " (Terraform does it; with the CLI, use the\nCellar add-on's keys from `clever addon env <add-on>`):\n\n```sh\n"
        for l_1_b in (undefined(name='buckets') if l_0_buckets is missing else l_0_buckets):
            _loop_vars = {}
            pass
            yield 's3cmd --host='
            yield str(environment.getattr(l_1_b, 'host'))
            yield ' --host-bucket='
            yield str(environment.getattr(l_1_b, 'host'))
            yield ' mb s3://'
            yield str(environment.getattr(l_1_b, 'name'))
            yield '\n'
        l_1_b = missing
        yield '```\n'
        def t_4(fiter):
            for l_1_b in fiter:
                if environment.getattr(l_1_b, 'policy'):
                    yield l_1_b
        for l_1_b in t_4((undefined(name='buckets') if l_0_buckets is missing else l_0_buckets)):
            _loop_vars = {}
            pass
            yield 'Bucket `'
            yield str(t_3(environment.getattr(l_1_b, 'name')))
            yield '` is public: `s3cmd --host='
            yield str(environment.getattr(l_1_b, 'host'))
            yield ' --host-bucket='
            yield str(environment.getattr(l_1_b, 'host'))
            yield ' setpolicy '
            yield str(environment.getattr(l_1_b, 'policy'))
            yield ' s3://'
            yield str(environment.getattr(l_1_b, 'name'))
            yield '`.\n'
        l_1_b = missing
    yield '\n## 2. Copy the PostgreSQL data\n'
    if (undefined(name='databases') if l_0_databases is missing else l_0_databases):
        pass
        yield '\nStop writes on the old platform first (maintenance mode, or stop the API). Then, with the target\nURI from `clever addon env <add-on>` (`POSTGRESQL_ADDON_URI`) exported as `TARGET_DATABASE_URL`:\n\n```sh\n# pg_dump must be at least as new as the source server; the add-on\'s version: POSTGRESQL_ADDON_VERSION.\npsql "$SOURCE_DATABASE_URL" -Atc \'show server_version\'\n'
        for l_1_db in (undefined(name='databases') if l_0_databases is missing else l_0_databases):
            _loop_vars = {}
            pass
            yield 'pg_dump --format=custom --no-owner --no-acl "$SOURCE_DATABASE_URL" > '
            yield str(t_3(l_1_db))
            yield '.dump\npg_restore --no-owner --no-acl --dbname "$TARGET_DATABASE_URL" '
            yield str(t_3(l_1_db))
            yield '.dump\n'
        l_1_db = missing
        yield 'psql "$TARGET_DATABASE_URL" -Atc \'select count(*) from <a table you know>\'\n```\n\nThe add-on\'s user owns one database and cannot create others; `--no-owner --no-acl` keeps the\nrestore within it. Small plans accept few connections (DEV: 5).\n'
    else:
        pass
        yield '\nNothing to copy: the source has no PostgreSQL database.\n'
    if (undefined(name='others') if l_0_others is missing else l_0_others):
        pass
        yield '\nOther add-ons ('
        yield str(t_3(t_1(context.eval_ctx, (undefined(name='others') if l_0_others is missing else l_0_others), ', ')))
        yield ") start empty: copy their data with the engine's own\ntools (`redis-cli --rdb` / `mongodump` / `mysqldump`), from the source to the URI in\n`clever addon env <add-on>`.\n"
    yield '\n## 3. Copy the objects\n'
    if (undefined(name='stores') if l_0_stores is missing else l_0_stores):
        pass
        yield '\n```sh\n# ~/.config/rclone/rclone.conf: the source as one S3 remote, Cellar as another:\n# [cellar]\n# type = s3\n# provider = Other\n# endpoint = https://'
        yield str((undefined(name='cellar_host') if l_0_cellar_host is missing else l_0_cellar_host))
        yield '\n# access_key_id = <CELLAR_ADDON_KEY_ID>\n# secret_access_key = <CELLAR_ADDON_KEY_SECRET>\n'
        for l_1_b in (undefined(name='buckets') if l_0_buckets is missing else l_0_buckets):
            _loop_vars = {}
            pass
            yield 'rclone sync source:<source bucket> cellar:'
            yield str(environment.getattr(l_1_b, 'name'))
            yield ' --checksum\nrclone size cellar:'
            yield str(environment.getattr(l_1_b, 'name'))
            yield '\n'
        l_1_b = missing
        yield '```\n\nCellar needs path-style addressing in some SDKs and a dummy region (`us-east-1`); recent AWS SDKs\nneed `requestChecksumCalculation: "WHEN_REQUIRED"`.\n'
    else:
        pass
        yield '\nNothing to copy: the source has no object storage.\n'
    yield "\n## 4. Environment and secrets\n\nSecrets are app env vars on Clever Cloud, visible to the organisation's members. Each app's\n`clever-env/<alias>.env` (or `terraform.tfvars`) holds them; hopper never fills a value.\n"
    if (undefined(name='secrets') if l_0_secrets is missing else l_0_secrets):
        pass
        yield 'Fill in: '
        yield str(t_3(t_1(context.eval_ctx, (undefined(name='secrets') if l_0_secrets is missing else l_0_secrets), ', ')))
        yield '.\n'
    yield 'Changing env vars needs a restart (`clever restart --alias <alias>`).\n'
    if (undefined(name='release') if l_0_release is missing else l_0_release):
        pass
        yield '\nMigrations run as `CC_PRE_RUN_HOOK` ('
        yield str(t_3(t_1(context.eval_ctx, (undefined(name='release') if l_0_release is missing else l_0_release), '; ')))
        yield '): at every instance start, not once per\ndeploy, so they must be idempotent.\n'
    if (undefined(name='schedules') if l_0_schedules is missing else l_0_schedules):
        pass
        yield '\nSchedules are in `clevercloud/cron.json` ('
        yield str((undefined(name='schedules') if l_0_schedules is missing else l_0_schedules))
        yield ' line'
        yield str(('s' if ((undefined(name='schedules') if l_0_schedules is missing else l_0_schedules) > 1) else cond_expr_undefined("the inline if-expression on line 126 in 'clevercloud/MIGRATION.md.j2' evaluated to false and no else section was defined.")))
        yield '): they run on every\ninstance of the app, in UTC; guard them with `INSTANCE_NUMBER` when the app has several.\n'
    yield '\n## 5. Deploy\n\n```sh\n'
    for l_1_app in (undefined(name='apps') if l_0_apps is missing else l_0_apps):
        _loop_vars = {}
        pass
        yield 'clever deploy --alias '
        yield str(environment.getattr(l_1_app, 'label'))
        yield '\n'
    l_1_app = missing
    yield "```\n\nClever builds from the pushed commit (git push to each app's remote). Watch with\n`clever logs --alias <alias>`; a deploy succeeds once the app answers on port 8080"
    if (undefined(name='health') if l_0_health is missing else l_0_health):
        pass
        yield ' and on its health check path'
    yield '.\n\n## 6. Smoke test\n\n'
    def t_5(fiter):
        for l_1_app in fiter:
            if environment.getattr(l_1_app, 'reached'):
                yield l_1_app
    for l_1_app in t_5((undefined(name='apps') if l_0_apps is missing else l_0_apps)):
        _loop_vars = {}
        pass
        yield '- `'
        yield str(t_3(environment.getattr(l_1_app, 'label')))
        yield '`: open https://'
        yield str(t_3(environment.getitem(environment.getattr(l_1_app, 'reached'), 0)))
        if (environment.getattr(l_1_app, 'kind') == 'static-apache'):
            pass
            yield ' and a deep link (SPA fallback)'
        yield '.\n'
    l_1_app = missing
    yield '- Check the logs for connection errors to the add-ons (`clever logs --alias <alias>`).\n\n## 7. DNS\n'
    if (undefined(name='domains') if l_0_domains is missing else l_0_domains):
        pass
        yield "\nFor each domain: add it (done by Terraform or clever-setup.sh), then point DNS at the zone's load\nbalancers. Lower the TTL a day before.\n\n| domain | app | record |\n|---|---|---|\n"
        for l_1_d in (undefined(name='domains') if l_0_domains is missing else l_0_domains):
            _loop_vars = {}
            pass
            yield '| `'
            yield str(t_3(environment.getattr(l_1_d, 'fqdn')))
            yield '` | `'
            yield str(t_3(environment.getattr(l_1_d, 'app')))
            yield '` | `CNAME domain.'
            yield str(environment.getattr(l_1_d, 'zone'))
            yield ".clever-cloud.com.` (an apex domain: the zone's A records, see Clever's domain-names page) |\n"
        l_1_d = missing
        yield "\nThe certificate (Let's Encrypt, HTTP-01) is issued once DNS points at Clever; behind Cloudflare,\nlet `/.well-known/acme-challenge` through.\n"
    else:
        pass
        yield '\nNo custom domain: the apps answer on their `*.cleverapps.io` domains.\n'
    yield '\n## 8. Rollback\n\nUntil DNS is switched, nothing changes for users: delete what was created\n(`terraform destroy`, or `clever delete --alias <alias>` and `clever addon delete <add-on>`).\nAfter the switch, point DNS back at the old platform (its records unchanged, TTL low), and copy\nback any data written on Clever in the meantime (pg_dump from `TARGET_DATABASE_URL`, rclone in the\nother direction) before re-opening writes there.\n'

blocks = {}
debug_info = '1=44&9=46&10=50&12=68&16=71&17=75&42=85&43=91&45=94&49=96&50=100&53=108&54=116&59=128&67=131&68=135&69=137&80=144&82=147&88=150&95=153&98=155&99=159&100=161&115=169&116=172&119=175&121=178&124=180&126=183&133=188&134=192&140=196&144=200&145=208&150=217&157=220&158=224'
