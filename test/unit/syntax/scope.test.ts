/**
 * The named block around a cursor, per language: for every non-blank line of each fixture,
 * the innermost scope and the one around it — the same at the line's start, middle and end.
 * Covers functions, methods, classes, nested closures, decorators/attributes and the
 * comments above a definition (their lines count to it). Reviewed by hand: a change here
 * changes what Ctrl+K rewrites.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "../../../server/syntax/parse";
import { describeScope, enclosingScope, scopesAt } from "../../../server/syntax/scope";

const FIXTURES = join(__dirname, "fixtures");

/** fixture → 0-based line → "innermost < next" (describeScope, lines 1-based); "" = no scope. */
const EXPECTED: Record<string, Record<number, string>> = {
  "Sample.cs.txt": {
    0: "", // using System;
    2: "module Shop (lines 3–20)", // namespace Shop
    3: "module Shop (lines 3–20)", // {
    4: "class Cart (lines 5–19) < module Shop (lines 3–20)", // public class Cart
    5: "class Cart (lines 5–19) < module Shop (lines 3–20)", // {
    6: "class Cart (lines 5–19) < module Shop (lines 3–20)", // private int[] items;
    8: "method Total (lines 9–18) < class Cart (lines 5–19)", // // Sum of prices.
    9: "method Total (lines 10–18) < class Cart (lines 5–19)", // [Obsolete]
    10: "method Total (lines 10–18) < class Cart (lines 5–19)", // public int Total()
    11: "method Total (lines 10–18) < class Cart (lines 5–19)", // {
    12: "function twice (lines 13–16) < method Total (lines 10–18)", // Func<int, int> twice = x =>
    13: "function twice (lines 13–16) < method Total (lines 10–18)", // {
    14: "function twice (lines 13–16) < method Total (lines 10–18)", // return x * 2;
    15: "function twice (lines 13–16) < method Total (lines 10–18)", // };
    16: "method Total (lines 10–18) < class Cart (lines 5–19)", // return 0;
    17: "method Total (lines 10–18) < class Cart (lines 5–19)", // }
    18: "class Cart (lines 5–19) < module Shop (lines 3–20)", // }
    19: "module Shop (lines 3–20)", // }
  },
  "Sample.java.txt": {
    0: "", // package shop;
    2: "", // import java.util.List;
    4: "class Cart (lines 5–21)", // /** A cart. */
    5: "class Cart (lines 6–21)", // public class Cart {
    6: "class Cart (lines 6–21)", // private List<Integer> items;
    8: "constructor Cart (lines 9–11) < class Cart (lines 6–21)", // public Cart(List<Integer> items) {
    9: "constructor Cart (lines 9–11) < class Cart (lines 6–21)", // this.items = items;
    10: "constructor Cart (lines 9–11) < class Cart (lines 6–21)", // }
    12: "method total (lines 13–20) < class Cart (lines 6–21)", // // Sum of prices.
    13: "method total (lines 14–20) < class Cart (lines 6–21)", // @Override
    14: "method total (lines 14–20) < class Cart (lines 6–21)", // public int total() {
    15: "closure (lines 16–18) < method total (lines 14–20)", // items.forEach(i -> {
    16: "closure (lines 16–18) < method total (lines 14–20)", // System.out.println(i);
    17: "closure (lines 16–18) < method total (lines 14–20)", // });
    18: "method total (lines 14–20) < class Cart (lines 6–21)", // return 0;
    19: "method total (lines 14–20) < class Cart (lines 6–21)", // }
    20: "class Cart (lines 6–21)", // }
  },
  "sample.c.txt": {
    0: "", // #include <stdio.h>
    2: "function total (lines 3–10)", // /* Sum of prices. */
    3: "function total (lines 4–10)", // int total(const int *items, int n) {
    4: "function total (lines 4–10)", // int s = 0;
    5: "function total (lines 4–10)", // for (int i = 0; i < n; i++) {
    6: "function total (lines 4–10)", // s += items[i];
    7: "function total (lines 4–10)", // }
    8: "function total (lines 4–10)", // return s;
    9: "function total (lines 4–10)", // }
    11: "struct cart (lines 12–14)", // struct cart {
    12: "struct cart (lines 12–14)", // int n;
    13: "struct cart (lines 12–14)", // };
  },
  "sample.cpp.txt": {
    0: "", // #include <vector>
    2: "module shop (lines 3–25)", // namespace shop {
    4: "class Cart (lines 5–18) < module shop (lines 3–25)", // class Cart {
    5: "class Cart (lines 5–18) < module shop (lines 3–25)", // public:
    6: "method total (lines 7–14) < class Cart (lines 5–18)", // int total() const {
    7: "method total (lines 7–14) < class Cart (lines 5–18)", // int s = 0;
    8: "closure (lines 9–11) < method total (lines 7–14)", // auto add = [&](int i) {
    9: "closure (lines 9–11) < method total (lines 7–14)", // s += i;
    10: "closure (lines 9–11) < method total (lines 7–14)", // };
    11: "method total (lines 7–14) < class Cart (lines 5–18)", // for (int i : items_) add(i);
    12: "method total (lines 7–14) < class Cart (lines 5–18)", // return s;
    13: "method total (lines 7–14) < class Cart (lines 5–18)", // }
    15: "class Cart (lines 5–18) < module shop (lines 3–25)", // private:
    16: "class Cart (lines 5–18) < module shop (lines 3–25)", // std::vector<int> items_;
    17: "class Cart (lines 5–18) < module shop (lines 3–25)", // };
    19: "function twice (lines 20–23) < module shop (lines 3–25)", // template <typename T>
    20: "function twice (lines 20–23) < module shop (lines 3–25)", // T twice(T x) {
    21: "function twice (lines 20–23) < module shop (lines 3–25)", // return x * 2;
    22: "function twice (lines 20–23) < module shop (lines 3–25)", // }
    24: "module shop (lines 3–25)", // }  // namespace shop
  },
  "sample.go.txt": {
    0: "", // package cart
    2: "struct Cart (lines 3–6)", // // Cart holds items.
    3: "struct Cart (lines 4–6)", // type Cart struct {
    4: "struct Cart (lines 4–6)", // items []int
    5: "struct Cart (lines 4–6)", // }
    7: "method Total (lines 8–18)", // // Total adds prices.
    8: "method Total (lines 9–18)", // func (c *Cart) Total() int {
    9: "method Total (lines 9–18)", // s := 0
    10: "closure (lines 11–13) < method Total (lines 9–18)", // each := func(i int) {
    11: "closure (lines 11–13) < method Total (lines 9–18)", // s += i
    12: "closure (lines 11–13) < method Total (lines 9–18)", // }
    13: "method Total (lines 9–18)", // for _, i := range c.items {
    14: "method Total (lines 9–18)", // each(i)
    15: "method Total (lines 9–18)", // }
    16: "method Total (lines 9–18)", // return s
    17: "method Total (lines 9–18)", // }
    19: "function New (lines 20–22)", // func New() *Cart {
    20: "function New (lines 20–22)", // return &Cart{}
    21: "function New (lines 20–22)", // }
  },
  "sample.js.txt": {
    0: "", // const api = {
    1: "function fetch (lines 2–4)", // fetch: function (url) {
    2: "function fetch (lines 2–4)", // return get(url);
    3: "function fetch (lines 2–4)", // },
    4: "", // };
    6: "closure (lines 7–11)", // describe("cart", () => {
    7: "closure (lines 8–10) < closure (lines 7–11)", // it("adds", () => {
    8: "closure (lines 8–10) < closure (lines 7–11)", // expect(1).toBe(1);
    9: "closure (lines 8–10) < closure (lines 7–11)", // });
    10: "closure (lines 7–11)", // });
  },
  "sample.json.txt": {
    0: "", // {
    1: "", // "name": "cart",
    2: "block scripts (lines 3–6)", // "scripts": {
    3: "block scripts (lines 3–6)", // "build": "tsc",
    4: "block scripts (lines 3–6)", // "test": "node --test"
    5: "block scripts (lines 3–6)", // },
    6: "", // "version": "1.0.0"
    7: "", // }
  },
  "sample.php.txt": {
    0: "", // <?php
    2: "class Cart (lines 3–15)", // class Cart
    3: "class Cart (lines 3–15)", // {
    4: "class Cart (lines 3–15)", // private array $items = [];
    6: "method total (lines 7–14) < class Cart (lines 3–15)", // // Sum of prices.
    7: "method total (lines 8–14) < class Cart (lines 3–15)", // public function total(): int
    8: "method total (lines 8–14) < class Cart (lines 3–15)", // {
    9: "function $twice (lines 10–12) < method total (lines 8–14)", // $twice = function ($x) {
    10: "function $twice (lines 10–12) < method total (lines 8–14)", // return $x * 2;
    11: "function $twice (lines 10–12) < method total (lines 8–14)", // };
    12: "method total (lines 8–14) < class Cart (lines 3–15)", // return array_sum($this->items);
    13: "method total (lines 8–14) < class Cart (lines 3–15)", // }
    14: "class Cart (lines 3–15)", // }
    16: "function helper (lines 17–20)", // function helper()
    17: "function helper (lines 17–20)", // {
    18: "function helper (lines 17–20)", // return 1;
    19: "function helper (lines 17–20)", // }
  },
  "sample.py.txt": {
    0: "", // import os
    2: "class Cart (lines 3–18)", // # Adds things up.
    3: "class Cart (lines 3–18)", // # Really.
    4: "class Cart (lines 5–18)", // @dataclass
    5: "class Cart (lines 5–18)", // class Cart:
    6: "class Cart (lines 5–18)", // """A cart."""
    8: "method __init__ (lines 9–10) < class Cart (lines 5–18)", // def __init__(self, items):
    9: "method __init__ (lines 9–10) < class Cart (lines 5–18)", // self.items = items
    11: "method total (lines 12–18) < class Cart (lines 5–18)", // @property
    12: "method total (lines 12–18) < class Cart (lines 5–18)", // @cached
    13: "method total (lines 12–18) < class Cart (lines 5–18)", // def total(self):
    14: "method total (lines 12–18) < class Cart (lines 5–18)", // s = 0
    15: "method total (lines 12–18) < class Cart (lines 5–18)", // for i in self.items:
    16: "method total (lines 12–18) < class Cart (lines 5–18)", // s += i.price
    17: "method total (lines 12–18) < class Cart (lines 5–18)", // return s
    19: "function helper (lines 20–24)", // def helper():
    20: "function inner (lines 21–22) < function helper (lines 20–24)", // def inner(x):
    21: "function inner (lines 21–22) < function helper (lines 20–24)", // return x + 1
    22: "function helper (lines 20–24)", // key = lambda x: x
    23: "function helper (lines 20–24)", // return inner
  },
  "sample.rb.txt": {
    0: "class Cart (lines 1–13)", // # A cart.
    1: "class Cart (lines 2–13)", // class Cart
    2: "method initialize (lines 3–5) < class Cart (lines 2–13)", // def initialize(items)
    3: "method initialize (lines 3–5) < class Cart (lines 2–13)", // @items = items
    4: "method initialize (lines 3–5) < class Cart (lines 2–13)", // end
    6: "method total (lines 7–12) < class Cart (lines 2–13)", // # Sum of prices.
    7: "method total (lines 8–12) < class Cart (lines 2–13)", // def total
    8: "closure (lines 9–11) < method total (lines 8–12)", // @items.sum do |i|
    9: "closure (lines 9–11) < method total (lines 8–12)", // i.price
    10: "closure (lines 9–11) < method total (lines 8–12)", // end
    11: "method total (lines 8–12) < class Cart (lines 2–13)", // end
    12: "class Cart (lines 2–13)", // end
    14: "function helper (lines 15–17)", // def helper
    15: "function helper (lines 15–17)", // 1
    16: "function helper (lines 15–17)", // end
  },
  "sample.rs.txt": {
    0: "", // use std::fmt;
    2: "struct Cart (lines 3–7)", // /// A cart.
    3: "struct Cart (lines 3–7)", // #[derive(Debug)]
    4: "struct Cart (lines 4–7)", // pub struct Cart {
    5: "struct Cart (lines 4–7)", // items: Vec<u32>,
    6: "struct Cart (lines 4–7)", // }
    8: "impl Cart (lines 9–16)", // impl Cart {
    9: "method total (lines 10–15) < impl Cart (lines 9–16)", // /// Sum of prices.
    10: "method total (lines 11–15) < impl Cart (lines 9–16)", // pub fn total(&self) -> u32 {
    11: "closure (lines 12–14) < method total (lines 11–15)", // self.items.iter().map(|i| {
    12: "closure (lines 12–14) < method total (lines 11–15)", // i * 2
    13: "closure (lines 12–14) < method total (lines 11–15)", // }).sum()
    14: "method total (lines 11–15) < impl Cart (lines 9–16)", // }
    15: "impl Cart (lines 9–16)", // }
    17: "function main (lines 18–21)", // fn main() {
    18: "function main (lines 18–21)", // let c = Cart { items: vec![] };
    19: "function main (lines 18–21)", // println!("{}", c.total());
    20: "function main (lines 18–21)", // }
  },
  "sample.sh.txt": {
    0: "", // #!/bin/bash
    2: "function greet (lines 3–7)", // # Greets.
    3: "function greet (lines 4–7)", // greet() {
    4: "function greet (lines 4–7)", // local name="$1"
    5: "function greet (lines 4–7)", // echo "hello $name"
    6: "function greet (lines 4–7)", // }
    8: "", // greet world
  },
  "sample.ts.txt": {
    0: "", // import { x } from "./x";
    2: "function total (lines 3–10)", // /** Adds prices. */
    3: "function total (lines 4–10)", // export function total(items: Item[]): nu
    4: "function total (lines 4–10)", // let s = 0;
    5: "closure (lines 6–8) < function total (lines 4–10)", // items.forEach((i) => {
    6: "closure (lines 6–8) < function total (lines 4–10)", // s += i.price;
    7: "closure (lines 6–8) < function total (lines 4–10)", // });
    8: "function total (lines 4–10)", // return s;
    9: "function total (lines 4–10)", // }
    11: "class Cart (lines 12–25)", // @Component({ selector: "cart" })
    12: "class Cart (lines 12–25)", // export class Cart {
    13: "class Cart (lines 12–25)", // private items: Item[] = [];
    15: "method count (lines 16–19) < class Cart (lines 12–25)", // // Counts items.
    16: "method count (lines 17–19) < class Cart (lines 12–25)", // count(): number {
    17: "method count (lines 17–19) < class Cart (lines 12–25)", // return this.items.length;
    18: "method count (lines 17–19) < class Cart (lines 12–25)", // }
    20: "method name (lines 21–24) < class Cart (lines 12–25)", // @Input()
    21: "method name (lines 21–24) < class Cart (lines 12–25)", // set name(v: string) {
    22: "method name (lines 21–24) < class Cart (lines 12–25)", // this.n = v;
    23: "method name (lines 21–24) < class Cart (lines 12–25)", // }
    24: "class Cart (lines 12–25)", // }
    26: "function double (lines 27–29)", // export const double = (n: number) => {
    27: "function double (lines 27–29)", // return n * 2;
    28: "function double (lines 27–29)", // };
    30: "interface Item (lines 31–33)", // interface Item {
    31: "interface Item (lines 31–33)", // price: number;
    32: "interface Item (lines 31–33)", // }
  },
  "sample.tsx.txt": {
    0: "function Cart (lines 1–6)", // export function Cart({ items }: Props) {
    1: "closure (lines 2–4) < function Cart (lines 1–6)", // const rows = items.map((i) => (
    2: "closure (lines 2–4) < function Cart (lines 1–6)", // <Row key={i.id} item={i} />
    3: "closure (lines 2–4) < function Cart (lines 1–6)", // ));
    4: "function Cart (lines 1–6)", // return <table>{rows}</table>;
    5: "function Cart (lines 1–6)", // }
  },
  "sample.yaml.txt": {
    0: "", // name: ci
    1: "block on (lines 2–4)", // on:
    2: "block push (lines 3–4) < block on (lines 2–4)", // push:
    3: "block push (lines 3–4) < block on (lines 2–4)", // branches: [main]
    4: "block jobs (lines 5–10)", // jobs:
    5: "block test (lines 6–10) < block jobs (lines 5–10)", // test:
    6: "block test (lines 6–10) < block jobs (lines 5–10)", // runs-on: ubuntu-latest
    7: "block steps (lines 8–10) < block test (lines 6–10)", // steps:
    8: "block steps (lines 8–10) < block test (lines 6–10)", // - uses: actions/checkout@v4
    9: "block steps (lines 8–10) < block test (lines 6–10)", // - run: npm test
  },
};

