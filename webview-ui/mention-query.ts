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
  return queryFrom(/(^|[\s([{])@"([^"\n]*)$/.exec(before)) ?? queryFrom(/(^|[\s([{])@([^\s@"]*)$/.exec(before));
}

/** A match of `(lead)@(query)`: the `@` sits right after the lead. */
function queryFrom(m: RegExpExecArray | null): ActiveQuery | undefined {
  if (!m) return undefined;
  const [, lead = "", query = ""] = m; // both groups always take part in a match
  return { start: m.index + lead.length, query };
}
