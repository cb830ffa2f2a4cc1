# type: ignore
# ruff: noqa
# templates/clevercloud/image.Dockerfile.j2 compiled by Jinja2 (hopper.templating.compiled_sources;
# HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py rewrites it).
# Used only while KEY equals hopper.templating.template_key() of the template.
KEY = '58dc9b94391896c1f4a0cde94740e44338d8f6ee9323957d0356e0b973298dab'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'clevercloud/image.Dockerfile.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_service = resolve('service')
    l_0_image = resolve('image')
    l_0_entrypoint = resolve('entrypoint')
    l_0_command = resolve('command')
    try:
        t_1 = environment.filters['json']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'json' found.")
    pass
    yield '# Service '
    yield str(t_1((undefined(name='service') if l_0_service is missing else l_0_service)))
    yield ' for Clever Cloud, written by hopper: Clever builds Docker apps from\n# a Dockerfile, so this one runs the image as it is.\nFROM '
    yield str((undefined(name='image') if l_0_image is missing else l_0_image))
    yield '\n'
    if (undefined(name='entrypoint') if l_0_entrypoint is missing else l_0_entrypoint):
        pass
        yield 'ENTRYPOINT '
        yield str(t_1((undefined(name='entrypoint') if l_0_entrypoint is missing else l_0_entrypoint)))
        yield '\n'
    if (undefined(name='command') if l_0_command is missing else l_0_command):
        pass
        yield 'CMD '
        yield str(t_1((undefined(name='command') if l_0_command is missing else l_0_command)))
        yield '\n'

blocks = {}
debug_info = '1=22&3=24&4=26&5=29&7=31&8=34'
