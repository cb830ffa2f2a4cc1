# type: ignore
# ruff: noqa
# templates/fly/workflow.yml.j2 compiled by Jinja2 (hopper.templating.compiled_sources;
# HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py rewrites it).
# Used only while KEY equals hopper.templating.template_key() of the template.
KEY = 'acc28c9f67d6ab2993a913604410293606c6657dc8ff5a4516f986534f269cad'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'fly/workflow.yml.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_app = resolve('app')
    l_0_folder = resolve('folder')
    l_0_token_secret = resolve('token_secret')
    l_0_build_secrets = resolve('build_secrets')
    l_0_build_vars = resolve('build_vars')
    l_0_branches = resolve('branches')
    l_0_paths = resolve('paths')
    l_0_checkout_ref = resolve('checkout_ref')
    l_0_flyctl_action_ref = resolve('flyctl_action_ref')
    l_0_flyctl_action_note = resolve('flyctl_action_note')
    l_0_flyctl_version = resolve('flyctl_version')
    l_0_command = resolve('command')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['map']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'map' found.")
    try:
        t_3 = environment.filters['yaml_str']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'yaml_str' found.")
    pass
    yield '# Deploys Fly app '
    yield str(t_3((undefined(name='app') if l_0_app is missing else l_0_app)))
    yield ' ('
    yield str(t_3((undefined(name='folder') if l_0_folder is missing else l_0_folder)))
    yield '), written by hopper.\n# Secrets it needs in the repository settings: '
    yield str((undefined(name='token_secret') if l_0_token_secret is missing else l_0_token_secret))
    for l_1_s in (undefined(name='build_secrets') if l_0_build_secrets is missing else l_0_build_secrets):
        _loop_vars = {}
        pass
        yield ', '
        yield str(l_1_s)
    l_1_s = missing
    yield '.\n'
    if (undefined(name='build_vars') if l_0_build_vars is missing else l_0_build_vars):
        pass
        yield '# Variables it needs in the repository settings: '
        yield str(t_1(context.eval_ctx, (undefined(name='build_vars') if l_0_build_vars is missing else l_0_build_vars), ', '))
        yield '.\n'
    yield 'name: '
    yield str(t_3(str_join(('Fly deploy ', (undefined(name='folder') if l_0_folder is missing else l_0_folder), ))))
    yield '\n\non:\n  push:\n    branches: ['
    yield str(t_1(context.eval_ctx, t_2(context, (undefined(name='branches') if l_0_branches is missing else l_0_branches), 'yaml_str'), ', '))
    yield ']\n'
    if (undefined(name='paths') if l_0_paths is missing else l_0_paths):
        pass
        yield '    paths:\n'
        for l_1_p in (undefined(name='paths') if l_0_paths is missing else l_0_paths):
            _loop_vars = {}
            pass
            yield '      - '
            yield str(t_3(l_1_p))
            yield '\n'
        l_1_p = missing
    yield '  workflow_dispatch:\n\npermissions:\n  contents: read\n\nconcurrency:\n  group: '
    yield str(t_3(str_join(('fly-deploy-', (undefined(name='app') if l_0_app is missing else l_0_app), ))))
    yield '\n  cancel-in-progress: false\n\njobs:\n  deploy:\n    name: '
    yield str(t_3(str_join(('Deploy ', (undefined(name='app') if l_0_app is missing else l_0_app), ))))
    yield '\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@'
    yield str((undefined(name='checkout_ref') if l_0_checkout_ref is missing else l_0_checkout_ref))
    yield '\n      - uses: superfly/flyctl-actions/setup-flyctl@'
    yield str((undefined(name='flyctl_action_ref') if l_0_flyctl_action_ref is missing else l_0_flyctl_action_ref))
    yield str((undefined(name='flyctl_action_note') if l_0_flyctl_action_note is missing else l_0_flyctl_action_note))
    yield '\n        with:\n          version: '
    yield str(t_3((undefined(name='flyctl_version') if l_0_flyctl_version is missing else l_0_flyctl_version)))
    yield '\n      - name: Deploy\n        run: '
    yield str(t_3((undefined(name='command') if l_0_command is missing else l_0_command)))
    yield '\n        env:\n          FLY_API_TOKEN: ${{ secrets.'
    yield str((undefined(name='token_secret') if l_0_token_secret is missing else l_0_token_secret))
    yield ' }}\n'
    for l_1_s in (undefined(name='build_secrets') if l_0_build_secrets is missing else l_0_build_secrets):
        _loop_vars = {}
        pass
        yield '          '
        yield str(l_1_s)
        yield ': ${{ secrets.'
        yield str(l_1_s)
        yield ' }}\n'
    l_1_s = missing
    for l_1_v in (undefined(name='build_vars') if l_0_build_vars is missing else l_0_build_vars):
        _loop_vars = {}
        pass
        yield '          '
        yield str(l_1_v)
        yield ': ${{ vars.'
        yield str(l_1_v)
        yield ' }}\n'
    l_1_v = missing

blocks = {}
debug_info = '1=42&2=46&3=54&4=57&6=60&10=62&11=64&13=67&14=71&23=75&28=77&31=79&32=81&34=84&36=86&38=88&39=90&40=94&42=99&43=103'
