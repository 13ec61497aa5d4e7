/**
 * Annotation rules (Fn's `api-v2.md` §3.4, §4.2) and the merge-patch used by updates
 * (§5): on create every entry must be valid; on update `""` and `null` delete a key and
 * any other value replaces it, then the result may hold at most 100 keys.
 *
 * fnd treats a `null` value exactly like `""` (Fn crashes with a 500 on it).
 *
 * @module
 */

import { APIError } from "./api_error.ts";
import type { Annotations } from "./app.ts";

/** Limits Fn applies to annotations (not configurable). */
export const ANNOTATION_LIMITS = {
  maxKeyBytes: 128,
  maxValueBytes: 512,
  maxKeys: 100,
} as const;

/** Exact 400 messages of the annotation rules. */
export const annotationMessages = {
  invalidKey:
    "Invalid annotation key, annotation keys must be non-empty ascii strings excluding whitespace",
  keyTooLong: "Invalid annotation key length, annotation keys may not be larger than 128 bytes",
  emptyValue:
    "Invalid annotation value, annotation values may only be non-empty strings, numbers, objects, or arrays",
  valueTooLong:
    "Invalid annotation value length, annotation values may not be larger than 512 bytes when serialized as JSON",
  tooManyKeys:
    "Invalid annotation change, new key(s) exceed maximum permitted number of annotations keys (100)",
} as const;

const KEY = /^[!-~]+$/;
const encoder = new TextEncoder();

/** Whether `value` is one of the "empty" annotation values (`""` or `null`). */
export function isEmptyAnnotationValue(value: unknown): boolean {
  return value === "" || value === null || value === undefined;
}

/**
 * Checks one annotation entry: key characters, key length, non-empty value, value size.
 * The size is that of the value's compact JSON text; numbers count as they were written
 * when they arrive as exact JSON numbers (`exact_json.ts`), as Fn counts them.
 *
 * @throws {APIError} 400 with the rule's message
 */
export function validateAnnotation(key: string, value: unknown): void {
  if (!KEY.test(key)) throw new APIError(400, annotationMessages.invalidKey);
  if (key.length > ANNOTATION_LIMITS.maxKeyBytes) {
    throw new APIError(400, annotationMessages.keyTooLong);
  }
  if (isEmptyAnnotationValue(value)) throw new APIError(400, annotationMessages.emptyValue);
  const size = encoder.encode(JSON.stringify(value)).length;
  if (size > ANNOTATION_LIMITS.maxValueBytes) {
    throw new APIError(400, annotationMessages.valueTooLong);
  }
}

function checkCount(size: number): void {
  if (size > ANNOTATION_LIMITS.maxKeys) throw new APIError(400, annotationMessages.tooManyKeys);
}

/**
 * Validates the annotations of a new entity and returns them as a fresh object.
 *
 * @throws {APIError} 400 on the first entry that breaks a rule, or on more than 100 keys
 */
export function validateNewAnnotations(annotations: Annotations | undefined): Annotations {
  const entries = Object.entries(annotations ?? {});
  for (const [key, value] of entries) validateAnnotation(key, value);
  checkCount(entries.length);
  return Object.fromEntries(entries);
}

/**
 * Merges `patch` into `current`: empty values (`""`, `null`) delete their key, others
 * set it. The entries set are checked, then the size of the result.
 *
 * @throws {APIError} 400 on the first bad entry, or when the result has over 100 keys
 */
export function mergeAnnotations(
  current: Annotations,
  patch: Annotations | undefined,
): Annotations {
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (isEmptyAnnotationValue(value)) {
      merged.delete(key);
    } else {
      validateAnnotation(key, value);
      merged.set(key, value);
    }
  }
  checkCount(merged.size);
  return Object.fromEntries(merged);
}

/** Whether two annotation maps hold the same keys with the same JSON values. */
export function annotationsEqual(a: Annotations, b: Annotations): boolean {
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((k) => Object.hasOwn(b, k) && JSON.stringify(a[k]) === JSON.stringify(b[k]));
}
