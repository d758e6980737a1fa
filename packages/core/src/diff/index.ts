export type { ChangeOp, DiffChange } from './compare.ts';
export { compareSubset, scalarsEqual } from './compare.ts';
export type { DiffOptions, DiffResult, IgnorePreview, IgnorePreviewPath } from './diffObject.ts';
export { diffObject, whatWouldBeIgnored } from './diffObject.ts';
export type { IgnoredPath, IgnoreRule, IgnoreVia } from './ignore.ts';
export { ignoredPaths, ruleFields, ruleMatches } from './ignore.ts';
export type { JqAst } from './jq.ts';
export { JqError, jqPaths, jqValues, parseJq } from './jq.ts';
export type { FieldStep, ManagedFieldsEntry } from './managedFields.ts';
export { ownedFieldPaths, resolveFieldPath } from './managedFields.ts';
export type { ElementKey } from './mergeKeys.ts';
export { mergeKeyFor } from './mergeKeys.ts';
export type { NormalizeOptions } from './normalize.ts';
export {
  HELM_CHART_LABEL,
  INJECTED_ANNOTATIONS,
  MANAGED_BY_LABEL,
  normalizeForDiff,
  SERVER_METADATA_FIELDS,
} from './normalize.ts';
export type { JsonPatchOperation } from './patch.ts';
export { changesToPatch } from './patch.ts';
export type { PathSegment } from './pointer.ts';
export {
  escapePointerToken,
  formatPointer,
  getAtPath,
  JsonPointerError,
  parsePointer,
  removePaths,
  resolvePointer,
  unescapePointerToken,
} from './pointer.ts';
export { parseQuantity, quantitiesEqual } from './quantity.ts';
export { renderDiffText } from './text.ts';
