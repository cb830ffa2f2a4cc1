# type: ignore
# ruff: noqa
# templates/compose/node.Dockerfile.j2 compiled by Jinja2 (hopper.templating.compiled_sources;
# HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py rewrites it).
# Used only while KEY equals hopper.templating.template_key() of the template.
KEY = 'd4f493a46d03dcac40eeb1fd7894a0f40348d82c46fd7b7fa2d0e0794ead86e7'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'compose/node.Dockerfile.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_version = resolve('version')
    l_0_install = resolve('install')
    l_0_build = resolve('build')
    l_0_start = resolve('start')
    try:
        t_1 = environment.filters['json']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'json' found.")
    pass
    yield 'FROM node:'
    yield str((undefined(name='version') if l_0_version is missing else l_0_version))
    yield '-slim\nWORKDIR /app\nCOPY . .\nRUN '
    yield str((undefined(name='install') if l_0_install is missing else l_0_install))
    yield '\n'
    if (undefined(name='build') if l_0_build is missing else l_0_build):
        pass
        yield 'RUN '
        yield str((undefined(name='build') if l_0_build is missing else l_0_build))
        yield '\n'
    yield 'CMD ["sh", "-c", '
    yield str(t_1((undefined(name='start') if l_0_start is missing else l_0_start)))
    yield ']\n'

blocks = {}
debug_info = '3=22&6=24&7=26&8=29&10=32'
