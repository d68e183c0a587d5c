/**
 * The suggestion currently shown, so that typing through it is answered locally: while the
 * typed characters match the ghost text, the remainder is shown again with no request to
 * the backend at all (the backend's cache would also answer, but no request is cheaper).
 * vscode-free; the adapter calls it from provideInlineCompletionItems.
 */

export interface Shown {
  /** Document text before the cursor when the suggestion was shown. */
  prefix: string;
  completion: string;
  replaceSuffixChars: number;
}

export class ShownSuggestion {
  private shown: Shown | null = null;

  show(s: Shown): void {
    this.shown = s.completion === "" ? null : s;
  }

  clear(): void {
    this.shown = null;
  }

  /**
   * The part of the shown suggestion still ahead of the cursor at `prefix`, or null when
   * the user typed something else (or all of it), moved away, or nothing is shown.
   */
  remaining(prefix: string): Shown | null {
    const s = this.shown;
    if (!s || !prefix.startsWith(s.prefix)) return null;
    const typed = prefix.slice(s.prefix.length);
    if (typed.length >= s.completion.length || !s.completion.startsWith(typed)) return null;
    return { prefix, completion: s.completion.slice(typed.length), replaceSuffixChars: s.replaceSuffixChars };
  }
}
