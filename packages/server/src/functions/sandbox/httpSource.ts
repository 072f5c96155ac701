/**
 * JavaScript evaluated inside every sandbox context, before `run`: `context.http`, with App
 * Services' argument shape (`{url}` or `{scheme, host, path, query}`, `headers` as
 * `{Name: [values]}`, `body` as a string, bytes or, with `encodeBodyAsJSON`, any value sent
 * as Extended JSON, `form` (URL-encoded), `username`/`password` (basic auth), `cookies`,
 * `followRedirects`) and result shape (`status`, `statusCode`,
 * `contentLength`, `headers`, `cookies`, `body` a Binary with `text()`). The host decides
 * whether the request may go out (functionHttp.ts).
 */
export const HTTP_SOURCE = `
const httpUrl = (args) => {
  if (typeof args.url === "string") return args.url;
  if (typeof args.host !== "string") return "";
  let url = (typeof args.scheme === "string" ? args.scheme : "https") + "://" + args.host + (typeof args.path === "string" ? args.path : "");
  if (isPlainObject(args.query)) {
    const parts = [];
    for (const key of objectKeys(args.query)) {
      const values = isArray(args.query[key]) ? args.query[key] : [args.query[key]];
      for (const value of values) parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(String(value)));
    }
    if (parts.length > 0) url += "?" + parts.join("&");
  }
  return url;
};
const httpHeaders = (headers) => {
  const out = {};
  if (!isPlainObject(headers)) return out;
  for (const key of objectKeys(headers)) {
    const values = isArray(headers[key]) ? headers[key].map(String) : [String(headers[key])];
    defineProperty(out, key, { value: values, enumerable: true, writable: true, configurable: true });
  }
  return out;
};
const httpCall = (method) => async (args) => {
  const options = isPlainObject(args) ? args : {};
  const request = { method, url: httpUrl(options), headers: httpHeaders(options.headers), followRedirects: options.followRedirects === true };
  const named = (name) => objectKeys(request.headers).some((key) => key.toLowerCase() === name);
  if (typeof options.username === "string" && !named("authorization")) {
    const pair = options.username + ":" + (typeof options.password === "string" ? options.password : "");
    const bytes = new TextEncoder().encode(pair);
    let latin1 = "";
    for (let i = 0; i < bytes.length; i++) latin1 += String.fromCharCode(bytes[i]);
    request.headers["Authorization"] = ["Basic " + btoa(latin1)];
  }
  if (isPlainObject(options.cookies) && !named("cookie")) {
    const pairs = objectKeys(options.cookies).map((name) => name + "=" + String(options.cookies[name]));
    if (pairs.length > 0) request.headers["Cookie"] = [pairs.join("; ")];
  }
  if (isPlainObject(options.form) && options.body === undefined) {
    const parts = [];
    for (const key of objectKeys(options.form)) {
      const values = isArray(options.form[key]) ? options.form[key] : [options.form[key]];
      for (const value of values) parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(String(value)));
    }
    request.body = { text: parts.join("&") };
    if (!named("content-type")) request.headers["Content-Type"] = ["application/x-www-form-urlencoded"];
  }
  if (options.body !== undefined) {
    if (options.encodeBodyAsJSON === true) {
      request.body = { text: ejsonStringify(markUnsafeIntegers(options.body, new AncestorSet()), { relaxed: true }) };
      if (!named("content-type")) request.headers["Content-Type"] = ["application/json"];
    } else {
      request.body = bytesInput(options.body);
    }
  }
  const reply = jsonParse(await hostAsync("http", jsonStringify(request)));
  const body = BSON.Binary.createFromBase64(reply.bodyBase64);
  defineProperty(body, "text", { value: () => body.toString("utf8"), enumerable: false });
  return { status: reply.status, statusCode: reply.statusCode, contentLength: reply.contentLength, headers: reply.headers, cookies: {}, body };
};
const httpObject = freeze({
  get: httpCall("GET"),
  post: httpCall("POST"),
  put: httpCall("PUT"),
  patch: httpCall("PATCH"),
  delete: httpCall("DELETE"),
  head: httpCall("HEAD"),
});
`;
