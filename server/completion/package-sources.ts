/**
 * Where a Go, Rust or Java import lives in the workspace: these languages import packages
 * and modules by path, not files (common/imports.ts#packageImportBindings).
 *
 * - Go: `example.com/shop/cart` is the directory `cart/` under the module root when go.mod at
 *   the workspace root says `module example.com/shop`; every non-test `.go` file there.
 * - Rust: `crate::a::b` is `src/a/b.rs` or `src/a/b/mod.rs` of the crate the file is in
 *   (the nearest `src/` above it); `super::`/`self::` start from the file's own module.
 * - Java: `com.shop.cart.Cart` is `com/shop/cart/Cart.java` under the source root that the
 *   file's own `package` line implies; `com.shop.cart.*` and the file's own package are
 *   directories whose `<Name>.java` may define a class used by name.
 */
import { posix } from "node:path";

export interface PackageReaders {
  workspaceRoot?: string;
  read: (path: string) => Promise<string | undefined>;
  list?: (dir: string) => Promise<string[] | undefined>;
}

/** At most this many files of one Go package are read. */
const MAX_PACKAGE_FILES = 20;

const slash = (p: string) => p.replace(/\\/g, "/");

async function goModulePath(r: PackageReaders): Promise<string | undefined> {
  if (r.workspaceRoot === undefined) return undefined;
  const mod = await r.read(posix.join(slash(r.workspaceRoot), "go.mod"));
  return mod ? /^\s*module\s+(\S+)/m.exec(mod)?.[1] : undefined;
}

/** Files of a Go package imported as `importPath`, inside the workspace. */
export async function goPackageFiles(importPath: string, r: PackageReaders): Promise<string[]> {
  const module = await goModulePath(r);
  if (!module || r.workspaceRoot === undefined || !r.list) return [];
  if (importPath !== module && !importPath.startsWith(`${module}/`)) return [];
  const dir = posix.join(slash(r.workspaceRoot), importPath.slice(module.length));
  const names = (await r.list(dir)) ?? [];
  return names
    .filter((n) => n.endsWith(".go") && !n.endsWith("_test.go"))
    .slice(0, MAX_PACKAGE_FILES)
    .map((n) => posix.join(dir, n));
}

/** Candidate files of the Rust module `crate::a::b` (or `super::…`, `self::…`) seen from `fromFile`. */
export function rustModuleFiles(fromFile: string, modulePath: string): string[] {
  const file = slash(fromFile);
  const parts = modulePath.split("::");
  const src = file.lastIndexOf("/src/");
  if (src === -1) return [];
  const srcDir = file.slice(0, src + 4);
  // The file's own module directory: src/a/b.rs → src/a/b, src/a/mod.rs → src/a, src/lib.rs → src.
  const name = posix.basename(file, ".rs");
  const own = ["mod", "lib", "main"].includes(name) ? posix.dirname(file) : file.slice(0, -3);
  let dir: string;
  const first = parts.shift();
  if (first === "crate") dir = srcDir;
  else if (first === "self") dir = own;
  else if (first === "super") {
    dir = posix.dirname(own);
    while (parts[0] === "super") {
      parts.shift();
      dir = posix.dirname(dir);
    }
  } else return [];
  if (!dir.startsWith(srcDir)) return [];
  if (parts.length === 0) return [posix.join(dir, "mod.rs"), `${dir}.rs`, posix.join(dir, "lib.rs")];
  const base = posix.join(dir, ...parts);
  return [`${base}.rs`, posix.join(base, "mod.rs")];
}

/** The Java source root of `fromFile` from its `package` line: `src/main/java` for `com.shop` in `…/src/main/java/com/shop/App.java`. */
export function javaSourceRoot(fromFile: string, text: string): string | undefined {
  const dir = posix.dirname(slash(fromFile));
  const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(text)?.[1];
  if (!pkg) return dir;
  const rel = pkg.replace(/\./g, "/");
  return dir.endsWith(`/${rel}`) ? dir.slice(0, -rel.length - 1) : undefined;
}

/** `com.shop.cart.Cart` → its file under the source root. */
export function javaClassFile(root: string, qualified: string): string {
  return `${posix.join(root, ...qualified.split("."))}.java`;
}
