import { expect, it } from "vitest";
import { ProgressDisplay } from "./progressDisplay.js";

function output(isTTY: boolean) {
  const written: string[] = [];
  return { out: { isTTY, write: (text: string) => written.push(text) }, written };
}

it("redraws one line on a terminal: a bar, documents, rate and time left", () => {
  let now = 0;
  const { out, written } = output(true);
  const display = new ProgressDisplay(out, 1000, () => now);
  now = 2000;
  display.update(50_000, 250);
  now = 2050; // sooner than a redraw
  display.update(51_000, 260);
  display.note("rejected a.json:7: bad");
  display.end();
  expect(written).toEqual([
    "\r\x1b[K[######------------------] 50,000 documents, 25.0k/s, 25%, 6s left",
    "\r\x1b[K",
    "rejected a.json:7: bad\n",
  ]);
});

it("prints a plain line now and then off a terminal, and always when asked", () => {
  let now = 0;
  const { out, written } = output(false);
  const display = new ProgressDisplay(out, 100, () => now);
  now = 1000;
  display.update(10, 10);
  now = 6000;
  display.update(600, 60);
  now = 7000;
  display.update(1000, 100, true);
  display.end();
  expect(written).toEqual([
    "import: 600 documents, 100/s, 60%, 4s left\n",
    "import: 1,000 documents, 143/s, 100%, 0s left\n",
  ]);
});
