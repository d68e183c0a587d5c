/**
 * Where the @-picker opens: the `@…` being typed just before the caret. DOM-free (tested).
 * `@src/ap` → query "src/ap"; `@"my fi` → query "my fi" (quoted, may hold spaces).
 */
export interface ActiveQuery {
  /** Offset of the `@`. */
  start: number;
  query: string;
}

export function activeMentionQuery(text: string, caret: number): ActiveQuery | undefined {
  const before = text.slice(0, caret);
  const quoted = /(^|[\s([{])@"([^"\n]*)$/.exec(before);
  if (quoted) return { start: quoted.index + quoted[1]!.length, query: quoted[2]! };
  const plain = /(^|[\s([{])@([^\s@"]*)$/.exec(before);
  if (plain) return { start: plain.index + plain[1]!.length, query: plain[2]! };
  return undefined;
}
