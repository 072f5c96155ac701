import type { Context } from "hono";
import { parseEjsonObject } from "./ejson.js";

/** The request body as an EJSON object; an absent body is `{}`. */
export async function ejsonBody(c: Context): Promise<Record<string, unknown>> {
  return parseEjsonObject(await c.req.text());
}
