# type: ignore
# ruff: noqa
# templates/fly/dockerignore.j2 compiled by Jinja2 (hopper.templating.compiled_sources;
# HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py rewrites it).
# Used only while KEY equals hopper.templating.template_key() of the template.
KEY = '6cbdce9578a6814ffbc3fd476d71dfe11a4cd74811d152dcd68e14d9887bfe98'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'fly/dockerignore.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    pass
    yield '# Written by hopper for the generated Dockerfiles: keep dependencies, VCS data and local env\n# files (which may hold secrets) out of the build context.\n.git\n**/node_modules\n**/.env\n**/.env.*\n!**/.env.example\n**/.turbo\n'

blocks = {}
debug_info = ''
