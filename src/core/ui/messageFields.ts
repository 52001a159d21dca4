/**
 * What every webview message validator starts with: a webview may post anything, so a message is
 * looked at only as a plain object's own fields, and the messages that carry nothing but their
 * type are answered in one place.
 */

/** The message's fields, or undefined when it is not a plain object. */
export function fieldsOf(msg: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? (msg as Record<string, unknown>) : undefined;
}

/** `{ type }` when the message's type is one of `bare` (messages with no other field the host reads). */
export function bareMessage<T extends string>(
  m: Readonly<Record<string, unknown>>,
  bare: readonly T[],
): { type: T } | undefined {
  return (bare as readonly unknown[]).includes(m.type) ? { type: m.type as T } : undefined;
}
