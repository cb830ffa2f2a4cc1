# type: ignore
# ruff: noqa
# templates/fly/node.Dockerfile.j2 compiled by Jinja2 (hopper.templating.compiled_sources;
# HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py rewrites it).
# Used only while KEY equals hopper.templating.template_key() of the template.
KEY = '5985d5ba218aff40caa6bfc77ba0af366219595ae28123cc583bf88deb2d3b41'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'fly/node.Dockerfile.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_service = resolve('service')
    l_0_summary = resolve('summary')
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
    l_0_build = resolve('build')
    l_0_build_args = resolve('build_args')
    l_0_secret_mounts = resolve('secret_mounts')
    l_0_copies = resolve('copies')
    l_0_context = resolve('context')
    l_0_prune = resolve('prune')
    l_0_port = resolve('port')
    l_0_shim = resolve('shim')
    l_0_folder = resolve('folder')
    l_0_supercronic = resolve('supercronic')
    l_0_workdir = resolve('workdir')
    l_0_cmd = resolve('cmd')
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
    yield '# syntax=docker/dockerfile:1\n# Node.js service '
    yield str(t_2((undefined(name='service') if l_0_service is missing else l_0_service)))
    yield ' for Fly.io, written by hopper.\n# Steps: '
    yield str((undefined(name='summary') if l_0_summary is missing else l_0_summary))
    yield '.\n# It runs as the unprivileged "node" user on :: (IPv6 and IPv4).\nARG NODE_VERSION='
    yield str((undefined(name='node_version') if l_0_node_version is missing else l_0_node_version))
    yield '\nFROM node:${NODE_VERSION}-slim AS base\n# Package manager: '
    yield str((undefined(name='setup_note') if l_0_setup_note is missing else l_0_setup_note))
    yield '.\n'
    if ((undefined(name='setup_steps') if l_0_setup_steps is missing else l_0_setup_steps) and ('corepack enable' in (undefined(name='setup_steps') if l_0_setup_steps is missing else l_0_setup_steps))):
        pass
        yield '# corepack keeps the manager where the unprivileged user the app runs as can read it too.\nENV COREPACK_HOME=/usr/local/share/corepack\n'
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
        if (undefined(name='build') if l_0_build is missing else l_0_build):
            pass
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
        if (undefined(name='build') if l_0_build is missing else l_0_build):
            pass
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
        if (undefined(name='build') if l_0_build is missing else l_0_build):
            pass
            yield str((undefined(name='build_args') if l_0_build_args is missing else l_0_build_args))
            yield 'RUN '
            yield str((undefined(name='secret_mounts') if l_0_secret_mounts is missing else l_0_secret_mounts))
            yield str((undefined(name='build') if l_0_build is missing else l_0_build))
            yield '\n'
        if (undefined(name='prune') if l_0_prune is missing else l_0_prune):
            pass
            yield 'RUN '
            yield str((undefined(name='prune') if l_0_prune is missing else l_0_prune))
            yield '\n'
    yield '\nFROM base\nENV NODE_ENV=production HOST=:: PORT='
    yield str((undefined(name='port') if l_0_port is missing else l_0_port))
    yield '\nCOPY --from=build --chown=node:node /app /app\n'
    if (undefined(name='shim') if l_0_shim is missing else l_0_shim):
        pass
        yield 'COPY --chmod=0755 '
        yield str(t_2([((undefined(name='folder') if l_0_folder is missing else l_0_folder) + '/hopper-env.sh'), '/usr/local/bin/hopper-env.sh']))
        yield '\n'
    if (undefined(name='supercronic') if l_0_supercronic is missing else l_0_supercronic):
        pass
        yield '# supercronic '
        yield str(environment.getattr((undefined(name='supercronic') if l_0_supercronic is missing else l_0_supercronic), 'version'))
        yield ' runs the schedules of process group "cron" (the crontab\n# comes with fly.toml\'s [[files]]); the download is checked against its published SHA-1.\nADD --chmod=0755 '
        yield str(t_2([environment.getattr((undefined(name='supercronic') if l_0_supercronic is missing else l_0_supercronic), 'url'), '/usr/local/bin/supercronic']))
        yield '\nRUN echo '
        yield str(t_3((environment.getattr((undefined(name='supercronic') if l_0_supercronic is missing else l_0_supercronic), 'sha1') + '  /usr/local/bin/supercronic')))
        yield ' | sha1sum -c -\n'
    if ((undefined(name='workdir') if l_0_workdir is missing else l_0_workdir) != '/app'):
        pass
        yield 'WORKDIR '
        yield str((undefined(name='workdir') if l_0_workdir is missing else l_0_workdir))
        yield '\n'
    yield 'USER node\nEXPOSE '
    yield str((undefined(name='port') if l_0_port is missing else l_0_port))
    yield '\n'
    if (undefined(name='shim') if l_0_shim is missing else l_0_shim):
        pass
        yield 'ENTRYPOINT ["/usr/local/bin/hopper-env.sh"]\n'
    yield 'CMD '
    yield str(t_2((undefined(name='cmd') if l_0_cmd is missing else l_0_cmd)))
    yield '\n'

blocks = {}
debug_info = '2=55&3=57&5=59&7=61&8=63&12=66&13=69&16=72&18=75&21=77&25=81&26=83&27=87&29=91&30=93&32=95&33=97&35=102&38=105&39=107&40=111&42=115&43=117&47=122&48=124&50=126&51=128&56=136&57=140&59=144&60=146&61=148&62=150&63=152&65=157&66=160&71=163&73=165&74=168&76=170&77=173&79=175&80=177&82=179&83=182&86=185&87=187&90=191'
