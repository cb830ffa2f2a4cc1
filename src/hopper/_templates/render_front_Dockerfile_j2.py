# type: ignore
# ruff: noqa
# templates/render/front.Dockerfile.j2 compiled by Jinja2 (hopper.templating.compiled_sources;
# HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py rewrites it).
# Used only while KEY equals hopper.templating.template_key() of the template.
KEY = 'c9528bab49076dffc31a133af4bbab19cf104550472226b8348a252a86525402'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'render/front.Dockerfile.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_service = resolve('service')
    l_0_build = resolve('build')
    l_0_nginx_tag = resolve('nginx_tag')
    l_0_site_root = resolve('site_root')
    l_0_copy_from = resolve('copy_from')
    l_0_variables = resolve('variables')
    l_0_conf = resolve('conf')
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
    pass
    yield '# syntax=docker/dockerfile:1\n# Front '
    yield str(t_2((undefined(name='service') if l_0_service is missing else l_0_service)))
    yield ' for Render, written by hopper: Render builds it as a web service\n# (runtime: docker, dockerContext: the repository root).\n'
    if (undefined(name='build') if l_0_build is missing else l_0_build):
        pass
        yield '# Stage 1 builds the static files with '
        yield str(environment.getattr((undefined(name='build') if l_0_build is missing else l_0_build), 'pm'))
        yield '; stage 2 serves them with nginx and the\n# generated nginx.conf.\nFROM node:'
        yield str(environment.getattr((undefined(name='build') if l_0_build is missing else l_0_build), 'node'))
        yield '-slim AS build\n'
        if environment.getattr((undefined(name='build') if l_0_build is missing else l_0_build), 'stage'):
            pass
            for l_1_line in environment.getattr((undefined(name='build') if l_0_build is missing else l_0_build), 'stage'):
                _loop_vars = {}
                pass
                yield str(l_1_line)
                yield '\n'
            l_1_line = missing
        else:
            pass
            if (environment.getattr((undefined(name='build') if l_0_build is missing else l_0_build), 'pm') != 'npm'):
                pass
                yield 'RUN corepack enable\n'
            yield 'WORKDIR /app\nCOPY '
            yield str(t_2([(environment.getattr((undefined(name='build') if l_0_build is missing else l_0_build), 'context') + '/'), './']))
            yield '\nRUN '
            yield str(environment.getattr((undefined(name='build') if l_0_build is missing else l_0_build), 'install'))
            yield ' && '
            yield str(environment.getattr((undefined(name='build') if l_0_build is missing else l_0_build), 'command'))
            yield '\n'
        yield '\nFROM nginx:'
        yield str((undefined(name='nginx_tag') if l_0_nginx_tag is missing else l_0_nginx_tag))
        yield '\nCOPY --from=build '
        yield str(t_2([(environment.getattr((undefined(name='build') if l_0_build is missing else l_0_build), 'dist') + '/'), ((undefined(name='site_root') if l_0_site_root is missing else l_0_site_root) + '/')]))
        yield '\n'
    else:
        pass
        yield '# The static files are in the repository: nginx serves them with the generated nginx.conf.\nFROM nginx:'
        yield str((undefined(name='nginx_tag') if l_0_nginx_tag is missing else l_0_nginx_tag))
        yield '\nCOPY '
        yield str(t_2([((undefined(name='copy_from') if l_0_copy_from is missing else l_0_copy_from) + '/'), ((undefined(name='site_root') if l_0_site_root is missing else l_0_site_root) + '/')]))
        yield '\n'
    if (undefined(name='variables') if l_0_variables is missing else l_0_variables):
        pass
        yield '# nginx resolves a proxy_pass host once, at start: the entrypoint of the nginx image writes\n# /etc/nginx/nginx.conf from the template first, putting in the private address Render gives\n# each upstream ('
        yield str(t_1(context.eval_ctx, (undefined(name='variables') if l_0_variables is missing else l_0_variables), ', '))
        yield ", fromService ... property: hostport in render.yaml).\n# Only those variables are substituted, so nginx's own $variables stay as written.\nCOPY "
        yield str(t_2([(undefined(name='conf') if l_0_conf is missing else l_0_conf), '/etc/nginx/templates/nginx.conf.template']))
        yield '\nENV NGINX_ENVSUBST_OUTPUT_DIR=/etc/nginx NGINX_ENVSUBST_FILTER="^('
        yield str(t_1(context.eval_ctx, (undefined(name='variables') if l_0_variables is missing else l_0_variables), '|'))
        yield ')"\n'
    else:
        pass
        yield 'COPY '
        yield str(t_2([(undefined(name='conf') if l_0_conf is missing else l_0_conf), '/etc/nginx/nginx.conf']))
        yield '\n'
    yield 'EXPOSE '
    yield str((undefined(name='port') if l_0_port is missing else l_0_port))
    yield '\nCMD ["nginx", "-g", "daemon off;"]\n'

blocks = {}
debug_info = '2=32&4=34&5=37&7=39&8=41&9=43&10=46&13=51&17=55&18=57&21=62&22=64&25=69&26=71&28=73&31=76&33=78&34=80&36=85&38=88'
