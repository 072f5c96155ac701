/** `App.getApp(id)`: Realm JS's older name for `App.get(id)`, the one App per id in the process. */
import { describe, expect, it } from "vitest";
import { App } from "./App.js";

describe("App.getApp", () => {
  it("returns the process's one App for the id, the same as App.get", () => {
    const app = App.getApp("get-app-test");
    expect(app).toBeInstanceOf(App);
    expect(app.id).toBe("get-app-test");
    expect(App.getApp("get-app-test")).toBe(app);
    expect(App.get("get-app-test")).toBe(app);
    expect(App.getApp("another-app")).not.toBe(app);
  });
});
