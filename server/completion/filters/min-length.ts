/**
 * A minimum useful length: ghost text of one or two punctuation characters (`;`, `,`, `{}`) is
 * noise that costs a keystroke to dismiss. A single letter or digit stays (it may finish a word).
 */
export function tooShort(completion: string): boolean {
  const t = completion.replace(/\s+/g, "");
  return t.length < 3 && !/[\p{L}\p{N}]/u.test(t);
}