for (const [file, rows] of Object.entries(EXPECTED)) {
  test(`${file}: the block around the cursor at the start, middle and end of each line`, async () => {
    const src = readFileSync(join(FIXTURES, file), "utf8");
    const st = await parse("", src, { filename: file.replace(/\.txt$/, "") });
    assert.ok(st, "a grammar for the file");
    assert.equal(st.tree.rootNode.hasError, false, "the fixture parses cleanly");
    const lines = src.split("\n");
    let offset = 0;
    const starts = lines.map((l) => ((offset += l.length + 1), offset - l.length - 1));
    for (const [row, expected] of Object.entries(rows)) {
      const line = lines[Number(row)]!;
      for (const col of [0, Math.floor(line.length / 2), line.length]) {
        const got: string = scopesAt(st, starts[Number(row)]! + col)
          .slice(0, 2)
          .map(describeScope)
          .join(" < ");
        assert.equal(got, expected, `${file}:${Number(row) + 1}:${col + 1} ${JSON.stringify(line)}`);
      }
    }
  });
}

test("blank lines: inside a body → that block; between methods → the class; top level → none", async () => {
  const src = readFileSync(join(FIXTURES, "sample.py.txt"), "utf8");
  const st = (await parse("python", src))!;
  const lineStart = (row: number) => src.split("\n").slice(0, row).join("\n").length + 1;
  assert.equal(describeScope(enclosingScope(st, lineStart(10))!), "class Cart (lines 5–18)");
  assert.equal(enclosingScope(st, lineStart(1)), undefined);
  const body = "def f():\n    a = 1\n\n    return a\n";
  const f = (await parse("python", body))!;
  assert.equal(describeScope(enclosingScope(f, body.indexOf("\n\n") + 1)!), "function f (lines 1–4)");
});

test("scope offsets cover the lines it names, decorators included", async () => {
  const src = readFileSync(join(FIXTURES, "sample.py.txt"), "utf8");
  const st = (await parse("python", src))!;
  const s = enclosingScope(st, src.indexOf("s += i.price"))!;
  assert.equal(s.kind, "method");
  assert.equal(s.name, "total");
  assert.equal(s.nodeType, "function_definition");
  assert.equal(s.headerLine, 13);
  assert.equal(src.slice(s.startOffset, s.endOffset), src.split("\n").slice(11, 18).join("\n").trimStart());
});

test("a one-line lambda is never the target; the function around it is", async () => {
  const src = "const f = () => {\n  return items.map((x) => x * 2);\n};\n";
  const st = (await parse("typescript", src))!;
  assert.equal(describeScope(enclosingScope(st, src.indexOf("x * 2"))!), "function f (lines 1–3)");
});
