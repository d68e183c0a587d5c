/**
 * Finds how a project runs its tests, from the files it has: package.json's `test` script
 * (not npm's placeholder), pytest, go test, cargo test, a Makefile `test` target. The first
 * match wins; none → the dev run says tests were not found and carries on.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const NPM_PLACEHOLDER = /no test specified/;

function read(p: string): string {
  try {
    return readFileSync(p, "utf8").slice(0, 256 * 1024);
  } catch {
    return "";
  }
}

export function findTestCommand(root: string): string | undefined {
  const pkg = read(join(root, "package.json"));
  if (pkg) {
    try {
      const test = (JSON.parse(pkg) as { scripts?: { test?: unknown } }).scripts?.test;
      if (typeof test === "string" && test.trim() !== "" && !NPM_PLACEHOLDER.test(test)) return "npm test";
    } catch {
      /* not JSON: look further */
    }
  }
  const pyproject = read(join(root, "pyproject.toml"));
  if (
    existsSync(join(root, "pytest.ini")) ||
    /\[tool\.pytest/.test(pyproject) ||
    /\[pytest\]|\[tool:pytest\]/.test(read(join(root, "setup.cfg")) + read(join(root, "tox.ini"))) ||
    (existsSync(join(root, "tests")) && readdirSync(join(root, "tests")).some((f) => /^test_.*\.py$/.test(f)))
  )
    return "python3 -m pytest -q";
  if (existsSync(join(root, "go.mod"))) return "go test ./...";
  if (existsSync(join(root, "Cargo.toml"))) return "cargo test";
  for (const mk of ["Makefile", "makefile", "GNUmakefile"])
    if (/^test\s*:/m.test(read(join(root, mk)))) return "make test";
  return undefined;
}
