/**
 * The run panel's page: a strict CSP with a fresh nonce, nothing remote, and a small script
 * that renders the run's events. Everything from the run (model text, tool output, diffs) is
 * untrusted and goes in through `textContent` only — never as HTML.
 */
import { webviewNonce } from "../webview-html";

export function runHtml(title: string): string {
  const nonce = webviewNonce();
  const csp = ["default-src 'none'", `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${CSS}</style>
</head>
<body>
<header id="head">
  <div id="title"></div>
  <div id="meta"><span id="status" class="badge">connecting…</span><span id="budget"></span><span id="conn"></span></div>
  <div id="actions"><button id="cancel" class="secondary" hidden>Cancel run</button></div>
</header>
<section id="question" class="card question" hidden></section>
<main id="log" aria-live="polite"></main>
<footer id="end" hidden></footer>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 24px; }
header { position: sticky; top: 0; background: var(--vscode-editor-background); padding: 10px 0 8px; border-bottom: 1px solid var(--vscode-panel-border); z-index: 1; }
#title { font-size: 1.2em; font-weight: 600; }
#meta { margin-top: 4px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; opacity: .9; }
#actions { position: absolute; right: 0; top: 10px; }
.badge { padding: 1px 8px; border-radius: 10px; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.badge.completed { background: #2e7d32; color: #fff; } .badge.failed, .badge.interrupted { background: #c62828; color: #fff; }
.badge.stopped, .badge.cancelled, .badge.waiting_for_user { background: #ef6c00; color: #fff; }
main > * { margin: 10px 0; }
.text { white-space: pre-wrap; line-height: 1.45; }
.status-line { opacity: .75; font-style: italic; }
details { border: 1px solid var(--vscode-panel-border); border-radius: 4px; padding: 4px 8px; }
details summary { cursor: pointer; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card.confirm button { margin-top: 6px; }
.card.question { margin-top: 12px; } .question-text { white-space: pre-wrap; margin-top: 4px; }
.args { opacity: .8; }
.ok { color: var(--vscode-testing-iconPassed, #388e3c); } .bad { color: var(--vscode-testing-iconFailed, #d32f2f); }
pre { white-space: pre-wrap; word-break: break-word; background: var(--vscode-textCodeBlock-background); padding: 8px; border-radius: 4px; max-height: 480px; overflow: auto; margin: 6px 0; }
.add { color: var(--vscode-gitDecoration-addedResourceForeground, #2e7d32); } .del { color: var(--vscode-gitDecoration-deletedResourceForeground, #c62828); } .hunk { opacity: .7; }
.card { border-left: 3px solid var(--vscode-focusBorder); padding: 6px 10px; background: var(--vscode-editorWidget-background); }
.card.error { border-color: #c62828; } .card.pr { border-color: #6f42c1; } .card.confirm { border-color: #ef6c00; }
.label { font-weight: 600; margin-right: 6px; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 12px; margin-right: 6px; cursor: pointer; border-radius: 2px; }
button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
a { color: var(--vscode-textLink-foreground); cursor: pointer; }
footer { margin-top: 16px; padding: 10px; border-radius: 4px; background: var(--vscode-editorWidget-background); border: 1px solid var(--vscode-panel-border); }
`;

// Plain browser JS (this string is the page's script). Every untrusted string goes through text().
const SCRIPT = `
const vscode = acquireVsCodeApi();
const $ = (id) => document.getElementById(id);
const log = $("log");
let textEl = null;
const tools = new Map();
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = String(text); return e; }
function add(node) { textEl = null; log.appendChild(node); return node; }
function card(cls, label, text) { const c = el("div", "card " + cls); c.appendChild(el("span", "label", label)); if (text !== undefined) c.appendChild(el("span", "", text)); return c; }
function link(url, label) { const a = el("a", "", label || url); a.href = "#"; a.title = url; a.addEventListener("click", (e) => { e.preventDefault(); vscode.postMessage({ type: "open", url }); }); return a; }
function diffPre(patch) {
  const pre = el("pre");
  for (const line of String(patch).split("\\n")) {
    const cls = line.startsWith("+") && !line.startsWith("+++") ? "add" : line.startsWith("-") && !line.startsWith("---") ? "del" : line.startsWith("@@") ? "hunk" : "";
    pre.appendChild(el("span", cls, line + "\\n"));
  }
  return pre;
}
function setStatus(s) { const b = $("status"); b.textContent = s.replace(/_/g, " "); b.className = "badge " + s; $("cancel").hidden = !(s === "running" || s === "waiting_for_user"); }
function fmtMs(ms) { const s = Math.max(0, Math.round(ms / 1000)); return Math.floor(s / 60) + "m " + (s % 60) + "s"; }
function render(ev) {
  switch (ev.type) {
    // "Waiting for you" is the confirmation card itself and the badge: a log line would stay behind, stale, once answered.
    case "status": setStatus(ev.status); if (ev.status !== "waiting_for_user" && (ev.phase || ev.message)) add(el("div", "status-line", [ev.phase, ev.message].filter(Boolean).join(" — "))); break;
    case "token": if (!textEl) { textEl = el("div", "text"); log.appendChild(textEl); } textEl.textContent += ev.text; break;
    case "tool_call": {
      const d = el("details"); d.dataset.call = ev.call_id;
      const s = el("summary"); s.appendChild(el("span", "label", "⚙ " + ev.tool)); s.appendChild(el("span", "args", brief(ev.args)));
      d.appendChild(s); const args = el("pre", "", JSON.stringify(ev.args, null, 2)); d.appendChild(args);
      tools.set(ev.call_id, { d, s }); add(d); break; }
    case "tool_result": {
      const t = tools.get(ev.call_id);
      const mark = el("span", ev.ok ? "ok" : "bad", ev.ok ? " ✓ " : " ✗ failed ");
      const out = el("pre", "", ev.output + (ev.truncated ? "\\n… (truncated)" : ""));
      if (t) {
        t.s.insertBefore(mark, t.s.children[1] || null); t.d.appendChild(out); if (!ev.ok) t.d.open = true;
        // A call that waited for the user's Run sits above its confirmation card: bring it (open) below the card,
        // where the user who just clicked looks for the output.
        if (t.confirmed) { log.appendChild(t.d); t.d.open = true; }
      }
      else { const d = el("details"); const s = el("summary"); s.appendChild(el("span", "label", ev.tool)); s.appendChild(mark); d.appendChild(s); d.appendChild(out); add(d); }
      textEl = null; break; }
    case "confirm": {
      const p = ev.pending; const c = card("confirm", "Run this command?");
      c.appendChild(el("pre", "", p.command)); c.appendChild(el("div", "", "in " + p.cwd + " — risk: " + p.risk + (p.reasons.length ? " (" + p.reasons.join("; ") + ")" : "")));
      const run = el("button", "", p.risk === "dangerous" ? "Run (dangerous)" : "Run"); const rej = el("button", "secondary", "Reject");
      run.dataset.confirm = p.confirmation_id;
      const done = (what) => { run.disabled = true; rej.disabled = true; c.appendChild(el("div", "status-line", what)); };
      run.addEventListener("click", () => { vscode.postMessage({ type: "confirm", confirmation_id: p.confirmation_id, action: "run", dangerous: p.risk === "dangerous" }); done("sent: run"); });
      // The tool call this card confirms: the latest one not yet answered.
      const pendingCall = [...tools.values()].reverse().find((t) => !t.s.querySelector(".ok, .bad"));
      if (pendingCall) pendingCall.confirmed = true;
      rej.addEventListener("click", () => { vscode.postMessage({ type: "confirm", confirmation_id: p.confirmation_id, action: "reject" }); done("sent: reject"); });
      c.appendChild(run); c.appendChild(rej); add(c); break; }
    case "plan": { const d = card("plan", "Plan", ev.path + (ev.commit ? " (commit " + ev.commit.slice(0, 8) + ")" : "")); d.appendChild(el("pre", "", ev.text)); add(d); break; }
    case "diff": { const d = el("details"); d.open = true; const s = el("summary"); s.appendChild(el("span", "label", "Diff")); s.appendChild(el("span", "", ev.files.join(", ") + (ev.truncated ? " (truncated)" : ""))); d.appendChild(s); d.appendChild(diffPre(ev.patch)); add(d); break; }
    case "test_result": { const d = el("details"); d.open = !ev.passed; const s = el("summary"); s.appendChild(el("span", "label", "Tests (round " + ev.round + ")")); s.appendChild(el("span", ev.passed ? "ok" : "bad", ev.passed ? "✓ passed" : "✗ failed (exit " + ev.exit_code + ")")); s.appendChild(el("span", "", "  " + ev.command)); d.appendChild(s); d.appendChild(el("pre", "", ev.output_tail)); add(d); break; }
    case "commit": add(card("commit", "Commit", ev.sha.slice(0, 10) + " on " + ev.branch + ": " + ev.message)); break;
    case "push": add(card("push", "Pushed", ev.branch + " → " + ev.remote)); break;
    case "pr": { const c = card("pr", ev.created ? (ev.draft ? "Draft pull request opened" : "Pull request opened") : "Pull request (already open)"); c.appendChild(link(ev.url)); add(c); break; }
    case "budget": $("budget").textContent = "steps " + ev.steps_used + "/" + ev.steps_max + " · tokens " + ev.tokens_used + "/" + ev.tokens_max + " · time left " + fmtMs(ev.max_ms - ev.elapsed_ms); break;
    case "error": { const c = card("error", "Error", ev.error.message); if (ev.error.hint) c.appendChild(el("div", "", ev.error.hint)); add(c); break; }
    case "end": {
      setStatus(ev.status); const f = $("end"); f.hidden = false; f.textContent = "";
      f.appendChild(el("span", "label", ev.status === "completed" ? "✓ Finished" : "Ended: " + ev.status + (ev.stop_reason ? " (" + ev.stop_reason + ")" : "")));
      f.appendChild(el("span", "", ev.message));
      if (ev.branch_kept) f.appendChild(el("div", "", "The branch and its checkpoints were kept."));
      if (ev.pr_url) { const p = el("div"); p.appendChild(el("span", "label", "Pull request:")); p.appendChild(link(ev.pr_url)); f.appendChild(p); }
      break; }
  }
}
function brief(args) { try { const s = Object.entries(args).map(([k, v]) => k + "=" + (typeof v === "string" ? v : JSON.stringify(v))).join("  ").replace(/\\s*\\n\\s*/g, " ⏎ "); return "  " + (s.length > 120 ? s.slice(0, 120) + "…" : s); } catch { return ""; } }
$("cancel").addEventListener("click", () => vscode.postMessage({ type: "cancel" }));
window.addEventListener("message", (e) => {
  const m = e.data;
  if (m.type === "reset") { vscode.setState({ ticketId: m.ticketId, runId: m.runId }); log.textContent = ""; tools.clear(); textEl = null; $("end").hidden = true; $("title").textContent = m.title; $("budget").textContent = ""; }
  else if (m.type === "events") for (const ev of m.events) render(ev);
  else if (m.type === "connection") $("conn").textContent = m.text;
  else if (m.type === "title") $("title").textContent = m.title;
  else if (m.type === "question") { const q = $("question"); q.textContent = ""; q.appendChild(el("span", "label", m.label)); q.appendChild(el("div", "question-text", m.text)); q.hidden = false; }
});
vscode.postMessage({ type: "ready" });
`;
