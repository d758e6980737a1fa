/**
 * What the loader keeps while it reads: the model under construction plus the
 * positions that cross-reference checks (duplicates, parents, cycles,
 * registries) need after every file was read.
 */
import type { DiagnosticSink, Location } from './diagnostics.ts';
import type { FileSource } from './fileSource.ts';
import type {
  AddonMember,
  ApplicationEntry,
  HelmRegistry,
  ManifestMember,
  ParentKind,
  Stack,
} from './model.ts';

export interface ParentDraft {
  /** Undefined when the entry did not say (reported already). */
  kind: ParentKind;
  name: string;
  loc: Location;
  path: string;
}

export interface MemberDraft {
  member: ManifestMember | AddonMember | ApplicationEntry;
  /** Where the name is (or the entry, when the name is missing). */
  nameLoc: Location;
  namePath: string;
  /** True when the name was read successfully. */
  named: boolean;
  parents: ParentDraft[];
  stackIndex: number;
}

export interface RegistryUse {
  name: string;
  url: string;
  loc: Location;
  path: string;
  /** Where the registry was declared, for messages. */
  what: string;
}

export interface StackDraft {
  stack: Stack;
  index: number;
  nameLoc: Location;
  namePath: string;
  named: boolean;
  members: MemberDraft[];
}

export interface LoadState {
  source: FileSource;
  /** The folder of the ImportCluster file (root-relative, `''` at the top): every path is relative to it. */
  baseDir: string;
  /** What the root of `source` is, for messages: `repository` or `root folder`. */
  rootLabel: string;

  sink: DiagnosticSink;
  /** Every repository file read. */
  files: Set<string>;
  registries: HelmRegistry[];
  registryUses: RegistryUse[];
  stacks: StackDraft[];
}
