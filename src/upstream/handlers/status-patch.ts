/**
 * The status patches of the modern edge (spec §4.2 `podpatch`, `nodepatch`; §4.7): a strategic-merge
 * patch on the `status` subresource whose content is the patch as a JSON string. This module reads and
 * checks the patch before it is sent: it must be a JSON object, and under node authorization it may carry
 * only `status` and a few `metadata` fields, so a node cannot use its status write to rewrite owner
 * references, finalizers or (with a `$patch` directive) whole maps. The kubelet's own patches fit:
 * `{"metadata":{"uid":…},"status":{…}}` for pods (`statusutil.PatchPodStatus`), `status` plus label and
 * annotation changes for nodes (`nodeutil.PatchNodeStatus`).
 * @module
 */
import type { KubeResource } from '../api-call.js';
import { forbiddenFailure } from '../api-outcome.js';
import type { JsonObject } from '../content.js';
import type { Decision, ReplyShape } from '../decision.js';
import { forbid } from '../decision.js';
import type { HandlerInput } from './context.js';
import { contentText, isJsonObject } from '../content.js';

/** A readable patch: its text (sent as is) and the decoded document. */
export interface StatusPatch {
  readonly text: string;
  readonly document: JsonObject;
}

/** Reads the patch: a string as is, other content re-serialized (as Go's `GetContentData`). */
export function readStatusPatch(
  content: unknown,
): { ok: true; patch: StatusPatch } | { ok: false; message: string } {
  const text = contentText(content);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, message: `invalid patch: ${text.length} characters that are not JSON` };
  }
  if (!isJsonObject(document)) return { ok: false, message: 'invalid patch: not a JSON object' };
  return { ok: true, patch: { text, document } };
}

/**
 * The first field the patch may not carry, or `undefined`: a top-level key other than `metadata` and
 * `status`, a `metadata` key outside `metadataKeys`, or a `$`-directive key inside `metadata.labels` or
 * `metadata.annotations`.
 */
export function disallowedPatchField(
  document: JsonObject,
  metadataKeys: readonly string[],
): string | undefined {
  for (const key of Object.keys(document)) {
    if (key !== 'metadata' && key !== 'status') return key;
  }
  const metadata = document.metadata;
  if (metadata === undefined || metadata === null) return undefined;
  if (!isJsonObject(metadata)) return 'metadata';
  for (const key of Object.keys(metadata)) {
    if (!metadataKeys.includes(key)) return `metadata.${key}`;
  }
  for (const map of ['labels', 'annotations'] as const) {
    const value = metadata[map];
    if (!isJsonObject(value)) continue;
    const directive = Object.keys(value).find((key) => key.startsWith('$'));
    if (directive !== undefined) return `metadata.${map}.${directive}`;
  }
  return undefined;
}

/** The label keys a patch sets or removes (`metadata.labels`), for the restricted-label check. */
export function patchedLabelKeys(document: JsonObject): string[] {
  const metadata = document.metadata;
  if (!isJsonObject(metadata) || !isJsonObject(metadata.labels)) return [];
  return Object.keys(metadata.labels);
}

/**
 * Under node authorization, the `forbid` decision for a status patch that sets anything but `status`
 * and the allowed metadata keys; `undefined` when the patch may go through.
 */
export function rejectPatchFields(
  input: HandlerInput,
  document: JsonObject,
  metadataKeys: readonly string[],
  target: { readonly resource: KubeResource; readonly name: string },
  shape: ReplyShape,
): Decision | undefined {
  if (input.options.authorization !== 'node') return undefined;
  const field = disallowedPatchField(document, metadataKeys);
  if (field === undefined) return undefined;
  const what = target.resource === 'pods' ? 'pod' : 'node';
  const failure = forbiddenFailure(
    target.resource,
    target.name,
    `a ${what} status patch may not set ${JSON.stringify(field)}`,
  );
  return forbid('patch-field-not-allowed', failure, shape);
}
