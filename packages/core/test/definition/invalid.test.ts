// A table of invalid definitions: each asserts the exact file, line, column,
// field path, code and message of the diagnostic it expects. `«` marks the position.
import { describe, expect, it } from 'vitest';
import { type DiagnosticCode, loadDefinition, MemoryFileSource } from '../../src/definition/index.ts';
import { addon, addons, cluster, HEAD, manifest, manifests, stack, unmark } from './cases.ts';

interface Case {
  name: string;
  files: Record<string, string>;
  code: DiagnosticCode;
  path: string;
  message: string;
  severity?: 'error' | 'warning';
}

const A = (over: Record<string, string | null> = {}, extra = ''): string =>
  cluster([stack('s', addons(addon(over, extra)))]);
const NS = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n';

const cases: Case[] = [
  // ── YAML syntax ──────────────────────────────────────────────────────────
  {
    name: 'unclosed flow sequence',
    files: { 'c.yaml': `${HEAD}  stacks:\n    - name: s\n      addons: [a, b\n    «- name: t\n` },
    code: 'yaml-syntax',
    path: '',
    message:
      'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
  },
  {
    name: 'unterminated quoted string',
    files: { 'c.yaml': `${HEAD}  stacks:\n    - name: "s\n«` },
    code: 'yaml-syntax',
    path: '',
    message: 'YAML syntax error: Missing closing "quote',
  },
  {
    name: 'duplicate key',
    files: { 'c.yaml': cluster([stack('s', addons(addon({}, '«namespace: other')))]) },
    code: 'yaml-syntax',
    path: '',
    message: 'YAML syntax error: Map keys must be unique',
  },
  {
    name: 'bad indentation',
    files: { 'c.yaml': `${HEAD}  stacks:\n    - name: s\n«     addons: []\n` },
    code: 'yaml-syntax',
    path: '',
    message: 'YAML syntax error: Sequence item without - indicator',
  },
  {
    name: 'tab indentation in an included file',
    files: {
      'c.yaml': cluster([stack('s', 'addons:\n  - include: addons/')]),
      'addons/x.yaml': 'name: x\n«\tchart_name: c\n',
    },
    code: 'yaml-syntax',
    path: 'spec.stacks[0].addons[0].include',
    message: 'YAML syntax error: Tabs are not allowed as indentation',
  },
  {
    name: 'syntax error in a values file',
    files: {
      'c.yaml': A({}, 'configuration:\n  from_file: values/a.yaml'),
      'values/a.yaml': 'a: 1\nb: [1, 2\n«',
    },
    code: 'yaml-syntax',
    path: 'spec.stacks[0].addons[0].configuration.from_file',
    message:
      'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
  },
  // ── top level ────────────────────────────────────────────────────────────
  {
    name: 'definition is a list',
    files: { 'c.yaml': '«- a\n- b\n' },
    code: 'wrong-type',
    path: '',
    message: 'a cluster definition must be a mapping with apiVersion, kind, metadata and spec, got a list',
  },
  {
    name: 'missing apiVersion',
    files: { 'c.yaml': '«kind: ImportCluster\nmetadata:\n  name: t\nspec:\n  stacks: []\n' },
    code: 'missing-field',
    path: 'apiVersion',
    message: 'missing required field "apiVersion" in the cluster definition (for example: apiVersion: v1)',
  },
  {
    name: 'wrong apiVersion',
    files: { 'c.yaml': 'apiVersion: «v2\nkind: ImportCluster\nmetadata:\n  name: t\nspec:\n  stacks: []\n' },
    code: 'invalid-value',
    path: 'apiVersion',
    message: 'apiVersion must be "v1", got "v2"',
  },
  {
    name: 'wrong kind',
    files: { 'c.yaml': 'apiVersion: v1\nkind: «Cluster\nmetadata:\n  name: t\nspec:\n  stacks: []\n' },
    code: 'invalid-value',
    path: 'kind',
    message: 'kind must be "ImportCluster", got "Cluster"',
  },
  {
    name: 'missing metadata',
    files: { 'c.yaml': '«apiVersion: v1\nkind: ImportCluster\nspec:\n  stacks: []\n' },
    code: 'missing-field',
    path: 'metadata',
    message:
      'missing required field "metadata" in the cluster definition (for example: metadata: { name: my-cluster })',
  },
  {
    name: 'missing metadata.name',
    files: {
      'c.yaml': 'apiVersion: v1\nkind: ImportCluster\nmetadata:\n  «description: x\nspec:\n  stacks: []\n',
    },
    code: 'missing-field',
    path: 'metadata.name',
    message: 'missing required field "name" in metadata (for example: name: my-cluster)',
  },
  {
    name: 'invalid cluster name',
    files: {
      'c.yaml': 'apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: «my_cluster\nspec:\n  stacks: []\n',
    },
    code: 'invalid-name',
    path: 'metadata.name',
    message:
      'cluster name "my_cluster" may hold only letters, digits and hyphens, starting and ending with a letter or digit',
  },
  {
    name: 'unknown top-level field',
    files: {
      'c.yaml':
        'apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: t\nspec:\n  stacks: []\n«specs: {}\n',
    },
    code: 'unknown-field',
    path: 'specs',
    message: 'unknown field "specs" in the cluster definition (did you mean "spec"?)',
  },
  {
    name: 'unknown metadata field',
    files: {
      'c.yaml':
        'apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: t\n  «descripton: x\nspec:\n  stacks: []\n',
    },
    code: 'unknown-field',
    path: 'metadata.descripton',
    message: 'unknown field "descripton" in metadata (did you mean "description"?)',
  },
  {
    name: 'stacks is not a list',
    files: { 'c.yaml': `${HEAD}  stacks: «logging\n` },
    code: 'wrong-type',
    path: 'spec.stacks',
    message: '"stacks" must be a list of stacks, got the string "logging"',
  },
  {
    name: 'unknown git provider',
    files: { 'c.yaml': cluster([], '  git_repository:\n    provider: «gitlab\n') },
    code: 'invalid-value',
    path: 'spec.git_repository.provider',
    message: 'unknown git provider "gitlab": use github, bitbucket_cloud, bitbucket_data_center, git',
  },
  {
    name: 'misspelled git_repository field',
    files: { 'c.yaml': cluster([], '  git_repository:\n    provider: github\n    «brnach: main\n') },
    code: 'unknown-field',
    path: 'spec.git_repository.brnach',
    message: 'unknown field "brnach" in git_repository (did you mean "branch"?)',
  },
  // ── helm registries ──────────────────────────────────────────────────────
  {
    name: 'helm registry redefined with another URL',
    files: {
      'c.yaml': cluster(
        [],
        '  helm_registries:\n    - name: r\n      url: https://a.example.com\n    - name: r\n      url: «https://b.example.com\n',
      ),
    },
    code: 'registry-conflict',
    path: 'spec.helm_registries[1].url',
    message:
      'helm registry "r" is defined with two URLs: https://a.example.com (at c.yaml:8:12) and https://b.example.com',
  },
  {
    name: 'helm registry with a bad URL',
    files: { 'c.yaml': cluster([], '  helm_registries:\n    - name: r\n      url: «charts.example.com\n') },
    code: 'invalid-url',
    path: 'spec.helm_registries[0].url',
    message: '"url" must be an http://, https:// or oci:// URL, got "charts.example.com"',
  },
  {
    name: 'helm registry without url',
    files: { 'c.yaml': cluster([], '  helm_registries:\n    - «name: r\n') },
    code: 'missing-field',
    path: 'spec.helm_registries[0].url',
    message:
      'missing required field "url" in helm registry (for example: url: https://charts.bitnami.com/bitnami)',
  },
  {
    name: 'add-on registry conflicts with helm_registries',
    files: {
      'c.yaml': cluster(
        [stack('s', addons(addon({ registry_url: '«https://other.example.com' })))],
        '  helm_registries:\n    - name: r\n      url: https://r.example.com\n',
      ),
    },
    code: 'registry-conflict',
    path: 'spec.stacks[0].addons[0].registry_url',
    message:
      'registry "r" of add-on "a" has URL https://other.example.com, but https://r.example.com at c.yaml:8:12',
  },
  {
    name: 'two add-ons give one registry name two URLs',
    files: {
      'c.yaml': cluster([
        stack('s', addons(addon(), addon({ name: 'b', registry_url: '«https://x.example.com' }))),
      ]),
    },
    code: 'registry-conflict',
    path: 'spec.stacks[0].addons[1].registry_url',
    message:
      'registry "r" of add-on "b" has URL https://x.example.com, but https://r.example.com at c.yaml:14:25',
  },
  // ── stacks ───────────────────────────────────────────────────────────────
  {
    name: 'stack without name',
    files: { 'c.yaml': `${HEAD}  stacks:\n    - «deploy_wave: 1\n` },
    code: 'missing-field',
    path: 'spec.stacks[0].name',
    message: 'missing required field "name" in stack (for example: name: logging)',
  },
  {
    name: 'misspelled stack field',
    files: { 'c.yaml': cluster([stack('s', '«deploy_wav: 1')]) },
    code: 'unknown-field',
    path: 'spec.stacks[0].deploy_wav',
    message: 'unknown field "deploy_wav" in stack (did you mean "deploy_wave"?)',
  },
  {
    name: 'negative deploy_wave',
    files: { 'c.yaml': cluster([stack('s', 'deploy_wave: «-1')]) },
    code: 'out-of-range',
    path: 'spec.stacks[0].deploy_wave',
    message: '"deploy_wave" must be >= 0, got -1',
  },
  {
    name: 'deploy_wave is a string',
    files: { 'c.yaml': cluster([stack('s', 'deploy_wave: «first')]) },
    code: 'wrong-type',
    path: 'spec.stacks[0].deploy_wave',
    message: '"deploy_wave" must be an integer, got the string "first"',
  },
  {
    name: 'deploy_wave is a fraction',
    files: { 'c.yaml': cluster([stack('s', 'deploy_wave: «1.5')]) },
    code: 'wrong-type',
    path: 'spec.stacks[0].deploy_wave',
    message: '"deploy_wave" must be an integer, got the number 1.5',
  },
  {
    name: 'duplicate stack names',
    files: { 'c.yaml': cluster([stack('s', ''), stack('«s', '')]) },
    code: 'duplicate-name',
    path: 'spec.stacks[1].name',
    message: 'duplicate stack name "s" (first defined at c.yaml:7:13)',
  },
  {
    name: 'invalid stack name',
    files: { 'c.yaml': cluster([stack('«my stack', '')]) },
    code: 'invalid-name',
    path: 'spec.stacks[0].name',
    message:
      'stack name "my stack" may hold only letters, digits, "-", "_" and "." and must start and end with a letter or digit',
  },
  {
    name: 'invalid variable name',
    files: { 'c.yaml': cluster([stack('s', 'variables:\n  «1region: eu')]) },
    code: 'invalid-name',
    path: 'spec.stacks[0].variables.1region',
    message:
      'variable name "1region" may hold only letters, digits, "_" and "-", starting with a letter or "_"',
  },
  {
    name: 'variables is a list',
    files: { 'c.yaml': cluster([stack('s', 'variables: «[a, b]')]) },
    code: 'wrong-type',
    path: 'spec.stacks[0].variables',
    message: '"variables" must be a mapping of NAME: value, got a list',
  },
  {
    name: 'description and description_from_file',
    files: {
      'c.yaml': cluster([stack('s', 'description: x\ndescription_from_file: «docs/s.md')]),
      'docs/s.md': 'x',
    },
    code: 'conflicting-fields',
    path: 'spec.stacks[0].description_from_file',
    message: 'stack "s" takes "description" or "description_from_file", not both',
  },
  {
    name: 'description_from_file missing',
    files: { 'c.yaml': cluster([stack('s', 'description_from_file: «docs/none.md')]) },
    code: 'file-not-found',
    path: 'spec.stacks[0].description_from_file',
    message: '"description_from_file" names "docs/none.md", which does not exist in the repository',
  },
  // ── manifests ────────────────────────────────────────────────────────────
  {
    name: 'manifest without name',
    files: { 'c.yaml': cluster([stack('s', 'manifests:\n  - «from_file: m.yaml')]), 'm.yaml': NS },
    code: 'missing-field',
    path: 'spec.stacks[0].manifests[0].name',
    message: 'missing required field "name" in manifest (for example: name: namespace-logging)',
  },
  {
    name: 'manifest without content',
    files: { 'c.yaml': cluster([stack('s', 'manifests:\n  - name: «m\n    namespace: ns')]) },
    code: 'missing-content',
    path: 'spec.stacks[0].manifests[0]',
    message:
      'manifest "m" has no content: add one of "from_file", "manifest" or "manifest_base64" (for example: from_file: manifests/namespace.yaml)',
  },
  {
    name: 'manifest with from_file and manifest',
    files: { 'c.yaml': cluster([stack('s', manifests(manifest('m', '«from_file: m.yaml')))]), 'm.yaml': NS },
    code: 'conflicting-fields',
    path: 'spec.stacks[0].manifests[0].from_file',
    message:
      'manifest "m" takes exactly one of "from_file", "manifest", "manifest_base64"; found "manifest" and "from_file"',
  },
  {
    name: 'from_file does not exist',
    files: {
      'c.yaml': cluster([stack('s', 'manifests:\n  - name: m\n    from_file: «manifests/nope.yaml')]),
    },
    code: 'file-not-found',
    path: 'spec.stacks[0].manifests[0].from_file',
    message: '"from_file" names "manifests/nope.yaml", which does not exist in the repository',
  },
  {
    name: 'from_file names a folder',
    files: {
      'c.yaml': cluster([stack('s', 'manifests:\n  - name: m\n    from_file: «manifests')]),
      'manifests/a.yaml': NS,
    },
    code: 'file-not-found',
    path: 'spec.stacks[0].manifests[0].from_file',
    message: '"from_file" names "manifests", which is a folder, not a file',
  },
  {
    name: 'from_file leaves the repository',
    files: { 'c.yaml': cluster([stack('s', 'manifests:\n  - name: m\n    from_file: «../secrets.yaml')]) },
    code: 'invalid-path',
    path: 'spec.stacks[0].manifests[0].from_file',
    message:
      '"from_file" path "../secrets.yaml" leaves the repository: paths are relative to the folder of the cluster definition (".") and must stay inside the repository',
  },
  {
    name: 'object without kind',
    files: {
      'c.yaml': cluster([stack('s', 'manifests:\n  - name: m\n    from_file: m.yaml')]),
      'm.yaml': `${NS}---\n«apiVersion: v1\nmetadata: { name: x }\n`,
    },
    code: 'invalid-manifest',
    path: 'spec.stacks[0].manifests[0].from_file',
    message:
      'Kubernetes object (document 2) is missing "kind" (for example: apiVersion: v1, kind: ConfigMap, metadata: { name: my-config })',
  },
  {
    name: 'inline object without metadata.name',
    files: {
      'c.yaml': cluster([
        stack(
          's',
          'manifests:\n  - name: m\n    manifest: |\n      «apiVersion: v1\n      kind: ConfigMap\n',
        ),
      ]),
    },
    code: 'invalid-manifest',
    path: 'spec.stacks[0].manifests[0].manifest',
    message:
      'Kubernetes object is missing "metadata.name" (for example: apiVersion: v1, kind: ConfigMap, metadata: { name: my-config })',
  },
  {
    name: 'manifest namespace not a label',
    files: { 'c.yaml': cluster([stack('s', manifests(manifest('m', 'namespace: «Logging')))]) },
    code: 'invalid-namespace',
    path: 'spec.stacks[0].manifests[0].namespace',
    message:
      'namespace "Logging" is not a valid RFC 1123 label: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
  },
  {
    name: 'invalid manifest_base64',
    files: { 'c.yaml': cluster([stack('s', 'manifests:\n  - name: m\n    manifest_base64: «not*base64')]) },
    code: 'invalid-base64',
    path: 'spec.stacks[0].manifests[0].manifest_base64',
    message: '"manifest_base64" is not valid base64-encoded UTF-8 text',
  },
  {
    name: 'undefined variable in an inline manifest',
    files: {
      'c.yaml': cluster([
        stack(
          's',
          'variables:\n  region: eu\nmanifests:\n  - name: m\n    manifest: |\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: { name: m }\n      data: { r: «${{ ankra.regoin }} }\n',
        ),
      ]),
    },
    code: 'undefined-variable',
    path: 'spec.stacks[0].manifests[0].manifest',
    message: 'undefined variable "regoin" in ${{ ankra.regoin }} (did you mean "region"?)',
  },
  {
    name: 'undefined variable in a from_file manifest',
    files: {
      'c.yaml': cluster([stack('s', 'manifests:\n  - name: m\n    from_file: m.yaml')]),
      'm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  env: «${{ vars.env }}\n',
    },
    code: 'undefined-variable',
    path: 'spec.stacks[0].manifests[0].from_file',
    message: 'undefined variable "env" in ${{ vars.env }}',
  },
  {
    name: 'misspelled manifest field',
    files: {
      'c.yaml': cluster([stack('s', 'manifests:\n  - name: m\n    «from_flie: m.yaml')]),
      'm.yaml': NS,
    },
    code: 'unknown-field',
    path: 'spec.stacks[0].manifests[0].from_flie',
    message: 'unknown field "from_flie" in manifest (did you mean "from_file"?)',
  },
  {
    name: 'manifest file without objects',
    files: {
      'c.yaml': cluster([stack('s', 'manifests:\n  - name: m\n    from_file: m.yaml')]),
      'm.yaml': '«# nothing here\n',
    },
    code: 'empty-manifest',
    path: 'spec.stacks[0].manifests[0].from_file',
    message: 'manifest "m" holds no Kubernetes object',
  },
  {
    name: 'manifest entry is a string',
    files: { 'c.yaml': cluster([stack('s', 'manifests:\n  - «namespace.yaml')]) },
    code: 'wrong-type',
    path: 'spec.stacks[0].manifests[0]',
    message:
      '"manifests[0]" must be a manifest entry (a mapping with name: ...) or include: PATH, got the string "namespace.yaml"',
  },
  // ── add-ons ──────────────────────────────────────────────────────────────
  {
    name: 'unquoted numeric chart_version',
    files: { 'c.yaml': A({ chart_version: '«1.20' }) },
    code: 'unquoted-chart-version',
    path: 'spec.stacks[0].addons[0].chart_version',
    message: 'chart_version 1.20 is a YAML number (read as 1.2): quote it as "1.20"',
  },
  {
    name: 'unquoted integer chart_version',
    files: { 'c.yaml': A({ chart_version: '«2' }) },
    code: 'unquoted-chart-version',
    path: 'spec.stacks[0].addons[0].chart_version',
    message: 'chart_version 2 is a YAML number (read as 2): quote it as "2"',
  },
  {
    name: 'missing chart_version',
    files: {
      'c.yaml': cluster([stack('s', addons(addon({ chart_version: null })))]).replace(
        '- name: a',
        '- «name: a',
      ),
    },
    code: 'missing-field',
    path: 'spec.stacks[0].addons[0].chart_version',
    message: 'missing required field "chart_version" in add-on "a" (for example: chart_version: "0.49.1")',
  },
  {
    name: 'empty chart_name',
    files: { 'c.yaml': A({ chart_name: '""', '«x': null }).replace('chart_name: ""', '«chart_name: ""') },
    code: 'missing-field',
    path: 'spec.stacks[0].addons[0].chart_name',
    message: 'missing required field "chart_name" in add-on "a" (for example: chart_name: fluent-bit)',
  },
  {
    name: 'missing namespace',
    files: { 'c.yaml': A({ namespace: null }).replace('- name: a', '- «name: a') },
    code: 'missing-field',
    path: 'spec.stacks[0].addons[0].namespace',
    message: 'missing required field "namespace" in add-on "a" (for example: namespace: fluent-bit)',
  },
  {
    name: 'namespace with underscore',
    files: { 'c.yaml': A({ namespace: '«fluent_bit' }) },
    code: 'invalid-namespace',
    path: 'spec.stacks[0].addons[0].namespace',
    message:
      'namespace "fluent_bit" is not a valid RFC 1123 label: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
  },
  {
    name: 'namespace too long',
    files: { 'c.yaml': A({ namespace: `«${'n'.repeat(64)}` }) },
    code: 'invalid-namespace',
    path: 'spec.stacks[0].addons[0].namespace',
    message: `namespace "${'n'.repeat(64)}" is not a valid RFC 1123 label: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit`,
  },
  {
    name: 'add-on name with capitals',
    files: { 'c.yaml': A({ name: '«Fluent-Bit' }) },
    code: 'invalid-name',
    path: 'spec.stacks[0].addons[0].name',
    message:
      'add-on name "Fluent-Bit" must be a lowercase RFC 1123 label of at most 53 characters (a-z, 0-9, "-"; it names the Helm release)',
  },
  {
    name: 'no registry',
    files: { 'c.yaml': A({ registry_name: null, registry_url: null }).replace('- name: a', '- «name: a') },
    code: 'missing-registry',
    path: 'spec.stacks[0].addons[0].registry_name',
    message:
      'add-on "a" has no chart registry: add registry_name + registry_url (for example: registry_name: fluent, registry_url: https://fluent.github.io/helm-charts) or repository_url',
  },
  {
    name: 'registry_name of an unknown registry without URL',
    files: { 'c.yaml': A({ registry_url: null }).replace('- name: a', '- «name: a') },
    code: 'missing-field',
    path: 'spec.stacks[0].addons[0].registry_url',
    message:
      'missing required field "registry_url" in add-on "a" (for example: registry_url: https://fluent.github.io/helm-charts)',
  },
  {
    name: 'registry_url without registry_name',
    files: { 'c.yaml': A({ registry_name: null }).replace('- name: a', '- «name: a') },
    code: 'missing-field',
    path: 'spec.stacks[0].addons[0].registry_name',
    message: 'missing required field "registry_name" in add-on "a" (for example: registry_name: fluent)',
  },
  {
    name: 'registry_url without scheme',
    files: { 'c.yaml': A({ registry_url: '«charts.example.com/stable' }) },
    code: 'invalid-url',
    path: 'spec.stacks[0].addons[0].registry_url',
    message: '"registry_url" must be an http://, https:// or oci:// URL, got "charts.example.com/stable"',
  },
  {
    name: 'repository_url and registry_url',
    files: { 'c.yaml': A({ '«repository_url': 'https://x.example.com' }) },
    code: 'conflicting-fields',
    path: 'spec.stacks[0].addons[0].repository_url',
    message: 'add-on "a" gives both "registry_url" and "repository_url": keep registry_name + registry_url',
  },
  {
    name: 'misspelled chart_version',
    files: { 'c.yaml': A({ chart_version: null, '«chart_verison': '"1.0.0"' }) },
    code: 'unknown-field',
    path: 'spec.stacks[0].addons[0].chart_verison',
    message: 'unknown field "chart_verison" in add-on (did you mean "chart_version"?)',
  },
  {
    name: 'camelCase field name',
    files: { 'c.yaml': A({ '«chartName': 'x' }) },
    code: 'unknown-field',
    path: 'spec.stacks[0].addons[0].chartName',
    message: 'unknown field "chartName" in add-on (did you mean "chart_name"?)',
  },
  {
    name: 'values and from_file together',
    files: {
      'c.yaml': A({}, 'configuration:\n  values: |\n    a: 1\n  «from_file: v.yaml'),
      'v.yaml': 'a: 2\n',
    },
    code: 'conflicting-fields',
    path: 'spec.stacks[0].addons[0].configuration.from_file',
    message:
      'the configuration of add-on "a" takes exactly one of "values", "values_base64", "from_file"; found "values" and "from_file"',
  },
  {
    name: 'values are a list',
    files: { 'c.yaml': A({}, 'configuration:\n  values: |\n    «- a\n    - b') },
    code: 'values-not-mapping',
    path: 'spec.stacks[0].addons[0].configuration.values',
    message: 'Helm values of add-on "a" must be a YAML mapping (key: value), got a list',
  },
  {
    name: 'values file missing',
    files: { 'c.yaml': A({}, 'configuration:\n  from_file: «values/a.yaml') },
    code: 'file-not-found',
    path: 'spec.stacks[0].addons[0].configuration.from_file',
    message: '"from_file" names "values/a.yaml", which does not exist in the repository',
  },
  {
    name: 'invalid values_base64',
    files: { 'c.yaml': A({}, 'configuration:\n  values_base64: «not base64!') },
    code: 'invalid-base64',
    path: 'spec.stacks[0].addons[0].configuration.values_base64',
    message: '"values_base64" is not valid base64-encoded UTF-8 text',
  },
  {
    name: 'undefined variable in values',
    files: {
      'c.yaml': cluster([
        stack(
          's',
          `variables:\n  cluster_env: prod\n${addons(addon({}, 'configuration:\n  values: |\n    env: «${{ vars.cluster_nev }}'))}`,
        ),
      ]),
    },
    code: 'undefined-variable',
    path: 'spec.stacks[0].addons[0].configuration.values',
    message: 'undefined variable "cluster_nev" in ${{ vars.cluster_nev }} (did you mean "cluster_env"?)',
  },
  {
    name: 'configuration_type other than standalone',
    files: { 'c.yaml': A({ configuration_type: '«shared' }) },
    code: 'invalid-value',
    path: 'spec.stacks[0].addons[0].configuration_type',
    message: 'configuration_type must be "standalone", got "shared"',
  },
  {
    name: 'add-on entry is a string',
    files: { 'c.yaml': cluster([stack('s', 'addons:\n  - «fluent-bit')]) },
    code: 'wrong-type',
    path: 'spec.stacks[0].addons[0]',
    message:
      '"addons[0]" must be a addon entry (a mapping with name: ...) or include: PATH, got the string "fluent-bit"',
  },
  // ── settings ─────────────────────────────────────────────────────────────
  {
    name: 'misspelled settings field',
    files: { 'c.yaml': A({}, 'settings:\n  «sync_polcy: { automated: true }') },
    code: 'unknown-field',
    path: 'spec.stacks[0].addons[0].settings.sync_polcy',
    message: 'unknown field "sync_polcy" in settings (did you mean "sync_policy"?)',
  },
  {
    name: 'misspelled sync_policy field',
    files: { 'c.yaml': A({}, 'settings:\n  sync_policy:\n    «selfheal: true') },
    code: 'unknown-field',
    path: 'spec.stacks[0].addons[0].settings.sync_policy.selfheal',
    message: 'unknown field "selfheal" in sync_policy (did you mean "self_heal"?)',
  },
  {
    name: 'unknown engine',
    files: { 'c.yaml': A({}, 'settings:\n  engine: «helm') },
    code: 'invalid-value',
    path: 'spec.stacks[0].addons[0].settings.engine',
    message: 'unknown engine "helm": use native or argocd (also ankra_native, argo_cd)',
  },
  {
    name: 'retry limit above 100',
    files: { 'c.yaml': A({}, 'settings:\n  retry_policy: { limit: «101 }') },
    code: 'out-of-range',
    path: 'spec.stacks[0].addons[0].settings.retry_policy.limit',
    message: '"limit" must be between 0 and 100, got 101',
  },
  {
    name: 'backoff_factor below 1',
    files: { 'c.yaml': A({}, 'settings:\n  retry_policy:\n    backoff_factor: «0.5') },
    code: 'out-of-range',
    path: 'spec.stacks[0].addons[0].settings.retry_policy.backoff_factor',
    message: '"backoff_factor" must be between 1 and 10, got 0.5',
  },
  {
    name: 'revision_history_limit 0',
    files: { 'c.yaml': A({}, 'settings:\n  revision_history_limit: «0') },
    code: 'out-of-range',
    path: 'spec.stacks[0].addons[0].settings.revision_history_limit',
    message: '"revision_history_limit" must be between 1 and 100, got 0',
  },
  {
    name: 'backoff_duration in words',
    files: { 'c.yaml': A({}, 'settings:\n  retry_policy:\n    backoff_duration: «5 seconds') },
    code: 'invalid-duration',
    path: 'spec.stacks[0].addons[0].settings.retry_policy.backoff_duration',
    message:
      '"backoff_duration" is not a duration: "5 seconds" (write a number and a unit: 30s, 5m, 4h, 1h30m)',
  },
  {
    name: 'backoff_max as a bare number',
    files: { 'c.yaml': A({}, 'settings:\n  retry_policy:\n    backoff_max: «180') },
    code: 'wrong-type',
    path: 'spec.stacks[0].addons[0].settings.retry_policy.backoff_max',
    message: '"backoff_max" must be a duration such as "30s", "5m" or "4h", got the number 180',
  },
  {
    name: 'cron with six words of nonsense',
    files: { 'c.yaml': A({}, 'settings:\n  sync_window: { schedule: «"61 * * * *", duration: 1h }') },
    code: 'invalid-cron',
    path: 'spec.stacks[0].addons[0].settings.sync_window.schedule',
    message: 'schedule "61 * * * *" is not a cron expression: invalid minute "61" (allowed 0-59)',
  },
  {
    name: 'cron with too few fields',
    files: { 'c.yaml': A({}, 'settings:\n  sync_window:\n    schedule: «"0 22 *"\n    duration: 1h') },
    code: 'invalid-cron',
    path: 'spec.stacks[0].addons[0].settings.sync_window.schedule',
    message:
      'schedule "0 22 *" is not a cron expression: expected 5 fields (minute hour day-of-month month day-of-week), got 3',
  },
  {
    name: 'unknown time zone',
    files: {
      'c.yaml': A(
        {},
        'settings:\n  sync_window:\n    schedule: "0 22 * * *"\n    duration: 1h\n    timezone: «Europe/Berln',
      ),
    },
    code: 'invalid-timezone',
    path: 'spec.stacks[0].addons[0].settings.sync_window.timezone',
    message: 'unknown time zone "Europe/Berln": use an IANA name such as Europe/Berlin or UTC',
  },
  {
    name: 'enabled sync window without duration',
    files: { 'c.yaml': A({}, 'settings:\n  sync_window:\n    «schedule: "0 22 * * *"') },
    code: 'missing-field',
    path: 'spec.stacks[0].addons[0].settings.sync_window.duration',
    message: 'missing required field "duration" in sync_window (for example: duration: 4h)',
  },
  {
    name: 'misspelled sync_window field',
    files: {
      'c.yaml': A(
        {},
        'settings:\n  sync_window:\n    schedule: "0 22 * * *"\n    duration: 1h\n    «timezon: UTC',
      ),
    },
    code: 'unknown-field',
    path: 'spec.stacks[0].addons[0].settings.sync_window.timezon',
    message: 'unknown field "timezon" in sync_window (did you mean "timezone"?)',
  },
  {
    name: 'ignore_differences entry without kind',
    files: { 'c.yaml': A({}, 'settings:\n  ignore_differences:\n    - «group: apps') },
    code: 'missing-field',
    path: 'spec.stacks[0].addons[0].settings.ignore_differences[0].kind',
    message: 'missing required field "kind" in ignore_differences entry (for example: kind: Deployment)',
  },
  {
    name: 'JSON pointer without slash',
    files: {
      'c.yaml': A(
        {},
        'settings:\n  ignore_differences:\n    - kind: Deployment\n      json_pointers: [«spec/replicas]',
      ),
    },
    code: 'invalid-value',
    path: 'spec.stacks[0].addons[0].settings.ignore_differences[0].json_pointers[0]',
    message: 'JSON pointer "spec/replicas" must start with "/" (e.g. /spec/replicas)',
  },
  {
    name: 'sync_options is a string',
    files: { 'c.yaml': A({}, 'settings:\n  sync_policy:\n    sync_options: «CreateNamespace=true') },
    code: 'wrong-type',
    path: 'spec.stacks[0].addons[0].settings.sync_policy.sync_options',
    message: '"sync_options" must be a list of strings, got the string "CreateNamespace=true"',
  },
  {
    name: 'strict_health_check yes',
    files: { 'c.yaml': A({}, 'settings:\n  strict_health_check: «yes') },
    code: 'wrong-type',
    path: 'spec.stacks[0].addons[0].settings.strict_health_check',
    message: '"strict_health_check" must be true or false, got the string "yes"',
  },
  {
    name: 'job timeout not a duration',
    files: { 'c.yaml': A({}, 'job_configuration:\n  update_job_timeout: «ten minutes') },
    code: 'invalid-duration',
    path: 'spec.stacks[0].addons[0].job_configuration.update_job_timeout',
    message:
      '"update_job_timeout" is not a duration: "ten minutes" (write a number and a unit: 30s, 5m, 4h, 1h30m)',
  },
  {
    name: 'misspelled job_configuration field',
    files: { 'c.yaml': A({}, 'job_configuration:\n  «read_timeout: 5m') },
    code: 'unknown-field',
    path: 'spec.stacks[0].addons[0].job_configuration.read_timeout',
    message: 'unknown field "read_timeout" in job_configuration (did you mean "read_job_timeout"?)',
  },
  // ── parents, names, cycles ───────────────────────────────────────────────
  {
    name: 'missing parent with suggestion',
    files: {
      'c.yaml': cluster([
        stack(
          's',
          addons(addon({ name: 'cert-manager' }), addon({ name: 'b' }, 'parents:\n  - addon: «cert-manger')),
        ),
      ]),
    },
    code: 'missing-parent',
    path: 'spec.stacks[0].addons[1].parents[0].addon',
    message: 'parent add-on "cert-manger" is not defined (did you mean "cert-manager"?)',
  },
  {
    name: 'parent of the wrong kind',
    files: {
      'c.yaml': cluster([
        stack('s', `${manifests(manifest('ns'))}\n${addons(addon({}, 'parents:\n  - addon: «ns'))}`),
      ]),
    },
    code: 'parent-wrong-kind',
    path: 'spec.stacks[0].addons[0].parents[0].addon',
    message: 'parent "ns" is a manifest, not an add-on: write - manifest: ns',
  },
  {
    name: 'long-form parent without kind',
    files: { 'c.yaml': A({}, 'parents:\n  - «name: x') },
    code: 'missing-field',
    path: 'spec.stacks[0].addons[0].parents[0].kind',
    message: 'missing required field "kind" in parent entry (for example: kind: manifest)',
  },
  {
    name: 'long-form parent with unknown kind',
    files: { 'c.yaml': A({}, 'parents:\n  - name: x\n    kind: «Deployment') },
    code: 'invalid-value',
    path: 'spec.stacks[0].addons[0].parents[0].kind',
    message: 'parent kind must be "manifest", "addon" or "application", got "Deployment"',
  },
  {
    name: 'parent written as a plain name',
    files: { 'c.yaml': A({}, 'parents:\n  - «ns') },
    code: 'wrong-type',
    path: 'spec.stacks[0].addons[0].parents[0]',
    message:
      'parents[0] must be a mapping such as { manifest: NAME } or { addon: NAME }, got the string "ns"',
  },
  {
    name: 'parent with both forms',
    files: { 'c.yaml': A({}, 'parents:\n  - addon: x\n    «name: x') },
    code: 'conflicting-fields',
    path: 'spec.stacks[0].addons[0].parents[0].name',
    message:
      'a parent entry holds exactly one of "manifest", "addon" or "name" + "kind", got "addon" and "name"',
  },
  {
    name: 'two add-ons in a cycle',
    files: {
      'c.yaml': cluster([
        stack(
          's',
          addons(
            addon({ name: 'a' }, 'parents:\n  - addon: b'),
            addon({ name: 'b' }, 'parents:\n  - addon: «a'),
          ),
        ),
      ]),
    },
    code: 'dependency-cycle',
    path: 'spec.stacks[0].addons[1].parents[0].addon',
    message: 'dependency cycle: add-on a → add-on b → add-on a',
  },
  {
    name: 'three members in a cycle',
    files: {
      'c.yaml': cluster([
        stack(
          's',
          `${manifests(manifest('m', 'parents: [{ addon: b }]'))}\n${addons(addon({ name: 'a' }, 'parents: [{ manifest: «m }]'), addon({ name: 'b' }, 'parents: [{ addon: a }]'))}`,
        ),
      ]),
    },
    code: 'dependency-cycle',
    path: 'spec.stacks[0].addons[0].parents[0].manifest',
    message: 'dependency cycle: manifest m → add-on b → add-on a → manifest m',
  },
  {
    name: 'member is its own parent',
    files: { 'c.yaml': A({}, 'parents:\n  - name: «a\n    kind: addon') },
    code: 'dependency-cycle',
    path: 'spec.stacks[0].addons[0].parents[0].name',
    message: 'dependency cycle: add-on a → add-on a',
  },
  {
    name: 'parent in a stack without an earlier wave',
    files: {
      'c.yaml': cluster([
        stack('one', addons(addon({ name: 'a' }))),
        stack('two', addons(addon({ name: 'b' }, 'parents:\n  - addon: «a'))),
      ]),
    },
    code: 'parent-other-stack',
    path: 'spec.stacks[1].addons[0].parents[0].addon',
    message: 'parent add-on "a" is in stack "one", which does not deploy in an earlier wave than stack "two"',
  },
  {
    name: 'duplicate add-on names across stacks',
    files: {
      'c.yaml': cluster([stack('one', addons(addon())), stack('two', addons(addon({ name: '«a' })))]),
    },
    code: 'duplicate-name',
    path: 'spec.stacks[1].addons[0].name',
    message: 'duplicate add-on name "a" (first defined at c.yaml:9:17)',
  },
  {
    name: 'duplicate manifest from a file name',
    files: {
      'c.yaml': cluster([stack('s', `manifests:\n  - include: ns/\n${manifest('«logging').slice(0)}`)]),
      'ns/logging.yaml': NS,
    },
    code: 'duplicate-name',
    path: 'spec.stacks[0].manifests[1].name',
    message: 'duplicate manifest name "logging" (first defined at ns/logging.yaml:1:1)',
  },
  // ── includes ─────────────────────────────────────────────────────────────
  {
    name: 'include folder missing',
    files: { 'c.yaml': cluster([stack('s', 'addons:\n  - include: «addons/')]) },
    code: 'include-not-found',
    path: 'spec.stacks[0].addons[0].include',
    message: 'include names "addons/", which does not exist in the repository',
  },
  {
    name: 'include folder without YAML',
    files: {
      'c.yaml': cluster([stack('s', 'addons:\n  - include: «addons/')]),
      'addons/README.md': '# none',
    },
    code: 'include-empty',
    path: 'spec.stacks[0].addons[0].include',
    message: 'included folder "addons" holds no .yaml or .yml file',
    severity: 'warning',
  },
  {
    name: 'included add-on file holds a string',
    files: { 'c.yaml': cluster([stack('s', 'addons:\n  - include: a.yaml')]), 'a.yaml': '«just text\n' },
    code: 'include-invalid',
    path: 'spec.stacks[0].addons[0].include',
    message:
      'included file "a.yaml" must hold an add-on entry (a mapping) or a list of them, got the string "just text"',
  },
  {
    name: 'included manifest file mixes objects and entries',
    files: {
      'c.yaml': cluster([stack('s', 'manifests:\n  - include: m.yaml')]),
      'm.yaml': `${NS}---\n«name: other\nfrom_file: x.yaml\n`,
    },
    code: 'include-invalid',
    path: 'spec.stacks[0].manifests[0].include',
    message:
      'included file "m.yaml" mixes Kubernetes objects with other documents: every document needs apiVersion and kind',
  },
  {
    name: 'include cycle',
    files: {
      'c.yaml': cluster([stack('s', 'addons:\n  - include: a.yaml')]),
      'a.yaml': '- include: «a.yaml\n',
    },
    code: 'include-cycle',
    path: 'spec.stacks[0].addons[0].include[0].include',
    message: 'include of "a.yaml" forms a cycle: c.yaml → a.yaml → a.yaml',
  },
  {
    name: 'error inside an included add-on',
    files: {
      'c.yaml': cluster([stack('s', 'addons:\n  - include: addons/')]),
      'addons/a.yaml': `name: a\nchart_name: c\nchart_version: «1.20\nnamespace: ns\nregistry_name: r\nregistry_url: https://r.example.com\n`,
    },
    code: 'unquoted-chart-version',
    path: 'spec.stacks[0].addons[0].include[0].chart_version',
    message: 'chart_version 1.20 is a YAML number (read as 1.2): quote it as "1.20"',
  },
  {
    name: 'second entry of an included list',
    files: {
      'c.yaml': cluster([stack('s', 'addons:\n  - include: addons/')]),
      'addons/a.yaml': `- name: a\n  chart_name: c\n  chart_version: "1"\n  namespace: ns\n  repository_url: https://r.example.com\n- name: b\n  chart_name: c\n  chart_version: "1"\n  namespace: «NS\n  repository_url: https://r.example.com\n`,
    },
    code: 'invalid-namespace',
    path: 'spec.stacks[0].addons[0].include[1].namespace',
    message:
      'namespace "NS" is not a valid RFC 1123 label: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
  },
  {
    name: 'include entry with extra fields',
    files: {
      'c.yaml': cluster([stack('s', 'addons:\n  - include: a.yaml\n    «name: x')]),
      'a.yaml': 'name: x\n',
    },
    code: 'unknown-field',
    path: 'spec.stacks[0].addons[0].name',
    message: 'unknown field "name" in include entry',
  },
  // ── secrets ──────────────────────────────────────────────────────────────
  {
    name: 'plaintext password in values',
    files: { 'c.yaml': A({}, 'configuration:\n  values: |\n    auth:\n      password: «hunter2') },
    code: 'plaintext-secret',
    path: 'spec.stacks[0].addons[0].configuration.values.auth.password',
    message:
      '"auth.password" looks like a plaintext secret; encrypt it with SOPS and list it in encrypted_paths',
    severity: 'warning',
  },
  {
    name: 'plaintext api_key in a values file',
    files: {
      'c.yaml': A({}, 'configuration:\n  from_file: v.yaml'),
      'v.yaml': 'datadog:\n  api_key: «abc123\n',
    },
    code: 'plaintext-secret',
    path: 'spec.stacks[0].addons[0].configuration.from_file.datadog.api_key',
    message:
      '"datadog.api_key" looks like a plaintext secret; encrypt it with SOPS and list it in encrypted_paths',
    severity: 'warning',
  },
  {
    name: 'plaintext token in a Secret manifest',
    files: {
      'c.yaml': cluster([
        stack(
          's',
          'manifests:\n  - name: m\n    from_file: s.yaml\n    encrypted_paths: [stringData.password]',
        ),
      ]),
      's.yaml':
        'apiVersion: v1\nkind: Secret\nmetadata: { name: s }\nstringData:\n  password: ENC[AES256_GCM,data:x,type:str]\n  token: «abc\n',
    },
    code: 'plaintext-secret',
    path: 'spec.stacks[0].manifests[0].from_file.stringData.token',
    message:
      'Secret entry "stringData.token" is stored in plaintext; encrypt it with SOPS and list it in encrypted_paths',
    severity: 'warning',
  },
  // ── keys of the whole documented format ─────────────────────────────────
  {
    name: 'agents_md and agents_md_from_file together',
    files: {
      'c.yaml': A({}, 'agents_md: notes\nagents_md_from_file: «notes.md'),
      'notes.md': '# notes\n',
    },
    code: 'conflicting-fields',
    path: 'spec.stacks[0].addons[0].agents_md_from_file',
    message: 'add-on "a" takes "agents_md" or "agents_md_from_file", not both',
  },
  {
    name: 'agents_md_from_file missing',
    files: {
      'c.yaml': cluster([stack('s', `${manifests(manifest('m', 'agents_md_from_file: «docs/m.md'))}`)]),
    },
    code: 'file-not-found',
    path: 'spec.stacks[0].manifests[0].agents_md_from_file',
    message: '"agents_md_from_file" names "docs/m.md", which does not exist in the repository',
  },
  {
    name: 'agents_md not a string',
    files: { 'c.yaml': A({}, 'agents_md: «[a, b]') },
    code: 'wrong-type',
    path: 'spec.stacks[0].addons[0].agents_md',
    message: '"agents_md" must be a string, got a list',
  },
  {
    name: 'group longer than 63 characters',
    files: { 'c.yaml': A({}, `group: «${'g'.repeat(64)}`) },
    code: 'out-of-range',
    path: 'spec.stacks[0].addons[0].group',
    message: '"group" of add-on "a" is 64 characters long; at most 63 are allowed',
  },
  {
    name: 'namespace_migration_strategy unknown',
    files: { 'c.yaml': A({}, 'namespace_migration_strategy: «keep-data') },
    code: 'invalid-value',
    path: 'spec.stacks[0].addons[0].namespace_migration_strategy',
    message:
      '"namespace_migration_strategy" of add-on "a" must be one of keep_data, delete_data, leave_old, got "keep-data" (did you mean "keep_data"?)',
  },
  {
    name: 'misspelt namespace_migration_strategy key',
    files: { 'c.yaml': A({}, '«namespace_migration_stratgy: keep_data') },
    code: 'unknown-field',
    path: 'spec.stacks[0].addons[0].namespace_migration_stratgy',
    message:
      'unknown field "namespace_migration_stratgy" in add-on (did you mean "namespace_migration_strategy"?)',
  },
  {
    name: 'dependencies_override names a missing member',
    files: {
      'c.yaml': cluster([stack('s', manifests(manifest('m', 'dependencies_override:\n  - manifest: «nsx')))]),
    },
    code: 'missing-parent',
    path: 'spec.stacks[0].manifests[0].dependencies_override[0].manifest',
    message: 'parent manifest "nsx" is not defined',
  },
  {
    name: 'dependencies_override not a list',
    files: { 'c.yaml': cluster([stack('s', manifests(manifest('m', 'dependencies_override: «ns')))]) },
    code: 'wrong-type',
    path: 'spec.stacks[0].manifests[0].dependencies_override',
    message:
      '"dependencies_override" must be a list such as [{ manifest: my-namespace }], got the string "ns"',
  },
  {
    name: 'misspelt dependencies_override',
    files: { 'c.yaml': cluster([stack('s', manifests(manifest('m', '«dependency_override: []')))]) },
    code: 'unknown-field',
    path: 'spec.stacks[0].manifests[0].dependency_override',
    message: 'unknown field "dependency_override" in manifest (did you mean "dependencies_override"?)',
  },
  {
    name: 'application is not deployed',
    files: {
      'c.yaml': cluster([
        stack(
          's',
          'applications:\n  - name: «grafana\n    platform_application_id: grafana\n    platform_application_version: 1.2',
        ),
      ]),
    },
    code: 'application-not-deployed',
    path: 'spec.stacks[0].applications[0].name',
    message: 'application "grafana" is not deployed: Mooring has no application catalogue',
    severity: 'warning',
  },
  {
    name: 'application with an unknown key',
    files: { 'c.yaml': cluster([stack('s', 'applications:\n  - name: app\n    «paramters: {}')]) },
    code: 'unknown-field',
    path: 'spec.stacks[0].applications[0].paramters',
    message: 'unknown field "paramters" in application (did you mean "parameters"?)',
  },
  {
    name: 'application named as parent with the wrong kind',
    files: {
      'c.yaml': cluster([
        stack('s', `applications:\n  - name: app\n${addons(addon({}, 'parents:\n  - addon: «app'))}`),
      ]),
    },
    code: 'parent-wrong-kind',
    path: 'spec.stacks[0].addons[0].parents[0].addon',
    message: 'parent "app" is an application, not an add-on: write - application: app',
  },
  {
    name: 'application with an invalid namespace',
    files: { 'c.yaml': cluster([stack('s', 'applications:\n  - name: app\n    namespace: «Bad_NS')]) },
    code: 'invalid-namespace',
    path: 'spec.stacks[0].applications[0].namespace',
    message:
      'namespace "Bad_NS" is not a valid RFC 1123 label: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
  },
  {
    name: 'prometheus_metrics with a password',
    files: {
      'c.yaml': cluster(
        [],
        '  prometheus_metrics:\n    endpoint: https://prom.example.com\n    «password: hunter2\n',
      ),
    },
    code: 'credential-in-git',
    path: 'spec.prometheus_metrics.password',
    message: '"password" is not allowed in prometheus_metrics: credentials never live in Git',
  },
  {
    name: 'prometheus_metrics with an unknown key',
    files: {
      'c.yaml': cluster(
        [],
        '  prometheus_metrics:\n    endpoint: https://prom.example.com\n    «flavour: self_hosted\n',
      ),
    },
    code: 'unknown-field',
    path: 'spec.prometheus_metrics.flavour',
    message: 'unknown field "flavour" in prometheus_metrics (did you mean "flavor"?)',
  },
  {
    name: 'prometheus_metrics flavor unknown',
    files: {
      'c.yaml': cluster([], '  prometheus_metrics:\n    endpoint: prom:9090\n    flavor: «thanos\n'),
    },
    code: 'invalid-value',
    path: 'spec.prometheus_metrics.flavor',
    message:
      '"flavor" of prometheus_metrics must be one of self_hosted, grafana_cloud, victoria_metrics, got "thanos"',
  },
  {
    name: 'prometheus_metrics endpoint with another scheme',
    files: { 'c.yaml': cluster([], '  prometheus_metrics:\n    endpoint: «ftp://prom.example.com\n') },
    code: 'invalid-url',
    path: 'spec.prometheus_metrics.endpoint',
    message:
      '"endpoint" of prometheus_metrics must be an http:// or https:// URL or host:port, got "ftp://prom.example.com"',
  },
  {
    name: 'prometheus_metrics endpoint with whitespace',
    files: {
      'c.yaml': cluster([], '  prometheus_metrics:\n    endpoint: «"https://prom.example.com /api"\n'),
    },
    code: 'invalid-url',
    path: 'spec.prometheus_metrics.endpoint',
    message: '"endpoint" of prometheus_metrics holds whitespace: "https://prom.example.com /api"',
  },
  {
    name: 'prometheus_metrics without endpoint',
    files: { 'c.yaml': cluster([], '  prometheus_metrics:\n    «flavor: grafana_cloud\n') },
    code: 'missing-field',
    path: 'spec.prometheus_metrics.endpoint',
    message:
      'missing required field "endpoint" in prometheus_metrics (for example: endpoint: https://prometheus.example.com)',
  },
  {
    name: 'log_source with a token',
    files: {
      'c.yaml': cluster(
        [],
        '  log_source:\n    provider: loki\n    endpoint: https://loki.example.com\n    «token: abc\n',
      ),
    },
    code: 'credential-in-git',
    path: 'spec.log_source.token',
    message: '"token" is not allowed in log_source: credentials never live in Git',
  },
  {
    name: 'log_source with auth_scheme',
    files: {
      'c.yaml': cluster(
        [],
        '  log_source:\n    provider: loki\n    endpoint: https://loki.example.com\n    «auth_scheme: basic\n',
      ),
    },
    code: 'credential-in-git',
    path: 'spec.log_source.auth_scheme',
    message: '"auth_scheme" is not allowed in log_source: credentials never live in Git',
  },
  {
    name: 'log_source provider unknown',
    files: {
      'c.yaml': cluster([], '  log_source:\n    provider: «splunk\n    endpoint: https://l.example.com\n'),
    },
    code: 'invalid-value',
    path: 'spec.log_source.provider',
    message: '"provider" of log_source must be one of loki, elasticsearch, opensearch, got "splunk"',
  },
  {
    name: 'log_source field_mappings value not a string',
    files: {
      'c.yaml': cluster(
        [],
        '  log_source:\n    provider: opensearch\n    endpoint: https://os.example.com\n    field_mappings:\n      message: «[a]\n',
      ),
    },
    code: 'wrong-type',
    path: 'spec.log_source.field_mappings.message',
    message: '"message" must be a string, got a list',
  },
  {
    name: 'log_source with an unknown key',
    files: {
      'c.yaml': cluster(
        [],
        '  log_source:\n    provider: loki\n    endpoint: https://l.example.com\n    «tenant: a\n',
      ),
    },
    code: 'unknown-field',
    path: 'spec.log_source.tenant',
    message: 'unknown field "tenant" in log_source (did you mean "tenant_id"?)',
  },
  {
    name: 'inline manifest with no object',
    files: { 'c.yaml': cluster([stack('s', 'manifests:\n  - name: m\n    manifest: «"# nothing"')]) },
    code: 'empty-manifest',
    path: 'spec.stacks[0].manifests[0].manifest',
    message: 'manifest "m" holds no Kubernetes object',
  },
];

describe('invalid definitions', () => {
  it('has at least 60 cases with unique names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { files, at } = unmark(c.files);
    expect(at, 'the case must mark the expected position with «').toBeDefined();
    const r = loadDefinition(new MemoryFileSource(files), 'c.yaml');
    const expected = {
      severity: c.severity ?? 'error',
      file: at!.file,
      line: at!.line,
      column: at!.column,
      path: c.path,
      code: c.code,
      message: c.message,
    };
    const found = r.diagnostics.map(({ hint: _hint, ...d }) => d);
    expect(found).toContainEqual(expected);
    if ((c.severity ?? 'error') === 'error') expect(r.definition).toBeUndefined();
  });
});
