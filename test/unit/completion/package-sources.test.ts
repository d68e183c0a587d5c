/** Go, Rust and Java imports: the bindings read from the file head and the files they name. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { importBindings } from "../../../common/imports";
import { javaClassFile, javaSourceRoot, rustModuleFiles } from "../../../server/completion/package-sources";

const rows = (text: string, lang: string) =>
  importBindings(text, lang).map((b) => [b.local, b.exported, b.specifier, b.namespace]);

test("Go: single and grouped imports, aliases; blank and dot imports skipped", () => {
  assert.deepEqual(
    rows(
      'package m\n\nimport "example.com/a/cart"\nimport (\n\t"fmt"\n\tp "example.com/a/pricing"\n\t_ "x/y"\n)\n',
      "go",
    ),
    [
      ["fmt", "fmt", "fmt", true],
      ["p", "p", "example.com/a/pricing", true],
      ["cart", "cart", "example.com/a/cart", true],
    ],
  );
});

test("Rust: braces, single items (item or module), aliases; std paths are not the workspace's", () => {
  assert.deepEqual(rows("use std::fmt;\nuse crate::cart::{Cart, total as sum};\nuse super::pricing;\n", "rust"), [
    ["Cart", "Cart", "crate::cart", false],
    ["Cart", "Cart", "crate::cart::Cart", true],
    ["sum", "total", "crate::cart", false],
    ["sum", "sum", "crate::cart::total", true],
    ["pricing", "pricing", "super", false],
    ["pricing", "pricing", "super::pricing", true],
  ]);
});

test("Java: class imports and wildcards; static imports left out", () => {
  assert.deepEqual(
    rows(
      "package a;\nimport com.shop.cart.Cart;\nimport com.shop.util.*;\nimport static java.lang.Math.max;\n",
      "java",
    ),
    [
      ["Cart", "Cart", "com.shop.cart.Cart", false],
      ["*", "*", "com.shop.util", true],
    ],
  );
});

test("Rust module files: crate::, super::, self:: from a file, a mod.rs and lib.rs", () => {
  assert.deepEqual(rustModuleFiles("/w/src/shop/checkout.rs", "crate::cart"), ["/w/src/cart.rs", "/w/src/cart/mod.rs"]);
  assert.deepEqual(rustModuleFiles("/w/src/shop/checkout.rs", "super::pricing"), [
    "/w/src/shop/pricing.rs",
    "/w/src/shop/pricing/mod.rs",
  ]);
  assert.deepEqual(rustModuleFiles("/w/src/shop/mod.rs", "self::pricing"), [
    "/w/src/shop/pricing.rs",
    "/w/src/shop/pricing/mod.rs",
  ]);
  assert.deepEqual(rustModuleFiles("/w/src/lib.rs", "super::x"), [], "nothing above the crate");
  assert.deepEqual(rustModuleFiles("/w/other/a.rs", "crate::x"), [], "not in a crate's src/");
});

test("Java source root from the package line; a file not where its package says gives none", () => {
  assert.equal(javaSourceRoot("/w/src/main/java/com/shop/App.java", "package com.shop;\n"), "/w/src/main/java");
  assert.equal(javaSourceRoot("/w/App.java", "class App {}\n"), "/w");
  assert.equal(javaSourceRoot("/w/src/App.java", "package com.shop;\n"), undefined);
  assert.equal(javaClassFile("/w/src/main/java", "com.shop.cart.Cart"), "/w/src/main/java/com/shop/cart/Cart.java");
});
