import { apiGroup } from '../health/resourceHealth.ts';
import type { K8sObject } from '../health/types.ts';
import { jqPaths } from './jq.ts';
import { type ManagedFieldsEntry, ownedFieldPaths, resolveFieldPath } from './managedFields.ts';
import { formatPointer, parsePointer, resolvePointer } from './pointer.ts';

/**
 * One ignore-differences rule, as written in add-on settings (`ignore_differences`). The selector
 * (group, kind, name, namespace) picks objects; the rest say which fields to leave out of drift.
 * snake_case and Argo CD's camelCase spellings are both accepted.
 *
 * - `group`: API group ("apps"; "" for the core group); omitted matches any group.
 * - `kind`: required; "*" matches any kind.
 * - `name`, `namespace`: omitted matches any; `*` globs are allowed.
 * - `json_pointers`: RFC 6901 pointers ("/spec/replicas", "/metadata/annotations/a~1b").
 * - `jq_path_expressions`: jq paths (see `jq.ts` for the subset).
 * - `managed_fields_managers`: field managers whose owned fields are ignored (e.g. "kube-controller-manager").
 */
export type IgnoreRule = {
  group?: string;
  kind: string;
  name?: string;
  namespace?: string;
  json_pointers?: readonly string[];
  jq_path_expressions?: readonly string[];
  managed_fields_managers?: readonly string[];
  jsonPointers?: readonly string[];
  jqPathExpressions?: readonly string[];
  managedFieldsManagers?: readonly string[];
};

/** Which mechanism ignored a path. */
export type IgnoreVia = 'json_pointer' | 'jq_path_expression' | 'managed_fields_manager';

/** One ignored subtree of one side of a comparison. */
export type IgnoredPath = {
  /** JSON pointer into that side's object. */
  pointer: string;
  /** Index of the rule in the rule list. */
  rule: number;
  via: IgnoreVia;
  /** The pointer, expression or manager that caused it. */
  source: string;
};

function glob(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined || pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === (value ?? '');
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value ?? '');
}

/** Whether a rule's selector matches an object. */
export function ruleMatches(rule: IgnoreRule, obj: K8sObject): boolean {
  return (
    glob(rule.kind, obj.kind) &&
    glob(rule.group, apiGroup(obj.apiVersion)) &&
    glob(rule.name, obj.metadata?.name) &&
    glob(rule.namespace, obj.metadata?.namespace)
  );
}

/** The fields of a rule, whichever spelling was used. */
export function ruleFields(rule: IgnoreRule): {
  jsonPointers: readonly string[];
  jqPathExpressions: readonly string[];
  managedFieldsManagers: readonly string[];
} {
  return {
    jsonPointers: [...(rule.json_pointers ?? []), ...(rule.jsonPointers ?? [])],
    jqPathExpressions: [...(rule.jq_path_expressions ?? []), ...(rule.jqPathExpressions ?? [])],
    managedFieldsManagers: [...(rule.managed_fields_managers ?? []), ...(rule.managedFieldsManagers ?? [])],
  };
}

/**
 * The subtrees of `doc` that the rules ignore. `identity` is the object the selectors are matched
 * against (the desired object, or the live one when there is no desired one); `managedFields` is the
 * live object's field ownership, used for `managed_fields_managers` and resolved against `doc`.
 * Only paths that exist in `doc` are returned. Malformed pointers or jq expressions throw
 * (`JsonPointerError`, `JqError`), so a bad rule is reported rather than silently ignored.
 */
export function ignoredPaths(
  doc: K8sObject,
  identity: K8sObject,
  rules: readonly IgnoreRule[],
  managedFields: readonly ManagedFieldsEntry[],
): IgnoredPath[] {
  const out: IgnoredPath[] = [];
  const seen = new Set<string>();
  const add = (p: IgnoredPath) => {
    if (seen.has(p.pointer)) return;
    seen.add(p.pointer);
    out.push(p);
  };
  rules.forEach((rule, index) => {
    if (!ruleMatches(rule, identity)) return;
    const f = ruleFields(rule);
    for (const ptr of f.jsonPointers) {
      const resolved = resolvePointer(doc, parsePointer(ptr));
      if (resolved) add({ pointer: formatPointer(resolved), rule: index, via: 'json_pointer', source: ptr });
    }
    for (const expr of f.jqPathExpressions) {
      for (const path of jqPaths(expr, doc)) {
        add({ pointer: formatPointer(path), rule: index, via: 'jq_path_expression', source: expr });
      }
    }
    for (const manager of f.managedFieldsManagers) {
      for (const steps of ownedFieldPaths(managedFields, [manager])) {
        const path = resolveFieldPath(doc, steps);
        if (path)
          add({ pointer: formatPointer(path), rule: index, via: 'managed_fields_manager', source: manager });
      }
    }
  });
  return out;
}
