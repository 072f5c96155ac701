import { describe, expect, it } from "vitest";
import { openStorage } from "./openStorage.js";

describe("SQLite wake-ups", () => {
  it("wakes the listeners of a channel, the notifier's own included, and no others", async () => {
    const engine = await openStorage("memory");
    const woken: string[] = [];
    const delivered = new Promise<void>((resolve) =>
      engine.listen("history", () => {
        woken.push("history");
        resolve();
      }),
    );
    engine.listen("access", () => woken.push("access"));
    const unsubscribed = engine.listen("history", () => woken.push("unsubscribed"));
    unsubscribed();
    await engine.notify("history");
    await delivered;
    expect(woken).toEqual(["history"]);
    await engine.close();
    await expect(engine.notify("history")).rejects.toMatchObject({ code: "Closed" });
  });
});
