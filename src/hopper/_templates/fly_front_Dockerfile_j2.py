# type: ignore
# ruff: noqa
# templates/fly/front.Dockerfile.j2 compiled by Jinja2 (hopper.templating.compiled_sources;
# HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py rewrites it).
# Used only while KEY equals hopper.templating.template_key() of the template.
KEY = 'c87a37223b901ff5d4decf95f28f8153ec4084229e87cf78ee3a97abf75dad9d'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'fly/front.Dockerfile.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_service = resolve('service')
    l_0_static_copy = resolve('static_copy')
    l_0_nginx_tag = resolve('nginx_tag')
    l_0_site_root = resolve('site_root')
    l_0_pm = resolve('pm')
    l_0_node_version = resolve('node_version')
    l_0_setup_note = resolve('setup_note')
    l_0_setup_steps = resolve('setup_steps')
    l_0_workspace = resolve('workspace')
    l_0_turbo = resolve('turbo')
    l_0_package = resolve('package')
    l_0_turbo_version = resolve('turbo_version')
    l_0_lockfile_name = resolve('lockfile_name')
    l_0_tool_copies = resolve('tool_copies')
    l_0_install_note = resolve('install_note')
    l_0_install = resolve('install')
    l_0_build_args = resolve('build_args')
    l_0_secret_mounts = resolve('secret_mounts')
    l_0_build = resolve('build')
    l_0_copies = resolve('copies')
    l_0_context = resolve('context')
    l_0_dist = resolve('dist')
    l_0_folder = resolve('folder')
    l_0_nginx_conf = resolve('nginx_conf')
    l_0_port = resolve('port')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['json']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'json' found.")
    try:
        t_3 = environment.filters['sh']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'sh' found.")
    pass
    yield '# syntax=docker/dockerfile:1\n# Front '
    yield str(t_2((undefined(name='service') if l_0_service is missing else l_0_service)))
    yield ' for Fly.io, written by hopper.\n'
    if (undefined(name='static_copy') if l_0_static_copy is missing else l_0_static_copy):
        pass
        yield '# The static files are already in the repository: nginx serves them with the generated\n# nginx.fly.conf.\nFROM nginx:'
        yield str((undefined(name='nginx_tag') if l_0_nginx_tag is missing else l_0_nginx_tag))
        yield '\nCOPY '
        yield str(t_2([((undefined(name='static_copy') if l_0_static_copy is missing else l_0_static_copy) + '/'), ((undefined(name='site_root') if l_0_site_root is missing else l_0_site_root) + '/')]))
        yield '\n'
    else:
        pass
        yield '# The "build" stage builds the static files with '
        yield str((undefined(name='pm') if l_0_pm is missing else l_0_pm))
        yield '; the last stage serves them with nginx\n# and the generated nginx.fly.conf.\nARG NODE_VERSION='
        yield str((undefined(name='node_version') if l_0_node_version is missing else l_0_node_version))
        yield '\nFROM node:${NODE_VERSION}-slim AS base\n# Package manager: '
        yield str((undefined(name='setup_note') if l_0_setup_note is missing else l_0_setup_note))
        yield '.\n'
        if (undefined(name='setup_steps') if l_0_setup_steps is missing else l_0_setup_steps):
            pass
            yield 'RUN '
            yield str(t_1(context.eval_ctx, (undefined(name='setup_steps') if l_0_setup_steps is missing else l_0_setup_steps), ' && '))
            yield '\n'
        yield 'WORKDIR /app\n'
        if ((undefined(name='workspace') if l_0_workspace is missing else l_0_workspace) and (undefined(name='turbo') if l_0_turbo is missing else l_0_turbo)):
            pass
            yield '\n# Keep only '
            yield str(t_2((undefined(name='package') if l_0_package is missing else l_0_package)))
            yield ' and the workspace packages it depends on.\nFROM base AS prune\nCOPY . .\nRUN npx --yes turbo@'
            yield str((undefined(name='turbo_version') if l_0_turbo_version is missing else l_0_turbo_version))
            yield ' prune '
            yield str(t_3((undefined(name='package') if l_0_package is missing else l_0_package)))
            yield ' --docker\n\nFROM base AS build\nCOPY --from=prune /app/out/json/ ./\nCOPY --from=prune '
            yield str(t_2([('/app/out/' + (undefined(name='lockfile_name') if l_0_lockfile_name is missing else l_0_lockfile_name)), ('./' + (undefined(name='lockfile_name') if l_0_lockfile_name is missing else l_0_lockfile_name))]))
            yield '\n'
            for l_1_copy in (undefined(name='tool_copies') if l_0_tool_copies is missing else l_0_tool_copies):
                _loop_vars = {}
                pass
                yield 'COPY '
                yield str(t_2(l_1_copy))
                yield '\n'
            l_1_copy = missing
            yield '# Install: '
            yield str((undefined(name='install_note') if l_0_install_note is missing else l_0_install_note))
            yield '.\nRUN '
            yield str((undefined(name='install') if l_0_install is missing else l_0_install))
            yield '\nCOPY --from=prune /app/out/full/ ./\n'
            yield str((undefined(name='build_args') if l_0_build_args is missing else l_0_build_args))
            yield 'RUN '
            yield str((undefined(name='secret_mounts') if l_0_secret_mounts is missing else l_0_secret_mounts))
            yield str((undefined(name='build') if l_0_build is missing else l_0_build))
            yield '\n'
        elif (undefined(name='workspace') if l_0_workspace is missing else l_0_workspace):
            pass
            yield '\nFROM base AS build\n'
            if (undefined(name='copies') if l_0_copies is missing else l_0_copies):
                pass
                for l_1_copy in (undefined(name='copies') if l_0_copies is missing else l_0_copies):
                    _loop_vars = {}
                    pass
                    yield 'COPY '
                    yield str(t_2(l_1_copy))
                    yield '\n'
                l_1_copy = missing
                yield '# Install: '
                yield str((undefined(name='install_note') if l_0_install_note is missing else l_0_install_note))
                yield '.\nRUN '
                yield str((undefined(name='install') if l_0_install is missing else l_0_install))
                yield '\nCOPY . .\n'
            else:
                pass
                yield 'COPY . .\n# Install: '
                yield str((undefined(name='install_note') if l_0_install_note is missing else l_0_install_note))
                yield '.\nRUN '
                yield str((undefined(name='install') if l_0_install is missing else l_0_install))
                yield '\n'
            yield str((undefined(name='build_args') if l_0_build_args is missing else l_0_build_args))
            yield 'RUN '
            yield str((undefined(name='secret_mounts') if l_0_secret_mounts is missing else l_0_secret_mounts))
            yield str((undefined(name='build') if l_0_build is missing else l_0_build))
            yield '\n'
        else:
            pass
            yield '\nFROM base AS build\n'
            for l_1_copy in (undefined(name='copies') if l_0_copies is missing else l_0_copies):
                _loop_vars = {}
                pass
                yield 'COPY '
                yield str(t_2(l_1_copy))
                yield '\n'
            l_1_copy = missing
            yield '# Install: '
            yield str((undefined(name='install_note') if l_0_install_note is missing else l_0_install_note))
            yield '.\nRUN '
            yield str((undefined(name='install') if l_0_install is missing else l_0_install))
            yield '\nCOPY '
            yield str(t_2([((undefined(name='context') if l_0_context is missing else l_0_context) + '/'), './']))
            yield '\n'
            yield str((undefined(name='build_args') if l_0_build_args is missing else l_0_build_args))
            yield 'RUN '
            yield str((undefined(name='secret_mounts') if l_0_secret_mounts is missing else l_0_secret_mounts))
            yield str((undefined(name='build') if l_0_build is missing else l_0_build))
            yield '\n'
        yield '\nFROM nginx:'
        yield str((undefined(name='nginx_tag') if l_0_nginx_tag is missing else l_0_nginx_tag))
        yield '\nCOPY --from=build '
        yield str(t_2([((undefined(name='dist') if l_0_dist is missing else l_0_dist) + '/'), ((undefined(name='site_root') if l_0_site_root is missing else l_0_site_root) + '/')]))
        yield '\n'
    yield 'COPY '
    yield str(t_2([(((undefined(name='folder') if l_0_folder is missing else l_0_folder) + '/') + (undefined(name='nginx_conf') if l_0_nginx_conf is missing else l_0_nginx_conf)), '/etc/nginx/nginx.conf']))
    yield '\nEXPOSE '
    yield str((undefined(name='port') if l_0_port is missing else l_0_port))
    yield '\nCMD ["nginx", "-g", "daemon off;"]\n'

blocks = {}
debug_info = '2=55&3=57&6=60&7=62&9=67&11=69&13=71&14=73&15=76&18=79&20=82&23=84&27=88&28=90&29=94&31=98&32=100&34=102&35=107&38=110&39=112&40=116&42=120&43=122&47=127&48=129&50=131&54=139&55=143&57=147&58=149&59=151&60=153&63=159&64=161&66=164&67=166'
