/**
 * LRU cache of finished completions that answers without a model call when the user
 * types through a shown suggestion (the new prefix is the old prefix plus the first
 * characters of the completion: answer the remainder) or backspaces (the new prefix is
 * the old one minus a few characters on the same line: answer the deleted characters
 * plus the completion, i.e. the same suggestion again).
 *
 * Entries are grouped by a context key (file, template/model, start of the suffix), since
 * the text after the cursor does not change while typing through. Only the last
 * `TAIL_CHARS` of a prefix are stored and compared, together with the full prefix length:
 * two prefixes of equal length with equal tails in the same file and suffix are the same
 * for the model's purposes, and memory stays bounded however big the file is.
 */

export interface CacheEntry {
  contextKey: string;
  prefixLength: number;
  prefixTail: string;
  completion: string;
  replaceSuffixChars: number;
}

export interface CacheHit {
  completion: string;
  replaceSuffixChars: number;
  kind: "exact" | "type-through" | "backspace";
}

export const TAIL_CHARS = 1024;
/** Backspacing further than this, or across a line, is treated as a new situation. */
const MAX_BACKSPACE = 32;

export function contextKey(filepath: string, suffix: string, template: string, model: string): string {
  // 256 chars of suffix separate different cursor positions without hashing megabytes.
  return `${filepath}\u0000${template}\u0000${model}\u0000${suffix.slice(0, 256)}`;
}

export class CompletionCache {
  // Map iteration order is insertion order: re-inserting on use makes it an LRU.
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly capacity = 500) {}

  get size(): number {
    return this.entries.size;
  }

  private static id(contextKey: string, prefixLength: number, prefixTail: string): string {
    return `${contextKey}\u0001${prefixLength}\u0001${prefixTail}`;
  }

  put(contextKey: string, prefix: string, completion: string, replaceSuffixChars = 0): void {
    const prefixTail = prefix.slice(-TAIL_CHARS);
    const id = CompletionCache.id(contextKey, prefix.length, prefixTail);
    this.entries.delete(id);
    this.entries.set(id, { contextKey, prefixLength: prefix.length, prefixTail, completion, replaceSuffixChars });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get(contextKey: string, prefix: string): CacheHit | null {
    const exactId = CompletionCache.id(contextKey, prefix.length, prefix.slice(-TAIL_CHARS));
    const exact = this.entries.get(exactId);
    if (exact) {
      this.touch(exactId, exact);
      return { completion: exact.completion, replaceSuffixChars: exact.replaceSuffixChars, kind: "exact" };
    }
    // Newest first: the suggestion the user is looking at is the one most recently stored.
    for (const [id, e] of [...this.entries].reverse()) {
      if (e.contextKey !== contextKey) continue;
      const typed = prefix.length - e.prefixLength;
      if (typed > 0 && typed < e.completion.length) {
        const typedText = prefix.slice(-typed);
        if (!e.completion.startsWith(typedText)) continue;
        if (!prefix.slice(0, prefix.length - typed).endsWith(e.prefixTail)) continue;
        const rest = e.completion.slice(typed);
        this.touch(id, e);
        return { completion: rest, replaceSuffixChars: e.replaceSuffixChars, kind: "type-through" };
      }
      if (typed < 0 && -typed <= MAX_BACKSPACE && -typed <= e.prefixTail.length) {
        const deleted = e.prefixTail.slice(typed);
        if (deleted.includes("\n")) continue;
        if (!prefix.endsWith(e.prefixTail.slice(0, typed))) continue;
        this.touch(id, e);
        return { completion: deleted + e.completion, replaceSuffixChars: e.replaceSuffixChars, kind: "backspace" };
      }
    }
    return null;
  }

  private touch(id: string, e: CacheEntry): void {
    this.entries.delete(id);
    this.entries.set(id, e);
  }

  clear(): void {
    this.entries.clear();
  }
}
