/**
 * Words for lexical retrieval, the same for code and for questions: identifiers split at
 * camelCase / snake_case / digits, lower-cased, lightly stemmed ("retries", "retrying",
 * "retried" → "retry"; "payments" → "payment"), with English filler words and the
 * keywords every file has dropped — they match everything and rank nothing.
 */

const STOP = new Set(
  (
    "a an and are as at be by can do does did for from has have how i if in into is it its me my " +
    "not of on or our should so that the their them then there these this those to us was we were what " +
    "when where which who why will with you your all any each get set new use used uses using " +
    "code file files function functions method methods class classes find show tell make does done " +
    "const let var def func fn return import export public private protected static void int string " +
    "bool boolean true false null none nil self this async await else elif try catch except finally " +
    "package type struct interface extends implements from as lambda yield pass break continue"
  ).split(" "),
);

const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*/g;

/** Splits one identifier into lower-case parts: "retryFailedPayment2" → retry, failed, payment. */
export function splitIdentifier(ident: string): string[] {
  return ident
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z]+/)
    .filter((p) => p.length > 1)
    .map((p) => p.toLowerCase());
}

/** Light suffix stripping; enough to meet a question's words with code's identifiers. */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith("ies")) return w.slice(0, -3) + "y";
  if (w.length > 5 && w.endsWith("ied")) return w.slice(0, -3) + "y";
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  else if (w.length > 4 && (w.endsWith("ses") || w.endsWith("xes") || w.endsWith("ches") || w.endsWith("shes")))
    w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is"))
    w = w.slice(0, -1);
  // "retrying" → "retry", "stopped" → "stopp" → "stop", "charged" → "charg" vs "charge" → "charg"
  if (w.length > 3 && w[w.length - 1] === w[w.length - 2] && !/[aeiouls]/.test(w[w.length - 1]!)) w = w.slice(0, -1);
  if (w.length > 4 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

/** identifier → its stemmed, filtered terms; identifiers repeat across a repository, splitting is the hot path. */
const termCache = new Map<string, readonly string[]>();
const TERM_CACHE_MAX = 200_000;

function identTerms(ident: string): readonly string[] {
  let terms = termCache.get(ident);
  if (terms === undefined) {
    terms = splitIdentifier(ident)
      .filter((p) => p.length >= 2 && p.length <= 32 && !STOP.has(p))
      .map(stem);
    if (termCache.size >= TERM_CACHE_MAX) termCache.clear();
    termCache.set(ownString(ident), terms);
  }
  return terms;
}

/** Stemmed, filtered terms of a piece of text (code or a question), in order, with repeats. */
export function termsOf(text: string, out: string[] = []): string[] {
  for (const m of text.matchAll(IDENT)) {
    const ident = m[0];
    if (ident.length > 64) continue;
    for (const t of identTerms(ident)) out.push(t);
  }
  return out;
}

/** Identifiers in a text (for references), each with its count; short and keyword-like ones dropped. */
export function identifiersOf(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of text.matchAll(IDENT)) {
    const ident = m[0];
    if (ident.length < 3 || ident.length > 64 || STOP.has(ident)) continue;
    counts.set(ident, (counts.get(ident) ?? 0) + 1);
  }
  return counts;
}

/**
 * A copy of `s` that does not point into a bigger string. V8 makes substrings (regex
 * matches, `slice`) views of their parent; keeping one would keep a whole file's text.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, "utf8").toString("utf8");
}
