# type: ignore
# ruff: noqa
# templates/render/RENDER.md.j2 compiled by Jinja2 (hopper.templating.compiled_sources;
# HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py rewrites it).
# Used only while KEY equals hopper.templating.template_key() of the template.
KEY = '1f00fb4b536ee3963dcaeb219531b6229c03607a1d94cbce1b75a3a397041b3d'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'render/RENDER.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_arch = resolve('arch')
    l_0_services = resolve('services')
    l_0_databases = resolve('databases')
    l_0_region = resolve('region')
    l_0_front = resolve('front')
    l_0_guesses = resolve('guesses')
    l_0_secrets = resolve('secrets')
    l_0_stores = resolve('stores')
    try:
        t_1 = environment.filters['default']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'default' found.")
    try:
        t_2 = environment.filters['md']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'md' found.")
    try:
        t_3 = environment.tests['defined']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'defined' found.")
    pass
    yield '# Moving '
    yield str(t_2(environment.getattr((undefined(name='arch') if l_0_arch is missing else l_0_arch), 'name')))
    yield ' to Render\n\nWritten by hopper. `render.yaml` is a Render Blueprint: commit it at the repository root, then\ncreate the Blueprint in the Render dashboard (New → Blueprint) from this repository.\n\n## What hopper wrote\n\n| name | type | runtime | plan |\n|---|---|---|---|\n'
    for l_1_s in (undefined(name='services') if l_0_services is missing else l_0_services):
        _loop_vars = {}
        pass
        yield '| '
        yield str(t_2(environment.getattr(l_1_s, 'name')))
        yield ' | '
        yield str(environment.getattr(l_1_s, 'type'))
        yield ' | '
        yield str(t_1(environment.getattr(l_1_s, 'runtime'), '-'))
        yield ' | '
        yield str(t_2(t_1(environment.getattr(l_1_s, 'plan'), '-')))
        yield ' |\n'
    l_1_s = missing
    for l_1_d in (undefined(name='databases') if l_0_databases is missing else l_0_databases):
        _loop_vars = {}
        pass
        yield '| '
        yield str(t_2(environment.getattr(l_1_d, 'name')))
        yield ' | Render Postgres | postgresql '
        yield str(t_1(environment.getattr(l_1_d, 'postgresMajorVersion'), '(newest)'))
        yield ' | '
        yield str(t_2(environment.getattr(l_1_d, 'plan')))
        yield ' |\n'
    l_1_d = missing
    yield '\nRegion: `'
    yield str((undefined(name='region') if l_0_region is missing else l_0_region))
    yield "` for every service and database (static sites are served from Render's\nCDN and have no region). Render's private network does not span regions: keep the services\nthat talk to each other, and their databases, in this one region.\n"
    if ((undefined(name='front') if l_0_front is missing else l_0_front) == 'nginx'):
        pass
        yield "\nThe front is a web service running the nginx hopper wrote under `render/`: it serves the static\nfiles and proxies the API paths to private services over Render's private network. Each\nupstream's address (`…_HOSTPORT` in render.yaml, `fromService … property: hostport`) is the one\nRender gives the service, suffix included; nginx takes it from the template\n`render/<front>/nginx.conf.template` when it starts. `--option front=static` writes a free static\nsite instead, and makes the API public.\n"
    else:
        pass
        yield "\nThe front is a static site. Its rewrites reach the API through the API's public\n`onrender.com` URL: the API is a public web service. `--option front=nginx` keeps it private.\n"
    yield '\n## Before the first deploy\n'
    if (undefined(name='guesses') if l_0_guesses is missing else l_0_guesses):
        pass
        yield "\n**Confirm the API's URL first.** No Blueprint property carries a service's public URL, and\nRender adds a suffix to the name when it is taken, so these rewrite destinations are guesses:\n\n"
        for (l_1_site, l_1_source, l_1_destination) in (undefined(name='guesses') if l_0_guesses is missing else l_0_guesses):
            _loop_vars = {}
            pass
            yield '- '
            yield str(t_2(l_1_site))
            yield ': `'
            yield str(l_1_source)
            yield '` → `'
            yield str(l_1_destination)
            yield '`\n'
        l_1_site = l_1_source = l_1_destination = missing
        yield "\n1. Create the Blueprint, then read the API's URL on its dashboard page.\n2. If the URL differs, change the destination in render.yaml, commit, and sync the Blueprint.\n3. A Blueprint sync keeps route rules that were removed from the file: delete the wrong rule on\n   the static site's Redirects/Rewrites page in the dashboard too.\n"
    yield '\n'
    def t_4(fiter):
        for l_1_d in fiter:
            if t_3(environment.getattr(l_1_d, 'highAvailability')):
                yield l_1_d
    for l_1_d in t_4((undefined(name='databases') if l_0_databases is missing else l_0_databases)):
        _loop_vars = {}
        pass
        yield '**'
        yield str(t_2(environment.getattr(l_1_d, 'name')))
        yield ' keeps high availability** (`highAvailability: enabled: true`, as on the\nsource). Render allows it only in a Professional workspace or higher, on a Pro-family plan\n(`'
        yield str(t_2(environment.getattr(l_1_d, 'plan')))
        yield '`), with PostgreSQL 13 or newer: a Hobby workspace cannot create this\nBlueprint. On a Hobby workspace, delete `highAvailability` from the database in render.yaml (a\n`basic-*` plan is then enough), or upgrade the workspace first.\n\n'
    l_1_d = missing
    if (undefined(name='secrets') if l_0_secrets is missing else l_0_secrets):
        pass
        yield 'Render asks for these values once, when the Blueprint is created (`sync: false`); a secret added\nlater must be set in the dashboard by hand:\n\n'
        l_1_loop = missing
        for (l_1_svc, l_1_names), l_1_loop in LoopContext((undefined(name='secrets') if l_0_secrets is missing else l_0_secrets), undefined):
            _loop_vars = {}
            pass
            yield '- '
            yield str(t_2(l_1_svc))
            yield ': '
            l_2_loop = missing
            for l_2_n, l_2_loop in LoopContext(l_1_names, undefined):
                _loop_vars = {}
                pass
                yield '`'
                yield str(l_2_n)
                yield '`'
                yield str((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 63 in 'render/RENDER.md.j2' evaluated to false and no else section was defined.")))
            l_2_loop = l_2_n = missing
            yield '\n'
        l_1_loop = l_1_svc = l_1_names = missing
    else:
        pass
        yield 'No secrets to enter.\n'
    if (undefined(name='stores') if l_0_stores is missing else l_0_stores):
        pass
        yield '\n## Object storage stays where it is\n\nRender has no object storage. These buckets stay with their current provider (or move to one\nyou choose); the bucket name is written in render.yaml, their other variables are secrets to set\nin the dashboard:\n\n'
        l_1_loop = missing
        for (l_1_store, l_1_names), l_1_loop in LoopContext((undefined(name='stores') if l_0_stores is missing else l_0_stores), undefined):
            _loop_vars = {}
            pass
            yield '- '
            yield str(t_2(environment.getattr(l_1_store, 'name')))
            yield ' ('
            yield str(t_2(environment.getattr(l_1_store, 'provider')))
            yield ')'
            if l_1_names:
                pass
                yield ': '
                l_2_loop = missing
                for l_2_n, l_2_loop in LoopContext(l_1_names, undefined):
                    _loop_vars = {}
                    pass
                    yield '`'
                    yield str(l_2_n)
                    yield '`'
                    yield str((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 78 in 'render/RENDER.md.j2' evaluated to false and no else section was defined.")))
                l_2_loop = l_2_n = missing
            yield '\n'
        l_1_loop = l_1_store = l_1_names = missing
    yield "\n## Check\n\n1. `render blueprints validate render.yaml` (Render CLI 2.7+, logged in: it asks Render's API).\n2. Create the Blueprint; enter the secrets above.\n3. Open the front's `onrender.com` URL and call the API through it.\n"
    if (undefined(name='databases') if l_0_databases is missing else l_0_databases):
        pass
        yield "4. Copy the data before switching traffic: `pg_dump` from the old database, `pg_restore` into\n   the new one. render.yaml writes `ipAllowList: []`, so the database takes connections from\n   Render's private network only and its external URL refuses you. For the copy, add your own IP\n   as a CIDR (`203.0.113.7/32`) to the database's inbound IP allow list in the dashboard,\n   restore through the external URL (under Connect), then **remove that entry again**; or run\n   `pg_restore` with the internal URL from the Shell of a paid service in the same region (the\n   dump and the PostgreSQL client must be there).\n"

blocks = {}
debug_info = '1=38&10=40&11=44&13=53&14=57&17=65&20=67&35=74&40=77&41=81&50=90&51=98&53=100&58=103&62=107&63=111&69=127&77=131&78=135&88=154'
